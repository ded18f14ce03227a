package pypi

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// The simple repository API, the index pip, uv and every other installer
// read: a project list and one page per project listing its files with
// their hashes. Both come as HTML (PEP 503) and as JSON (PEP 691), chosen
// by the Accept header.
//
// Spec: https://packaging.python.org/en/latest/specifications/simple-repository-api/

// Media types of the simple API.
const (
	ContentTypeJSON     = "application/vnd.pypi.simple.v1+json"
	ContentTypeHTMLv1   = "application/vnd.pypi.simple.v1+html"
	ContentTypeHTML     = "text/html"
	ContentTypeTextHTML = "text/html; charset=utf-8"
)

// APIVersion is the version of the simple API served: 1.1 adds file sizes,
// upload times and the version list (PEP 700).
const APIVersion = "1.1"

// Dist is a distribution file of a release.
type Dist struct {
	Filename string
	SHA256   string
	MD5      string // "" when unknown (a file not ingested yet)
	Size     int64
	File
}

// Release is a version of a project, as pages are made from it.
type Release struct {
	// Version is the version as stored (its normal form).
	Version string
	Status  artifact.Status
	Files   []Dist // in file name order
	// Revision is the stored version's revision: its files are kept
	// under it, and its entries of the pages in runs ("": decoded and
	// rendered every time).
	Revision string
	// id is the stored version's ID (0: not a stored version's).
	id int64
}

// Fragments keeps each release's files as decoded from its version, by
// project, version and the version's revision. The pages' entries are
// not kept per release: they are in the runs (rendered.Runs), and made
// from the files again for a run that is made again.
type Fragments = rendered.Fragments[releaseKey, []Dist]

type releaseKey struct{ project, version, revision string }

// NewFragments returns a cache of releases' files of at most max bytes.
func NewFragments(max int64) *Fragments {
	return rendered.NewFragments[releaseKey](max, filesSize)
}

// filesSize is the memory a release's files hold.
func filesSize(files []Dist) int64 {
	n := 64 + int64(len(files))*int64(unsafe.Sizeof(Dist{}))
	for _, d := range files {
		n += int64(len(d.Filename) + len(d.SHA256) + len(d.MD5) + len(d.PackageType) + len(d.PythonVersion) + len(d.RequiresPython) + len(d.MetadataSHA256))
	}
	return n
}

// htmlEntry renders the release's entry of the HTML project page: its
// files' anchors, one line each.
func (r *Release) htmlEntry(project string) []byte {
	var b []byte
	for _, d := range r.Files {
		b = appendHTML(b, pageToFiles+FilePath(project, r.Version, d.Filename), d)
	}
	return b
}

// jsonEntry renders the release's entry of the JSON project page: its
// files' objects, comma-separated.
func (r *Release) jsonEntry(project string) []byte {
	var b []byte
	for i, d := range r.Files {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONFile(b, pageToFiles+FilePath(project, r.Version, d.Filename), d)
	}
	return b
}

// Project is what the pages of a project are made from.
type Project struct {
	Name     string // normalised
	Releases []*Release
	// Runs, when set, keeps runs of releases' entries of the pages
	// compressed (see rendered.Runs), so that a page is assembled from
	// the runs its previous rendering left and the one a change touched.
	Runs *rendered.Runs
	// sorted says Releases are in SortVersions' order already.
	sorted bool
	// layouts, for a kept project, are how its pages' runs were last
	// cut (nil: each rendering cuts them all).
	layouts *layouts
	// versions are the candidates of the view the project was made
	// from: the JSON API's "info" is the metadata of one of them (a
	// release does not copy its version's metadata).
	versions map[string]*resolve.Candidate
}

// meta returns the metadata of the release's version.
func (p Project) meta(r Release) artifact.Meta {
	if c, ok := p.versions[r.Version]; ok {
		return c.Meta
	}
	return artifact.Meta{}
}

// Listed returns the releases installers may see (User Guide, "Package
// version status": Unlisted, Archived, Disposed and Unfinished versions
// are left out), in PEP 440 order, oldest first.
func (p Project) Listed() []*Release {
	out := make([]*Release, 0, len(p.Releases))
	for _, r := range p.Releases {
		if r.Status.Listed() {
			out = append(out, r)
		}
	}
	if !p.sorted {
		SortVersions(out, func(r *Release) string { return r.Version })
	}
	return out
}

// FilePath is where a file of a release is served, relative to the
// repository endpoint: "files/{project}/{version}/{filename}". The
// version in the path lets a download find (or ingest, or retain) its
// version directly.
func FilePath(project, version, filename string) string {
	return "files/" + url.PathEscape(project) + "/" + url.PathEscape(version) + "/" + url.PathEscape(filename)
}

