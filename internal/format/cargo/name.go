package cargo

import (
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/arcahq/arca/internal/errkind"
)

// MaxNameLength is the longest crate name the public crate registry
// accepts.
const MaxNameLength = 64

// ValidateName checks a crate name as registries require of a new crate:
// ASCII letters, digits, '-' and '_', starting with a letter, at most 64
// characters.
func ValidateName(name string) error {
	if name == "" || len(name) > MaxNameLength {
		return errkind.Validationf("Invalid crate name %q: a name has 1 to %d characters", name, MaxNameLength)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter {
			return errkind.Validationf("Invalid crate name %q: a name starts with an ASCII letter", name)
		}
		if !letter && !(c >= '0' && c <= '9') && c != '-' && c != '_' {
			return errkind.Validationf("Invalid crate name %q: only ASCII letters, digits, '-' and '_' are allowed", name)
		}
	}
	return nil
}

// CollisionName is the key two crate names collide on: lower case, '_'
// read as '-'.
func CollisionName(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}

// ValidateVersion checks that v is a semantic version (2.0.0), as cargo
// requires.
func ValidateVersion(v string) error {
	if _, err := semver.StrictNewVersion(v); err != nil {
		return errkind.Validationf("Invalid version %q: crate versions are semantic versions such as 1.0.0", v)
	}
	return nil
}

// WithoutBuild is v without its build metadata: cargo ignores it when it
// compares versions, so "1.0.0+a" and "1.0.0+b" are one version.
func WithoutBuild(v string) string {
	if i := strings.IndexByte(v, '+'); i >= 0 {
		return v[:i]
	}
	return v
}

// IndexPath is the path of a crate's index file below the index root:
// 1/{n}, 2/{n}, 3/{c}/{n}, {ab}/{cd}/{n}, of the lower-cased name.
func IndexPath(name string) string {
	if name == "" {
		return ""
	}
	n := strings.ToLower(name)
	return indexDir(n) + "/" + n
}

// indexDir is the directory of a name's index file, in the name's case
// (the dl template's {prefix}).
func indexDir(name string) string {
	switch len(name) {
	case 0:
		return ""
	case 1:
		return "1"
	case 2:
		return "2"
	case 3:
		return "3/" + name[:1]
	}
	return name[:2] + "/" + name[2:4]
}

// ParseIndexPath returns the crate name an index path names, or false if
// the path is not one cargo asks for (or names no valid crate).
func ParseIndexPath(path string) (string, bool) {
	name := path[strings.LastIndexByte(path, '/')+1:]
	if ValidateName(name) != nil || name != strings.ToLower(name) || !inIndexDir(path[:len(path)-len(name)], name) {
		return "", false
	}
	return name, true
}

// inIndexDir reports whether dir is indexDir(name) + "/", without
// building it (a read of an index file parses its path).
func inIndexDir(dir, name string) bool {
	switch len(name) {
	case 0:
		return false
	case 1, 2:
		return len(dir) == 2 && dir[0] == byte('0'+len(name)) && dir[1] == '/'
	case 3:
		return len(dir) == 4 && dir[:2] == "3/" && dir[2] == name[0] && dir[3] == '/'
	}
	return len(dir) == 6 && dir[:2] == name[:2] && dir[2] == '/' && dir[3:5] == name[2:4] && dir[5] == '/'
}
