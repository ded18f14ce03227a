package swift

import (
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// Name is a package identifier, scope.name, as given in a request
// (SE-0292 §3.6): compare and store it through Ref, which lowercases it.
type Name struct {
	Scope, Base string
}

// Ref is the package's key: scope and name lower case.
func (n Name) Ref() artifact.PackageRef {
	return Rules{}.Normalize(artifact.PackageRef{Format: artifact.Swift, Namespace: n.Scope, Name: n.Base})
}

// ID is the identifier "scope.name", lower case as stored.
func (n Name) ID() string {
	r := n.Ref()
	return r.Namespace + "." + r.Name
}

func (n Name) String() string { return n.ID() }

// ParseName checks a scope and a name against SE-0292's grammar: a scope
// is 1-39 letters, digits and single hyphens between them; a name is
// 1-100 letters, digits and single hyphens or underscores between them.
func ParseName(scope, name string) (Name, error) {
	if !valid(scope, 39, "-") {
		return Name{}, errkind.Validationf("Invalid scope %q: a scope is 1 to 39 letters and digits, with single hyphens between them", scope)
	}
	if !valid(name, 100, "-_") {
		return Name{}, errkind.Validationf("Invalid package name %q: a name is 1 to 100 letters and digits, with single hyphens or underscores between them", name)
	}
	return Name{Scope: scope, Base: name}, nil
}

// valid reports whether s is 1..max ASCII letters and digits with single
// separators (from seps) only between two of them.
func valid(s string, max int, seps string) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if alnum(c) {
			continue
		}
		if !strings.ContainsRune(seps, rune(c)) || i == 0 || i == len(s)-1 || !alnum(s[i+1]) {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ValidateVersion checks that v is a SemVer 2.0 version, which is all a
// release may be (SE-0292 §3.6; CodeArtifact accepts nothing else).
func ValidateVersion(v string) error {
	if len(v) > 255 || !isSemVer(v) {
		return errkind.Validationf("Invalid version %q: a release version is a semantic version (SemVer 2.0), such as 1.0.0 or 1.1.0-beta.1", v)
	}
	return nil
}

// isSemVer reports whether v is MAJOR.MINOR.PATCH[-pre][+build].
func isSemVer(v string) bool {
	core, build, hasBuild := strings.Cut(v, "+")
	if hasBuild && !idents(build, false) {
		return false
	}
	core, pre, hasPre := strings.Cut(core, "-")
	if hasPre && !idents(pre, true) {
		return false
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if !numeric(p) {
			return false
		}
	}
	return true
}

// numeric is a number without leading zeros.
func numeric(p string) bool {
	if p == "" || (len(p) > 1 && p[0] == '0') {
		return false
	}
	for i := 0; i < len(p); i++ {
		if !isDigit(p[i]) {
			return false
		}
	}
	return true
}

// idents checks dot-separated identifiers of [0-9A-Za-z-]; numeric
// pre-release identifiers have no leading zeros.
func idents(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		digits := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !alnum(c) && c != '-' {
				return false
			}
			digits = digits && isDigit(c)
		}
		if pre && digits && !numeric(id) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
