package maven

import (
	mvnversion "github.com/masahiro331/go-mvn-version"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// Rules are Maven's format.Rules: group id (the namespace, required) and
// artifact id keyed as given, versions ordered as Maven's
// ComparableVersion orders them, no tags, five external connections.
type Rules struct{}

var (
	_ format.Rules     = Rules{}
	_ format.Surface   = Rules{}
	_ format.Connector = Rules{}
)

// Format is "maven".
func (Rules) Format() artifact.Format { return artifact.Maven }

// Normalize returns ref as given.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef { return ref }

// NormalizeVersion returns v as given.
func (Rules) NormalizeVersion(v string) string { return v }

// CompareVersions orders versions as Maven does (1.0-alpha-1 <
// 1.0-SNAPSHOT < 1.0 < 1.0-sp); unparsable ones sort first, in natural
// order.
//
// Spec: https://maven.apache.org/ref/3.9.6/maven-artifact/apidocs/org/apache/maven/artifact/versioning/ComparableVersion.html
func (Rules) CompareVersions(a, b string) int {
	return format.CompareParsed(a, b, mvnversion.NewVersion, mvnversion.Version.Compare)
}

// NamespaceRequired is true: every artifact has a group id.
func (Rules) NamespaceRequired() bool { return true }

// LatestTag is "": Maven has no tags.
func (Rules) LatestTag() string { return "" }

// PublishedByAPI is false: artifacts are deployed with mvn or gradle.
func (Rules) PublishedByAPI() bool { return false }

// Connections are the Maven repositories of the User Guide's list.
func (Rules) Connections() []string {
	return []string{"public:maven-central", "public:maven-googleandroid", "public:maven-gradleplugins",
		"public:maven-commonsware", "public:maven-clojars"}
}

// Surface returns the Maven endpoint (New).
func (Rules) Surface(d format.Deps) endpoint.Format { return New(d) }

// Connect returns the client of the repository behind a Maven connection.
func (Rules) Connect(cfg upstream.Config) resolve.Connection { return NewConnection(cfg) }
