package ruby

import (
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// Rules are RubyGems' format.Rules: gems keyed by their names as given
// (names are case-sensitive), versions as given and ordered as
// Gem::Version orders them, no namespaces, no tags, one external
// connection.
type Rules struct{}

var (
	_ format.Rules     = Rules{}
	_ format.Surface   = Rules{}
	_ format.Connector = Rules{}
)

// Format is "ruby".
func (Rules) Format() artifact.Format { return artifact.Ruby }

// Normalize returns ref as given: RubyGems names are case-sensitive.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef { return ref }

// NormalizeVersion returns v as given.
func (Rules) NormalizeVersion(v string) string { return v }

// CompareVersions orders versions as Gem::Version does; versions that are
// not RubyGems versions sort first, in natural order.
func (Rules) CompareVersions(a, b string) int {
	return format.CompareParsed(a, b, ParseVersion, Version.Compare)
}

// NamespaceRequired is false: gems have no namespace.
func (Rules) NamespaceRequired() bool { return false }

// HasNamespace is false: gems have none.
func (Rules) HasNamespace() bool { return false }

// Display is ref.String(): "ruby rails".
func (Rules) Display(ref artifact.PackageRef) string { return ref.String() }

// LatestTag is "": gems have no tags.
func (Rules) LatestTag() string { return "" }

// PublishedByAPI is false: gems are pushed with gem push.
func (Rules) PublishedByAPI() bool { return false }

// Connections is public:ruby-gems-org.
func (Rules) Connections() []string { return []string{ConnectionName} }

// Connect returns the client of the gem registry behind
// public:ruby-gems-org.
func (Rules) Connect(cfg upstream.Config) resolve.Connection { return NewConnection(cfg) }

// Surface returns the RubyGems endpoint (New).
func (Rules) Surface(d format.Deps) endpoint.Format { return New(d) }
