package generic

import (
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format"
)

// Rules are generic's format.Rules: a namespace is required, names and
// versions are keyed as given and ordered by semantic versioning (other
// versions first, in natural order), no tags, published through the
// control plane's PublishPackageVersion, no external connections.
type Rules struct{}

var _ format.Rules = Rules{}

// Format is "generic".
func (Rules) Format() artifact.Format { return artifact.Generic }

// Normalize returns ref as given.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef { return ref }

// NormalizeVersion returns v as given.
func (Rules) NormalizeVersion(v string) string { return v }

// CompareVersions orders versions by semantic versioning.
func (Rules) CompareVersions(a, b string) int { return format.CompareSemVer(a, b) }

// NamespaceRequired is true (the model: generic packages always have a
// namespace).
func (Rules) NamespaceRequired() bool { return true }

// LatestTag is "": generic packages have no tags.
func (Rules) LatestTag() string { return "" }

// PublishedByAPI is true: PublishPackageVersion is how generic packages
// are published (User Guide, "Using generic packages").
func (Rules) PublishedByAPI() bool { return true }

// Connections is none: no public registry serves generic packages.
func (Rules) Connections() []string { return nil }
