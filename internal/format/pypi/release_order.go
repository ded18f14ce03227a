package pypi

import pep440 "github.com/aquasecurity/go-pep440-version"

// The PEP 440 library compares two versions by formatting both and
// walking their parts through interfaces and reflect.DeepEqual: a few
// microseconds a comparison, 0.1-0.2 s to sort a project's 5,000 versions
// from scratch (the first rebuild of its pages, or after its order was
// dropped). Nearly every version uploaded is a plain release ("1.4.2"):
// two of those compare here, digit by digit, with no allocation; any
// other pair (epoch, pre-, post-, dev-release, local label) goes to the
// library. The order is the library's (TestCompareReleasesIsPEP440s).

// compareReleases compares a and b when both are plain release versions
// (numbers separated by dots, nothing else): as PEP 440 does, number by
// number, missing numbers being 0 ("1.0" and "1" are equal). ok is false
// when either is something else.
func compareReleases(a, b string) (c int, ok bool) {
	if !plainRelease(a) || !plainRelease(b) {
		return 0, false
	}
	for a != "" || b != "" {
		var na, nb string
		na, a = nextNumber(a)
		nb, b = nextNumber(b)
		if c := compareNumbers(na, nb); c != 0 {
			return c, true
		}
	}
	return 0, true
}

// plainRelease reports whether v is numbers separated by single dots.
func plainRelease(v string) bool {
	if v == "" || v[0] == '.' || v[len(v)-1] == '.' {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && v[i-1] != '.':
		default:
			return false
		}
	}
	return true
}

// nextNumber splits v, the rest of a plain release, at its first dot: ""
// (read as 0) once v is used up.
func nextNumber(v string) (n, rest string) {
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return v[:i], v[i+1:]
		}
	}
	return v, ""
}

// compareNumbers compares two decimal numbers of any length, leading
// zeros ignored ("" is 0).
func compareNumbers(a, b string) int {
	a, b = trimZeros(a), trimZeros(b)
	switch {
	case len(a) != len(b):
		if len(a) < len(b) {
			return -1
		}
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func trimZeros(n string) string {
	for n != "" && n[0] == '0' {
		n = n[1:]
	}
	return n
}

// parsedVersion is a version as SortVersions and CompareVersions parse
// it: its string, for compareReleases, and the library's parse, which a
// plain release does without (nil: parsed when compared with another
// kind of version). A parse holds about a kilobyte: sorting 5,000
// versions from scratch held 5 MB of them.
type parsedVersion struct {
	s string
	v *pep440.Version
}

func parseVersion(s string) (parsedVersion, error) {
	if plainRelease(s) && uint64Numbers(s) {
		return parsedVersion{s: s}, nil // PEP 440, the library would say
	}
	v, err := pep440.Parse(s)
	return parsedVersion{s, &v}, err
}

// compareParsed orders two parsed versions by PEP 440.
func compareParsed(a, b parsedVersion) int {
	if c, ok := compareReleases(a.s, b.s); ok {
		return c
	}
	return a.pep440().Compare(b.pep440())
}

// pep440 returns the library's parse of the version.
func (p parsedVersion) pep440() pep440.Version {
	if p.v != nil {
		return *p.v
	}
	v, _ := pep440.Parse(p.s) // a plain release
	return v
}

// uint64Numbers reports whether each number of a plain release fits the
// library's uint64 (19 digits do, leading zeros aside): it refuses the
// others.
func uint64Numbers(v string) bool {
	for v != "" {
		var n string
		n, v = nextNumber(v)
		if len(trimZeros(n)) > 19 {
			return false
		}
	}
	return true
}
