package artifact

import (
	"strings"

	"github.com/Masterminds/semver/v3"
	pep440 "github.com/aquasecurity/go-pep440-version"
	mvnversion "github.com/masahiro331/go-mvn-version"
)

// CompareVersions orders two versions of a package of format f: negative
// when a sorts before b. Formats order versions their own way (npm and
// cargo by semantic versioning, PyPI by PEP 440, Maven as Maven's
// ComparableVersion does); versions a format cannot parse sort by a
// natural order that compares digit runs as numbers, before the parsable
// ones.
func CompareVersions(f Format, a, b string) int {
	if vr, ok := versionRules[f]; ok {
		return vr.compare(a, b)
	}
	switch f {
	case PyPI:
		va, ea := pep440.Parse(a)
		vb, eb := pep440.Parse(b)
		if c, ok := both(ea == nil, eb == nil, func() int { return va.Compare(vb) }); ok {
			if c != 0 {
				return c
			}
			return strings.Compare(a, b)
		}
	case Maven:
		va, ea := mvnversion.NewVersion(a)
		vb, eb := mvnversion.NewVersion(b)
		if c, ok := both(ea == nil, eb == nil, func() int { return va.Compare(vb) }); ok {
			if c != 0 {
				return c
			}
			return strings.Compare(a, b)
		}
	case NPM, Cargo, Generic, Swift:
		va, ea := semver.StrictNewVersion(a)
		vb, eb := semver.StrictNewVersion(b)
		switch {
		case ea == nil && eb == nil:
			if c := va.Compare(vb); c != 0 {
				return c
			}
			return strings.Compare(a, b) // build metadata differs
		case ea == nil:
			return 1
		case eb == nil:
			return -1
		}
	}
	return naturalCompare(a, b)
}

// both orders two versions when at least one parsed: by cmp when both
// did, parsable after unparsable otherwise.
func both(aOK, bOK bool, cmp func() int) (int, bool) {
	switch {
	case aOK && bOK:
		return cmp(), true
	case aOK:
		return 1, true
	case bOK:
		return -1, true
	}
	return 0, false
}

// naturalCompare compares strings chunk by chunk, digit runs as numbers:
// 1.9 < 1.10, rc2 < rc10.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ca, ra := chunk(a)
		cb, rb := chunk(b)
		if isDigit(ca[0]) && isDigit(cb[0]) {
			na, nb := strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
		} else if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return len(a) - len(b)
}

func chunk(s string) (string, string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
