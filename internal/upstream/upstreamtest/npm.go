package upstreamtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// NPM is a fake public npm registry (the registry API as npm uses it: GET
// a package document, GET a tarball). Requests are counted by their
// decoded path: "/left-pad", "/@acme/util" (however the client escaped the
// slash), "/left-pad/-/left-pad-1.0.0.tgz".
type NPM struct {
	// URL is the registry's base URL, http://127.0.0.1:PORT, stable across
	// Down and Up.
	URL string

	server

	mu       sync.Mutex
	packages map[string]*npmPackage
}

// Version describes a version to publish to the fake. Fields left empty
// get plausible values.
type Version struct {
	Version              string
	Description          string
	License              string
	Dependencies         map[string]string
	DevDependencies      map[string]string
	PeerDependencies     map[string]string
	OptionalDependencies map[string]string
	// Files are added to the tarball beside package/package.json and
	// package/index.js, keyed by their path under package/.
	Files map[string]string
	// Time is the publish time in the document's "time" object; zero for
	// the time of Publish.
	Time time.Time
	// Extra fields for the manifest (and the tarball's package.json).
	Extra map[string]any
}

type npmPackage struct {
	name     string
	versions map[string]*npmVersion
	tags     map[string]string
	created  time.Time
	modified time.Time
	raw      []byte // served verbatim instead of the generated document
}

type npmVersion struct {
	manifest map[string]any // without dist
	dist     map[string]any
	tarball  []byte // the bytes dist describes
	served   []byte // the bytes the tarball URL answers (differ when corrupted)
	time     time.Time
}

// NewNPM starts a fake npm registry with no packages, stopped when the test
// ends.
func NewNPM(t testing.TB) *NPM {
	t.Helper()
	f := &NPM{packages: map[string]*npmPackage{}}
	f.URL = f.start(t, "fake npm registry", f.serve, writeError)
	return f
}

// --- content ---

// AddPackage publishes n versions of name, 1.0.0, 1.1.0, ..., with the
// last one tagged latest, and returns the versions in publish order.
func (f *NPM) AddPackage(name string, n int) []string {
	var vs []string
	for i := range n {
		v := fmt.Sprintf("1.%d.0", i)
		f.Publish(name, Version{Version: v})
		vs = append(vs, v)
	}
	return vs
}

// Publish adds a version to name (creating the package) and tags it
// latest, as npm publish does. Publishing an existing version replaces it,
// which the public registry never allows: tests use it to show that what
// Arca retained does not change.
func (f *NPM) Publish(name string, v Version) {
	f.t.Helper()
	if v.Version == "" {
		f.t.Fatal("fake npm registry: a version needs a version")
	}
	if v.Time.IsZero() {
		v.Time = time.Now().UTC()
	}
	manifest := map[string]any{
		"name":        name,
		"version":     v.Version,
		"description": orDefault(v.Description, "The "+name+" package, version "+v.Version+", for tests."),
		"license":     orDefault(v.License, "MIT"),
		"homepage":    "https://example.invalid/" + name,
		"repository":  map[string]any{"type": "git", "url": "git+https://example.invalid/" + name + ".git"},
		"main":        "index.js",
	}
	for field, deps := range map[string]map[string]string{
		"dependencies": v.Dependencies, "devDependencies": v.DevDependencies,
		"peerDependencies": v.PeerDependencies, "optionalDependencies": v.OptionalDependencies,
	} {
		if len(deps) > 0 {
			manifest[field] = deps
		}
	}
	maps.Copy(manifest, v.Extra)
	tgz, err := Tarball(manifest, v.Files)
	if err != nil {
		f.t.Fatal(err)
	}
	nv := &npmVersion{manifest: manifest, tarball: tgz, served: tgz, time: v.Time}
	nv.dist = map[string]any{
		"tarball":   f.URL + f.TarballPath(name, v.Version),
		"shasum":    sha1Hex(tgz),
		"integrity": Integrity(tgz),
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.packages[name]
	if p == nil {
		p = &npmPackage{name: name, versions: map[string]*npmVersion{}, tags: map[string]string{}, created: v.Time}
		f.packages[name] = p
	}
	p.versions[v.Version] = nv
	p.tags["latest"] = v.Version
	p.modified = time.Now().UTC()
}

// SetTag points a dist-tag of name at version.
func (f *NPM) SetTag(name, tag, version string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.pkg(name)
	p.tags[tag] = version
	p.modified = time.Now().UTC()
}

// Corrupt makes the tarball URL of a version answer bytes that differ from
// what the document's shasum and integrity describe (another valid
// tarball, so only the checksums can tell).
func (f *NPM) Corrupt(name, version string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.pkg(name).versions[version]
	m := maps.Clone(v.manifest)
	m["description"] = "tampered"
	tgz, err := Tarball(m, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	v.served = tgz
}

// SetDocument makes the registry answer the package document of name with
// body, verbatim (bad JSON, huge documents, hand-written packuments).
func (f *NPM) SetDocument(name string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.packages[name]
	if p == nil {
		p = &npmPackage{name: name, versions: map[string]*npmVersion{}, tags: map[string]string{}}
		f.packages[name] = p
	}
	p.raw = body
}

// Tarball returns the bytes of a version's tarball as published.
func (f *NPM) Tarball(name, version string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pkg(name).versions[version].tarball
}

// Document returns the package document of name as the registry serves it.
func (f *NPM) Document(name string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.document(f.pkg(name))
}

func (f *NPM) pkg(name string) *npmPackage {
	p := f.packages[name]
	if p == nil {
		f.t.Fatalf("fake npm registry: no package %s", name)
	}
	return p
}

// --- counting ---

// PackumentPath is the path requests for the document of name are counted
// under: "/name" or "/@scope/name".
func (f *NPM) PackumentPath(name string) string { return "/" + name }

// TarballPath is the path of a version's tarball, the public registry's
// layout: "/name/-/name-1.0.0.tgz", "/@scope/name/-/name-1.0.0.tgz".
func (f *NPM) TarballPath(name, version string) string {
	base := name[strings.LastIndex(name, "/")+1:]
	return "/" + name + "/-/" + base + "-" + version + ".tgz"
}

// Packuments returns how many requests asked for the document of name.
func (f *NPM) Packuments(name string) int64 { return f.Requests(f.PackumentPath(name)) }

// Tarballs returns how many requests asked for a version's tarball.
func (f *NPM) Tarballs(name, version string) int64 {
	return f.Requests(f.TarballPath(name, version))
}

// --- serving ---

// serve answers a package document or a tarball.
func (f *NPM) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path // decoded: %2f and %2F are "/"
	if name, file, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/-/"); ok {
		f.serveTarball(w, r, name, file)
		return
	}
	f.servePackument(w, r, strings.TrimPrefix(path, "/"))
}

