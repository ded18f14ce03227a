package pypi

import (
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// Kind is the kind of a distribution file.
type Kind int

// The kinds of distribution files served and accepted. Eggs, Windows
// installers and the other legacy kinds are not: no current installer
// uses them.
const (
	Wheel Kind = iota + 1 // a built distribution, .whl
	Sdist                 // a source distribution, .tar.gz or .zip (and legacy .tar.bz2, .tgz, .tar.xz, .tar)
)

// sdistExtensions are the suffixes of source distributions, longest
// first so that ".tar.gz" wins over a shorter match.
var sdistExtensions = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar"}

// MaxFilenameLength bounds a distribution file name.
const MaxFilenameLength = 255

// Filename is a parsed distribution file name.
type Filename struct {
	Kind Kind
	// Name and Version are as written in the file name (a wheel writes
	// "-" in either as "_").
	Name, Version string
	// Extension is ".whl" or the sdist's archive suffix.
	Extension string
	// The compatibility tags of a wheel, and its optional build tag.
	Build, Python, ABI, Platform string
}

// PackageType is the name the upload API and the JSON API give the kind:
// "bdist_wheel" or "sdist".
func (f Filename) PackageType() string {
	if f.Kind == Wheel {
		return "bdist_wheel"
	}
	return "sdist"
}

// PythonVersion is the JSON API's python_version: a wheel's Python tag,
// "source" for an sdist.
func (f Filename) PythonVersion() string {
	if f.Kind == Wheel {
		return f.Python
	}
	return "source"
}

// ParseFilename parses the name of a distribution file of project (its
// name in any form). A wheel is "{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl";
// a source distribution is "{name}-{version}{ext}", where the name part is
// found by matching it against the project, since legacy sdist names hold
// hyphens. The name part must be the project's name.
//
// Spec: https://packaging.python.org/en/latest/specifications/binary-distribution-format/#file-name-convention
// and https://packaging.python.org/en/latest/specifications/source-distribution-format/#source-distribution-file-name
func ParseFilename(filename, project string) (Filename, error) {
	if err := checkFilename(filename); err != nil {
		return Filename{}, err
	}
	project = NormalizeName(project)
	if base, ok := strings.CutSuffix(filename, ".whl"); ok {
		parts := strings.Split(base, "-")
		if len(parts) != 5 && len(parts) != 6 {
			return Filename{}, errkind.Validationf("Invalid wheel file name %q: want {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl", filename)
		}
		for _, p := range parts {
			if p == "" {
				return Filename{}, errkind.Validationf("Invalid wheel file name %q: an empty part", filename)
			}
		}
		f := Filename{Kind: Wheel, Name: parts[0], Version: parts[1], Extension: ".whl"}
		if len(parts) == 6 {
			if c := parts[2][0]; c < '0' || c > '9' {
				return Filename{}, errkind.Validationf("Invalid wheel file name %q: a build tag starts with a digit", filename)
			}
			f.Build = parts[2]
		}
		n := len(parts)
		f.Python, f.ABI, f.Platform = parts[n-3], parts[n-2], parts[n-1]
		if NormalizeName(f.Name) != project {
			return Filename{}, errkind.Validationf("The wheel %s is not a file of project %s", filename, project)
		}
		return f, nil
	}
	for _, ext := range sdistExtensions {
		base, ok := strings.CutSuffix(filename, ext)
		if !ok {
			continue
		}
		// The name is the longest prefix before a "-" that normalises to
		// the project ("foo-bar-1.0" of project foo-bar is foo-bar, 1.0).
		for i := len(base) - 1; i > 0; i-- {
			if base[i] == '-' && i+1 < len(base) && NormalizeName(base[:i]) == project {
				return Filename{Kind: Sdist, Name: base[:i], Version: base[i+1:], Extension: ext}, nil
			}
		}
		return Filename{}, errkind.Validationf("The source distribution %s is not a file of project %s: want %s-{version}%s", filename, project, project, ext)
	}
	return Filename{}, errkind.Validationf("Invalid distribution file name %q: only wheels (.whl) and source distributions (.tar.gz, .zip) are accepted", filename)
}

// checkFilename refuses names that are not one plain path segment.
func checkFilename(name string) error {
	if name == "" || len(name) > MaxFilenameLength {
		return errkind.Validationf("Invalid file name: a file name is 1 to %d characters", MaxFilenameLength)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x21 || c == 0x7f || c == '/' || c == '\\' || c == '"' || c == '<' || c == '>' || c == '#' || c == '?' || c == '%' {
			return errkind.Validationf("Invalid file name %q: it holds a character file names cannot have", name)
		}
	}
	if name[0] == '.' {
		return errkind.Validationf("Invalid file name %q: it starts with a dot", name)
	}
	return nil
}

// KindOf returns the kind of a file name by its suffix alone (0 for
// neither kind): for files already stored, whose names were checked when
// they arrived.
func KindOf(filename string) Kind {
	if strings.HasSuffix(filename, ".whl") {
		return Wheel
	}
	for _, ext := range sdistExtensions {
		if strings.HasSuffix(filename, ext) {
			return Sdist
		}
	}
	return 0
}
