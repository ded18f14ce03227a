package pkggroup

import (
	"strings"
	"unicode"

	"github.com/arcahq/arca/internal/artifact"
)

// Weak returns the form in which look-alike names compare equal: case
// folded, confusable characters mapped to the Latin letters they imitate,
// and every run of '-', '.' and '_' replaced by one '.'. Case folding
// comes first, so a capital I folds to i (not to the l it resembles).
func Weak(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	for _, r := range s {
		r = confusable(unicode.ToLower(confusable(r)))
		if r == '-' || r == '.' || r == '_' {
			if !sep {
				b.WriteByte('.')
			}
			sep = true
			continue
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// matchesWeakly reports whether a package whose namespace and name are
// given in their weak form matches p once p is in its weak form too.
func (p *Pattern) matchesWeakly(f artifact.Format, weakNamespace, weakName string) bool {
	return p.matches(f, weakNamespace, weakName, p.weakNamespace, p.weakName)
}

// confusables maps characters that render like a Latin letter or digit to
// it: the Cyrillic and Greek look-alikes, full-width forms, and the digits
// that pass for letters. It is a short table of the common cases, not
// Unicode's full confusables list.
var confusables = map[rune]rune{
	// Cyrillic.
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k',
	'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'ѕ': 's', 'т': 't', 'у': 'y', 'х': 'x',
	'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ɡ': 'g',
	// Greek.
	'α': 'a', 'β': 'b', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
	'υ': 'u', 'χ': 'x',
	// Dotless i, long s, and the like.
	'ı': 'i', 'ſ': 's', 'ℓ': 'l',
	// Digits and letters that stand in for each other.
	'0': 'o', '1': 'l', '|': 'l',
}

func confusable(r rune) rune {
	if c, ok := confusables[r]; ok {
		return c
	}
	return r
}

func init() {
	// Full-width ASCII letters and digits.
	for r := rune('!'); r <= '~'; r++ {
		confusables[r-'!'+'！'] = r // then folded and mapped like r
	}
}
