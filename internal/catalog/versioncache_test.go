package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

const owner = "111122223333"

var pkg = artifact.PackageRef{Format: artifact.NPM, Name: "web-helper"}

func setup(t testing.TB) (*catalog.Catalog, store.Repository) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat := catalog.New(st, "us-east-1", time.Now, nil)
	d := catalog.DomainRef{Owner: owner, Name: "d"}
	if _, err := cat.CreateDomain(ctx, d, "", nil); err != nil {
		t.Fatal(err)
	}
	r, err := cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "r"}, owner, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cat, r
}

func publish(t testing.TB, cat *catalog.Catalog, r store.Repository, version string) {
	t.Helper()
	_, err := cat.Publish(context.Background(), r, catalog.Publication{
		Ref: pkg, Version: version,
		Meta:   artifact.Meta{Summary: "v" + version, Licenses: []artifact.License{{Name: "MIT"}}},
		Assets: []artifact.Asset{{Name: "package.tgz", Size: 3, SHA256: strings.Repeat("a", 63) + version[len(version)-1:]}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Version is cached for downloads; every change to the package must show
// at once, and nothing a caller does to what it gets changes the cache.
func TestVersionCacheFollowsChanges(t *testing.T) {
	ctx := context.Background()
	cat, r := setup(t)
	publish(t, cat, r, "1.0.0")

	v, err := cat.Version(ctx, r, pkg, "1.0.0")
	if err != nil || v.Status != artifact.Published {
		t.Fatalf("Version: %+v %v", v, err)
	}
	// What a caller does to its copy stays with it.
	v.Assets[0].Name = "changed"
	v.Meta.Licenses[0].Name = "changed"
	v.Assets = append(v.Assets, artifact.Asset{Name: "extra"})
	again, err := cat.Version(ctx, r, pkg, "1.0.0")
	if err != nil || len(again.Assets) != 1 || again.Assets[0].Name != "package.tgz" || again.Meta.Licenses[0].Name != "MIT" {
		t.Fatalf("the cached version changed with a caller's copy: %+v %v", again, err)
	}

	// A status change shows at once.
	if _, err := cat.UpdateStatus(ctx, r, catalog.Batch{Ref: pkg, Versions: []string{"1.0.0"}}, artifact.Archived); err != nil {
		t.Fatal(err)
	}
	if v, err := cat.Version(ctx, r, pkg, "1.0.0"); err != nil || v.Status != artifact.Archived {
		t.Fatalf("after archiving: %s %v, want Archived", v.Status, err)
	}
	// So does a metadata change.
	if _, err := cat.UpdateMeta(ctx, r, pkg, "1.0.0", func(m *artifact.Meta) error { m.Summary = "new"; return nil }); err != nil {
		t.Fatal(err)
	}
	if v, err := cat.Version(ctx, r, pkg, "1.0.0"); err != nil || v.Meta.Summary != "new" {
		t.Fatalf("after UpdateMeta: %q %v, want the new summary", v.Meta.Summary, err)
	}
	// Disposal removes the assets.
	if _, err := cat.DisposeVersions(ctx, r, catalog.Batch{Ref: pkg, Versions: []string{"1.0.0"}}); err != nil {
		t.Fatal(err)
	}
	if v, err := cat.Version(ctx, r, pkg, "1.0.0"); err != nil || v.Status != artifact.Disposed || len(v.Assets) != 0 {
		t.Fatalf("after disposal: %s with %d assets, %v", v.Status, len(v.Assets), err)
	}
	// And deletion makes it not found.
	if _, err := cat.DeleteVersions(ctx, r, catalog.Batch{Ref: pkg, Versions: []string{"1.0.0"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Version(ctx, r, pkg, "1.0.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("after deletion: %v, want NotFound", err)
	}
	// A version not found is not cached: publishing it shows at once.
	publish(t, cat, r, "1.0.1")
	if _, err := cat.Version(ctx, r, pkg, "2.0.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("Version 2.0.0: %v, want NotFound", err)
	}
	publish(t, cat, r, "2.0.0")
	if v, err := cat.Version(ctx, r, pkg, "2.0.0"); err != nil || v.Version != "2.0.0" {
		t.Fatalf("after publishing 2.0.0: %+v %v", v, err)
	}
}

// Many versions stay within the cache's bound and are all still served
// right.
func TestVersionCacheManyVersions(t *testing.T) {
	ctx := context.Background()
	cat, r := setup(t)
	for i := range 50 {
		publish(t, cat, r, fmt.Sprintf("1.0.%d", i))
	}
	for round := range 2 {
		for i := range 50 {
			want := fmt.Sprintf("1.0.%d", i)
			v, err := cat.Version(ctx, r, pkg, want)
			if err != nil || v.Version != want || v.Meta.Summary != "v"+want {
				t.Fatalf("round %d: Version %s: %+v %v", round, want, v, err)
			}
		}
	}
}

// A repository deleted and created again under the same name shows none of
// the old repository's versions, even if the store gives it the same id.
func TestVersionCacheRepositoryRecreated(t *testing.T) {
	ctx := context.Background()
	cat, r := setup(t)
	publish(t, cat, r, "1.0.0")
	if _, err := cat.Version(ctx, r, pkg, "1.0.0"); err != nil {
		t.Fatal(err)
	}
	ref := catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: "d"}, Name: "r"}
	if _, err := cat.DeleteRepository(ctx, ref); err != nil {
		t.Fatal(err)
	}
	again, err := cat.CreateRepository(ctx, ref, owner, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := cat.Version(ctx, again, pkg, "1.0.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("the new repository (id %d, the old was %d) serves %+v, %v; want NotFound", again.ID, r.ID, v, err)
	}
}

// BenchmarkVersion compares a download's version lookup served from the
// cache with the store query it saves.
func BenchmarkVersion(b *testing.B) {
	ctx := context.Background()
	cat, r := setup(b)
	publish(b, cat, r, "1.0.0")
	for _, c := range []struct {
		name string
		get  func(context.Context, store.Repository, artifact.PackageRef, string) (store.Version, error)
	}{{"cached", cat.Version}, {"store", cat.VersionFromStore}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.get(ctx, r, pkg, "1.0.0"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
