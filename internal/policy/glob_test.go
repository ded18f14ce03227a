package policy

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
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
		}
	}
}
