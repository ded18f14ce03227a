package pypi

import (
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// Rules are PyPI's format.Rules: projects keyed by the PEP 503 normal
// form of their names, versions by their PEP 440 normal form and ordered
// by PEP 440, no namespaces, no tags, one external connection.
type Rules struct{}

var (
	_ format.Rules     = Rules{}
	_ format.Surface   = Rules{}
	_ format.Connector = Rules{}
)

// Format is "pypi".
func (Rules) Format() artifact.Format { return artifact.PyPI }

// Normalize keys a project by the normal form of its name, so that
// "Hello_CA" and "hello-ca" are one project.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef {
	ref.Name = NormalizeName(ref.Name)
	return ref
}

// NormalizeVersion returns a PEP 440 version in its normal form ("1.0-RC1"
// is "1.0rc1"), anything else as given.
func (Rules) NormalizeVersion(v string) string {
	if n, ok := normalPEP440(v); ok {
		return n
	}
	return v
}

// CompareVersions orders versions by PEP 440; versions that are not PEP
// 440 sort first, in natural order.
//
// Spec: https://packaging.python.org/en/latest/specifications/version-specifiers/
func (Rules) CompareVersions(a, b string) int {
	return format.CompareParsed(a, b, parseVersion, compareParsed)
}

// SortVersions sorts items by their versions in CompareVersions' order,
// parsing each once.
func SortVersions[T any](items []T, version func(T) string) {
	format.SortParsed(items, version, parseVersion, compareParsed)
}

// NamespaceRequired is false: PyPI projects have no namespace.
func (Rules) NamespaceRequired() bool { return false }

// HasNamespace is false: projects have no namespace.
func (Rules) HasNamespace() bool { return false }

// Display is ref.String(): "pypi name".
func (Rules) Display(ref artifact.PackageRef) string { return ref.String() }

// LatestTag is "": PyPI has no tags.
func (Rules) LatestTag() string { return "" }

// PublishedByAPI is false: projects are uploaded with twine.
func (Rules) PublishedByAPI() bool { return false }

// Connections is public:pypi.
func (Rules) Connections() []string { return []string{"public:pypi"} }

// Surface returns the PyPI endpoint (New).
func (Rules) Surface(d format.Deps) endpoint.Format { return New(d) }

// Connect returns the client of the index behind public:pypi.
func (Rules) Connect(cfg upstream.Config) resolve.Connection { return NewConnection(cfg) }
