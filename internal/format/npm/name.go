package npm

import (
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// MaxNameLength is the longest name a new npm package may have.
const MaxNameLength = 214

// Name is an npm package name: "name", or "@scope/name" with Scope set
// (without its "@").
type Name struct {
	Scope string
	Base  string
}

// String returns the name as npm writes it: "@scope/name" or "name".
func (n Name) String() string {
	if n.Scope == "" {
		return n.Base
	}
	return "@" + n.Scope + "/" + n.Base
}

// Ref returns the package the name refers to.
func (n Name) Ref() artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.NPM, Namespace: n.Scope, Name: n.Base}
}

// NameOf returns the npm name of a package.
func NameOf(ref artifact.PackageRef) Name { return Name{Scope: ref.Namespace, Base: ref.Name} }

// ParseName parses a package name that may already exist: the rules
// validate-npm-package-name applies to every package, old or new. Names
// published before npm's current rules (with capitals, say) still come
// through the external connection, so reads accept them; ValidateNew adds
// the rules for publishing.
//
// Spec: https://github.com/npm/validate-npm-package-name (errors).
func ParseName(s string) (Name, error) {
	switch {
	case s == "":
		return Name{}, errkind.Validationf("Invalid package name: name length must be greater than zero")
	case strings.HasPrefix(s, "."):
		return Name{}, errkind.Validationf("Invalid package name %q: name cannot start with a period", s)
	case strings.HasPrefix(s, "_"):
		return Name{}, errkind.Validationf("Invalid package name %q: name cannot start with an underscore", s)
	case strings.TrimSpace(s) != s:
		return Name{}, errkind.Validationf("Invalid package name %q: name cannot contain leading or trailing spaces", s)
	case s == "node_modules" || s == "favicon.ico":
		return Name{}, errkind.Validationf("Invalid package name %q: %s is not a valid package name", s, s)
	}
	var n Name
	if strings.HasPrefix(s, "@") {
		scope, base, ok := strings.Cut(s[1:], "/")
		if !ok || scope == "" || base == "" || strings.Contains(base, "/") {
			return Name{}, errkind.Validationf("Invalid package name %q: a scoped name is @scope/name", s)
		}
		n = Name{Scope: scope, Base: base}
	} else {
		n = Name{Base: s}
	}
	if !urlSafe(n.Scope) || !urlSafe(n.Base) {
		return Name{}, errkind.Validationf("Invalid package name %q: name can only contain URL-friendly characters", s)
	}
	return n, nil
}

// ValidateNew checks the rules npm applies to names of new packages, on top
// of ParseName's: lower case, at most 214 characters, none of ~'!()* in
// the name after the scope. (npm also refuses Node.js core module names;
// a private registry has no reason to.)
func (n Name) ValidateNew() error {
	s := n.String()
	switch {
	case len(s) > MaxNameLength:
		return errkind.Validationf("Invalid package name %q: name can no longer contain more than %d characters", s, MaxNameLength)
	case strings.ToLower(s) != s:
		return errkind.Validationf("Invalid package name %q: name can no longer contain capital letters", s)
	case strings.ContainsAny(n.Base, "~'!()*"):
		return errkind.Validationf(`Invalid package name %q: name can no longer contain special characters ("~'!()*")`, s)
	}
	return nil
}

// urlSafe reports whether s is unchanged by JavaScript's
// encodeURIComponent, npm's test of a URL-friendly name.
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-_.!~*'()", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// MaxTagLength bounds dist-tag names.
const MaxTagLength = 256

// ValidateTag checks a dist-tag name: URL-friendly, like a package name,
// and not a semver range, which npm would read as a version
// specification instead of the tag ("npm dist-tag": "Tag name must not be
// a valid SemVer range").
func ValidateTag(tag string) error {
	switch {
	case tag == "":
		return errkind.Validationf("Invalid dist-tag: a tag name cannot be empty")
	case len(tag) > MaxTagLength:
		return errkind.Validationf("Invalid dist-tag %q: a tag name has at most %d characters", tag, MaxTagLength)
	case !urlSafe(tag):
		return errkind.Validationf("Invalid dist-tag %q: a tag name can only contain URL-friendly characters", tag)
	}
	if _, err := semver.NewConstraint(tag); err == nil {
		return errkind.Validationf("Invalid dist-tag %q: tag name must not be a valid SemVer range", tag)
	}
	return nil
}

// ValidateVersion checks that a published version is a semantic version,
// as npm requires (npm publish normalises package.json before sending it).
//
// Spec: https://semver.org/spec/v2.0.0.html
func ValidateVersion(v string) error {
	if _, err := semver.StrictNewVersion(v); err != nil {
		return errkind.Validationf("Invalid version %q: %v", v, err)
	}
	return nil
}

// TarballFile returns the file name of a version's tarball, as the public
// registry names it: the name after the scope, a hyphen, the version.
func TarballFile(n Name, version string) string {
	return n.Base + "-" + version + ".tgz"
}

// TarballURL returns the URL this server serves a version's tarball at:
// {base}{name}/-/{file}, scoped names with a plain slash
// ({base}@scope/name/-/name-1.0.0.tgz), as the public registry writes them.
func TarballURL(baseURL string, n Name, version string) string {
	name := url.PathEscape(n.Base)
	if n.Scope != "" {
		name = "@" + url.PathEscape(n.Scope) + "/" + name
	}
	return baseURL + name + "/-/" + url.PathEscape(TarballFile(n, version))
}

// ParseTarballFile returns the version a tarball file name of package n
// names: "name-1.0.0.tgz", also "@scope/name-1.0.0.tgz", the form npm
// itself writes in the tarball URLs of its publish requests.
func ParseTarballFile(n Name, file string) (string, bool) {
	if n.Scope != "" {
		file = strings.TrimPrefix(file, "@"+n.Scope+"/")
	}
	rest, ok := strings.CutPrefix(file, n.Base+"-")
	if !ok {
		return "", false
	}
	version, ok := strings.CutSuffix(rest, ".tgz")
	if !ok || version == "" {
		return "", false
	}
	return version, true
}
