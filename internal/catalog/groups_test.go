package catalog_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// twoServers is two catalogs over one store, as two server processes
// are, with a domain d and a repository r made through the first.
func twoServers(t *testing.T) (ctx context.Context, a, b *catalog.Catalog, d catalog.DomainRef, repo store.Repository) {
	t.Helper()
	ctx = context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, b = catalog.New(st, "us-east-1", time.Now, nil), catalog.New(st, "us-east-1", time.Now, nil)
	d = catalog.DomainRef{Owner: "111122223333", Name: "d"}
	if _, err := a.CreateDomain(ctx, d, "", nil); err != nil {
		t.Fatal(err)
	}
	repo, err = a.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "r"}, d.Owner, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, a, b, d, repo
}

// Two servers over one store (two catalogs here): a group change made
// through one binds the other's next check, with no restart or wait.
func TestGroupChangesSeenByOtherServers(t *testing.T) {
	ctx, a, b, d, repo := twoServers(t)
	ref := artifact.PackageRef{Format: artifact.NPM, Namespace: "acme", Name: "lib"}
	if err := b.CheckOrigin(ctx, repo, ref, pkggroup.Publish); err != nil {
		t.Fatalf("before any group: %v", err)
	}
	if err := a.CreatePackageGroup(ctx, d, "/npm/acme/*", "", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateOriginConfiguration(ctx, d, "/npm/acme/*", map[pkggroup.Restriction]pkggroup.Mode{pkggroup.Publish: pkggroup.Block}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckOrigin(ctx, repo, ref, pkggroup.Publish); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Fatalf("the other server after a BLOCK: %v, want AccessDenied", err)
	}
	if err := a.DeletePackageGroup(ctx, d, "/npm/acme/*"); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckOrigin(ctx, repo, ref, pkggroup.Publish); err != nil {
		t.Fatalf("the other server after the group was deleted: %v", err)
	}
}

// A domain without a root group (one made before package groups, had the
// migration not added it) gets it on first use, dated with the domain.
func TestRootGroupCreatedOnFirstUse(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat := catalog.New(st, "us-east-1", time.Now, nil)
	d := catalog.DomainRef{Owner: "111122223333", Name: "d"}
	info, err := cat.CreateDomain(ctx, d, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := st.ListPackageGroups(ctx, info.ID)
	if err != nil || len(groups) != 1 || groups[0].Pattern != pkggroup.Root {
		t.Fatalf("a new domain's groups: %+v, %v", groups, err)
	}
	if err := st.DeletePackageGroup(ctx, groups[0].ID); err != nil {
		t.Fatal(err)
	}
	fresh := catalog.New(st, "us-east-1", time.Now, nil)
	_, ix, err := fresh.PackageGroups(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	root, ok := ix.Group(pkggroup.Root)
	if !ok || !root.CreatedAt.Equal(info.CreatedAt) || root.Mode(pkggroup.Publish) != pkggroup.Allow {
		t.Fatalf("root after first use: %+v (domain created %v)", root, info.CreatedAt)
	}
}
