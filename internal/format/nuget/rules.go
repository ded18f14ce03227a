package nuget

import (
	"strconv"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// NuGet's naming and versioning rules, as CodeArtifact applies them (User
// Guide, "NuGet package name, version, and asset name normalization"):
// package ids are case-insensitive and stored lower-cased; versions are
// SemVer 2.0 with an optional fourth number, normalized the way NuGet
// normalizes them (no leading zeros, at least three numbers, a zero
// fourth number dropped, build metadata dropped) and ordered by SemVer
// precedence with the fourth number after the third and prerelease
// labels compared case-insensitively.
//
// Spec: https://learn.microsoft.com/nuget/concepts/package-versioning
// (normalized version numbers) and https://semver.org (precedence).

// MaxIDLength is the longest package id NuGet accepts.
const MaxIDLength = 100

// Ref returns the package an id names: the lower-cased id, no namespace.
func Ref(id string) artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.NuGet, Name: NormalizeID(id)}
}

// NormalizeID returns the form ids are stored and compared in.
func NormalizeID(id string) string { return strings.ToLower(id) }

// ValidateID checks a package id as NuGet's PackageIdValidator does:
// runs of letters, digits and "_" joined by single "." or "-", at most
// 100 characters.
func ValidateID(id string) error {
	if id == "" || len(id) > MaxIDLength {
		return errkind.Validationf("Invalid package id %q: an id has 1 to %d characters", id, MaxIDLength)
	}
	prevSep := true // an id cannot start with a separator
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c == '.' || c == '-':
			if prevSep {
				return errkind.Validationf("Invalid package id %q: '.' and '-' must sit between letters or digits", id)
			}
			prevSep = true
		case c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z'):
			prevSep = false
		default:
			return errkind.Validationf("Invalid package id %q: only letters, digits, '_', '.' and '-' are allowed", id)
		}
	}
	if prevSep {
		return errkind.Validationf("Invalid package id %q: an id cannot end with '.' or '-'", id)
	}
	return nil
}

// Version is a parsed NuGet version.
type Version struct {
	// Major, Minor, Patch and Revision are the numbers; Revision is the
	// fourth, 0 when absent.
	Major, Minor, Patch, Revision int
	// Release is the prerelease label ("beta.1"), as written.
	Release string
	// Metadata is the build metadata after "+", as written.
	Metadata string
}

// maxNumber is the largest number of a version part: NuGet parses them
// as 32-bit integers.
const maxNumber = 1<<31 - 1

// ParseVersion parses a version the way NuGet does: one to four
// dot-separated numbers, an optional "-" prerelease label and "+" build
// metadata, both dot-separated SemVer identifiers.
func ParseVersion(s string) (Version, error) {
	var v Version
	bad := func(why string) (Version, error) {
		return Version{}, errkind.Validationf("Invalid version %q: %s", s, why)
	}
	if s == "" || len(s) > 128 {
		return bad("a version has 1 to 128 characters")
	}
	rest, meta, hasMeta := strings.Cut(s, "+")
	if hasMeta {
		if !validIdentifiers(meta, false) {
			return bad("the build metadata after '+' must be dot-separated letters, digits and '-'")
		}
		v.Metadata = meta
	}
	nums, label, hasLabel := strings.Cut(rest, "-")
	if hasLabel {
		if !validIdentifiers(label, true) {
			return bad("the prerelease label after '-' must be dot-separated letters, digits and '-', numbers without leading zeros")
		}
		v.Release = label
	}
	parts := strings.Split(nums, ".")
	if len(parts) > 4 {
		return bad("a version has at most four numbers")
	}
	dst := []*int{&v.Major, &v.Minor, &v.Patch, &v.Revision}
	for i, p := range parts {
		if p == "" || !allDigits(p) {
			return bad("the version numbers must be digits separated by '.'")
		}
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n > maxNumber {
			return bad("a version number is larger than 2147483647")
		}
		*dst[i] = int(n)
	}
	if len(v.String()) > 128 {
		return bad("a version has 1 to 128 characters, normalized")
	}
	return v, nil
}

// validIdentifiers reports whether s is dot-separated non-empty SemVer
// identifiers ([0-9A-Za-z-]+); in a prerelease label, numeric identifiers
// have no leading zeros.
func validIdentifiers(s string, release bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !(c == '-' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
				return false
			}
		}
		if release && len(id) > 1 && id[0] == '0' && allDigits(id) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String returns the normalized version as NuGet writes it: three
