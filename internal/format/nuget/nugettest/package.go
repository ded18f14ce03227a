// Package nugettest builds NuGet packages for tests, and fakes the far
// end of a public NuGet V3 registry (a service index, registrations and a
// flat container) for the external connection's tests.
package nugettest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"
)

// Spec describes a package to build. Empty fields get defaults.
type Spec struct {
	ID, Version string
	Description string
	Authors     string
	// Dependencies by target framework ("" for a group without one): id -> range.
	Dependencies map[string]map[string]string
	License      string // an SPDX expression
	Repository   string // the source repository's URL
	ProjectURL   string
	Readme       string // contents of README.md, named by <readme> when set
	// Extra is inserted verbatim into <metadata>.
	Extra string
	// Files are extra entries of the archive.
	Files map[string]string
}

// Nuspec returns the .nuspec of s.
func (s Spec) Nuspec() string {
	desc, authors := s.Description, s.Authors
	if desc == "" {
		desc = "Package " + s.ID
	}
	if authors == "" {
		authors = "Arca tests"
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">` + "\n  <metadata>\n")
	fmt.Fprintf(&b, "    <id>%s</id>\n    <version>%s</version>\n    <authors>%s</authors>\n    <description>%s</description>\n",
		html.EscapeString(s.ID), html.EscapeString(s.Version), html.EscapeString(authors), html.EscapeString(desc))
	if s.License != "" {
		fmt.Fprintf(&b, "    <license type=\"expression\">%s</license>\n", html.EscapeString(s.License))
	}
	if s.Repository != "" {
		fmt.Fprintf(&b, "    <repository type=\"git\" url=\"%s\" />\n", html.EscapeString(s.Repository))
	}
	if s.ProjectURL != "" {
		fmt.Fprintf(&b, "    <projectUrl>%s</projectUrl>\n", html.EscapeString(s.ProjectURL))
	}
	if s.Readme != "" {
		b.WriteString("    <readme>docs/README.md</readme>\n")
	}
	b.WriteString(s.Extra)
	if len(s.Dependencies) > 0 {
		b.WriteString("    <dependencies>\n")
		for _, tf := range sortedKeys(s.Dependencies) {
			fmt.Fprintf(&b, "      <group targetFramework=\"%s\">\n", html.EscapeString(tf))
			for _, id := range sortedKeys(s.Dependencies[tf]) {
				fmt.Fprintf(&b, "        <dependency id=\"%s\" version=\"%s\" />\n", html.EscapeString(id), html.EscapeString(s.Dependencies[tf][id]))
			}
			b.WriteString("      </group>\n")
		}
		b.WriteString("    </dependencies>\n")
	}
	b.WriteString("  </metadata>\n</package>\n")
	return b.String()
}

// Package returns the .nupkg of s: its .nuspec, a content file, the
// readme and s.Files.
func Package(s Spec) []byte {
	files := map[string]string{
		s.ID + ".nuspec":      s.Nuspec(),
		"content/hello.txt":   "hello from " + s.ID + " " + s.Version + "\n",
		"[Content_Types].xml": `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="txt" ContentType="application/octet" /></Types>`,
		"_rels/.rels":         `<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships" />`,
	}
	if s.Readme != "" {
		files["docs/README.md"] = s.Readme
	}
	for k, v := range s.Files {
		files[k] = v
	}
	return Zip(files)
}

// Zip returns a zip archive of files (name -> contents), in name order.
func Zip(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		w, err := zw.Create(name)
		if err != nil {
			panic(err)
		}
		w.Write([]byte(files[name]))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
