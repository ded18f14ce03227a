package nuget

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// MaxNuspecSize bounds a .nuspec file.
const MaxNuspecSize = 1 << 20

// maxNuspecDepth bounds the nesting of a .nuspec's elements; the schema
// needs five.
const maxNuspecDepth = 32

// Nuspec is what Arca keeps of a package's manifest: what the registration
// leaves, search and the control plane show.
//
// Spec: https://learn.microsoft.com/nuget/reference/nuspec
type Nuspec struct {
	ID                       string            `json:"id"`
	Version                  string            `json:"version"` // as written
	Title                    string            `json:"title,omitempty"`
	Authors                  string            `json:"authors,omitempty"`
	Owners                   string            `json:"owners,omitempty"`
	Description              string            `json:"description,omitempty"`
	Summary                  string            `json:"summary,omitempty"`
	ReleaseNotes             string            `json:"releaseNotes,omitempty"`
	Copyright                string            `json:"copyright,omitempty"`
	Language                 string            `json:"language,omitempty"`
	Tags                     string            `json:"tags,omitempty"` // space-separated
	ProjectURL               string            `json:"projectUrl,omitempty"`
	LicenseURL               string            `json:"licenseUrl,omitempty"`
	IconURL                  string            `json:"iconUrl,omitempty"`
	LicenseExpression        string            `json:"licenseExpression,omitempty"`
	LicenseFile              string            `json:"licenseFile,omitempty"`
	RepositoryURL            string            `json:"repositoryUrl,omitempty"`
	Readme                   string            `json:"readme,omitempty"` // path of the readme in the package
	RequireLicenseAcceptance bool              `json:"requireLicenseAcceptance,omitempty"`
	MinClientVersion         string            `json:"minClientVersion,omitempty"`
	DependencyGroups         []DependencyGroup `json:"dependencyGroups,omitempty"`
}

// DependencyGroup is the dependencies of a package for one target
// framework ("" for all of them).
type DependencyGroup struct {
	TargetFramework string       `json:"targetFramework,omitempty"`
	Dependencies    []Dependency `json:"dependencies"`
}

// Dependency is one dependency: a package id and a version range in
// NuGet's notation ("" for any version).
type Dependency struct {
	ID    string `json:"id"`
	Range string `json:"range,omitempty"`
}

