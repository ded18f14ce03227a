package npm

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/upstream"
)

// A package document in the shape the public registry serves, with the
// variety fifteen years of publishing left behind: license as an SPDX
// string, as an object and as the old "licenses" array; repository as an
// object and as a string; optional dependencies repeated in dependencies;
// a version without a time entry; versions that cannot be ingested.
const packument = `{
  "_id": "web-kit",
  "_rev": "42-abc",
  "name": "web-kit",
  "description": "Tools for the web.",
  "dist-tags": {"latest": "2.1.0", "next": "3.0.0-rc.1", "broken": "9.9.9", "legacy": "0.1.0"},
  "versions": {
    "0.1.0": {"name": "web-kit", "version": "0.1.0", "description": "Early.",
      "licenses": [{"type": "MIT", "url": "https://example.invalid/MIT"}, "BSD-2-Clause"],
      "repository": "git://example.invalid/web-kit.git",
      "readme": "ERROR: No README data found!",
      "dist": {"shasum": "4407A37AEC259352AFFB5548886744BA4903F8BD", "tarball": "https://registry.example.invalid/web-kit/-/web-kit-0.1.0.tgz"}},
    "2.1.0": {"name":"web-kit","version":"2.1.0","description":"Tools for the web.","homepage":"https://example.invalid/web-kit#readme",
      "license":"(MIT OR Apache-2.0)",
      "repository":{"type":"git","url":"git+https://example.invalid/web-kit.git"},
      "dependencies":{"left-pad":"^1.3.0","@babel/core":"^7.7.2","fsevents":"~2.3.0","weird":42},
      "optionalDependencies":{"fsevents":"~2.3.0"},
      "devDependencies":{"mocha":"*"},
      "peerDependencies":{"react":">=16"},
      "_id":"web-kit@2.1.0",
      "dist":{"integrity":"sha512-WWl3iAruYOePW5iMf0IMcPiTsOTOu/FFsPyfx/ywixw7VmN6dI3/8/rgo4pdN6kVVjC5ByZ0Zk8xHLGEUSCdYA==","shasum":"4407a37aec259352affb5548886744ba4903f8bd","tarball":"https://registry.example.invalid/web-kit/-/web-kit-2.1.0.tgz"}},
    "3.0.0-rc.1": {"name": "web-kit", "version": "3.0.0-rc.1", "license": {"type": "ISC", "url": "https://example.invalid/ISC"},
      "dist": {"integrity": "sha1-RAejeuwlk1Kv+1VIiGdEukkD+L0=", "tarball": "https://registry.example.invalid/web-kit/-/web-kit-3.0.0-rc.1.tgz"}},
    "4.0.0": "not a manifest",
    "9.9.9": {"name": "web-kit", "version": "9.9.9"}
  },
  "time": {"created": "2015-01-01T00:00:00.000Z", "modified": "2024-05-06T07:08:09.123Z",
    "2.1.0": "2021-02-20T15:42:16.891Z", "3.0.0-rc.1": "not a time", "0.1.0": {"odd": true}},
  "readme": "# web-kit\n\nTools.",
  "readmeFilename": "README.md"
}`

func TestParseRealLookingDocument(t *testing.T) {
	remote, err := ParseRegistryDocument([]byte(packument))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(remote.Versions); got != 3 {
		t.Fatalf("%d versions, want 3 (0.1.0, 2.1.0, 3.0.0-rc.1): %v", got, remote.Versions)
	}
	if want := map[string]string{"latest": "2.1.0", "next": "3.0.0-rc.1", "legacy": "0.1.0"}; !reflect.DeepEqual(remote.Tags, want) {
		t.Errorf("tags %v, want %v (a tag on a version that cannot be ingested is dropped)", remote.Tags, want)
	}

	v := remote.Versions["2.1.0"]
	want := artifact.Meta{
		DisplayName:          "web-kit",
		Summary:              "Tools for the web.",
		HomePage:             "https://example.invalid/web-kit#readme",
		SourceCodeRepository: "https://example.invalid/web-kit.git",
		Licenses:             []artifact.License{{Name: "(MIT OR Apache-2.0)"}},
		Dependencies: []artifact.Dependency{
			{Namespace: "babel", Package: "core", DependencyType: "regular", VersionRange: "^7.7.2"},
			{Package: "left-pad", DependencyType: "regular", VersionRange: "^1.3.0"},
			{Package: "mocha", DependencyType: "dev", VersionRange: "*"},
			{Package: "react", DependencyType: "peer", VersionRange: ">=16"},
			{Package: "fsevents", DependencyType: "optional", VersionRange: "~2.3.0"},
		},
		Readme:      "# web-kit\n\nTools.", // the document's readme is the latest version's
		PublishedAt: time.Date(2021, 2, 20, 15, 42, 16, 891e6, time.UTC),
	}
	got := v.Meta
	got.Extra = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("2.1.0 meta:\n got %+v\nwant %+v", got, want)
	}
	// Extra is the manifest as the registry sent it, less what Arca keeps
	// elsewhere: the readme (Meta.Readme) and the tarball URL (made afresh
	// to point at Arca when documents are rendered).
	var raw struct {
		Versions map[string]json.RawMessage `json:"versions"`
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(packument), &raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw.Versions["2.1.0"], &sent); err != nil {
		t.Fatal(err)
	}
	delete(sent, "readme")
	delete(sent["dist"].(map[string]any), "tarball")
	var kept map[string]any
	if err := json.Unmarshal(v.Meta.Extra, &kept); err != nil || !reflect.DeepEqual(kept, sent) {
		t.Errorf("Extra is not the manifest as sent less readme and tarball:\n%s", v.Meta.Extra)
	}
	if tb := v.Source.(Tarball); tb != (Tarball{
		URL:    "https://registry.example.invalid/web-kit/-/web-kit-2.1.0.tgz",
		SHA1:   "4407a37aec259352affb5548886744ba4903f8bd",
		SHA512: "596977880aee60e78f5b988c7f420c70f893b0e4cebbf145b0fc9fc7fcb08b1c3b56637a748dfff3fae0a38a5d37a9155630b9072674664f311cb18451209d60",
	}) {
		t.Errorf("2.1.0 source %+v", tb)
	}

	old := remote.Versions["0.1.0"]
	if want := []artifact.License{{Name: "MIT", URL: "https://example.invalid/MIT"}, {Name: "BSD-2-Clause"}}; !reflect.DeepEqual(old.Meta.Licenses, want) {
		t.Errorf("0.1.0 licenses %+v, want %+v", old.Meta.Licenses, want)
	}
	if old.Meta.SourceCodeRepository != "git://example.invalid/web-kit.git" || old.Meta.Readme != "" || !old.Meta.PublishedAt.IsZero() {
		t.Errorf("0.1.0 meta %+v", old.Meta)
	}
	if tb := old.Source.(Tarball); tb.SHA1 != "4407a37aec259352affb5548886744ba4903f8bd" || tb.SHA512 != "" {
		t.Errorf("0.1.0 source %+v: the shasum, lowercased, and no SHA-512", tb)
	}

	rc := remote.Versions["3.0.0-rc.1"]
	if want := []artifact.License{{Name: "ISC", URL: "https://example.invalid/ISC"}}; !reflect.DeepEqual(rc.Meta.Licenses, want) {
		t.Errorf("rc licenses %+v", rc.Meta.Licenses)
	}
	if !rc.Meta.PublishedAt.IsZero() {
		t.Errorf("an unreadable time gave %v", rc.Meta.PublishedAt)
	}
	if tb := rc.Source.(Tarball); tb.SHA1 != "4407a37aec259352affb5548886744ba4903f8bd" {
		t.Errorf("a sha1 integrity gave SHA1 %q", tb.SHA1)
	}
}

