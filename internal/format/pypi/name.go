package pypi

import (
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// MaxNameLength is the longest project name accepted: the model's
// PackageName bound.
const MaxNameLength = 255

// NormalizeName returns the normalised form of a project name: lower case,
// every run of "-", "_" and "." replaced by one "-". Projects are stored
// and looked up under it; two names with the same normal form are one
// project.
//
// Spec: https://packaging.python.org/en/latest/specifications/name-normalization/
// (PEP 503).
func NormalizeName(name string) string {
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

// IsNormalized reports whether name is its own normal form.
func IsNormalized(name string) bool { return NormalizeName(name) == name }

// Ref returns the package a project name refers to.
func Ref(name string) artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.PyPI, Name: NormalizeName(name)}
}

// ValidateName checks a project name as core metadata requires: ASCII
// letters and digits, with ".", "_" and "-" inside (never first or last).
//
// Spec: https://packaging.python.org/en/latest/specifications/core-metadata/#name
func ValidateName(name string) error {
	if name == "" {
		return errkind.Validationf("Invalid project name: the name is empty")
	}
	if len(name) > MaxNameLength {
		return errkind.Validationf("Invalid project name %.40q...: longer than %d characters", name, MaxNameLength)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		inner := c == '.' || c == '_' || c == '-'
		if !alnum && (!inner || i == 0 || i == len(name)-1) {
			return errkind.Validationf("Invalid project name %q: a name is ASCII letters and digits, with '.', '_' and '-' only between them", name)
		}
	}
	return nil
}

// NormalizeVersion returns the normal form of a PEP 440 version ("1.0-RC1"
// is "1.0rc1", "v2" is "2", "1.0+Ubuntu-1" is "1.0+ubuntu.1"). Versions
// are stored under their normal form; the version as the metadata wrote it
// is kept for display. A version that is not PEP 440 is a Validation error.
//
// Spec: https://packaging.python.org/en/latest/specifications/version-specifiers/#normalization
func NormalizeVersion(v string) (string, error) {
	if v == "" || len(v) > 255 {
		return "", errkind.Validationf("Invalid version %.40q: a version is 1 to 255 characters", v)
	}
	s, ok := normalPEP440(v)
	if !ok {
		return "", errkind.Validationf("Invalid version %q: not a PEP 440 version", v)
	}
	return s, nil
}

// RemoteVersion returns the version a public index's file is stored
// under: the normal form of a PEP 440 version, or the version as written
// for the few legacy versions that are not PEP 440 (the index serves them
// all the same).
func RemoteVersion(v string) string {
	if n, err := NormalizeVersion(v); err == nil {
		return n
	}
	return v
}

// normalPEP440 returns the normal form of a PEP 440 version, and false
// when v is not one.
//
// Spec: https://packaging.python.org/en/latest/specifications/version-specifiers/#normalization
func normalPEP440(v string) (string, bool) {
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
