package pypi

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// TestKeptProjectMatchesFromScratch follows a project through what the
// resolver hands PyPI's pages (views of one repository's versions, by ID,
// with their Lineage) across uploads, reads, a status change, a second
// file uploaded to a release, a deletion and a view older than the kept
// one: after each step every page made by a server that kept the project
// since the previous step is, byte for byte, the page a server that
// never saw the project makes; and an upload reuses the unchanged
// releases instead of making them again.
func TestKeptProjectMatchesFromScratch(t *testing.T) {
	const project, baseURL = "kept-ca", "http://127.0.0.1:1/pypi/r/"
	kept := New(Deps{})
	nextID := int64(0)
	candidate := func(v string, status artifact.Status, files ...string) *resolve.Candidate {
		nextID++
		var assets []artifact.Asset
		for _, f := range files {
			assets = append(assets, artifact.Asset{Name: f, Size: int64(len(f)), SHA256: fmt.Sprintf("%064x", len(f)+int(nextID)), MD5: "0123456789abcdef0123456789abcdef"})
		}
		return &resolve.Candidate{Version: &store.Version{
			ID: nextID, Version: v, Status: status, Revision: fmt.Sprintf("rev-%d", nextID),
			Meta: artifact.Meta{Summary: "the " + v + " release"}, Assets: assets,
		}}
	}
	wheel := func(v string) string { return "kept_ca-" + v + "-py3-none-any.whl" }
	var list []*resolve.Candidate
	for i := range 300 {
		v := fmt.Sprintf("1.%d.%d", i/50, i%50)
		list = append(list, candidate(v, artifact.Published, wheel(v)))
	}
	view := func(lineage uint64, list []*resolve.Candidate) *resolve.View {
		vw := &resolve.View{Versions: map[string]*resolve.Candidate{}, List: list, Lineage: lineage}
		for _, c := range list {
			vw.Versions[c.Version.Version] = c
		}
		return vw
	}
	// changed returns a copy of list (a new lineage's candidates) with
	// change applied to the candidate of version v.
	changed := func(v string, change func(c *resolve.Candidate)) []*resolve.Candidate {
		out := make([]*resolve.Candidate, len(list))
		for i, c := range list {
			cc, cv := *c, *c.Version
			cc.Version = &cv
			if c.Version.Version == v {
				change(&cc)
			}
			out[i] = &cc
		}
		return out
	}
	kinds := []pageKey{
		{repository: 1, project: project, kind: pageHTML},
		{repository: 1, project: project, kind: pageJSON},
		{repository: 1, project: project, kind: pageHTMLv1},
		{repository: 1, project: project, kind: pageJSONAPI, baseURL: baseURL},
		{repository: 1, project: project, kind: pageRelease, version: "1.2.3", baseURL: baseURL},
	}
	var last Project
	check := func(step string, vw *resolve.View) {
		t.Helper()
		last = kept.projectOf(vw, 1, project)
		fresh := New(Deps{}).projectOf(vw, 1, project)
		for _, key := range kinds {
			got, gerr := renderPage(last, key, "r")
			want, werr := renderPage(fresh, key, "r")
			if (gerr != nil) != (werr != nil) {
				t.Fatalf("%s, page %d: error %v, from scratch %v", step, key.kind, gerr, werr)
			}
			if gerr == nil && !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%s, page %d: the page made from the kept project differs from the one made from scratch:\n%.300s\nwant\n%.300s", step, key.kind, got.Bytes(), want.Bytes())
			}
		}
	}
	release := func(v string) *Release {
		i := slices.IndexFunc(last.Releases, func(r *Release) bool { return r.Version == v })
		if i < 0 {
			t.Fatalf("no release %s", v)
		}
		return last.Releases[i]
	}
	lineage := uint64(1)
	check("first read", view(lineage, list))
	before := release("1.0.0")
	upload := func(v string, files ...string) {
		t.Helper()
		list = append(list, candidate(v, artifact.Published, files...))
		check("upload "+v, view(lineage, list))
		if release("1.0.0") != before {
			t.Fatalf("upload %s: the unchanged release 1.0.0 was made again, not kept", v)
		}
	}
	upload("1.6.0", wheel("1.6.0"))
	check("a second read", view(lineage, list))
	upload("1.2.3rc1", wheel("1.2.3rc1")) // placed among the kept ones
	upload("0.1", wheel("0.1"))

	lineage++
	list = changed("1.2.3", func(c *resolve.Candidate) { c.Status = artifact.Unlisted })
	check("an unlist", view(lineage, list))
	before = release("1.0.0")
	upload("1.7.0", wheel("1.7.0"))

	lineage++ // twine uploads the sdist of 1.7.0 in a request of its own
	list = changed("1.7.0", func(c *resolve.Candidate) {
		c.Assets = append(slices.Clone(c.Assets), artifact.Asset{Name: "kept_ca-1.7.0.tar.gz", Size: 9, SHA256: fmt.Sprintf("%064x", 7)})
		c.Revision += "-sdist"
	})
	check("a second file of a release", view(lineage, list))
	lineage++ // and of a release among the others, in the middle of a run
	list = changed("1.3.10", func(c *resolve.Candidate) {
		c.Assets = append(slices.Clone(c.Assets), artifact.Asset{Name: "kept_ca-1.3.10.tar.gz", Size: 9, SHA256: fmt.Sprintf("%064x", 8)})
		c.Revision += "-sdist"
	})
	check("a second file of an older release", view(lineage, list))
	before = release("1.0.0")

	lineage++
	list = slices.DeleteFunc(slices.Clone(list), func(c *resolve.Candidate) bool { return c.Version.Version == "1.1.1" })
	check("a deletion", view(lineage, list))
	before = release("1.0.0")
	upload("1.1.1", wheel("1.1.1")) // deleted and uploaded again

	check("a view older than the kept one", view(lineage, list[:len(list)-2]))
	check("the newest view again", view(lineage, list))
	list = append(list, candidate("not-pep-440", artifact.Published, "kept_ca-x.tar.gz"))
	check("a version that is not PEP 440", view(lineage, list))
	check("a view of no lineage", view(0, list))
}