// pageToFiles leads from a project page ({endpoint}simple/{project}/) to
// the endpoint, for the relative file URLs of the simple API: they point
// back at this server whatever host name the client used, and pip sends
// the index URL's credentials to them.
const pageToFiles = "../../"

// SimpleHTML renders the project page as PEP 503 HTML: one anchor per
// file, with "#sha256=" on the URL, data-requires-python, and for wheels
// whose METADATA is served, data-dist-info-metadata (PEP 658) and
// data-core-metadata (PEP 714) with its hash.
func (p Project) SimpleHTML() []byte { return p.SimpleHTMLDoc(ContentTypeTextHTML).Bytes() }

// SimpleHTMLDoc renders the HTML project page, ready to send as
// contentType.
func (p Project) SimpleHTMLDoc(contentType string) *rendered.Doc {
	var b bytes.Buffer
	name := html.EscapeString(p.Name)
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"" + APIVersion + "\">\n")
	b.WriteString("    <title>Links for " + name + "</title>\n  </head>\n  <body>\n    <h1>Links for " + name + "</h1>\n")
	listed := p.Listed()
	parts := []*rendered.Part{rendered.NewPartOnce(b.Bytes())}
	parts = append(parts, p.runParts(rendered.Entries{
		Scope: p.Name + "\x00html", Len: len(listed),
		Name:     func(i int) string { return listed[i].Version },
		Revision: func(i int) string { return listed[i].Revision },
		Render:   func(i int) []byte { return listed[i].htmlEntry(p.Name) },
	}, listed, byPEP440)...)
	parts = append(parts, rendered.NewPartOnce([]byte("  </body>\n</html>\n")))
	return rendered.Assemble(contentType, parts...)
}

// appendHTML appends the anchor of file d, at url, of the HTML project
// page: "#sha256=" on the URL, data-requires-python, and for a wheel
// whose METADATA is served, data-dist-info-metadata (PEP 658) and
// data-core-metadata (PEP 714) with its hash.
func appendHTML(b []byte, url string, d Dist) []byte {
	b = append(b, `    <a href="`...)
	b = appendEscaped(b, url)
	if d.SHA256 != "" {
		b = append(b, "#sha256="...)
		b = append(b, d.SHA256...)
	}
	b = append(b, '"')
	if d.RequiresPython != "" {
		b = append(b, ` data-requires-python="`...)
		b = appendEscaped(b, d.RequiresPython)
		b = append(b, '"')
	}
	if d.MetadataSHA256 != "" {
		b = append(b, ` data-dist-info-metadata="sha256=`...)
		b = append(b, d.MetadataSHA256...)
		b = append(b, `" data-core-metadata="sha256=`...)
		b = append(b, d.MetadataSHA256...)
		b = append(b, '"')
	}
	b = append(b, '>')
	b = appendEscaped(b, d.Filename)
	return append(b, "</a><br />\n"...)
}

// appendEscaped appends s escaped as html.EscapeString escapes it.
func appendEscaped(b []byte, s string) []byte {
	if !strings.ContainsAny(s, `<>&'"`) {
		return append(b, s...)
	}
	return append(b, html.EscapeString(s)...)
}

// appendJSONFile appends the object of file d, at url, of the PEP 691
// project page, as encoding/json marshals it (without HTML escaping):
//
//	{"filename","url","hashes","requires-python" (when set),
//	"core-metadata","dist-info-metadata","size","upload-time" (when
//	known),"yanked"}
//
// with each metadata member the hashes of the wheel's METADATA, or false.
func appendJSONFile(b []byte, url string, d Dist) []byte {
	b = append(b, `{"filename":`...)
	b = appendString(b, d.Filename)
	b = append(b, `,"url":`...)
	b = appendString(b, url)
	b = append(b, `,"hashes":{`...)
	if d.SHA256 != "" {
		b = append(b, `"sha256":`...)
		b = appendString(b, d.SHA256)
	}
	b = append(b, '}')
	if d.RequiresPython != "" {
		b = append(b, `,"requires-python":`...)
		b = appendString(b, d.RequiresPython)
	}
	for _, member := range [...]string{`,"core-metadata":`, `,"dist-info-metadata":`} {
		b = append(b, member...)
		if d.MetadataSHA256 == "" {
			b = append(b, "false"...)
		} else {
			b = append(b, `{"sha256":`...)
			b = appendString(b, d.MetadataSHA256)
			b = append(b, '}')
		}
	}
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, d.Size, 10)
	if !d.UploadTime.IsZero() {
		b = append(b, `,"upload-time":"`...)
		b = d.UploadTime.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z")
		b = append(b, '"')
	}
	return append(b, `,"yanked":false}`...)
}

