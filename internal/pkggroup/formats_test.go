package pkggroup

import (
	"regexp"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
)

// testFormats are the formats' rules as the server's registry has them,
// for the tests: pkggroup cannot import the formats, which sit above the
// catalog.
type testFormats struct{}

// formats is the Formats of the tests.
var formats Formats = testFormats{}

var testRules = map[artifact.Format]struct{ has, required, lower bool }{
	artifact.NPM:     {has: true},
	artifact.PyPI:    {},
	artifact.Maven:   {has: true, required: true},
	artifact.NuGet:   {lower: true},
	artifact.Generic: {has: true, required: true},
	artifact.Ruby:    {},
	artifact.Swift:   {has: true, required: true, lower: true},
	artifact.Cargo:   {},
}

func (testFormats) Known(f artifact.Format) bool             { _, ok := testRules[f]; return ok }
func (testFormats) HasNamespace(f artifact.Format) bool      { return testRules[f].has }
func (testFormats) NamespaceRequired(f artifact.Format) bool { return testRules[f].required }

// pep503Separators are the separator runs of PEP 503's normal form.
var pep503Separators = regexp.MustCompile(`[-_.]+`)

func (testFormats) Normalize(ref artifact.PackageRef) artifact.PackageRef {
	if testRules[ref.Format].lower {
		ref.Namespace, ref.Name = strings.ToLower(ref.Namespace), strings.ToLower(ref.Name)
	}
	if ref.Format == artifact.PyPI {
		ref.Name = strings.ToLower(pep503Separators.ReplaceAllString(ref.Name, "-"))
	}
	return ref
}

// Display names npm packages as npm does, the others in the shared form.
func (testFormats) Display(ref artifact.PackageRef) string {
	if ref.Format == artifact.NPM && ref.Namespace != "" {
		return "npm @" + ref.Namespace + "/" + ref.Name
	}
	return ref.String()
}
