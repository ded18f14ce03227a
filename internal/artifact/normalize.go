package artifact

import (
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

// Normalize returns ref as its format keys packages: a PyPI project under
// the normal form of its name (PEP 503), other formats as given. Every way
// into the catalog (package endpoints and the control plane) looks
// packages up by it, so "Hello_CA" and "hello-ca" are one project.
func (r PackageRef) Normalize() PackageRef {
	if r.Format == PyPI {
		r.Name = NormalizePyPIName(r.Name)
	}
	if vr, ok := versionRules[r.Format]; ok && vr.name != nil {
		r.Name = vr.name(r.Name)
	}
	return r
}

// NormalizePyPIName returns the normal form of a project name: lower case,
// every run of "-", "_" and "." replaced by one "-".
//
// Spec: https://packaging.python.org/en/latest/specifications/name-normalization/
// (PEP 503).
func NormalizePyPIName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			sep = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		b.WriteByte(c)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

// NormalizeVersion returns a version as format f keys versions: a PyPI
// version that is PEP 440 in its normal form ("1.0-RC1" is "1.0rc1"),
// anything else as given.
func NormalizeVersion(f Format, v string) string {
	if vr, ok := versionRules[f]; ok {
		return vr.version(v)
	}
	if f != PyPI {
		return v
	}
	n, ok := NormalizePEP440(v)
	if !ok {
		return v
	}
	return n
}

// NormalizePEP440 returns the normal form of a PEP 440 version, and false
// when v is not one.
//
// Spec: https://packaging.python.org/en/latest/specifications/version-specifiers/#normalization
func NormalizePEP440(v string) (string, bool) {
	parsed, err := pep440.Parse(v)
	if err != nil {
		return "", false
	}
	s := parsed.String()
	// The library lower-cases the local segment but keeps its separators;
	// PEP 440 makes them all ".".
	if base, local, ok := strings.Cut(s, "+"); ok {
		s = base + "+" + strings.NewReplacer("-", ".", "_", ".").Replace(local)
	}
	return s, true
}

// versionRules are the rules of formats that keep them in their own
// folder (format/nuget), registered by the format's package.
var versionRules = map[Format]struct {
	name    func(string) string
	version func(string) string
	compare func(a, b string) int
}{}

// RegisterRules makes Normalize, NormalizeVersion and CompareVersions
// follow a format's own rules. It is called from a format package's init,
// before any request.
func RegisterRules(f Format, name, version func(string) string, compare func(a, b string) int) {
	versionRules[f] = struct {
		name    func(string) string
		version func(string) string
		compare func(a, b string) int
	}{name, version, compare}
}
