package upstreamtest

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mvnversion "github.com/masahiro331/go-mvn-version"
)

// Maven is a fake remote Maven repository (the Maven 2 layout as Maven
// and Gradle read it: GET a file, its .sha1 and .md5, and each artifact's
// maven-metadata.xml). Its jars are real zip archives and its POMs real
// POMs, so mvn can resolve from it (directly or through Arca):
//
//	repo := upstreamtest.NewMaven(t)
//	repo.Publish("com.example", "lib", "1.0")            // POM, jar, checksums, metadata
//	repo.Publish("com.example", "app", "2.0", "com.example:lib:1.0")
//	cfg.ExternalConnections["public:maven-central"] = repo.URL
//	...
//	repo.Requests("/com/example/lib/1.0/lib-1.0.jar")  // requests for one path
//	repo.Down()                                          // connections refused until Up
//
// Requests are counted by decoded path.
type Maven struct {
	// URL is the repository's base URL, http://127.0.0.1:PORT, stable
	// across Down and Up.
	URL string

	server

	mu    sync.Mutex
	files map[string][]byte // by path, "/com/example/lib/1.0/lib-1.0.jar"
	// modified are the Last-Modified times of files published with
	// PublishAt, by path; updated the latest per artifact directory.
	modified map[string]time.Time
	updated  map[string]time.Time
}

// NewMaven starts a fake Maven repository with no artifacts, stopped when
// the test ends.
func NewMaven(t testing.TB) *Maven {
	t.Helper()
	f := &Maven{files: map[string][]byte{}, modified: map[string]time.Time{}, updated: map[string]time.Time{}}
	f.URL = f.start(t, "fake Maven repository", f.serve, plainError)
	return f
}

// --- content ---

// MavenDir is the directory of a version in the layout,
// "/com/example/lib/1.0" (or of the artifact, when version is "").
func MavenDir(group, artifactID, version string) string {
	s := "/" + strings.ReplaceAll(group, ".", "/") + "/" + artifactID
	if version != "" {
		s += "/" + version
	}
	return s
}

// Publish adds a version with a POM (depending on deps, given as
// "group:artifact:version"), a jar, a sources jar, their .sha1 and .md5,
// and updates the artifact's maven-metadata.xml.
func (f *Maven) Publish(group, artifactID, version string, deps ...string) {
	f.t.Helper()
	var d strings.Builder
	for _, dep := range deps {
		parts := strings.Split(dep, ":")
		if len(parts) != 3 {
			f.t.Fatalf("fake Maven repository: dependency %q is not group:artifact:version", dep)
		}
		fmt.Fprintf(&d, "    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n", parts[0], parts[1], parts[2])
	}
	pom := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>%s</groupId>
  <artifactId>%s</artifactId>
  <version>%s</version>
  <name>%s of the fake repository</name>
  <description>A library the fake Maven repository made.</description>
  <url>https://example.com/%s</url>
  <licenses><license><name>Apache-2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0</url></license></licenses>
  <dependencies>
%s  </dependencies>
</project>
`, group, artifactID, version, artifactID, artifactID, d.String())
	dir := MavenDir(group, artifactID, version)
	base := dir + "/" + artifactID + "-" + version
	f.PutFile(base+".pom", []byte(pom))
	f.PutFile(base+".jar", Jar(map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", strings.ReplaceAll(group, ".", "/") + "/" + artifactID + ".txt": artifactID + " " + version}))
	f.PutFile(base+"-sources.jar", Jar(map[string]string{"README": "sources of " + artifactID + " " + version}))

	f.mu.Lock()
	metaPath := MavenDir(group, artifactID, "") + "/maven-metadata.xml"
	versions := f.versions(group, artifactID)
	f.mu.Unlock()
	if !slices.Contains(versions, version) {
		versions = append(versions, version)
	}
	// In Maven's order, as a repository lists them (the fake cannot use
	// format/maven, whose tests use the fake).
	slices.SortFunc(versions, func(a, b string) int {
		va, ea := mvnversion.NewVersion(a)
		vb, eb := mvnversion.NewVersion(b)
		if ea != nil || eb != nil {
			return strings.Compare(a, b)
		}
		return va.Compare(vb)
	})
	var v strings.Builder
	for _, x := range versions {
		fmt.Fprintf(&v, "      <version>%s</version>\n", x)
	}
	latest := versions[len(versions)-1]
	f.PutFile(metaPath, []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>%s</groupId>
  <artifactId>%s</artifactId>
  <versioning>
    <latest>%s</latest>
    <release>%s</release>
    <versions>
%s    </versions>
    <lastUpdated>20261123191446</lastUpdated>
  </versioning>
</metadata>
`, group, artifactID, latest, latest, v.String())))
}

// PublishAt is Publish of a version deployed at t: its files are served
// with Last-Modified t, and the metadata's lastUpdated becomes the latest
// time given to a version of the artifact this way.
func (f *Maven) PublishAt(t time.Time, group, artifactID, version string, deps ...string) {
	f.t.Helper()
	f.Publish(group, artifactID, version, deps...)
	base := MavenDir(group, artifactID, version) + "/" + artifactID + "-" + version
	dir := MavenDir(group, artifactID, "")
	f.mu.Lock()
	for _, suffix := range []string{".pom", ".jar", "-sources.jar"} {
		f.modified[base+suffix] = t.UTC()
	}
	if t.After(f.updated[dir]) {
		f.updated[dir] = t.UTC()
	}
	meta := string(f.files[dir+"/maven-metadata.xml"])
	updated := f.updated[dir].Format("20060102150405")
	f.mu.Unlock()
	start, end := strings.Index(meta, "<lastUpdated>"), strings.Index(meta, "</lastUpdated>")
	f.PutFile(dir+"/maven-metadata.xml", []byte(meta[:start]+"<lastUpdated>"+updated+meta[end:]))
}

// versions returns the versions the artifact's metadata lists (f.mu held).
func (f *Maven) versions(group, artifactID string) []string {
	b := f.files[MavenDir(group, artifactID, "")+"/maven-metadata.xml"]
	var out []string
	for _, part := range strings.Split(string(b), "<version>")[1:] {
		out = append(out, part[:strings.Index(part, "</version>")])
	}
	return out
}

// PutFile serves body at path, with its .sha1 and .md5.
func (f *Maven) PutFile(path string, body []byte) {
	s1, m5 := sha1.Sum(body), md5.Sum(body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[path] = body
	f.files[path+".sha1"] = []byte(hex.EncodeToString(s1[:]))
	f.files[path+".md5"] = []byte(hex.EncodeToString(m5[:]))
}

// Corrupt makes path serve other bytes than its .sha1 describes.
func (f *Maven) Corrupt(path string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[path] = append(bytes.Clone(f.files[path]), "corrupted"...)
}

// Remove stops serving path (and its checksums).
func (f *Maven) Remove(path string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.files, path)
	delete(f.files, path+".sha1")
	delete(f.files, path+".md5")
}

// File returns the bytes served at path.
func (f *Maven) File(path string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return bytes.Clone(f.files[path])
}

// serve answers a file.
func (f *Maven) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	body, ok := f.files[r.URL.Path]
	modified := f.modified[r.URL.Path]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !modified.IsZero() {
		w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
	}
	etag := fmt.Sprintf(`"%x"`, sha1.Sum(body))
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// Jar builds a zip archive of files, deterministically.
func Jar(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			panic(err)
		}
		w.Write([]byte(files[n]))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
