package catalog

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func testKey(i int) versionKey {
	return versionKey{repository: 1, ref: artifact.PackageRef{Format: artifact.NPM, Name: "p"}, version: fmt.Sprintf("1.0.%d", i)}
}

// The cache holds no more than its bound, drops the least recently used
// entry first, forgets an entry read at another generation, and leaves
// out a version too big to share the cache fairly.
func TestVersionCacheBound(t *testing.T) {
	v := store.Version{Version: "x"}
	size := versionSize(testKey(10), v) // the longest of the keys below
	c := newVersionCache(20 * size)
	for i := range 20 {
		c.put(testKey(i), 7, v)
	}
	if _, ok := c.get(testKey(0), 7, false); !ok { // 0 is now the most recently used
		t.Fatal("entry 0 missing before the cache was full")
	}
	c.put(testKey(20), 7, v)
	if _, ok := c.get(testKey(1), 7, false); ok {
		t.Error("entry 1, the least recently used, survived an insertion into a full cache")
	}
	for _, i := range []int{0, 2, 20} {
		if _, ok := c.get(testKey(i), 7, false); !ok {
			t.Errorf("entry %d was evicted", i)
		}
	}
	if c.l.size > c.l.max || len(c.l.entries) != c.l.order.Len() {
		t.Errorf("size %d of max %d, %d entries, %d in the list", c.l.size, c.l.max, len(c.l.entries), c.l.order.Len())
	}

	if _, ok := c.get(testKey(2), 8, false); ok {
		t.Error("an entry read at generation 7 was served at generation 8")
	}
	if _, ok := c.get(testKey(2), 7, false); ok {
		t.Error("a stale entry was kept")
	}

	huge := store.Version{Version: "x", Meta: artifact.Meta{Readme: strings.Repeat("r", int(c.l.max))}}
	c.put(testKey(99), 7, huge)
	if _, ok := c.get(testKey(99), 7, false); ok {
		t.Error("a version bigger than a sixteenth of the cache was cached")
	}
	if _, ok := c.get(testKey(0), 7, false); !ok {
		t.Error("a huge version flushed the cache")
	}
}

// A copy leaves the cached version alone; a shared read is the cache's
// own (read-only) version.
func TestVersionCacheCopies(t *testing.T) {
	c := newVersionCache(1 << 20)
	c.put(testKey(1), 7, store.Version{Version: "x", Assets: []artifact.Asset{{Name: "a"}}})
	v, _ := c.get(testKey(1), 7, false)
	v.Assets[0].Name = "changed"
	if shared, _ := c.get(testKey(1), 7, true); shared.Assets[0].Name != "a" {
		t.Errorf("changing a copy changed the cache: %q", shared.Assets[0].Name)
	}
	a, _ := c.get(testKey(1), 7, true)
	b, _ := c.get(testKey(1), 7, true)
	if &a.Assets[0] != &b.Assets[0] {
		t.Error("shared reads copied the version")
	}
}

// When the server is quiet, versions nobody read lately go; those read
// since stay.
func TestVersionCacheDropsUnused(t *testing.T) {
	v := store.Version{Version: "x"}
	c := newVersionCache(1 << 20)
	c.put(testKey(0), 7, v)
	c.put(testKey(1), 7, v)
	since := cachesize.Tick()
	c.get(testKey(1), 7, false)
	c.put(testKey(2), 7, v)
	if freed := c.l.dropUnused(since); freed != versionSize(testKey(0), v) {
		t.Errorf("dropUnused freed %d bytes, want entry 0's %d", freed, versionSize(testKey(0), v))
	}
	for i, want := range []bool{false, true, true} {
		if _, ok := c.get(testKey(i), 7, false); ok != want {
			t.Errorf("entry %d kept: %v, want %v", i, ok, want)
		}
	}
	c.l.dropUnused(cachesize.Tick())
	if c.l.size != 0 || len(c.l.entries) != 0 || c.l.order.Len() != 0 {
		t.Errorf("after dropping everything: %d bytes, %d entries", c.l.size, len(c.l.entries))
	}
}

// A version published to leaves the version cache: a deploy that looks
// its version up at every step does not fill it with stale entries.
func TestPublishDropsTheCachedVersion(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := New(st, "us-east-1", time.Now, nil)
	d := DomainRef{Owner: "111122223333", Name: "d"}
	if _, err := c.CreateDomain(ctx, d, "", nil); err != nil {
		t.Fatal(err)
	}
	repo, err := c.CreateRepository(ctx, RepositoryRef{DomainRef: d, Name: "r"}, d.Owner, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := artifact.PackageRef{Format: artifact.Maven, Namespace: "com.example", Name: "lib"}
	key := versionKey{repository: repo.ID, ref: ref, version: "1.0"}
	for i, name := range []string{"lib-1.0.jar", "lib-1.0.pom"} {
		pub := Publication{Ref: ref, Version: "1.0", Unfinished: true, AddAssets: AddAlways,
			Assets: []artifact.Asset{{Name: name, Size: 1, SHA256: fmt.Sprintf("%064x", i)}}}
		if _, err := c.Publish(ctx, repo, pub); err != nil {
			t.Fatal(err)
		}
		v, err := c.Version(ctx, repo, ref, "1.0")
		if err != nil || len(v.Assets) != i+1 {
			t.Fatalf("after publishing %s: %d assets, %v", name, len(v.Assets), err)
		}
		if _, ok := c.versions.l.get(key); !ok {
			t.Fatal("a version looked up is not cached")
		}
	}
	if _, err := c.Publish(ctx, repo, Publication{Ref: ref, Version: "1.0", AddAssets: AddAlways,
		Assets: []artifact.Asset{{Name: "maven-metadata.xml", Size: 1, SHA256: fmt.Sprintf("%064x", 9)}}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.versions.l.get(key); ok {
		t.Error("the version published to is still cached")
	}
}
