package upstreamtest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// PyPI is a fake public Python package index: the simple API (PEP 503
// HTML and PEP 691 JSON, chosen by Accept, with sha256 hashes,
// requires-python and PEP 658/714 metadata files for wheels), and the
// files. Its wheels and source distributions are real, so pip and uv can
// install from it, directly or through Arca:
//
//	idx := upstreamtest.NewPyPI(t)
//	idx.AddProject("tiny-lib", 3)                   // 1.0.0, 1.1.0, 1.2.0: a wheel and an sdist each
//	idx.Publish("Other_Lib", upstreamtest.PyPIDist{Version: "2.0", RequiresDist: []string{"tiny-lib>=1.1"}})
//	cfg.ExternalConnections["public:pypi"] = idx.IndexURL  // http://127.0.0.1:PORT/simple/
//	idx.Pages("tiny-lib")                            // requests for the project page
//	idx.Downloads("tiny_lib-1.2.0-py3-none-any.whl") // requests for a file
//	idx.Down(); idx.SetStatus(503); idx.SetDelay(5 * time.Second); idx.Reset()
//
// Requests are counted by decoded path. Pages link files with absolute
// URLs in JSON and relative ones in HTML, as real indexes variously do.
type PyPI struct {
	// URL is the server's base URL, http://127.0.0.1:PORT, stable across
	// Down and Up; IndexURL is URL + "/simple/", what pip's index-url and
	// an external connection are configured with.
	URL, IndexURL string

	server

	htmlOnly   atomic.Bool
	noMetadata atomic.Bool

	mu       sync.Mutex
	projects map[string]*pypiProject // by normalised name
	files    map[string]*pypiFile    // by file name
}

// PyPIDist describes a release: its core metadata and which files to
// build. Fields left empty get plausible values.
type PyPIDist struct {
	// Name is the project name as the metadata writes it; the project's
	// name when empty.
	Name           string
	Version        string
	Summary        string
	License        string
	Description    string // the long description (the readme)
	RequiresDist   []string
	RequiresPython string
	Classifiers    []string
	ProjectURLs    []string // "Label, URL"
	// NoWheel and NoSdist leave out the wheel or the source distribution.
	NoWheel, NoSdist bool
	// Time is the upload time; zero for the time of Publish.
	Time time.Time
}

type pypiProject struct {
	name     string // normalised
	releases map[string][]string
}

type pypiFile struct {
	project  string
	name     string
	data     []byte // the bytes the page's hash describes
	served   []byte // the bytes the file URL answers
	metadata []byte // a wheel's METADATA
	requires string
	time     time.Time
}

// NewPyPI starts a fake index with no projects, stopped when the test
// ends.
func NewPyPI(t testing.TB) *PyPI {
	t.Helper()
	f := &PyPI{projects: map[string]*pypiProject{}, files: map[string]*pypiFile{}}
	f.URL = f.start(t, "fake PyPI", f.serve, plainError)
	f.IndexURL = f.URL + "/simple/"
	return f
}

// SetHTMLOnly makes project pages HTML whatever the client accepts, as
// indexes that predate PEP 691 serve them.
func (f *PyPI) SetHTMLOnly(on bool) { f.htmlOnly.Store(on) }

// SetNoMetadata makes pages declare no metadata files (PEP 658), as
// indexes and mirrors that predate it do.
func (f *PyPI) SetNoMetadata(on bool) { f.noMetadata.Store(on) }

// Reset undoes Down, SetDelay, SetStatus, SetHTMLOnly and SetNoMetadata.
func (f *PyPI) Reset() {
	f.SetHTMLOnly(false)
	f.SetNoMetadata(false)
	f.server.Reset()
}

// --- content ---

// AddProject publishes n releases of project, 1.0.0, 1.1.0, ..., each with
// a wheel and a source distribution, and returns the versions.
func (f *PyPI) AddProject(project string, n int) []string {
	var vs []string
	for i := range n {
		v := fmt.Sprintf("1.%d.0", i)
		f.Publish(project, PyPIDist{Version: v})
		vs = append(vs, v)
	}
	return vs
}

