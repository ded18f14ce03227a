package resolve

import (
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
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
