package ruby

import (
	"regexp"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// Version is a parsed Gem::Version: its segments, runs of digits
// (numeric) and runs of letters (strings), in order.
//
// Spec: RubyGems' Gem::Version (a version is digits separated by dots,
// then optionally "-" and dot-separated alphanumerics, which RubyGems
// reads as ".pre."; any letter makes it a prerelease).
type Version struct {
	segments []segment
}

// segment is a numeric segment (digits without leading zeros) or a string
// segment (letters).
type segment struct {
	s       string
	numeric bool
}

var versionPattern = regexp.MustCompile(`\A[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\z`)

var segmentPattern = regexp.MustCompile(`[0-9]+|[a-zA-Z]+`)

// maxVersion bounds the length of a version.
const maxVersion = 128

// ParseVersion parses a Gem::Version.
func ParseVersion(v string) (Version, error) {
	if len(v) > maxVersion || !versionPattern.MatchString(v) {
		return Version{}, errkind.Validationf("%q is not a RubyGems version (digits separated by dots, then letters or digits)", v)
	}
	v = strings.ReplaceAll(v, "-", ".pre.")
	var segs []segment
	for _, s := range segmentPattern.FindAllString(v, -1) {
		if s[0] >= '0' && s[0] <= '9' {
			s = strings.TrimLeft(s, "0")
			segs = append(segs, segment{s: s, numeric: true})
		} else {
			segs = append(segs, segment{s: s})
		}
	}
	return Version{segments: segs}, nil
}

// Prerelease reports whether the version has a letter in it.
func (v Version) Prerelease() bool {
	for _, s := range v.segments {
		if !s.numeric {
			return true
		}
	}
	return false
}

// canonical is the segments without the zeros that end the numeric part
// and those that end the string part (1.0 and 1.0.0 are one version).
func (v Version) canonical() []segment {
	i := 0
	for i < len(v.segments) && v.segments[i].numeric {
		i++
	}
	return append(dropZeros(v.segments[:i:i]), dropZeros(v.segments[i:])...)
}

func dropZeros(segs []segment) []segment {
	n := len(segs)
	for n > 0 && segs[n-1].numeric && segs[n-1].s == "" {
		n--
	}
	return segs[:n:n]
}

// Compare orders versions as Gem::Version#<=> does: segment by segment, a
// missing segment reading as 0, a string segment before a numeric one,
// numbers by value and strings by bytes.
func (v Version) Compare(o Version) int {
	a, b := v.canonical(), o.canonical()
	zero := segment{numeric: true}
	for i := 0; i < max(len(a), len(b)); i++ {
		l, r := zero, zero
		if i < len(a) {
			l = a[i]
		}
		if i < len(b) {
			r = b[i]
		}
		if c := compareSegment(l, r); c != 0 {
			return c
		}
	}
	return 0
}

func compareSegment(l, r segment) int {
	switch {
	case l.numeric && !r.numeric:
		return 1
	case !l.numeric && r.numeric:
		return -1
	case l.numeric:
		if len(l.s) != len(r.s) {
			if len(l.s) < len(r.s) {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(l.s, r.s)
}
