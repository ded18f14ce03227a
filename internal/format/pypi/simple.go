package pypi

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
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
	Meta    artifact.Meta
	Files   []Dist // in file name order
	// Revision is the stored version's revision: its entries of the
	// pages are kept under it ("": rendered every time).
	Revision string
	// parts are the release's entries of the project pages, when
	// projectOf kept them (nil: rendered from Files).
	parts *releaseParts
	// id is the stored version's ID (0: not a stored version's).
	id int64
}

// releaseParts are a release's files as decoded from its version, and its
// entries of the two project pages, made once per revision of the version
// (see Fragments).
type releaseParts struct {
	files []Dist
	html  []byte // its anchors, one line each
	json  []byte // its file objects, comma-separated
}

func (r *releaseParts) size() int64 {
	n := len(r.html) + len(r.json)
	for _, d := range r.files {
		n += 256 + len(d.Filename) + len(d.SHA256) + len(d.MD5) + len(d.RequiresPython) + len(d.MetadataSHA256)
	}
	return int64(n)
}

// Fragments keeps each release's parts, by project, version and the
// version's revision.
type Fragments = rendered.Fragments[releaseKey, *releaseParts]

type releaseKey struct{ project, version, revision string }

// NewFragments returns a cache of release parts of at most max bytes.
func NewFragments(max int64) *Fragments {
	return rendered.NewFragments[releaseKey](max, (*releaseParts).size)
}

// partsOf renders a release's entries of the project pages.
func partsOf(project string, r Release) *releaseParts {
	parts := &releaseParts{files: r.Files}
	var h, j bytes.Buffer
	for i, d := range r.Files {
		l := link{Dist: d, url: pageToFiles + FilePath(project, r.Version, d.Filename)}
		l.writeHTML(&h)
		if i > 0 {
			j.WriteByte(',')
		}
		j.Write(bytes.TrimSuffix(marshal(l.jsonFile()), []byte("\n")))
	}
	parts.html, parts.json = h.Bytes(), j.Bytes()
	return parts
}

// pageParts returns the release's entries of the project pages.
func (r *Release) pageParts(project string) *releaseParts {
	if r.parts != nil {
		return r.parts
	}
	return partsOf(project, *r)
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

// link is a file's entry in a project page.
type link struct {
	Dist
	url string
}

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
	parts = append(parts, p.Runs.Parts(rendered.Entries{
		Scope: p.Name + "\x00html", Len: len(listed),
		Name:     func(i int) string { return listed[i].Version },
		Revision: func(i int) string { return listed[i].Revision },
		Render:   func(i int) []byte { return listed[i].pageParts(p.Name).html },
	})...)
	parts = append(parts, rendered.NewPartOnce([]byte("  </body>\n</html>\n")))
	return rendered.Assemble(contentType, parts...)
}

// writeHTML writes the file's anchor of the HTML project page.
func (l link) writeHTML(b *bytes.Buffer) {
	b.WriteString(`    <a href="`)
	b.WriteString(html.EscapeString(l.url))
	if l.SHA256 != "" {
		b.WriteString("#sha256=" + l.SHA256)
	}
	b.WriteByte('"')
	if l.RequiresPython != "" {
		b.WriteString(` data-requires-python="` + html.EscapeString(l.RequiresPython) + `"`)
	}
	if l.MetadataSHA256 != "" {
		b.WriteString(` data-dist-info-metadata="sha256=` + l.MetadataSHA256 + `" data-core-metadata="sha256=` + l.MetadataSHA256 + `"`)
	}
	b.WriteString(">" + html.EscapeString(l.Filename) + "</a><br />\n")
}

// jsonFile is the file's object of the JSON project page.
func (l link) jsonFile() jsonFile {
	f := jsonFile{
		Filename: l.Filename, URL: l.url, Hashes: map[string]string{},
		RequiresPython: l.RequiresPython, CoreMetadata: false, DistInfoMeta: false, Size: l.Size,
	}
	if l.SHA256 != "" {
		f.Hashes["sha256"] = l.SHA256
	}
	if l.MetadataSHA256 != "" {
		f.CoreMetadata = map[string]string{"sha256": l.MetadataSHA256}
		f.DistInfoMeta = f.CoreMetadata
	}
	if !l.UploadTime.IsZero() {
		f.UploadTime = l.UploadTime.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	return f
}

// jsonFile is a file of a PEP 691 project page.
type jsonFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython string            `json:"requires-python,omitempty"`
	CoreMetadata   any               `json:"core-metadata"`
	DistInfoMeta   any               `json:"dist-info-metadata"`
	Size           int64             `json:"size"`
	UploadTime     string            `json:"upload-time,omitempty"`
	Yanked         bool              `json:"yanked"`
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
		if len(r.pageParts(p.Name).json) > 0 {
			withFiles = append(withFiles, r)
		}
	}
	head := `{"meta":{"api-version":"` + APIVersion + `"},"name":` + string(bytes.TrimSuffix(marshal(p.Name), []byte("\n"))) + `,"files":[`
	parts := []*rendered.Part{rendered.NewPartOnce([]byte(head))}
	parts = append(parts, p.Runs.Parts(rendered.Entries{
		Scope: p.Name + "\x00json", Len: len(withFiles), Sep: ",",
		Name:     func(i int) string { return withFiles[i].Version },
		Revision: func(i int) string { return withFiles[i].Revision },
		Render:   func(i int) []byte { return withFiles[i].pageParts(p.Name).json },
	})...)
	parts = append(parts, rendered.NewPartOnce([]byte(`],"versions":[`)))
	parts = append(parts, p.Runs.Parts(rendered.Entries{
		Scope: "versions", Len: len(listed), Sep: ",",
		Name:     func(i int) string { return listed[i].Version },
		Revision: func(int) string { return "-" }, // a version's entry is its name
		Render:   func(i int) []byte { return bytes.TrimSuffix(marshal(listed[i].Version), []byte("\n")) },
	})...)
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
