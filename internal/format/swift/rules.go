package swift

import (
	"slices"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
)

// Rules are Swift's format.Rules: the scope is the namespace (required),
// scope and name are case-insensitive and keyed lower case, versions are
// SemVer 2.0 as published and ordered by semantic versioning, no tags,
// published with the registry's PUT (not PublishPackageVersion), no
// external connections.
type Rules struct{}

var (
	_ format.Rules         = Rules{}
	_ format.Surface       = Rules{}
	_ format.SourceIndexed = Rules{}
)

// Format is "swift".
func (Rules) Format() artifact.Format { return artifact.Swift }

// Normalize lowercases the scope and the name: SE-0292 compares them
// case-insensitively, and CodeArtifact keys them lower case.
func (Rules) Normalize(ref artifact.PackageRef) artifact.PackageRef {
	ref.Namespace = strings.ToLower(ref.Namespace)
	ref.Name = strings.ToLower(ref.Name)
	return ref
}

// NormalizeVersion returns v as given.
func (Rules) NormalizeVersion(v string) string { return v }

// CompareVersions orders versions by semantic versioning.
func (Rules) CompareVersions(a, b string) int { return format.CompareSemVer(a, b) }

// NamespaceRequired is true: every Swift package has a scope.
func (Rules) NamespaceRequired() bool { return true }

// HasNamespace is true: every package has a scope.
func (Rules) HasNamespace() bool { return true }

// Display is ref.String(): "swift scope/name".
func (Rules) Display(ref artifact.PackageRef) string { return ref.String() }

// LatestTag is "": Swift releases have no tags.
func (Rules) LatestTag() string { return "" }

// PublishedByAPI is false: releases are published with the registry's
// PUT /{scope}/{name}/{version}.
func (Rules) PublishedByAPI() bool { return false }

// Connections is none: CodeArtifact has no public Swift registry.
func (Rules) Connections() []string { return nil }

// Surface returns the Swift registry endpoint (New).
func (Rules) Surface(d format.Deps) endpoint.Format { return New(d) }

// SourceURLs are the repositoryURLs of a release's metadata, normalised
// (NormalizeURL), each once: what an identifiers lookup (4.5) finds the
// release by. The catalog keeps them indexed.
func (Rules) SourceURLs(meta artifact.Meta) []string {
	var out []string
	for _, u := range stored(meta.Extra).RepositoryURLs {
		if n := NormalizeURL(u); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
