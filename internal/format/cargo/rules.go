package cargo

import (
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// Rules are Cargo's format.Rules: crates keyed by their lower-cased name
// (the name of their index file), versions ordered by semantic
// versioning, no namespace, one external connection.
type Rules struct{}

var (
	_ format.Rules     = Rules{}
	_ format.Surface   = Rules{}
	_ format.Connector = Rules{}
)

// Format is "cargo".
func (Rules) Format() artifact.Format { return artifact.Cargo }

// Normalize keys a crate by its lower-cased name, the name of its index
// file; the spelling it was published with is each version's
// DisplayName. Names that differ in '-' and '_' are different keys
// (the public registry's index has both spellings' files), refused as
// collisions at publish.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef {
	ref.Name = strings.ToLower(ref.Name)
	return ref
}

// NormalizeVersion returns v as given: build metadata is kept (cargo
// downloads by the version as published) and checked for collisions at
// publish.
func (Rules) NormalizeVersion(v string) string { return v }

// CompareVersions orders versions by semantic versioning.
func (Rules) CompareVersions(a, b string) int { return format.CompareSemVer(a, b) }

// NamespaceRequired is false: crates have no namespace.
func (Rules) NamespaceRequired() bool { return false }

// HasNamespace is false: crates have none.
func (Rules) HasNamespace() bool { return false }

// Display is ref.String(): "cargo serde".
func (Rules) Display(ref artifact.PackageRef) string { return ref.String() }

// LatestTag is "": cargo has no tags.
func (Rules) LatestTag() string { return "" }

// PublishedByAPI is false: crates are published with cargo publish.
func (Rules) PublishedByAPI() bool { return false }

// Connections is public:crates-io.
func (Rules) Connections() []string { return []string{"public:crates-io"} }

// Surface returns the cargo endpoint (New).
func (Rules) Surface(d format.Deps) endpoint.Format { return New(d) }

// Connect returns the client of the sparse index behind public:crates-io.
func (Rules) Connect(cfg upstream.Config) resolve.Connection { return NewConnection(cfg) }
