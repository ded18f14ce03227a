package resolve

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/store"
)

// A view after a publish extends the view before it (same lineage, the
// earlier candidates first, unchanged); a status change starts a new
// lineage; versions from another repository or a public registry make a
// view with no List; an earlier view never changes under its holder.
func TestViewLineage(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("solo")
	w.publish(repo, "1.0.0", nil)
	w.publish(repo, "1.1.0", nil)

	first, err := w.res.Package(ctx, repo, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if first.Lineage == 0 || len(first.List) != 2 || first.List[0].Version.Version != "1.0.0" || first.List[1].Version.Version != "1.1.0" {
		t.Fatalf("first view: lineage %d, list %v", first.Lineage, versionsOf(first.List))
	}
	again, err := w.res.Package(ctx, repo, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Lineage != first.Lineage || len(again.List) != 2 || again.List[0] != first.List[0] {
		t.Fatalf("unchanged package: lineage %d -> %d, list %v", first.Lineage, again.Lineage, versionsOf(again.List))
	}

	w.publish(repo, "1.2.0", nil)
	grown, err := w.res.Package(ctx, repo, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if grown.Lineage != first.Lineage || len(grown.List) != 3 || grown.List[0] != first.List[0] || grown.List[1] != first.List[1] || grown.List[2].Version.Version != "1.2.0" {
		t.Fatalf("after a publish: lineage %d -> %d, list %v", first.Lineage, grown.Lineage, versionsOf(grown.List))
	}
	if grown.Versions["1.2.0"] != grown.List[2] || len(grown.Versions) != 3 {
		t.Fatalf("after a publish, Versions has %d entries", len(grown.Versions))
	}
	if len(first.Versions) != 2 || first.Versions["1.2.0"] != nil {
		t.Fatalf("the earlier view changed: %d versions", len(first.Versions))
	}

	if _, err := w.cat.UpdateStatus(ctx, repo, catalog.Batch{Ref: pkg, Versions: []string{"1.1.0"}}, artifact.Unlisted); err != nil {
		t.Fatal(err)
	}
	changed, err := w.res.Package(ctx, repo, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Lineage == 0 || changed.Lineage == first.Lineage || changed.Versions["1.1.0"].Status != artifact.Unlisted {
		t.Fatalf("after a status change: lineage %d (was %d), status %s", changed.Lineage, first.Lineage, changed.Versions["1.1.0"].Status)
	}

	// Versions from two repositories: no List, and the kept view is not
	// changed by the merge.
	up := w.repo("up")
	app := w.repo("app", "up")
	w.publish(up, "0.9.0", nil)
	if _, err := w.res.Version(ctx, app, pkg, "0.9.0"); err != nil { // retained in app
		t.Fatal(err)
	}
	single, err := w.res.Package(ctx, app, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if single.Lineage == 0 || len(single.List) != 1 || single.List[0].Repository.Name != "app" {
		t.Fatalf("a retained version alone: lineage %d, list %v", single.Lineage, versionsOf(single.List))
	}
	w.publish(up, "0.9.1", nil)
	mixed, err := w.res.Package(ctx, app, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if mixed.Lineage != 0 || mixed.List != nil || len(mixed.Versions) != 2 || mixed.Versions["0.9.1"].Repository.Name != "up" {
		t.Fatalf("with an upstream's version: lineage %d, list %v, %d versions", mixed.Lineage, versionsOf(mixed.List), len(mixed.Versions))
	}
	if len(single.Versions) != 1 {
		t.Fatalf("the kept view took the upstream's version: %d versions", len(single.Versions))
	}
	again, err = w.res.Package(ctx, app, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Versions) != 2 {
		t.Fatalf("the next view lost the upstream's version: %d versions", len(again.Versions))
	}
}

func versionsOf(list []*Candidate) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Version.Version)
	}
	return out
}

// A view after a change other than a publish (an asset added, a status
// changed, a version deleted, several at once, with an upstream's
// versions mixed in) is the one a resolver with nothing kept makes,
// candidate for candidate, in the same order, and a view of one
// repository's versions points into the catalog's current list, in
// order: no candidate keeps a replaced list alive.
func TestViewAfterChange(t *testing.T) {
	w := newWorld(t)
	up := w.repo("up")
	app := w.repo("app", "up")
	for i := range 20 { // few enough changes among them to rebase
		w.publish(app, fmt.Sprintf("1.%d.0", i), nil)
	}
	if _, err := w.cat.PutOriginConfiguration(ctx, app, pkg, artifact.OriginConfig{Publish: artifact.Allow, Upstream: artifact.Allow}); err != nil {
		t.Fatal(err)
	}
	prev, err := w.res.Package(ctx, app, pkg)
	if err != nil {
		t.Fatal(err)
	}
	// step changes the package, then compares the view with one made from
	// nothing kept.
	step := func(name string, change func()) {
		t.Helper()
		change()
		got, err := w.res.Package(ctx, app, pkg)
		if err != nil {
			t.Fatal(err)
		}
		fresh := New(w.st, w.cat, nil, time.Second, w.res.log)
		want, err := fresh.Package(ctx, app, pkg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Versions, want.Versions) || !reflect.DeepEqual(got.List, want.List) || !reflect.DeepEqual(got.Tags, want.Tags) {
			t.Fatalf("%s: the view differs from one made anew:\n got %v %v\nwant %v %v", name, versionsOf(got.List), states(got.Versions), versionsOf(want.List), states(want.Versions))
		}
		if (got.List == nil) != (got.Lineage == 0) || got.Lineage != 0 && got.Lineage == prev.Lineage {
			t.Fatalf("%s: lineage %d after %d, list %v", name, got.Lineage, prev.Lineage, versionsOf(got.List))
		}
		if len(got.List) > 0 {
			array := unsafe.Slice(got.List[0].Version, len(got.List))
			for i, c := range got.List {
				if c.Version != &array[i] {
					t.Fatalf("%s: candidate %d (%s) is not in the list's array", name, i, c.Version.Version)
				}
			}
		}
		prev = got
	}
	step("asset added", func() {
		if _, err := w.cat.Publish(ctx, app, catalog.Publication{Ref: pkg, Version: "1.3.0", AddAssets: catalog.AddAlways,
			Assets: []artifact.Asset{{Name: "extra.tgz", Size: 5, SHA256: "sha-extra"}}}); err != nil {
			t.Fatal(err)
		}
	})
	step("status changed", func() {
		if _, err := w.cat.UpdateStatus(ctx, app, catalog.Batch{Ref: pkg, Versions: []string{"1.5.0"}}, artifact.Unlisted); err != nil {
			t.Fatal(err)
		}
	})
	step("deleted", func() {
		if _, err := w.cat.DeleteVersions(ctx, app, catalog.Batch{Ref: pkg, Versions: []string{"1.0.0", "1.6.0"}}); err != nil {
			t.Fatal(err)
		}
	})
	step("published, changed and deleted at once", func() {
		w.publish(app, "2.0.0", nil)
		if _, err := w.cat.UpdateStatus(ctx, app, catalog.Batch{Ref: pkg, Versions: []string{"1.2.0"}}, artifact.Archived); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cat.DeleteVersions(ctx, app, catalog.Batch{Ref: pkg, Versions: []string{"1.7.0"}}); err != nil {
			t.Fatal(err)
		}
		w.publish(app, "1.7.0", nil) // the same string again: a new version
	})
	step("an upstream's version mixed in", func() {
		w.publish(up, "0.9.0", nil)
		if _, err := w.cat.UpdateStatus(ctx, app, catalog.Batch{Ref: pkg, Versions: []string{"1.1.0"}}, artifact.Unlisted); err != nil {
			t.Fatal(err)
		}
	})
	if prev.List != nil {
		t.Fatalf("with an upstream's version, list %v", versionsOf(prev.List))
	}
	step("the upstream's version alone changed", func() {
		if _, err := w.cat.UpdateStatus(ctx, up, catalog.Batch{Ref: pkg, Versions: []string{"0.9.0"}}, artifact.Unlisted); err != nil {
			t.Fatal(err)
		}
	})
}

// states lists the candidates of a view with what a reader sees of them.
func states(vs map[string]*Candidate) []string {
	var out []string
	for v, c := range vs {
		out = append(out, fmt.Sprintf("%s:%s:%s:%d assets in %s", v, c.Status, c.Revision, len(c.Assets), c.Repository.Name))
	}
	slices.Sort(out)
	return out
}

// BenchmarkViewAfterChange is the resolver's own cost of a view of 5,000
// versions after one of them changed (a Maven deploy's POM or metadata):
// a new array of the catalog's, so a view made anew.
func BenchmarkViewAfterChange(b *testing.B) {
	repo := store.Repository{ID: 1, DomainID: 1, Name: "app"}
	lists := [2][]store.Version{make([]store.Version, 5000), nil}
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i := range lists[0] {
		lists[0][i] = store.Version{ID: int64(i + 1), Version: fmt.Sprintf("1.%d.%d", i/1000, i%1000), Status: artifact.Published,
			Revision: fmt.Sprint("r", i), UpdatedAt: at, Assets: []artifact.Asset{{Name: "a.jar"}}}
	}
	lists[1] = slices.Clone(lists[0])
	lists[1][4999].Status, lists[1][4999].UpdatedAt = artifact.Unlisted, at.Add(time.Second)
	k := newKeptViews(ViewCacheBytes)
	k.view(repo, 1, lists[0])
	for i := 0; b.Loop(); i++ {
		k.view(repo, 1, lists[1-i%2])
	}
}