// appendString appends s as a JSON string, as marshal writes it: printable
// ASCII but the quote and the backslash as it is, any other string
// through marshal (control characters, invalid UTF-8, U+2028 and U+2029).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return append(b, bytes.TrimSuffix(marshal(s), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

type jsonMeta struct {
	APIVersion string `json:"api-version"`
}

// SimpleJSON renders the project page as PEP 691 JSON (API version 1.1,
// with PEP 700's versions, sizes and upload times).
func (p Project) SimpleJSON() []byte { return p.SimpleJSONDoc().Bytes() }

// SimpleJSONDoc renders the JSON project page, ready to send. The files
// and the versions are runs of each release's entries; the rest is
// written as marshalling the whole document would.
func (p Project) SimpleJSONDoc() *rendered.Doc {
	listed := p.Listed()
	var withFiles []*Release
	for _, r := range listed {
		if len(r.Files) > 0 {
			withFiles = append(withFiles, r)
		}
	}
	head := `{"meta":{"api-version":"` + APIVersion + `"},"name":` + string(bytes.TrimSuffix(marshal(p.Name), []byte("\n"))) + `,"files":[`
	parts := []*rendered.Part{rendered.NewPartOnce([]byte(head))}
	parts = append(parts, p.runParts(rendered.Entries{
		Scope: p.Name + "\x00json", Len: len(withFiles), Sep: ",",
		Name:     func(i int) string { return withFiles[i].Version },
		Revision: func(i int) string { return withFiles[i].Revision },
		Render:   func(i int) []byte { return withFiles[i].jsonEntry(p.Name) },
	}, withFiles, byPEP440)...)
	parts = append(parts, rendered.NewPartOnce([]byte(`],"versions":[`)))
	parts = append(parts, p.runParts(rendered.Entries{
		Scope: "versions", Len: len(listed), Sep: ",",
		Name:     func(i int) string { return listed[i].Version },
		Revision: func(int) string { return "-" }, // a version's entry is its name
		Render:   func(i int) []byte { return bytes.TrimSuffix(marshal(listed[i].Version), []byte("\n")) },
	}, listed, byPEP440)...)
	parts = append(parts, rendered.NewPartOnce([]byte("]}\n")))
	return rendered.Assemble(ContentTypeJSON, parts...)
}

// ProjectListHTML renders the project list (GET simple/) as PEP 503 HTML.
func ProjectListHTML(names []string) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"" + APIVersion + "\">\n")
	b.WriteString("    <title>Simple index</title>\n  </head>\n  <body>\n")
	for _, n := range names {
		b.WriteString(`    <a href="` + html.EscapeString(url.PathEscape(n)) + `/">` + html.EscapeString(n) + "</a><br />\n")
	}
	b.WriteString("  </body>\n</html>\n")
	return b.Bytes()
}

// ProjectListJSON renders the project list as PEP 691 JSON.
func ProjectListJSON(names []string) []byte {
	type project struct {
		Name string `json:"name"`
	}
	doc := struct {
		Meta     jsonMeta  `json:"meta"`
		Projects []project `json:"projects"`
	}{Meta: jsonMeta{APIVersion}, Projects: []project{}}
	for _, n := range names {
		doc.Projects = append(doc.Projects, project{n})
	}
	return marshal(doc)
}

// marshal encodes v without HTML escaping (URLs keep their "&").
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Negotiate picks the content type of a simple API response from an
// Accept header: the supported type with the highest quality, the JSON
// form winning ties; HTML (text/html) when the header is absent or names
// none of them, as PEP 691 recommends for old clients.
func Negotiate(accept string) string {
	best, bestQ := ContentTypeHTML, 0.0
	rank := map[string]int{ContentTypeJSON: 3, ContentTypeHTMLv1: 2, ContentTypeHTML: 1}
	bestRank := 0
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, params, _ := strings.Cut(part, ";")
		mediaType = strings.ToLower(strings.TrimSpace(mediaType))
		r, ok := rank[mediaType]
		if !ok {
			continue
		}
		q := rendered.Quality(params)
		if q <= 0 {
			continue
		}
		if q > bestQ || (q == bestQ && r > bestRank) {
			best, bestQ, bestRank = mediaType, q, r
		}
	}
	return best
}

// uploadTime formats t as the JSON API does ("2006-01-02T15:04:05").
func uploadTime(t time.Time) (plain, iso string) {
	if t.IsZero() {
		return "", ""
	}
	t = t.UTC()
	return t.Format("2006-01-02T15:04:05"), t.Format("2006-01-02T15:04:05.000000Z")
}
