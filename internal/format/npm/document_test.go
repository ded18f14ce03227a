package npm

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
)

const base = "http://127.0.0.1:8700/d-111122223333/npm/r/"

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func ver(v string, status artifact.Status, extra string) Version {
	a := asset("bytes of " + v)
	return Version{Version: v, Status: status, Tarball: &a,
		Meta: &artifact.Meta{Extra: json.RawMessage(extra), Readme: "readme of " + v, PublishedAt: t0.Add(time.Duration(len(v)) * time.Hour)}}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestDistTags(t *testing.T) {
	v := func(s string, st artifact.Status) Version { return Version{Version: s, Status: st} }
	for _, tc := range []struct {
		name     string
		versions []Version
		tags     map[string]string
		want     map[string]string
	}{
		{"as set", []Version{v("1.0.0", artifact.Published), v("2.0.0", artifact.Published)},
			map[string]string{"latest": "1.0.0", "next": "2.0.0"}, map[string]string{"latest": "1.0.0", "next": "2.0.0"}},
		{"tags at unlisted versions dropped, latest falls back to the highest release",
			[]Version{v("1.0.0", artifact.Published), v("1.10.0", artifact.Published), v("1.9.0", artifact.Published),
				v("2.0.0-rc.1", artifact.Published), v("3.0.0", artifact.Unlisted), v("4.0.0", artifact.Archived)},
			map[string]string{"latest": "3.0.0", "beta": "4.0.0", "rc": "2.0.0-rc.1", "gone": "9.9.9"},
			map[string]string{"latest": "1.10.0", "rc": "2.0.0-rc.1"}},
		{"only prereleases", []Version{v("1.0.0-a", artifact.Published), v("1.0.0-b", artifact.Published)},
			nil, map[string]string{"latest": "1.0.0-b"}},
		{"nothing listed", []Version{v("1.0.0", artifact.Disposed), v("1.1.0", artifact.Unfinished)},
			map[string]string{"latest": "1.0.0"}, map[string]string{}},
	} {
		got := Package{Versions: tc.versions, Tags: tc.tags}.DistTags()
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFullDocument(t *testing.T) {
	p := Package{
		Name: Name{Scope: "myscope", Base: "hello"}, BaseURL: base,
		Tags: map[string]string{"latest": "1.1.0", "beta": "2.0.0"},
		Versions: []Version{
			ver("1.0.0", artifact.Published, `{"name":"@myscope/hello","version":"1.0.0","description":"old","dist":{"tarball":"http://registry.example/x.tgz","shasum":"stale","fileCount":2}}`),
			ver("1.1.0", artifact.Published, `{"name":"@myscope/hello","version":"1.1.0","description":"current","homepage":"https://h","license":"MIT","readme":"in the manifest","deprecated":"no more"}`),
			ver("2.0.0", artifact.Unlisted, `{}`),
			ver("3.0.0", artifact.Archived, `{}`),
		},
	}
	// A version only in the public registry: no stored tarball, digests as sent.
	remote := Version{Version: "1.0.1", Status: artifact.Published,
		Meta: &artifact.Meta{Summary: "from the registry", Extra: json.RawMessage(`{"dist":{"tarball":"https://registry.example/@myscope/hello/-/hello-1.0.1.tgz","integrity":"sha512-remote"}}`)}}
	p.Versions = append(p.Versions, remote)

	var doc struct {
		ID                                           string `json:"_id"`
		Rev                                          string `json:"_rev"`
		Name, Description, Readme, Homepage, License string
		DistTags                                     map[string]string         `json:"dist-tags"`
		Versions                                     map[string]map[string]any `json:"versions"`
		Time                                         map[string]string         `json:"time"`
	}
	body := p.Full()
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ID != "@myscope/hello" || doc.Name != "@myscope/hello" || doc.Description != "current" || doc.Readme != "readme of 1.1.0" || doc.Homepage != "https://h" || doc.License != "MIT" {
		t.Errorf("top level: %s", body)
	}
	if got := keys(doc.Versions); !reflect.DeepEqual(got, []string{"1.0.0", "1.0.1", "1.1.0"}) {
		t.Errorf("versions %v", got)
	}
	if !reflect.DeepEqual(doc.DistTags, map[string]string{"latest": "1.1.0"}) {
		t.Errorf("dist-tags %v", doc.DistTags)
	}
	v100 := doc.Versions["1.0.0"]
	dist := v100["dist"].(map[string]any)
	a := asset("bytes of 1.0.0")
	if dist["tarball"] != base+"@myscope/hello/-/hello-1.0.0.tgz" || dist["shasum"] != a.SHA1 || dist["integrity"] != Integrity(a) || dist["fileCount"] != 2.0 {
		t.Errorf("1.0.0 dist = %v", dist)
	}
	if v100["_id"] != "@myscope/hello@1.0.0" {
		t.Errorf("_id = %v", v100["_id"])
	}
	if _, ok := doc.Versions["1.1.0"]["readme"]; ok {
		t.Error("a version keeps its readme")
	}
	if doc.Versions["1.1.0"]["deprecated"] != "no more" {
		t.Error("deprecated lost")
	}
	rd := doc.Versions["1.0.1"]["dist"].(map[string]any)
	if rd["tarball"] != base+"@myscope/hello/-/hello-1.0.1.tgz" || rd["integrity"] != "sha512-remote" {
		t.Errorf("remote dist = %v", rd)
	}
	if doc.Versions["1.0.1"]["name"] != "@myscope/hello" || doc.Versions["1.0.1"]["description"] != "from the registry" {
		t.Errorf("remote manifest = %v", doc.Versions["1.0.1"])
	}
	if got := keys(doc.Time); !reflect.DeepEqual(got, []string{"1.0.0", "1.1.0", "created", "modified"}) {
		t.Errorf("time keys %v", got)
	}
	if doc.Time["created"] != "2026-11-23T15:00:00.000Z" || doc.Time["1.0.0"] != doc.Time["created"] {
		t.Errorf("time %v", doc.Time)
	}
	if strings.Contains(string(body), "registry.example") || strings.Contains(string(body), "2.0.0") {
		t.Errorf("document leaks a foreign URL or an unlisted version: %s", body)
	}

	// _rev is stable, and changes with the document.
	if again := p.Full(); string(again) != string(body) || !strings.HasPrefix(doc.Rev, "1-") {
		t.Errorf("rendering is not deterministic:\n%s\n%s", body, again)
	}
	p.Tags = map[string]string{"latest": "1.0.0"}
	var again struct {
		Rev string `json:"_rev"`
	}
	json.Unmarshal(p.Full(), &again)
	if again.Rev == doc.Rev {
		t.Error("_rev did not change with the dist-tags")
	}
}

func TestAbbreviatedDocument(t *testing.T) {
	p := Package{
		Name: Name{Base: "hello"}, BaseURL: base,
		Versions: []Version{
			ver("1.0.0", artifact.Published, `{"name":"hello","version":"1.0.0","description":"not here","scripts":{"postinstall":"node x","test":"t"},
				"dependencies":{"a":"1"},"bundledDependencies":["a"],"engines":{"node":">=18"},"os":["linux"],"deprecated":"","keywords":["k"]}`),
			ver("1.1.0", artifact.Published, `{"name":"hello","version":"1.1.0","scripts":{"test":"t"},"deprecated":"use 2","bin":{"h":"h.js"},"hasInstallScript":false}`),
			ver("1.2.0", artifact.Unlisted, `{}`),
		},
	}
	p.Versions[1].Modified = t0.Add(100 * time.Hour)
	var doc struct {
		Name     string                    `json:"name"`
		Modified string                    `json:"modified"`
		DistTags map[string]string         `json:"dist-tags"`
		Versions map[string]map[string]any `json:"versions"`
	}
	body := p.Abbreviated()
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Name != "hello" || doc.Modified != "2026-11-27T14:00:00.000Z" || doc.DistTags["latest"] != "1.1.0" {
		t.Errorf("abbreviated: %s", body)
	}
	v1 := doc.Versions["1.0.0"]
	if got := keys(v1); !reflect.DeepEqual(got, []string{"bundleDependencies", "dependencies", "dist", "engines", "hasInstallScript", "name", "os", "version"}) {
		t.Errorf("1.0.0 members %v", got)
	}
	if v1["hasInstallScript"] != true || v1["dist"].(map[string]any)["tarball"] != base+"hello/-/hello-1.0.0.tgz" {
		t.Errorf("1.0.0 = %v", v1)
	}
	v2 := doc.Versions["1.1.0"]
	if v2["deprecated"] != "use 2" || v2["hasInstallScript"] != false || v2["bin"] == nil {
		t.Errorf("1.1.0 = %v", v2)
	}
	if _, ok := doc.Versions["1.2.0"]; ok {
		t.Error("unlisted version in the abbreviated document")
	}
}

func TestVersionDocument(t *testing.T) {
	p := Package{Name: Name{Base: "hello"}, BaseURL: base, Tags: map[string]string{"beta": "2.0.0-b"},
		Versions: []Version{ver("1.0.0", artifact.Published, `{}`), ver("2.0.0-b", artifact.Published, `{}`), ver("3.0.0", artifact.Unlisted, `{}`)}}
	for spec, want := range map[string]string{"1.0.0": "1.0.0", "latest": "1.0.0", "beta": "2.0.0-b", "3.0.0": "", "nope": ""} {
		body, ok := p.VersionDocument(spec)
		var m struct{ Version string }
		json.Unmarshal(body, &m)
		if ok != (want != "") || m.Version != want {
			t.Errorf("VersionDocument(%s) = %s, %v; want %s", spec, body, ok, want)
		}
	}
}

func TestNegotiation(t *testing.T) {
	for accept, want := range map[string]bool{
		"application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*": true,
		"application/json":             false,
		"application/json; q=1.0, */*": false,
		"":                             false,
		"application/vnd.npm.install-v1+json;q=0":                     false,
		"APPLICATION/VND.NPM.INSTALL-V1+JSON":                         true,
		"*/*, application/vnd.npm.install-v1+json ":                   true,
		"application/json, application/vnd.npm.install-v1+json;q=0.5": false,
		"application/json;q=0.5, application/vnd.npm.install-v1+json": true,
	} {
		if acceptsAbbreviated(accept) != want {
			t.Errorf("acceptsAbbreviated(%q) != %v", accept, want)
		}
	}
}

// npm dist-tag ls/add see only tags that are set: a made-up "latest"
// would make `npm dist-tag add pkg@v latest` think it is set already.
func TestSetDistTagsHasNoMadeUpLatest(t *testing.T) {
	p := Package{
		Versions: []Version{{Version: "1.0.0", Status: artifact.Published}, {Version: "1.0.1", Status: artifact.Published}},
		Tags:     map[string]string{"alpha": "1.0.1"},
	}
	if got := p.SetDistTags(); len(got) != 1 || got["alpha"] != "1.0.1" {
		t.Errorf("SetDistTags = %v, want only alpha", got)
	}
	if got := p.DistTags(); got["latest"] != "1.0.1" || got["alpha"] != "1.0.1" {
		t.Errorf("DistTags = %v, want alpha and a latest for installs", got)
	}
}

// The documents assembled from kept runs are the bytes that marshalling
// a map of every version's manifest gives (as documents were rendered
// before runs were kept), and a changed version (a new revision) shows
// in the next document.
func TestDocumentsFromRuns(t *testing.T) {
	p := benchPackage(40)
	p.Versions = append(p.Versions, ver("1.2.0-beta.1", artifact.Published, `{"description":"<b>&</b>","deprecated":"use 2"}`), ver("0.9.0", artifact.Unlisted, ""))
	for i := range p.Versions {
		p.Versions[i].Revision = "r-" + p.Versions[i].Version
	}
	reference := func(p Package, abbreviated bool) []byte {
		listed := p.listed()
		versions := map[string]object{}
		for _, v := range listed {
			if abbreviated {
				versions[v.Version] = abbreviate(p.manifest(*v))
			} else {
				versions[v.Version] = p.manifest(*v)
			}
		}
		var doc map[string]json.RawMessage
		if abbreviated {
			json.Unmarshal(p.Abbreviated(), &doc)
		} else {
			json.Unmarshal(p.Full(), &doc)
		}
		doc["versions"] = marshal(versions)
		return marshal(doc)
	}
	canonical := func(b []byte) []byte { // the same members, keys sorted
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		return marshal(doc)
	}
	cached := p
	cached.Runs = rendered.NewRuns(1 << 20)
	for _, abbreviated := range []bool{false, true} {
		render := Package.Full
		if abbreviated {
			render = Package.Abbreviated
		}
		plain := render(p)
		if got := render(cached); string(got) != string(plain) {
			t.Fatalf("abbreviated=%v: the document from kept runs differs from the one rendered afresh", abbreviated)
		}
		if got := render(cached); string(got) != string(plain) { // now from the cache
			t.Fatalf("abbreviated=%v: the second document from kept runs differs", abbreviated)
		}
		if want := reference(p, abbreviated); string(canonical(plain)) != string(want) {
			t.Fatalf("abbreviated=%v: the versions member differs from a marshalled map:\n%s\n%s", abbreviated, canonical(plain), want)
		}
	}
	// A new revision of a version renders its manifest again.
	changed := cached
	changed.Versions = slices.Clone(cached.Versions)
	meta := *changed.Versions[0].Meta // a version's metadata is never changed in place
	meta.Extra = json.RawMessage(`{"description":"changed"}`)
	changed.Versions[0].Meta = &meta
	changed.Versions[0].Revision = "r-changed"
	if !strings.Contains(string(changed.Abbreviated()), `"deprecated":"use 2"`) || !strings.Contains(string(changed.Full()), `"description":"changed"`) {
		t.Fatal("a version's new revision does not show in the document")
	}
}

// A document large enough to be sent as parts: its gzip form, joined
// from runs compressed once, decompresses to exactly the plain document,
// which is the document rendered afresh; so after a publish.
func TestGzipDocumentFromParts(t *testing.T) {
	p := benchPackage(3000)
	for i := range p.Versions {
		p.Versions[i].Revision = "r-" + p.Versions[i].Version
	}
	cached := p
	cached.Runs = rendered.NewRuns(64 << 20)
	check := func(p, cached Package) {
		t.Helper()
		for _, abbreviated := range []bool{false, true} {
			doc, plain := cached.FullDoc(), p.Full()
			if abbreviated {
				doc, plain = cached.AbbreviatedDoc(), p.Abbreviated()
			}
			if !bytes.Equal(doc.Bytes(), plain) {
				t.Fatalf("abbreviated=%v: the document from parts differs from the one rendered afresh", abbreviated)
			}
			zr, err := gzip.NewReader(bytes.NewReader(doc.Gzip()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("abbreviated=%v: gunzip: %v, %d bytes, want the %d of the document", abbreviated, err, len(got), len(plain))
			}
		}
	}
	check(p, cached)
	v := ver("1.1500.0", artifact.Published, `{"description":"new"}`)
	v.Revision = "r-new"
	p.Versions = append(p.Versions, v)
	cached.Versions = p.Versions
	check(p, cached)
}

// Documents rendered from what a server keeps between rebuilds (rendered
// manifests, compressed runs) are, byte for byte and
// in gzip form, the documents rendered from scratch, after each step of
// a sequence of publishes, unlists, deletions, deprecations and dist-tag
// changes; the versions arrive in a different order every time, as they
// do from the store.
func TestKeptDocumentsFollowChanges(t *testing.T) {
	p := benchPackage(400)
	for i := range p.Versions {
		p.Versions[i].Revision = "r-" + p.Versions[i].Version
	}
	kept := rendered.NewRuns(64 << 20)
	rng := rand.New(rand.NewPCG(1, 2))
	index := func(v string) int {
		return slices.IndexFunc(p.Versions, func(x Version) bool { return x.Version == v })
	}
	check := func(step string) {
		t.Helper()
		vs := slices.Clone(p.Versions)
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		cached := p
		cached.Versions, cached.Tags = vs, maps.Clone(p.Tags)
		cached.Runs = kept
		fresh := p
		fresh.Versions = slices.Clone(p.Versions)
		for _, abbreviated := range []bool{false, true} {
			doc, plain := cached.FullDoc(), fresh.Full()
			if abbreviated {
				doc, plain = cached.AbbreviatedDoc(), fresh.Abbreviated()
			}
			if !bytes.Equal(doc.Bytes(), plain) {
				t.Fatalf("%s, abbreviated=%v: the kept document differs from the one rendered from scratch", step, abbreviated)
			}
			zr, err := gzip.NewReader(bytes.NewReader(doc.Gzip()))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%s, abbreviated=%v: the kept document's gzip form differs", step, abbreviated)
			}
		}
	}
	check("first rendering")
	for i := range 5 {
		v := ver(fmt.Sprintf("2.%d.0", i), artifact.Published, fmt.Sprintf(`{"description":"new %d"}`, i))
		v.Revision = "r-new-" + v.Version
		p.Versions = append(p.Versions, v)
		check("publish " + v.Version)
	}
	p.Versions[index("1.17.0")].Status = artifact.Unlisted
	check("an unlist")
	p.Versions = slices.Delete(p.Versions, index("1.3.0"), index("1.3.0")+1)
	check("a deletion")
	i := index("1.200.0")
	meta := *p.Versions[i].Meta // a version's metadata is never changed in place
	meta.Extra = json.RawMessage(`{"deprecated":"use 2"}`)
	p.Versions[i].Meta, p.Versions[i].Revision = &meta, "r-deprecated"
	check("a deprecation")
	p.Tags = map[string]string{"latest": "1.100.0", "next": "2.4.0"}
	check("dist-tags changed")
	delete(p.Tags, "latest")
	check("latest removed")
	pre := ver("3.0.0-rc.1", artifact.Published, `{}`)
	pre.Revision = "r-rc"
	p.Versions = append(p.Versions, pre)
	check("a prerelease")
	again := ver("1.3.0", artifact.Published, `{"description":"again"}`)
	again.Revision = "r-again"
	p.Versions = append(p.Versions, again)
	check("a deleted version published again")
	p.Versions[index("1.17.0")].Status = artifact.Published
	check("listed again")
}
