package pypi

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
)

var pageURL, _ = url.Parse("https://index.example/simple/hello-ca/")

const sha = "bc7ef105c67b169e0fec3f1466d10959d135d72f932580af1b5e9960f1a252bf"

func TestParseIndexJSON(t *testing.T) {
	doc := `{"meta":{"api-version":"1.1","_last-serial":"7"},"name":"hello-ca","versions":["1.0"],"files":[
	  {"filename":"hello_ca-1.0-py3-none-any.whl","url":"https://files.example/a/hello_ca-1.0-py3-none-any.whl#frag",
	   "hashes":{"sha256":"` + strings.ToUpper(sha) + `","blake2b_256":"00"},"requires-python":">=3.8","core-metadata":{"sha256":"` + sha + `"},
	   "size":1528,"upload-time":"2024-01-02T03:04:05.123456Z","yanked":false},
	  {"filename":"hello_ca-1.0.tar.gz","url":"../../packages/hello_ca-1.0.tar.gz","hashes":{"md5":"fa778d692e2e22ad4fb2cab6220752a3"},
	   "dist-info-metadata":true,"yanked":"broken"}]}`
	files, err := ParseIndexJSON([]byte(doc), pageURL)
	if err != nil {
		t.Fatal(err)
	}
	want := []IndexFile{
		{Filename: "hello_ca-1.0-py3-none-any.whl", URL: "https://files.example/a/hello_ca-1.0-py3-none-any.whl",
			Hashes: map[string]string{"sha256": sha}, RequiresPython: ">=3.8", MetadataSHA256: sha, HasMetadata: true,
			Size: 1528, UploadTime: time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)},
		{Filename: "hello_ca-1.0.tar.gz", URL: "https://index.example/packages/hello_ca-1.0.tar.gz",
			Hashes: map[string]string{"md5": "fa778d692e2e22ad4fb2cab6220752a3"}, HasMetadata: true, Yanked: true, Size: -1},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("got  %+v\nwant %+v", files, want)
	}
	for _, bad := range []string{`[]`, `{"meta":{"api-version":"2.0"},"files":[]}`, `not json`} {
		if _, err := ParseIndexJSON([]byte(bad), pageURL); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestParseIndexHTML(t *testing.T) {
	doc := `<!DOCTYPE html><html><head><title>Links</title></head><body>
<!-- <a href="commented-1.0.tar.gz">no</a> -->
<h1>Links for hello-ca</h1>
<a href="../../files/hello_ca-1.0-py3-none-any.whl#sha256=` + sha + `" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=` + sha + `">hello_ca-1.0-py3-none-any.whl</a><br/>
<A HREF='https://files.example/hello_ca-1.0.tar.gz#md5=FA778D692E2E22AD4FB2CAB6220752A3' data-yanked>hello_ca-1.0.tar.gz</A>
<a href=/abs/hello_ca-0.9.zip data-core-metadata=true><span>hello_ca-0.9.zip</span></a>
<a name="anchor-without-href">x</a>
<a href="x/hello_ca-0.8.tar.gz"></a>
</body></html>`
	files, err := ParseIndexHTML([]byte(doc), pageURL)
	if err != nil {
		t.Fatal(err)
	}
	want := []IndexFile{
		{Filename: "hello_ca-1.0-py3-none-any.whl", URL: "https://index.example/files/hello_ca-1.0-py3-none-any.whl",
			Hashes: map[string]string{"sha256": sha}, RequiresPython: ">=3.8", MetadataSHA256: sha, HasMetadata: true, Size: -1},
		{Filename: "hello_ca-1.0.tar.gz", URL: "https://files.example/hello_ca-1.0.tar.gz",
			Hashes: map[string]string{"md5": "fa778d692e2e22ad4fb2cab6220752a3"}, Yanked: true, Size: -1},
		{Filename: "hello_ca-0.9.zip", URL: "https://index.example/abs/hello_ca-0.9.zip", Hashes: map[string]string{}, HasMetadata: true, Size: -1},
		{Filename: "hello_ca-0.8.tar.gz", URL: "https://index.example/simple/hello-ca/x/hello_ca-0.8.tar.gz", Hashes: map[string]string{}, Size: -1},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("got\n%+v\nwant\n%+v", files, want)
	}
	// <base href> changes what relative URLs resolve against.
	files, _ = ParseIndexHTML([]byte(`<base href="https://mirror.example/pkgs/"><a href="a-1.tar.gz">a-1.tar.gz</a>`), pageURL)
	if len(files) != 1 || files[0].URL != "https://mirror.example/pkgs/a-1.tar.gz" {
		t.Errorf("base href: %+v", files)
	}
}

// What Arca renders, Arca reads back the same.
func TestSimpleRoundTrip(t *testing.T) {
	p := Project{Name: "hello-ca", Releases: []*Release{
		{Version: "1.0.0", Status: artifact.Published, Files: []Dist{
			{Filename: "hello_ca-1.0.0-py3-none-any.whl", SHA256: sha, Size: 10, File: File{RequiresPython: ">=3.8,<4", MetadataSHA256: sha, UploadTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
			{Filename: "hello_ca-1.0.0.tar.gz", SHA256: sha, Size: 5},
		}},
		{Version: "0.9", Status: artifact.Published, Files: []Dist{{Filename: "hello_ca-0.9.tar.gz", SHA256: sha}}},
		{Version: "1.1.0", Status: artifact.Unlisted, Files: []Dist{{Filename: "hello_ca-1.1.0.tar.gz", SHA256: sha}}},
		{Version: "1.2.0", Status: artifact.Archived, Files: []Dist{{Filename: "hello_ca-1.2.0.tar.gz", SHA256: sha}}},
		{Version: "1.3.0", Status: artifact.Disposed, Files: []Dist{{Filename: "hello_ca-1.3.0.tar.gz", SHA256: sha}}},
	}}
	base, _ := url.Parse("http://arca.example/d-111122223333/pypi/r/simple/hello-ca/")
	fromHTML, err := ParseIndexHTML(p.SimpleHTML(), base)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ParseIndexJSON(p.SimpleJSON(), base)
	if err != nil {
		t.Fatal(err)
	}
	names := func(fs []IndexFile) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Filename)
		}
		return strings.Join(s, " ")
	}
	const want = "hello_ca-0.9.tar.gz hello_ca-1.0.0-py3-none-any.whl hello_ca-1.0.0.tar.gz"
	if names(fromHTML) != want || names(fromJSON) != want {
		t.Fatalf("listed files:\nhtml %s\njson %s\nwant %s", names(fromHTML), names(fromJSON), want)
	}
	for _, fs := range [][]IndexFile{fromHTML, fromJSON} {
		w := fs[1]
		if w.URL != "http://arca.example/d-111122223333/pypi/r/files/hello-ca/1.0.0/hello_ca-1.0.0-py3-none-any.whl" ||
			w.Hashes["sha256"] != sha || w.RequiresPython != ">=3.8,<4" || w.MetadataSHA256 != sha || fs[2].HasMetadata {
			t.Errorf("wheel %+v", w)
		}
	}
	if !strings.Contains(string(p.SimpleJSON()), `"versions":["0.9","1.0.0"]`) {
		t.Errorf("PEP 700 versions: %s", p.SimpleJSON())
	}
}

