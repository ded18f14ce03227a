package npm

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
)

// benchPackage is a package of n versions with manifests of the size a
// typical public package has (~1.5 KB).
func benchPackage(n int) Package {
	p := Package{Name: Name{Scope: "acme", Base: "util"}, BaseURL: base, Tags: map[string]string{"latest": fmt.Sprintf("1.%d.0", n-1)}}
	for i := range n {
		v := fmt.Sprintf("1.%d.0", i)
		m := map[string]any{
			"name": "@acme/util", "version": v, "description": strings.Repeat("d", 200), "license": "MIT",
			"dependencies":    map[string]string{"a": "^1.0.0", "b": "^2.0.0", "c": "~3.1.0"},
			"devDependencies": map[string]string{"x": "1", "y": "2", "z": "3", "typescript": "^5"},
			"scripts":         map[string]string{"test": "jest", "build": "tsc"}, "keywords": []string{"a", "b", "c"},
			"repository": map[string]string{"type": "git", "url": "git+https://example.com/acme/util.git"},
			"dist":       map[string]any{"shasum": strings.Repeat("0", 40), "integrity": "sha512-" + strings.Repeat("A", 86) + "==", "tarball": "https://registry.example/x.tgz", "fileCount": 12, "unpackedSize": 40000},
			"_npmUser":   map[string]string{"name": "acme", "email": "a@example.com"}, "_id": "@acme/util@" + v, "_nodeVersion": "20.0.0", "_npmVersion": "10.0.0",
		}
		extra, _ := json.Marshal(m)
		a := asset(v)
		p.Versions = append(p.Versions, Version{Version: v, Status: artifact.Published, Tarball: &a, Meta: &artifact.Meta{Extra: extra, PublishedAt: t0}})
	}
	return p
}

func BenchmarkRender(b *testing.B) {
	p := benchPackage(200)
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			p.Full()
		}
	})
	b.Run("abbreviated", func(b *testing.B) {
		for b.Loop() {
			p.Abbreviated()
		}
	})
	b.Run("abbreviated+gzip", func(b *testing.B) {
		for b.Loop() {
			rendered.NewDoc(p.Abbreviated(), ContentTypeAbbreviated)
		}
	})
}

// BenchmarkRenderKept is a document of 5,000 versions assembled from kept
// runs, gzipped, as after a publish: one version changed
// (a new revision: its run is made again, the others are kept).
func BenchmarkRenderKept(b *testing.B) {
	p := benchPackage(5000)
	for i := range p.Versions {
		p.Versions[i].Revision = "r" + p.Versions[i].Version
	}
	p.Runs = rendered.NewRuns(64 << 20)
	p.AbbreviatedDoc().Gzip()
	p.FullDoc().Gzip()
	n := 0
	change := func() {
		n++
		p.Versions[n%len(p.Versions)].Revision = fmt.Sprintf("r%d", n)
	}
	b.Run("abbreviated", func(b *testing.B) {
		for b.Loop() {
			change()
			p.Abbreviated()
		}
	})
	b.Run("abbreviated+gzip", func(b *testing.B) {
		for b.Loop() {
			change()
			p.AbbreviatedDoc().Gzip()
		}
	})
	b.Run("full+gzip", func(b *testing.B) {
		for b.Loop() {
			change()
			p.FullDoc().Gzip()
		}
	})
}