// Publish adds a release to project (creating it) and returns the names of
// its files. Publishing a file name again replaces its bytes, which PyPI
// never allows: tests use it to show that what Arca kept does not change.
func (f *PyPI) Publish(project string, d PyPIDist) []string {
	f.t.Helper()
	if d.Version == "" {
		f.t.Fatal("fake PyPI: a release needs a version")
	}
	if d.Name == "" {
		d.Name = project
	}
	if d.Time.IsZero() {
		d.Time = time.Now().UTC()
	}
	norm := pypiNormalize(project)
	var built []*pypiFile
	if !d.NoWheel {
		name, data := PyPIWheel(d)
		built = append(built, &pypiFile{project: norm, name: name, data: data, served: data, metadata: PyPIMetadata(d), requires: d.RequiresPython, time: d.Time})
	}
	if !d.NoSdist {
		name, data := PyPISdist(d)
		built = append(built, &pypiFile{project: norm, name: name, data: data, served: data, requires: d.RequiresPython, time: d.Time})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.projects[norm]
	if p == nil {
		p = &pypiProject{name: norm, releases: map[string][]string{}}
		f.projects[norm] = p
	}
	var names []string
	for _, b := range built {
		f.files[b.name] = b
		if !slices.Contains(p.releases[d.Version], b.name) {
			p.releases[d.Version] = append(p.releases[d.Version], b.name)
		}
		names = append(names, b.name)
	}
	return names
}

// File returns the bytes of a file as published.
func (f *PyPI) File(filename string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if file := f.files[filename]; file != nil {
		return file.data
	}
	f.t.Fatalf("fake PyPI: no file %s", filename)
	return nil
}

// Files returns the file names of a release.
func (f *PyPI) Files(project, version string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.projects[pypiNormalize(project)]; p != nil {
		return slices.Clone(p.releases[version])
	}
	return nil
}

// Corrupt makes a file's URL answer other bytes than the page's hash
// describes.
func (f *PyPI) Corrupt(filename string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	file := f.files[filename]
	file.served = append(bytes.Clone(file.data), "tampered"...)
}

// --- counting ---

// PagePath is the path requests for a project page are counted under.
func (f *PyPI) PagePath(project string) string { return "/simple/" + pypiNormalize(project) + "/" }

// FilePath is the path of a file.
func (f *PyPI) FilePath(filename string) string { return "/files/" + filename }

// Pages returns how many requests asked for the page of project.
func (f *PyPI) Pages(project string) int64 { return f.Requests(f.PagePath(project)) }

// Downloads returns how many requests asked for a file.
func (f *PyPI) Downloads(filename string) int64 { return f.Requests(f.FilePath(filename)) }

// MetadataRequests returns how many requests asked for a wheel's
// metadata file.
func (f *PyPI) MetadataRequests(filename string) int64 {
	return f.Requests(f.FilePath(filename) + ".metadata")
}

// --- serving ---

// serve answers the list of projects, a project's page or a file.
func (f *PyPI) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/simple/":
		f.serveList(w)
	case strings.HasPrefix(path, "/simple/"):
		name := strings.TrimSuffix(strings.TrimPrefix(path, "/simple/"), "/")
		if norm := pypiNormalize(name); norm != name || !strings.HasSuffix(path, "/") {
			http.Redirect(w, r, "/simple/"+norm+"/", http.StatusMovedPermanently)
			return
		}
		f.servePage(w, r, name)
	case strings.HasPrefix(path, "/files/"):
		f.serveFile(w, strings.TrimPrefix(path, "/files/"))
	default:
		http.NotFound(w, r)
	}
}

func (f *PyPI) serveList(w http.ResponseWriter) {
	f.mu.Lock()
	names := make([]string, 0, len(f.projects))
	for n := range f.projects {
		names = append(names, n)
	}
	f.mu.Unlock()
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, n := range names {
		fmt.Fprintf(&b, "<a href=\"/simple/%s/\">%s</a>\n", n, n)
	}
	b.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte(b.String()))
}