func TestNegotiate(t *testing.T) {
	for accept, want := range map[string]string{
		"": ContentTypeHTML,
		"application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01": ContentTypeJSON,
		"text/html":                           ContentTypeHTML,
		"application/vnd.pypi.simple.v1+html": ContentTypeHTMLv1,
		"*/*":                                 ContentTypeHTML,
		"application/vnd.pypi.simple.v1+json;q=0, text/html":         ContentTypeHTML,
		"text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.5": ContentTypeJSON,
		"application/vnd.pypi.simple.latest+json":                    ContentTypeHTML,
	} {
		if got := Negotiate(accept); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", accept, got, want)
		}
	}
}

func FuzzParseIndexHTML(f *testing.F) {
	for _, s := range []string{
		`<a href="x-1.tar.gz#sha256=00">x-1.tar.gz</a>`, `<a href='a' data-yanked`, `<!-- <a href="b">`, `<base href=>`, `<a href="%zz">`,
		string(Project{Name: "x", Releases: []*Release{{Version: "1", Status: artifact.Published, Files: []Dist{{Filename: "x-1.tar.gz", SHA256: sha}}}}}.SimpleHTML()),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := ParseIndexHTML(data, pageURL)
		if err != nil {
			return
		}
		for _, file := range files {
			if file.Filename == "" || strings.Contains(file.URL, "#") {
				t.Fatalf("file %+v", file)
			}
			for alg, h := range file.Hashes {
				if !hashNames[alg] || h != strings.ToLower(h) {
					t.Fatalf("hash %s=%s", alg, h)
				}
			}
		}
	})
}

