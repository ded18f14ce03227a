package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/arcahq/arca/internal/cli/undo"
)

// RedactedToken stands for the token in what --dry-run prints.
const RedactedToken = "REDACTED-TOKEN"

// redact replaces every occurrence of the token in s.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, RedactedToken)
}

// writeDiff writes the line changes from old to new, "-" for removed
// lines and "+" for added ones, with up to two lines of context around
// each change.
func writeDiff(w io.Writer, old, new string) {
	a := strings.Split(strings.TrimSuffix(old, "\n"), "\n")
	b := strings.Split(strings.TrimSuffix(new, "\n"), "\n")
	if old == "" {
		a = nil
	}
	ops := undo.EditScript(a, b)
	const context = 2
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.Kind != ' ' {
			for x := max(0, k-context); x <= min(len(ops)-1, k+context); x++ {
				show[x] = true
			}
		}
	}
	gap := false
	for k, o := range ops {
		if !show[k] {
			gap = true
			continue
		}
		if gap {
			fmt.Fprintln(w, "  ...")
			gap = false
		}
		fmt.Fprintf(w, "  %c %s\n", o.Kind, o.Line)
	}
}