// An upload's rebuild takes the runs of the pages that hold no new
// release as they are, without reading their releases again (their
// names, revisions and entries: rendered.Runs.PartsAfter): a release
// changed behind the kept project's back, which never happens outside
// this test, still shows as it was, in every page.
func TestUploadReusesRunsWithoutReadingThem(t *testing.T) {
	const project, baseURL = "reuse-ca", "http://127.0.0.1:1/pypi/r/"
	f := New(Deps{})
	var list []*resolve.Candidate
	add := func(v string) {
		list = append(list, &resolve.Candidate{Version: &store.Version{
			ID: int64(len(list) + 1), Version: v, Status: artifact.Published, Revision: "rev-" + v,
			Assets: []artifact.Asset{{Name: "reuse_ca-" + v + "-py3-none-any.whl", Size: 1, SHA256: fmt.Sprintf("%064x", len(list)+1)}},
		}})
	}
	for i := range 500 {
		add(fmt.Sprintf("1.%d.%d", i/50, i%50))
	}
	view := func() *resolve.View {
		vw := &resolve.View{Versions: map[string]*resolve.Candidate{}, List: slices.Clone(list), Lineage: 1}
		for _, c := range list {
			vw.Versions[c.Version.Version] = c
		}
		return vw
	}
	kinds := []pageKey{
		{kind: pageHTML}, {kind: pageJSON}, {kind: pageJSONAPI, baseURL: baseURL},
	}
	render := func() [][]byte {
		p := f.projectOf(view(), 1, project)
		var out [][]byte
		for _, k := range kinds {
			k.repository, k.project = 1, project
			d, err := renderPage(p, k, "r")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d.Bytes())
		}
		return out
	}
	render()
	// Behind the kept project's back: release 1.0.0 gets another file
	// hash and revision, in place.
	p := f.projectOf(view(), 1, project)
	r := p.Releases[slices.IndexFunc(p.Releases, func(r *Release) bool { return r.Version == "1.0.0" })]
	oldHash := r.Files[0].SHA256
	r.Revision = "changed"
	r.Files = []Dist{r.Files[0]}
	r.Files[0].SHA256 = fmt.Sprintf("%064x", 999999)
	add("1.9.99") // uploaded: placed last
	for i, page := range render() {
		if !bytes.Contains(page, []byte(oldHash)) || bytes.Contains(page, []byte(r.Files[0].SHA256)) {
			t.Fatalf("page %d: the run holding 1.0.0 was made again after an upload that did not touch it", kinds[i].kind)
		}
		if !bytes.Contains(page, []byte("1.9.99")) {
			t.Fatalf("page %d: the upload is not on it", kinds[i].kind)
		}
	}
}
