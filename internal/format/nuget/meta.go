package nuget

import (
	"encoding/json"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
)

// Entry is what a NuGet version keeps in artifact.Meta.Extra: its manifest
// as parsed once at upload, the .nuspec's bytes for the flat container,
// and whether it is a SemVer 2.0.0 version. Every read (registrations,
// search, the flat container's .nuspec) comes from here.
type Entry struct {
	Nuspec
	SemVer2    bool   `json:"semVer2,omitempty"`
	NuspecFile string `json:"nuspecFile"`
}

// EntryOf returns the Entry of a version's metadata; false when it has
// none (a version stored by something else than a NuGet upload).
func EntryOf(m artifact.Meta) (Entry, bool) {
	var e Entry
	if len(m.Extra) == 0 || json.Unmarshal(m.Extra, &e) != nil || e.ID == "" {
		return Entry{}, false
	}
	return e, true
}

// AssetName is the name of a version's one asset, from the normalized id
// and version (User Guide, "NuGet package name, version, and asset name
// normalization"): "{id}.{version}.nupkg", lower-cased.
func AssetName(id string, v Version) string {
	return NormalizeID(id) + "." + v.Key() + ".nupkg"
}

// MetaOf returns the metadata a version read from c is stored with: the
// control plane's fields (display name, summary, home page, source
// repository, licenses, dependencies, readme) and the Entry.
func MetaOf(c *Contents) (artifact.Meta, error) {
	n := c.Nuspec
	v, err := ParseVersion(n.Version)
	if err != nil {
		return artifact.Meta{}, err
	}
	e := Entry{Nuspec: *n, NuspecFile: string(c.NuspecFile), SemVer2: v.IsSemVer2()}
	m := artifact.Meta{
		DisplayName:          n.ID,
		Summary:              n.Summary,
		HomePage:             n.ProjectURL,
		SourceCodeRepository: n.RepositoryURL,
		Readme:               c.Readme,
	}
	if m.Summary == "" {
		m.Summary = n.Description
	}
	if n.LicenseExpression != "" || n.LicenseURL != "" {
		m.Licenses = []artifact.License{{Name: n.LicenseExpression, URL: n.LicenseURL}}
	}
	// CodeArtifact sets no dependency type for NuGet: each id and range
	// once, whatever target frameworks list it.
	seen := map[Dependency]bool{}
	for _, g := range n.DependencyGroups {
		for _, d := range g.Dependencies {
			e.SemVer2 = e.SemVer2 || RangeIsSemVer2(d.Range)
			if !seen[d] {
				seen[d] = true
				m.Dependencies = append(m.Dependencies, artifact.Dependency{Package: NormalizeID(d.ID), VersionRange: d.Range})
			}
		}
	}
	extra, err := json.Marshal(e)
	if err != nil {
		return artifact.Meta{}, err
	}
	m.Extra = extra
	return m, nil
}

// tagList splits a manifest's space-separated tags.
func tagList(tags string) []string {
	out := strings.Fields(tags)
	if out == nil {
		out = []string{}
	}
	return out
}
