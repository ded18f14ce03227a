package catalog

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// With the least budget, the repositories, attributes and package groups
// of many domains overflow their caches: the bytes held stay within the
// share, and what was dropped is read again, changes made meanwhile
// included.
func TestResourceCachesStayWithinTheirShare(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := New(st, "us-east-1", time.Now, nil)
	c.SetCacheBudget(cachesize.Min)
	share := cachesize.Share(ResourceCacheBytes, cachesize.Min)
	const n = 60
	var repos []store.Repository
	for i := range n {
		d := DomainRef{Owner: "111122223333", Name: fmt.Sprint("d", i)}
		if _, err := c.CreateDomain(ctx, d, "", []store.Tag{{Key: "team", Value: "a"}}); err != nil {
			t.Fatal(err)
		}
		r, err := c.CreateRepository(ctx, RepositoryRef{DomainRef: d, Name: "r"}, d.Owner, "", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		repos = append(repos, r)
	}
	ref := artifact.PackageRef{Format: artifact.NPM, Name: "lib"}
	for i := range n {
		d := DomainRef{Owner: "111122223333", Name: fmt.Sprint("d", i)}
		if _, err := c.Repository(ctx, RepositoryRef{DomainRef: d, Name: "r"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Attributes(ctx, Resource{Kind: "domain", Domain: d}); err != nil {
			t.Fatal(err)
		}
		if err := c.CheckOrigin(ctx, repos[i], ref, pkggroup.Publish); err != nil {
			t.Fatal(err)
		}
		if held := c.repos.Bytes() + c.attrs.Bytes() + c.groups.m.Bytes(); held > share {
			t.Fatalf("after %d domains the caches hold %d bytes, over their share %d", i+1, held, share)
		}
	}
	// A domain whose attributes and groups both went.
	k := -1
	for i := range n {
		_, attrs := c.attrs.Load(Resource{Kind: "domain", Domain: DomainRef{Owner: "111122223333", Name: fmt.Sprint("d", i)}})
		_, groups := c.groups.m.Load(repos[i].DomainID)
		if !attrs && !groups {
			k = i
			break
		}
	}
	if k < 0 {
		t.Fatal("no domain's attributes and groups were evicted: the test does not overflow the caches")
	}
	d0 := DomainRef{Owner: "111122223333", Name: fmt.Sprint("d", k)}
	if err := c.TagResource(ctx, Resource{Kind: "domain", Domain: d0}, []store.Tag{{Key: "team", Value: "b"}}); err != nil {
		t.Fatal(err)
	}
	if a, err := c.Attributes(ctx, Resource{Kind: "domain", Domain: d0}); err != nil || len(a.Tags) != 1 || a.Tags[0].Value != "b" {
		t.Errorf("an evicted domain's attributes after a tag change: %+v, %v", a, err)
	}
	if _, err := c.UpdateOriginConfiguration(ctx, d0, pkggroup.Root, map[pkggroup.Restriction]pkggroup.Mode{pkggroup.Publish: pkggroup.Block}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckOrigin(ctx, repos[k], ref, pkggroup.Publish); err == nil {
		t.Error("an evicted domain's groups allow a publish its root group blocks")
	}
	if r, err := c.Repository(ctx, RepositoryRef{DomainRef: d0, Name: "r"}); err != nil || r.ID != repos[k].ID {
		t.Errorf("an evicted repository: %+v, %v", r, err)
	}
}
