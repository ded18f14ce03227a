package cli

import (
	"fmt"
	"io"
	"strings"
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
	if len(a)*len(b) > 4_000_000 {
		for _, l := range b {
			fmt.Fprintln(w, "  + "+l)
		}
		return
	}
	// Longest common subsequence, then walk it.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte
		line string
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	const context = 2
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind != ' ' {
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
		fmt.Fprintf(w, "  %c %s\n", o.kind, o.line)
	}
}