// xmlNuspec is the XML of a .nuspec, in any of the schema's namespaces.
type xmlNuspec struct {
	XMLName  xml.Name `xml:"package"`
	Metadata struct {
		MinClientVersion string `xml:"minClientVersion,attr"`
		ID               string `xml:"id"`
		Version          string `xml:"version"`
		Title            string `xml:"title"`
		Authors          string `xml:"authors"`
		Owners           string `xml:"owners"`
		Description      string `xml:"description"`
		Summary          string `xml:"summary"`
		ReleaseNotes     string `xml:"releaseNotes"`
		Copyright        string `xml:"copyright"`
		Language         string `xml:"language"`
		Tags             string `xml:"tags"`
		ProjectURL       string `xml:"projectUrl"`
		LicenseURL       string `xml:"licenseUrl"`
		IconURL          string `xml:"iconUrl"`
		Readme           string `xml:"readme"`
		RequireLicense   string `xml:"requireLicenseAcceptance"`
		License          struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"license"`
		Repository struct {
			URL string `xml:"url,attr"`
		} `xml:"repository"`
		Dependencies struct {
			Direct []xmlDependency `xml:"dependency"`
			Groups []struct {
				TargetFramework string          `xml:"targetFramework,attr"`
				Dependencies    []xmlDependency `xml:"dependency"`
			} `xml:"group"`
		} `xml:"dependencies"`
	} `xml:"metadata"`
}

type xmlDependency struct {
	ID      string `xml:"id,attr"`
	Version string `xml:"version,attr"`
}

// ParseNuspec parses a .nuspec. It refuses what a manifest has no use
// for and a parser should not be fed: document type declarations (and so
// entity definitions), encodings other than UTF-8, nesting deeper than
// the schema's, more than MaxNuspecSize bytes. The id, version, authors
// and description are required, as nuget pack requires them.
func ParseNuspec(b []byte) (*Nuspec, error) {
	if len(b) > MaxNuspecSize {
		return nil, errkind.Validationf("The .nuspec is larger than %d bytes", MaxNuspecSize)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if err := checkXML(b); err != nil {
		return nil, err
	}
	var x xmlNuspec
	if err := xml.Unmarshal(b, &x); err != nil {
		return nil, errkind.Validationf("The .nuspec is not a NuGet manifest: %v", err)
	}
	m := x.Metadata
	n := &Nuspec{
		ID: trim(m.ID), Version: trim(m.Version), Title: trim(m.Title), Authors: trim(m.Authors), Owners: trim(m.Owners),
		Description: trim(m.Description), Summary: trim(m.Summary), ReleaseNotes: trim(m.ReleaseNotes),
		Copyright: trim(m.Copyright), Language: trim(m.Language), Tags: strings.Join(strings.Fields(m.Tags), " "),
		ProjectURL: trim(m.ProjectURL), LicenseURL: trim(m.LicenseURL), IconURL: trim(m.IconURL),
		RepositoryURL: trim(m.Repository.URL), Readme: trim(m.Readme),
		RequireLicenseAcceptance: strings.EqualFold(trim(m.RequireLicense), "true"),
		MinClientVersion:         trim(m.MinClientVersion),
	}
	switch trim(m.License.Type) {
	case "expression":
		n.LicenseExpression = trim(m.License.Text)
	case "file":
		n.LicenseFile = trim(m.License.Text)
	}
	if err := ValidateID(n.ID); err != nil {
		return nil, errkind.Validationf("The .nuspec's <id>: %s", errkind.As(err).Message)
	}
	if _, err := ParseVersion(n.Version); err != nil {
		return nil, errkind.Validationf("The .nuspec's <version>: %s", errkind.As(err).Message)
	}
	if n.Authors == "" || n.Description == "" {
		return nil, errkind.Validationf("The .nuspec of %s %s has no <authors> or no <description>; NuGet requires both", n.ID, n.Version)
	}
	groups := m.Dependencies.Groups
	if len(m.Dependencies.Direct) > 0 {
		n.DependencyGroups = append(n.DependencyGroups, DependencyGroup{Dependencies: dependencies(m.Dependencies.Direct)})
	}
	for _, g := range groups {
		n.DependencyGroups = append(n.DependencyGroups, DependencyGroup{TargetFramework: trim(g.TargetFramework), Dependencies: dependencies(g.Dependencies)})
	}
	for _, g := range n.DependencyGroups {
		for _, d := range g.Dependencies {
			if err := ValidateID(d.ID); err != nil {
				return nil, errkind.Validationf("A dependency of the .nuspec: %s", errkind.As(err).Message)
			}
		}
	}
	return n, nil
}

func dependencies(xs []xmlDependency) []Dependency {
	out := make([]Dependency, 0, len(xs))
	for _, d := range xs {
		out = append(out, Dependency{ID: trim(d.ID), Range: trim(d.Version)})
	}
	return out
}

func trim(s string) string { return strings.TrimSpace(s) }

// checkXML reads the document's tokens once, refusing DTDs, encodings
// other than UTF-8 and deep nesting, before it is decoded.
func checkXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8") {
			return r, nil
		}
		return nil, errors.New("only UTF-8 is accepted, not " + charset)
	}
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if depth != 0 {
				return errkind.Validationf("The .nuspec is not well-formed XML: it ends inside an element")
			}
			return nil
		}
		if err != nil {
			return errkind.Validationf("The .nuspec is not well-formed XML: %v", err)
		}
		switch tok.(type) {
		case xml.Directive:
			return errkind.Validationf("The .nuspec has a document type declaration (<!DOCTYPE or <!ENTITY); NuGet manifests have none and Arca refuses them")
		case xml.StartElement:
			if depth++; depth > maxNuspecDepth {
				return errkind.Validationf("The .nuspec nests elements more than %d deep", maxNuspecDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}
