package identity

import (
	"errors"
	"fmt"
	"testing"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/store"
)

// With the least budget, the credentials and principals of many users
// overflow the directory's caches: the bytes held stay within their
// shares, an evicted credential is looked up again and still resolves,
// and a key deactivated after its entry went no longer does.
func TestCachesStayWithinTheirShare(t *testing.T) {
	f := newFixture(t)
	f.d.SetCacheBudget(cachesize.Min)
	share := cachesize.Share(CacheBytes, cachesize.Min)
	var keys []store.AccessKey
	for i := range 300 {
		keys = append(keys, f.userWithKey(fmt.Sprint("u", i), "/"))
	}
	for i, k := range keys {
		p := f.lookup(k.ID, "")
		if _, err := f.d.Active(f.ctx, p.ARN); err != nil {
			t.Fatal(err)
		}
		if _, err := f.d.IdentityPolicies(f.ctx, p); err != nil {
			t.Fatal(err)
		}
		if held := f.d.cache.keys.m.Bytes() + f.d.cache.active.m.Bytes() + f.d.cache.policies.m.Bytes(); held > share {
			t.Fatalf("after %d users the caches hold %d bytes, over their share %d", i+1, held, share)
		}
	}
	var evicted []int
	for i, k := range keys {
		if _, ok := f.d.cache.keys.m.Load(k.ID); !ok {
			evicted = append(evicted, i)
		}
	}
	if len(evicted) < 2 {
		t.Fatalf("%d keys evicted: the test does not overflow the cache", len(evicted))
	}
	a, b := evicted[0], evicted[1]
	if p := f.lookup(keys[a].ID, ""); p.UserName != fmt.Sprint("u", a) {
		t.Errorf("an evicted key of u%d resolves to %+v", a, p)
	}
	f.must(f.d.UpdateAccessKey(f.ctx, f.root, fmt.Sprint("u", b), keys[b].ID, false))
	if _, _, err := f.d.Lookup(f.ctx, keys[b].ID, ""); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("a key deactivated while out of the cache: %v", err)
	}
}
