package npm

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// keptViews plays the resolver for TestExtendedDocuments: a package's
// candidates by publication, in views whose List grows by publishes
// (same Lineage) and whose other changes start a new Lineage.
type keptViews struct {
	list    []*resolve.Candidate
	lineage uint64
	tags    map[string]string
	id      int64
}

func (k *keptViews) publish(version string, status artifact.Status, extra string) {
	k.id++
	at := t0.Add(time.Duration(k.id) * time.Minute)
	c := &resolve.Candidate{Version: &store.Version{
		ID: k.id, Version: version, Status: status, Revision: fmt.Sprintf("r%d", k.id), UpdatedAt: at,
		Meta:   artifact.Meta{Extra: []byte(extra), Readme: "readme of " + version, PublishedAt: at},
		Assets: []artifact.Asset{asset("bytes of " + version)},
	}}
	k.list = append(k.list, c)
}

// change replaces a version's candidate (a status or a deprecation): a
// new list, of a new lineage.
func (k *keptViews) change(version string, edit func(c *resolve.Candidate)) {
	k.list = append([]*resolve.Candidate(nil), k.list...)
	for i, c := range k.list {
		if c.Version.Version == version {
			next, v := *c, *c.Version
			next.Version = &v
			next.UpdatedAt = next.UpdatedAt.Add(time.Hour)
			edit(&next)
			k.list[i] = &next
		}
	}
	k.lineage++
}

func (k *keptViews) view() *resolve.View {
	v := &resolve.View{Versions: map[string]*resolve.Candidate{}, Tags: maps.Clone(k.tags), List: k.list[:len(k.list):len(k.list)], Lineage: k.lineage}
	for _, c := range k.list {
		v.Versions[c.Version.Version] = c
	}
	return v
}

// Documents made from a kept state extended by each publish (sortedOf)
// are, byte for byte and gzipped, the documents a server that kept
// nothing renders from the same view; so through publishes of the
// highest version, of versions between others, of prereleases and
// unfinished versions, of several at once, dist-tag changes, and status
// changes and deprecations (a new lineage: sorted again, then extended
// again).
func TestExtendedDocuments(t *testing.T) {
	f := &Format{
		sorted: cachesize.NewMap[sortedKey, *sorted](64 << 20),
		runs:   rendered.NewRuns(64 << 20),
	}
	name := Name{Scope: "acme", Base: "util"}
	k := &keptViews{lineage: 1, tags: map[string]string{}}
	manifest := func(v string) string {
		return fmt.Sprintf(`{"description":"version %s","license":"MIT","dependencies":{"a":"^1.0.0"}}`, v)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, i := range rng.Perm(600) {
		k.publish(fmt.Sprintf("1.%d.%d", i/10, i%10), artifact.Published, manifest(fmt.Sprint(i)))
	}
	extended := 0
	kinds := []bool{true, false} // abbreviated, full
	check := func(step string) {
		t.Helper()
		view := k.view()
		before, _ := f.sorted.Load(sortedKey{7, name.String()})
		for _, baseURL := range []string{base, "http://other.example/npm/"} {
			for _, abbreviated := range kinds {
				pkg := f.documentsOf(name, baseURL, view.Tags)
				s := f.sortedOf(7, view, pkg)
				for _, v := range s.byKey {
					if v.Meta != &view.Versions[v.Version].Meta {
						t.Fatalf("%s: version %s holds a copy of its metadata, not the candidate's", step, v.Version)
					}
				}
				scratch := Package{Name: name, BaseURL: baseURL, Tags: view.Tags}
				for _, c := range view.Versions {
					scratch.Versions = append(scratch.Versions, versionOf(c))
				}
				doc, want := pkg.fullDoc(s), scratch.Full()
				if abbreviated {
					doc, want = pkg.abbreviatedDoc(s), scratch.Abbreviated()
				}
				if !bytes.Equal(doc.Bytes(), want) {
					t.Fatalf("%s, abbreviated=%v: the document of the kept state differs from the one rendered from scratch:\n%s", step, abbreviated, firstDifference(doc.Bytes(), want))
				}
				zr, err := gzip.NewReader(bytes.NewReader(doc.Gzip()))
				if err != nil {
					t.Fatal(err)
				}
				if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%s, abbreviated=%v: the gzip form differs", step, abbreviated)
				}
			}
		}
		after, _ := f.sorted.Load(sortedKey{7, name.String()})
		if before != nil && after != before && after.from != nil {
			extended++
		}
	}
	check("first rendering")
	k.publish("1.60.0", artifact.Published, manifest("highest"))
	k.tags["latest"] = "1.60.0"
	check("the highest version published")
	k.publish("1.30.55", artifact.Published, manifest("between"))
	check("a version between others")
	k.publish("2.0.0-rc.1", artifact.Published, manifest("rc"))
	k.tags["next"] = "2.0.0-rc.1"
	check("a prerelease")
	k.publish("1.61.0", artifact.Unfinished, manifest("unfinished"))
	check("an unfinished version")
	k.publish("0.0.1", artifact.Published, manifest("lowest"))
	k.publish("1.62.0", artifact.Published, manifest("two"))
	k.publish("1.65.5", artifact.Unlisted, manifest("unlisted"))
	check("three at once")
	delete(k.tags, "latest")
	check("latest removed")
	k.change("1.30.3", func(c *resolve.Candidate) { c.Status = artifact.Unlisted })
	check("an unlist")
	k.publish("1.63.0", artifact.Published, manifest("after the unlist"))
	check("a publish after the unlist")
	k.change("1.61.0", func(c *resolve.Candidate) { c.Status = artifact.Published; c.Revision = "r-done" })
	check("the unfinished version published")
	k.change("1.10.0", func(c *resolve.Candidate) {
		c.Meta.Extra, c.Revision = []byte(`{"deprecated":"use 2"}`), "r-deprecated"
	})
	check("a deprecation")
	kinds = []bool{true} // a state whose times were never made
	k.publish("1.63.1", artifact.Published, manifest("abbreviated only"))
	check("a publish read abbreviated only")
	k.change("1.63.1", func(c *resolve.Candidate) { c.Status = artifact.Archived })
	check("an archive read abbreviated only")
	k.publish("1.63.2", artifact.Published, manifest("abbreviated only"))
	check("a publish read abbreviated only after the archive")
	kinds = []bool{true, false}
	k.publish("1.64.0", artifact.Published, manifest("last"))
	k.publish("1.64.0-beta", artifact.Published, manifest("beta"))
	check("a publish after the deprecation")
	if extended < 6 {
		t.Fatalf("the kept state was extended %d times, want every publish's", extended)
	}
}

// firstDifference shows where two documents part.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n%s\n%s", i, a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// sameVersions maps each version to the same one (same revision) of the
// state it replaces: new, changed and remote versions map to none.
func TestSameVersions(t *testing.T) {
	vs := func(s ...string) []*Version {
		var out []*Version
		for i := 0; i < len(s); i += 2 {
			out = append(out, &Version{Version: s[i], Revision: s[i+1]})
		}
		return out
	}
	was := vs("1.0.0", "r1", "1.1.0", "r2", "2.0.0", "r3", "2.1.0", "", "4.0.0", "r4")
	now := vs("1.0.0", "r1", "1.0.5", "r9", "1.1.0", "r2b", "2.0.0", "r3", "2.1.0", "", "3.0.0", "r5")
	if got, want := sameVersions(was, now), []int32{0, -1, -1, 2, -1, -1}; !slices.Equal(got, want) {
		t.Fatalf("sameVersions = %v, want %v", got, want)
	}
}
