package policy

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestGlobAgainstRegexp compares glob with a regular expression built
// from the same pattern on random patterns and strings over a small
// alphabet, where backtracking and the jumps after * matter most.
func TestGlobAgainstRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(alphabet string, n int) string {
		var b strings.Builder
		for range rng.IntN(n + 1) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 20000 {
		pat, s := random("ab*?:/é", 8), random("abAB:/é", 10)
		var toks []tok
		var re strings.Builder
		re.WriteString("(?s)^")
		for _, r := range pat {
			switch r {
			case '*':
				toks = append(toks, tok{kind: tokStar})
				re.WriteString(".*")
			case '?':
				toks = append(toks, tok{kind: tokQuest})
				re.WriteString(".")
			default:
				toks = append(toks, tok{kind: tokLit, r: r})
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		for _, fold := range []bool{false, true} {
			expr := re.String()
			if fold {
				expr = "(?i)" + expr
			}
			want := regexp.MustCompile(expr).MatchString(s)
			if got := glob(toks, s, fold); got != want {
				t.Fatalf("glob(%q, %q, fold %v) = %v, want %v", pat, s, fold, got, want)
			}
			// The compiled pattern (exact, prefix, or glob after its
			// literal-run check) agrees too, on the valid UTF-8 that
			// policy documents hold.
			if !utf8.ValidString(pat) || !utf8.ValidString(s) {
				continue
			}
			cp, err := compilePattern(pat, patternOpts{wild: true, fold: fold})
			if err != nil {
				t.Fatal(err)
			}
			if got := cp.match(s, nil); got != triOf(want) {
				t.Fatalf("pattern %q (mode %d).match(%q), fold %v = %v, want %v", pat, cp.mode, s, fold, got, want)
			}
		}
	}
}
