package npm

import (
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// Rules are npm's format.Rules: names and versions keyed as given (the
// scope is the namespace, optional), versions ordered by semantic
// versioning, the "latest" dist-tag naming the default version, one
// external connection.
type Rules struct{}

var (
	_ format.Rules     = Rules{}
	_ format.Surface   = Rules{}
	_ format.Connector = Rules{}
)

// Format is "npm".
func (Rules) Format() artifact.Format { return artifact.NPM }

// Normalize returns ref as given: npm names are lower case already.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef { return ref }

// NormalizeVersion returns v as given.
func (Rules) NormalizeVersion(v string) string { return v }

// CompareVersions orders versions by semantic versioning.
func (Rules) CompareVersions(a, b string) int { return format.CompareSemVer(a, b) }

// NamespaceRequired is false: a scope is optional.
func (Rules) NamespaceRequired() bool { return false }

// LatestTag is "latest", the dist-tag npm installs by default (User
// Guide, "Default display version").
func (Rules) LatestTag() string { return "latest" }

// PublishedByAPI is false: packages are published with npm publish.
func (Rules) PublishedByAPI() bool { return false }

// Connections is public:npmjs.
func (Rules) Connections() []string { return []string{"public:npmjs"} }

// Surface returns the npm endpoint (New).
func (Rules) Surface(d format.Deps) endpoint.Format { return New(d) }

// Connect returns the client of the registry behind public:npmjs.
func (Rules) Connect(cfg upstream.Config) resolve.Connection { return NewConnection(cfg) }