func TestParseScopedAndMissingTime(t *testing.T) {
	doc := `{"name":"@acme/util","dist-tags":{"latest":"1.0.0"},
	  "versions":{"1.0.0":{"name":"@acme/util","version":"1.0.0","dependencies":{"@acme/core":"1.x"},
	    "dist":{"tarball":"https://registry.example.invalid/@acme/util/-/util-1.0.0.tgz"}}}}`
	remote, err := ParseRegistryDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	v := remote.Versions["1.0.0"]
	if v.Meta.DisplayName != "@acme/util" || !v.Meta.PublishedAt.IsZero() {
		t.Errorf("meta %+v", v.Meta)
	}
	if want := []artifact.Dependency{{Namespace: "acme", Package: "core", DependencyType: "regular", VersionRange: "1.x"}}; !reflect.DeepEqual(v.Meta.Dependencies, want) {
		t.Errorf("dependencies %+v", v.Meta.Dependencies)
	}
	if tb := v.Source.(Tarball); tb.SHA1 != "" || tb.SHA512 != "" {
		t.Errorf("digests from nowhere: %+v", tb)
	}

	ref := artifact.PackageRef{Format: artifact.NPM, Namespace: "acme", Name: "util"}
	if got := NewConnection(upstream.Config{URL: "https://registry.example.invalid/npm/"}).documentURL(ref); got != "https://registry.example.invalid/npm/@acme%2futil" {
		t.Errorf("document URL %s", got)
	}
}

func TestParseRefusesBadDocuments(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":           `<html>Service Unavailable</html>`,
		"truncated":          packument[:len(packument)/2],
		"versions not a map": `{"name":"x","versions":["1.0.0"]}`,
	} {
		if _, err := ParseRegistryDocument([]byte(doc)); err == nil || errors.Is(err, errUnpublished) {
			t.Errorf("%s: %v, want a parse error", name, err)
		}
	}
	for name, doc := range map[string]string{
		"unpublished":   `{"name":"gone","time":{"unpublished":{"time":"2020-01-01T00:00:00Z","versions":["1.0.0"]}}}`,
		"no tarballs":   `{"name":"x","versions":{"1.0.0":{"name":"x"}}}`,
		"null versions": `{"name":"x","versions":null}`,
	} {
		if _, err := ParseRegistryDocument([]byte(doc)); !errors.Is(err, errUnpublished) {
			t.Errorf("%s: %v, want errUnpublished", name, err)
		}
	}
}

func FuzzParseRegistryDocument(f *testing.F) {
	f.Add([]byte(packument))
	f.Add([]byte(`{"versions":{"1":{"dist":{"tarball":"x","integrity":"sha512-!!"}}}}`))
	f.Add([]byte(`{"dist-tags":{"latest":1},"versions":{"":{}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		remote, err := ParseRegistryDocument(data)
		if err != nil {
			return
		}
		if len(remote.Versions) == 0 {
			t.Fatal("a document without versions parsed")
		}
		for tag, v := range remote.Tags {
			if _, ok := remote.Versions[v]; !ok {
				t.Fatalf("tag %s points at %s, which is not a version", tag, v)
			}
		}
		for ver, v := range remote.Versions {
			if tb, ok := v.Source.(Tarball); !ok || tb.URL == "" || v.Version != ver {
				t.Fatalf("version %s: %+v", ver, v)
			}
		}
	})
}