func (f *PyPI) servePage(w http.ResponseWriter, r *http.Request, name string) {
	f.mu.Lock()
	p := f.projects[name]
	var files []*pypiFile
	if p != nil {
		for _, names := range p.releases {
			for _, n := range names {
				files = append(files, f.files[n])
			}
		}
	}
	f.mu.Unlock()
	if p == nil {
		http.NotFound(w, r)
		return
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	accept := r.Header.Get("Accept")
	var body []byte
	if strings.Contains(accept, "application/vnd.pypi.simple.v1+json") && !f.htmlOnly.Load() {
		type jf struct {
			Filename       string            `json:"filename"`
			URL            string            `json:"url"`
			Hashes         map[string]string `json:"hashes"`
			RequiresPython *string           `json:"requires-python,omitempty"`
			CoreMetadata   any               `json:"core-metadata"`
			Yanked         bool              `json:"yanked"`
			Size           int               `json:"size"`
			UploadTime     string            `json:"upload-time"`
		}
		doc := map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": name}
		var list []jf
		versions := []string{}
		for v := range p.releases {
			versions = append(versions, v)
		}
		sort.Strings(versions)
		for _, file := range files {
			e := jf{Filename: file.name, URL: f.URL + "/files/" + file.name, Hashes: map[string]string{"sha256": pypiSHA256(file.data)},
				CoreMetadata: false, Size: len(file.data), UploadTime: file.time.Format("2006-01-02T15:04:05.000000Z")}
			if file.requires != "" {
				e.RequiresPython = &file.requires
			}
			if file.metadata != nil && !f.noMetadata.Load() {
				e.CoreMetadata = map[string]string{"sha256": pypiSHA256(file.metadata)}
			}
			list = append(list, e)
		}
		doc["files"], doc["versions"] = list, versions
		body, _ = json.Marshal(doc)
		w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
	} else {
		var b strings.Builder
		fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n<head><title>Links for %s</title></head>\n<body>\n<h1>Links for %s</h1>\n", name, name)
		for _, file := range files {
			fmt.Fprintf(&b, `<a href="../../files/%s#sha256=%s"`, file.name, pypiSHA256(file.data))
			if file.requires != "" {
				fmt.Fprintf(&b, ` data-requires-python="%s"`, html.EscapeString(file.requires))
			}
			if file.metadata != nil && !f.noMetadata.Load() {
				fmt.Fprintf(&b, ` data-dist-info-metadata="sha256=%s" data-core-metadata="sha256=%s"`, pypiSHA256(file.metadata), pypiSHA256(file.metadata))
			}
			fmt.Fprintf(&b, ">%s</a><br/>\n", file.name)
		}
		b.WriteString("</body>\n</html>\n")
		body = []byte(b.String())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	etag := `"` + pypiSHA256(body)[:32] + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

func (f *PyPI) serveFile(w http.ResponseWriter, name string) {
	f.mu.Lock()
	var body []byte
	if wheel, ok := strings.CutSuffix(name, ".metadata"); ok {
		if file := f.files[wheel]; file != nil {
			body = file.metadata
		}
	} else if file := f.files[name]; file != nil {
		body = file.served
	}
	f.mu.Unlock()
	if body == nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// --- distributions ---

var pypiSeparators = regexp.MustCompile(`[-_.]+`)

// pypiNormalize is PEP 503's name normalisation.
func pypiNormalize(name string) string {
	return strings.ToLower(pypiSeparators.ReplaceAllString(name, "-"))
}

// pypiEscaped is a name as file names write it: separators as "_".
func pypiEscaped(name string) string { return pypiSeparators.ReplaceAllString(name, "_") }

// pypiModule is the import name of the package a distribution holds.
func pypiModule(name string) string { return strings.ToLower(pypiEscaped(name)) }

// PyPIMetadata returns the core metadata of a release (METADATA,
// PKG-INFO), version 2.1, which twine 4 reads.
func PyPIMetadata(d PyPIDist) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", d.Name, d.Version)
	summary := d.Summary
	if summary == "" {
		summary = "The " + d.Name + " project, version " + d.Version + ", for tests."
	}
	fmt.Fprintf(&b, "Summary: %s\nHome-page: https://example.invalid/%s\n", summary, pypiNormalize(d.Name))
	fmt.Fprintf(&b, "Author: Arca Tests\nAuthor-email: tests@example.invalid\n")
	license := d.License
	if license == "" {
		license = "MIT"
	}
	fmt.Fprintf(&b, "License: %s\n", license)
	for _, u := range d.ProjectURLs {
		fmt.Fprintf(&b, "Project-URL: %s\n", u)
	}
	for _, c := range d.Classifiers {
		fmt.Fprintf(&b, "Classifier: %s\n", c)
	}
	if d.RequiresPython != "" {
		fmt.Fprintf(&b, "Requires-Python: %s\n", d.RequiresPython)
	}
	for _, r := range d.RequiresDist {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	desc := d.Description
	if desc == "" {
		desc = "# " + d.Name + "\n\nA project of the fake index.\n"
	}
	b.WriteString("Description-Content-Type: text/markdown\n\n" + desc)
	return []byte(b.String())
}

// PyPIWheelName returns a release's wheel file name.
func PyPIWheelName(d PyPIDist) string {
	return pypiEscaped(d.Name) + "-" + strings.ReplaceAll(d.Version, "-", "_") + "-py3-none-any.whl"
}

// PyPISdistName returns a release's source distribution file name.
func PyPISdistName(d PyPIDist) string {
	return pypiModule(d.Name) + "-" + d.Version + ".tar.gz"
}

var pypiEpoch = time.Date(2020, 2, 2, 0, 0, 0, 0, time.UTC)

// PyPIWheel builds a pure-Python wheel of the release, with a module
// whose __version__ is the version, and returns its file name and bytes
// (deterministic).
func PyPIWheel(d PyPIDist) (string, []byte) {
	if d.Name == "" {
		panic("PyPIWheel: no name")
	}
	mod := pypiModule(d.Name)
	distInfo := pypiEscaped(d.Name) + "-" + strings.ReplaceAll(d.Version, "-", "_") + ".dist-info"
	files := []struct{ name, body string }{
		{mod + "/__init__.py", fmt.Sprintf("__version__ = %q\n", d.Version)},
		{distInfo + "/METADATA", string(PyPIMetadata(d))},
		{distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: arca-upstreamtest\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
		{distInfo + "/top_level.txt", mod + "\n"},
	}
	var record strings.Builder
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: pypiEpoch}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		w.Write([]byte(body))
	}
	for _, f := range files {
		add(f.name, f.body)
		sum := sha256.Sum256([]byte(f.body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.body))
	}
	record.WriteString(distInfo + "/RECORD,,\n")
	add(distInfo+"/RECORD", record.String())
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return PyPIWheelName(d), buf.Bytes()
}

// PyPISdist builds a source distribution of the release (a setup.py
// project with PKG-INFO) and returns its file name and bytes
// (deterministic).
func PyPISdist(d PyPIDist) (string, []byte) {
	if d.Name == "" {
		panic("PyPISdist: no name")
	}
	mod := pypiModule(d.Name)
	top := pypiModule(d.Name) + "-" + d.Version
	requires := "[]"
	if len(d.RequiresDist) > 0 {
		q := make([]string, len(d.RequiresDist))
		for i, r := range d.RequiresDist {
			q[i] = fmt.Sprintf("%q", r)
		}
		requires = "[" + strings.Join(q, ", ") + "]"
	}
	files := []struct{ name, body string }{
		{top + "/PKG-INFO", string(PyPIMetadata(d))},
		{top + "/setup.py", fmt.Sprintf("from setuptools import setup\n\nsetup(name=%q, version=%q, packages=[%q], install_requires=%s)\n", d.Name, d.Version, mod, requires)},
		{top + "/" + mod + "/__init__.py", fmt.Sprintf("__version__ = %q\n", d.Version)},
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	gz.ModTime = pypiEpoch
	tw := tar.NewWriter(gz)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: pypiEpoch, Typeflag: tar.TypeReg}); err != nil {
			panic(err)
		}
		tw.Write([]byte(f.body))
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	gz.Close()
	return PyPISdistName(d), buf.Bytes()
}

func pypiSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PyPIMD5 returns the MD5 of b as lower-case hex (twine's md5_digest).
func PyPIMD5(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
