// Package artifact is the format-neutral vocabulary of packages: formats,
// package references, version statuses, origins, assets and the metadata a
// package version carries. It is a leaf: it knows nothing of storage or
// HTTP.
package artifact

import (
	"encoding/json"
	"time"
)

// Format is a package format, as the model's PackageFormat enum spells it.
type Format string

// The formats.
const (
	NPM     Format = "npm"
	PyPI    Format = "pypi"
	Maven   Format = "maven"
	NuGet   Format = "nuget"
	Generic Format = "generic"
	Ruby    Format = "ruby"
	Swift   Format = "swift"
	Cargo   Format = "cargo"
)

// PackageRef names a package within a repository. Namespace is "" when the
// package has none (an unscoped npm package); Name is the normalised name
// the format keys packages by.
type PackageRef struct {
	Format    Format
	Namespace string
	Name      string
}

// String renders ref in the form every format shares: "pypi name",
// "generic namespace/name". Messages name a package as its format does
// (format.Rules.Display: "npm @scope/name", "maven group:artifact"),
// through the format registry; String is for logs and for formats
// without a form of their own.
func (r PackageRef) String() string {
	if r.Namespace == "" {
		return string(r.Format) + " " + r.Name
	}
	return string(r.Format) + " " + r.Namespace + "/" + r.Name
}

// Status is a package version's status (User Guide, "Package version status").
type Status string

// The statuses. Deleted is never stored: a deleted version is gone.
const (
	Published  Status = "Published"
	Unfinished Status = "Unfinished"
	Unlisted   Status = "Unlisted"
	Archived   Status = "Archived"
	Disposed   Status = "Disposed"
	Deleted    Status = "Deleted"
)

// Listed reports whether package managers see versions with status s in
// package documents and version lists.
func (s Status) Listed() bool { return s == Published }

// Downloadable reports whether the assets of a version with status s can
// be fetched.
func (s Status) Downloadable() bool { return s == Published || s == Unlisted }

// OriginType says how a version first entered the domain.
type OriginType string

// The origin types of the model's PackageVersionOriginType.
const (
	OriginInternal OriginType = "INTERNAL" // published to a repository of the domain
	OriginExternal OriginType = "EXTERNAL" // ingested through an external connection
	OriginUnknown  OriginType = "UNKNOWN"
)

// Origin is the model's PackageVersionOrigin: where a version entered the
// domain. It never changes once set, whatever repositories the version is
// copied or retained into.
type Origin struct {
	Type               OriginType
	Repository         string // the repository it was published to (INTERNAL)
	ExternalConnection string // the connection it was ingested from (EXTERNAL)
}

// Restriction is ALLOW or BLOCK, for the package origin configuration.
type Restriction string

// The restrictions.
const (
	Allow Restriction = "ALLOW"
	Block Restriction = "BLOCK"
)

// OriginConfig is a package's origin restrictions in one repository.
type OriginConfig struct {
	Publish  Restriction
	Upstream Restriction
}

// DefaultOriginConfig is what a package gets when its first version
// arrives: published packages block upstream versions (so a public package
// of the same name cannot shadow them), ingested ones block publishing.
func DefaultOriginConfig(published bool) OriginConfig {
	if published {
		return OriginConfig{Publish: Allow, Upstream: Block}
	}
	return OriginConfig{Publish: Block, Upstream: Allow}
}

// Asset is a file of a package version.
type Asset struct {
	Name   string
	Size   int64
	SHA256 string // hex; the key of the bytes in the blob store
	SHA1   string
	MD5    string
	SHA512 string
}

// License is a license of a package version.
type License struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Dependency is a dependency of a package version.
type Dependency struct {
	Namespace      string `json:"namespace,omitempty"`
	Package        string `json:"package"`
	DependencyType string `json:"dependencyType,omitempty"` // "regular", "dev", "peer", "optional"; Maven scopes
	VersionRange   string `json:"versionRequirement,omitempty"`
}

// Meta is the format-neutral metadata of a package version, plus the
// format's own document in Extra (for npm, the version manifest).
type Meta struct {
	DisplayName          string
	Summary              string
	HomePage             string
	SourceCodeRepository string
	Licenses             []License
	Dependencies         []Dependency
	Readme               string
	PublishedAt          time.Time
	Extra                json.RawMessage
}