func (f *NPM) servePackument(w http.ResponseWriter, r *http.Request, name string) {
	f.mu.Lock()
	p := f.packages[name]
	var body []byte
	if p != nil {
		body = f.document(p)
	}
	f.mu.Unlock()
	if p == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	etag := `"` + sha1Hex(body) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (f *NPM) serveTarball(w http.ResponseWriter, r *http.Request, name, file string) {
	f.mu.Lock()
	var body []byte
	if p := f.packages[name]; p != nil {
		for ver, v := range p.versions {
			if f.TarballPath(name, ver) == "/"+name+"/-/"+file {
				body = v.served
			}
		}
	}
	f.mu.Unlock()
	if body == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// document renders p's full package document (f.mu held).
func (f *NPM) document(p *npmPackage) []byte {
	if p.raw != nil {
		return p.raw
	}
	versions := map[string]any{}
	times := map[string]any{"created": p.created.Format(time.RFC3339Nano), "modified": p.modified.Format(time.RFC3339Nano)}
	var latest map[string]any
	for ver, v := range p.versions {
		m := maps.Clone(v.manifest)
		m["_id"] = p.name + "@" + ver
		m["dist"] = v.dist
		versions[ver] = m
		times[ver] = v.time.Format(time.RFC3339Nano)
		if p.tags["latest"] == ver {
			latest = v.manifest
		}
	}
	doc := map[string]any{
		"_id": p.name, "name": p.name, "dist-tags": p.tags, "versions": versions, "time": times,
		"readme": "# " + p.name + "\n\nA package of the fake registry.\n", "readmeFilename": "README.md",
	}
	for _, k := range []string{"description", "homepage", "repository", "license"} {
		if latest != nil {
			doc[k] = latest[k]
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Tarball builds an npm package tarball: a gzip'd tar holding
// package/package.json (manifest), package/index.js and files (paths under
// package/). The bytes are deterministic.
func Tarball(manifest map[string]any, files map[string]string) ([]byte, error) {
	pj, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, err
	}
	all := map[string][]byte{
		"package.json": append(pj, '\n'),
		"index.js":     fmt.Appendf(nil, "module.exports = %q;\n", fmt.Sprint(manifest["name"], "@", manifest["version"])),
	}
	for name, content := range files {
		all[name] = []byte(content)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mtime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC) // npm's fixed tarball mtime
	for _, name := range slices.Sorted(maps.Keys(all)) {
		b := all[name]
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(b)), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(b); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Integrity returns the Subresource Integrity string npm records for b
// (dist.integrity): "sha512-" and the base64 SHA-512.
func Integrity(b []byte) string {
	sum := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