func FuzzParseIndexJSON(f *testing.F) {
	f.Add([]byte(`{"meta":{"api-version":"1.0"},"files":[{"filename":"a","url":"b","hashes":{"sha256":"00"},"yanked":"x","core-metadata":{"sha256":"ab"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := ParseIndexJSON(data, pageURL)
		if err != nil {
			return
		}
		for _, file := range files {
			if file.Filename == "" || file.URL == "" {
				t.Fatalf("file %+v", file)
			}
		}
	})
}

// The JSON page assembled from each release's entries is the bytes that
// marshalling the whole document gives (as pages were rendered before
// releases' entries were kept), with files and without.
func TestSimpleJSONAssembledMatchesMarshal(t *testing.T) {
	p := Project{Name: "hello-ca", Releases: []*Release{
		{Version: "1.0.0", Status: artifact.Published, Files: []Dist{
			{Filename: "hello_ca-1.0.0-py3-none-any.whl", SHA256: sha, Size: 10, File: File{RequiresPython: ">=3.8,<4", MetadataSHA256: sha, UploadTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
			{Filename: "hello_ca-1.0.0.tar.gz", SHA256: sha, Size: 5},
		}},
		{Version: "0.9", Status: artifact.Published, Files: []Dist{{Filename: "hello_ca-0.9.tar.gz", SHA256: sha}}},
		{Version: "0.8", Status: artifact.Published},
		{Version: "1.1.0", Status: artifact.Unlisted, Files: []Dist{{Filename: "hello_ca-1.1.0.tar.gz", SHA256: sha}}},
	}}
	reference := func(p Project) []byte {
		doc := struct {
			Meta     jsonMeta   `json:"meta"`
			Name     string     `json:"name"`
			Files    []jsonFile `json:"files"`
			Versions []string   `json:"versions"`
		}{Meta: jsonMeta{APIVersion}, Name: p.Name, Files: []jsonFile{}, Versions: []string{}}
		for _, r := range p.Listed() {
			doc.Versions = append(doc.Versions, r.Version)
			for _, d := range r.Files {
				doc.Files = append(doc.Files, link{Dist: d, url: pageToFiles + FilePath(p.Name, r.Version, d.Filename)}.jsonFile())
			}
		}
		return marshal(doc)
	}
	for _, proj := range []Project{p, {Name: "empty"}, {Name: "no-files", Releases: []*Release{{Version: "1.0", Status: artifact.Published}}}} {
		if got, want := proj.SimpleJSON(), reference(proj); string(got) != string(want) {
			t.Errorf("%s:\n%s\nwant\n%s", proj.Name, got, want)
		}
	}
}

// Pages of thousands of releases, assembled from runs kept compressed:
// their bytes are the pages rendered without runs (and, for the JSON API,
// what marshalling the whole document gives), and their gzip forms
// decompress to exactly those bytes; so again after a release is added.
func TestPagesFromRunsMatch(t *testing.T) {
	p := Project{Name: "big-ca"}
	add := func(v string) {
		p.Releases = append(p.Releases, &Release{Version: v, Status: artifact.Published, Revision: "r-" + v, Files: []Dist{
			{Filename: "big_ca-" + v + "-py3-none-any.whl", SHA256: sha, MD5: "0123456789abcdef0123456789abcdef", Size: 1000, File: File{RequiresPython: ">=3.8", MetadataSHA256: sha, UploadTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
			{Filename: "big_ca-" + v + ".tar.gz", SHA256: sha, Size: 900},
		}})
	}
	for i := range 1500 {
		add(fmt.Sprintf("1.%d.%d", i/100, i%100))
	}
	const baseURL = "http://127.0.0.1:1/pypi/r/"
	reference := func(p Project) []byte {
		listed := p.Listed()
		r, _ := latest(listed)
		doc := jsonDocument{Info: p.info(r, baseURL), URLs: p.urls(r, baseURL), Releases: map[string][]jsonURL{}, Vulnerabilities: []any{}}
		for _, l := range listed {
			doc.Releases[l.Version] = p.urls(*l, baseURL)
		}
		return marshal(doc)
	}
	kept := rendered.NewRuns(64 << 20)
	check := func() {
		t.Helper()
		runs := p
		runs.Runs = kept
		api, _ := runs.ProjectJSONDoc(baseURL)
		for _, c := range []struct {
			name string
			doc  *rendered.Doc
			want []byte
		}{
			{"html", runs.SimpleHTMLDoc(ContentTypeTextHTML), p.SimpleHTML()},
			{"json", runs.SimpleJSONDoc(), p.SimpleJSON()},
			{"json api", api, reference(p)},
		} {
			if !bytes.Equal(c.doc.Bytes(), c.want) {
				a, b := c.doc.Bytes(), c.want
				k := 0
				for k < len(a) && k < len(b) && a[k] == b[k] {
					k++
				}
				t.Fatalf("%s: the page from runs differs from the one rendered afresh at %d: %q vs %q", c.name, k, a[max(0, k-80):min(len(a), k+80)], b[max(0, k-80):min(len(b), k+80)])
			}
			zr, err := gzip.NewReader(bytes.NewReader(c.doc.Gzip()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("%s: gunzip: %v, %d bytes, want %d", c.name, err, len(got), len(c.want))
			}
		}
	}
	check()
	add("1.7.5.post1")
	add("2.0.0rc1")
	check()
}

// Pages rendered from what a server keeps between rebuilds (compressed
// runs, the PEP 440 order) are, byte for byte and in gzip form, the
// pages rendered from scratch, after each step of a sequence of uploads,
// unlists, deletions and changed releases; the releases arrive in a
// different order every time, as they do from the store.
func TestKeptPagesFollowChanges(t *testing.T) {
	var rs []Release
	release := func(v, rev string) Release {
		return Release{Version: v, Status: artifact.Published, Revision: rev, Files: []Dist{
			{Filename: "seq_ca-" + v + "-py3-none-any.whl", SHA256: sha, Size: 1000, File: File{RequiresPython: ">=3.8"}},
		}}
	}
	for i := range 300 {
		v := fmt.Sprintf("1.%d.%d", i/50, i%50)
		rs = append(rs, release(v, "r-"+v))
	}
	runs := rendered.NewRuns(64 << 20)
	var order []string
	rng := rand.New(rand.NewPCG(3, 4))
	const baseURL = "http://127.0.0.1:1/pypi/r/"
	index := func(v string) int { return slices.IndexFunc(rs, func(r Release) bool { return r.Version == v }) }
	check := func(step string) {
		t.Helper()
		shuffled := pointers(rs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if next := sortReleases(shuffled, order); next != nil {
			order = next
		}
		kept := Project{Name: "seq-ca", Releases: shuffled, Runs: runs, sorted: true}
		fresh := Project{Name: "seq-ca", Releases: pointers(rs)}
		keptAPI, _ := kept.ProjectJSONDoc(baseURL)
		freshAPI, _ := fresh.ProjectJSONDoc(baseURL)
		for _, c := range []struct {
			name string
			doc  *rendered.Doc
			want []byte
		}{
			{"html", kept.SimpleHTMLDoc(ContentTypeTextHTML), fresh.SimpleHTML()},
			{"json", kept.SimpleJSONDoc(), fresh.SimpleJSON()},
			{"json api", keptAPI, freshAPI.Bytes()},
		} {
			if !bytes.Equal(c.doc.Bytes(), c.want) {
				t.Fatalf("%s, %s: the kept page differs from the one rendered from scratch", step, c.name)
			}
			zr, err := gzip.NewReader(bytes.NewReader(c.doc.Gzip()))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("%s, %s: the kept page's gzip form differs", step, c.name)
			}
		}
	}
	check("first rendering")
	for i := range 4 {
		v := fmt.Sprintf("2.0.%d", i)
		rs = append(rs, release(v, "r-"+v))
		check("upload " + v)
	}
	rs[index("1.2.3")].Status = artifact.Unlisted
	check("an unlist")
	rs = slices.Delete(rs, index("1.0.7"), index("1.0.7")+1)
	check("a deletion")
	i := index("1.3.3")
	rs[i].Files = append(rs[i].Files, Dist{Filename: "seq_ca-1.3.3.tar.gz", SHA256: sha, Size: 900})
	rs[i].Revision = "r-sdist"
	check("a file added to a release")
	rs = append(rs, release("3.0rc1", "r-rc"), release("1.0.7", "r-again"))
	check("a prerelease, and a deleted version uploaded again")
	rs[index("1.2.3")].Status = artifact.Published
	check("listed again")
}

// pointers returns pointers to copies of rs.
func pointers(rs []Release) []*Release {
	out := make([]*Release, len(rs))
	for i := range rs {
		r := rs[i]
		out[i] = &r
	}
	return out
}