// numbers, the fourth when it is not zero, and the prerelease label as
// written; no build metadata.
func (v Version) String() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(v.Major))
	b.WriteByte('.')
	b.WriteString(strconv.Itoa(v.Minor))
	b.WriteByte('.')
	b.WriteString(strconv.Itoa(v.Patch))
	if v.Revision != 0 {
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(v.Revision))
	}
	if v.Release != "" {
		b.WriteByte('-')
		b.WriteString(v.Release)
	}
	return b.String()
}

// Key returns the form versions are stored and looked up by: the
// normalized version, lower-cased, as the flat container writes it. Two
// versions NuGet considers equal have the same key.
func (v Version) Key() string { return strings.ToLower(v.String()) }

// IsPrerelease reports whether v has a prerelease label.
func (v Version) IsPrerelease() bool { return v.Release != "" }

// IsSemVer2 reports whether v is a SemVer 2.0.0 version that clients
// older than NuGet 4.3 cannot read: a dotted prerelease label or build
// metadata.
func (v Version) IsSemVer2() bool { return strings.Contains(v.Release, ".") || v.Metadata != "" }

// NormalizeVersion returns the stored form (Key) of a version, and false
// when s is not a NuGet version.
func NormalizeVersion(s string) (string, bool) {
	v, err := ParseVersion(s)
	if err != nil {
		return "", false
	}
	return v.Key(), true
}

// Compare orders versions by NuGet's precedence: the four numbers, then a
// release after any of its prereleases, then the prerelease labels
// identifier by identifier (numeric ones numerically and before
// alphanumeric ones, alphanumeric ones case-insensitively, a shorter
// label first when the longer one starts with it). Build metadata does
// not count.
func Compare(a, b Version) int {
	for _, d := range [...]int{a.Major - b.Major, a.Minor - b.Minor, a.Patch - b.Patch, a.Revision - b.Revision} {
		if d != 0 {
			return sign(d)
		}
	}
	switch {
	case a.Release == b.Release:
		return 0
	case a.Release == "":
		return 1
	case b.Release == "":
		return -1
	}
	as, bs := strings.Split(a.Release, "."), strings.Split(b.Release, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := compareIdentifier(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return sign(len(as) - len(bs))
}

func compareIdentifier(a, b string) int {
	an, bn := allDigits(a), allDigits(b)
	switch {
	case an && bn:
		if len(a) != len(b) {
			return sign(len(a) - len(b))
		}
		return strings.Compare(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func sign(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

// CompareStrings orders two version strings: parsable versions by
// Compare, after any that do not parse (format.CompareParsed).
func CompareStrings(a, b string) int { return format.CompareParsed(a, b, ParseVersion, Compare) }

// RangeIsSemVer2 reports whether a dependency's version range names a
// SemVer 2.0.0 version ("[1.0.0-beta.1, )"), which makes the depending
// version SemVer 2.0.0 too.
func RangeIsSemVer2(r string) bool {
	r = strings.Trim(strings.TrimSpace(r), "[]()")
	for _, bound := range strings.Split(r, ",") {
		if v, err := ParseVersion(strings.TrimSpace(bound)); err == nil && v.IsSemVer2() {
			return true
		}
	}
	return false
}

// Rules are NuGet's rules for the rest of Arca: ids lower-cased, versions
// normalized and ordered as NuGet does, no namespaces, no tags, packages
// published by the package manager, and the public:nuget-org connection.
type Rules struct{}

var (
	_ format.Rules     = Rules{}
	_ format.Surface   = Rules{}
	_ format.Connector = Rules{}
)

// Format is nuget.
func (Rules) Format() artifact.Format { return artifact.NuGet }

// Normalize lower-cases the id.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef {
	ref.Name = NormalizeID(ref.Name)
	return ref
}

// NormalizeVersion returns the stored form of a version; one that does
// not parse is returned unchanged.
func (Rules) NormalizeVersion(v string) string {
	if k, ok := NormalizeVersion(v); ok {
		return k
	}
	return v
}

// CompareVersions orders versions by NuGet's precedence.
func (Rules) CompareVersions(a, b string) int { return CompareStrings(a, b) }

// NamespaceRequired is false: NuGet packages have no namespace.
func (Rules) NamespaceRequired() bool { return false }

// LatestTag is "": NuGet has no tags.
func (Rules) LatestTag() string { return "" }

// PublishedByAPI is false: nuget push publishes.
func (Rules) PublishedByAPI() bool { return false }

// Connections is public:nuget-org.
func (Rules) Connections() []string { return []string{ConnectionName} }

// Surface builds the NuGet surface of repository endpoints.
func (Rules) Surface(d format.Deps) endpoint.Format { return New(d) }

// Connect returns the client of the registry whose service index is at
// cfg.URL.
func (Rules) Connect(cfg upstream.Config) resolve.Connection { return NewConnection(cfg) }
