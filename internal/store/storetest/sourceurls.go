package storetest

import (
	"reflect"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

func sourceURLTests() []namedTest {
	return []namedTest{
		{"SourceURLs", testSourceURLs},
		{"SourceURLsGoWithVersions", testSourceURLsGoWithVersions},
		{"FormatVersions", testFormatVersions},
		{"PendingBackfill", testPendingBackfill},
	}
}

func swiftRef(scope, name string) artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.Swift, Namespace: scope, Name: name}
}

func wantPackages(t *testing.T, s store.Store, r store.Repository, url string, want ...artifact.PackageRef) {
	t.Helper()
	got, err := s.PackagesWithSourceURL(ctx, r.ID, artifact.Swift, url, artifact.Published, 100)
	must(t, err)
	if want == nil {
		want = []artifact.PackageRef{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PackagesWithSourceURL(%s) = %v, want %v", url, got, want)
	}
}

func testSourceURLs(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	other := mkRepo(t, s, d, "other", d.Owner)
	const a, b = "https://example.com/a", "https://example.com/b"
	pz := mkPackage(t, s, r, swiftRef("z", "z"))
	pm := mkPackage(t, s, r, swiftRef("m", "m"))
	po := mkPackage(t, s, other, swiftRef("o", "o"))
	z1 := mkVersion(t, s, d, pz, "1.0.0")
	z2 := mkVersion(t, s, d, pz, "2.0.0")
	m1 := mkVersion(t, s, d, pm, "1.0.0")
	o1 := mkVersion(t, s, d, po, "1.0.0")
	must(t, s.SetSourceURLs(ctx, r.ID, pz.ID, z1.ID, []string{a, b}))
	must(t, s.SetSourceURLs(ctx, r.ID, pz.ID, z2.ID, []string{a}))
	must(t, s.SetSourceURLs(ctx, r.ID, pm.ID, m1.ID, []string{a, a}))
	must(t, s.SetSourceURLs(ctx, other.ID, po.ID, o1.ID, []string{b}))
	// By namespace and name, each package once, in its repository only.
	wantPackages(t, s, r, a, swiftRef("m", "m"), swiftRef("z", "z"))
	wantPackages(t, s, r, b, swiftRef("z", "z"))
	wantPackages(t, s, other, b, swiftRef("o", "o"))
	wantPackages(t, s, r, "https://example.com/none")
	if got, err := s.PackagesWithSourceURL(ctx, r.ID, artifact.Swift, a, artifact.Published, 1); err != nil || len(got) != 1 || got[0] != swiftRef("m", "m") {
		t.Errorf("limit 1: %v, %v", got, err)
	}
	if got, err := s.PackagesWithSourceURL(ctx, r.ID, artifact.NPM, a, artifact.Published, 100); err != nil || len(got) != 0 {
		t.Errorf("another format: %v, %v", got, err)
	}
	// Status is the version's now: z1 unlisted leaves b to no listed
	// version of z, a to z2.
	z1.Status = artifact.Unlisted
	must(t, s.UpdateVersion(ctx, z1))
	wantPackages(t, s, r, b)
	wantPackages(t, s, r, a, swiftRef("m", "m"), swiftRef("z", "z"))
	if got, err := s.PackagesWithSourceURL(ctx, r.ID, artifact.Swift, b, artifact.Unlisted, 100); err != nil || len(got) != 1 {
		t.Errorf("unlisted: %v, %v", got, err)
	}
	// Replacing a version's URLs drops the old ones.
	must(t, s.SetSourceURLs(ctx, r.ID, pm.ID, m1.ID, []string{b}))
	wantPackages(t, s, r, a, swiftRef("z", "z"))
	must(t, s.SetSourceURLs(ctx, r.ID, pm.ID, m1.ID, nil))
	wantPackages(t, s, r, b)
}

func testSourceURLsGoWithVersions(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	const a = "https://example.com/a"
	p := mkPackage(t, s, r, swiftRef("s", "p"))
	v1 := mkVersion(t, s, d, p, "1.0.0", asset("p-1.0.0.zip", "one"))
	v2 := mkVersion(t, s, d, p, "2.0.0", asset("p-2.0.0.zip", "two"))
	must(t, s.SetSourceURLs(ctx, r.ID, p.ID, v1.ID, []string{a}))
	must(t, s.SetSourceURLs(ctx, r.ID, p.ID, v2.ID, []string{a}))
	must(t, s.DeleteVersion(ctx, v2.ID))
	wantPackages(t, s, r, a, swiftRef("s", "p"))
	must(t, s.DeleteVersion(ctx, v1.ID))
	wantPackages(t, s, r, a)

	q := mkPackage(t, s, r, swiftRef("s", "q"))
	w := mkVersion(t, s, d, q, "1.0.0")
	must(t, s.SetSourceURLs(ctx, r.ID, q.ID, w.ID, []string{a}))
	must(t, s.DeletePackage(ctx, q.ID))
	wantPackages(t, s, r, a)

	q = mkPackage(t, s, r, swiftRef("s", "q"))
	w = mkVersion(t, s, d, q, "1.0.0")
	must(t, s.SetSourceURLs(ctx, r.ID, q.ID, w.ID, []string{a}))
	must(t, s.DeleteRepository(ctx, r.ID))
	wantPackages(t, s, r, a)
}

func testFormatVersions(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r1 := mkRepo(t, s, d, "r1", d.Owner)
	r2 := mkRepo(t, s, d, "r2", d.Owner)
	a := mkPackage(t, s, r1, swiftRef("s", "a"))
	n := mkPackage(t, s, r1, artifact.PackageRef{Format: artifact.NPM, Name: "n"})
	b := mkPackage(t, s, r2, swiftRef("s", "b"))
	a1 := mkVersion(t, s, d, a, "1.0.0", asset("a.zip", "a"))
	mkVersion(t, s, d, n, "1.0.0")
	b1 := mkVersion(t, s, d, b, "1.0.0")
	a2 := mkVersion(t, s, d, a, "2.0.0")
	got, err := s.FormatVersions(ctx, artifact.Swift, 0, 2)
	must(t, err)
	if len(got) != 2 || got[0].ID != a1.ID || got[0].RepositoryID != r1.ID || got[1].ID != b1.ID || got[1].RepositoryID != r2.ID {
		t.Fatalf("first page %+v", got)
	}
	if got[0].Version.Version != "1.0.0" || got[0].PackageID != a.ID || string(got[0].Meta.Extra) != `{"name":"x"}` || len(got[0].Assets) != 0 {
		t.Errorf("version read back as %+v", got[0].Version)
	}
	got, err = s.FormatVersions(ctx, artifact.Swift, b1.ID, 2)
	must(t, err)
	if len(got) != 1 || got[0].ID != a2.ID {
		t.Errorf("second page %+v", got)
	}
	if got, err = s.FormatVersions(ctx, artifact.Swift, a2.ID, 2); err != nil || len(got) != 0 {
		t.Errorf("past the end: %+v, %v", got, err)
	}
}

func testPendingBackfill(t *testing.T, s store.Store) {
	// Migration 00015 leaves the Swift source URLs to backfill only in a
	// database that had Swift packages: a new one has none.
	const name = "source_urls/swift"
	if pending, err := s.PendingBackfill(ctx, name); err != nil || pending {
		t.Fatalf("PendingBackfill(%s) on a new store = %v, %v", name, pending, err)
	}
	// Finishing is idempotent, in a transaction or not.
	must(t, s.Update(ctx, func(q store.Queries) error { return q.FinishBackfill(ctx, name) }))
	must(t, s.FinishBackfill(ctx, name))
	if pending, err := s.PendingBackfill(ctx, name); err != nil || pending {
		t.Errorf("PendingBackfill after FinishBackfill = %v, %v", pending, err)
	}
}
