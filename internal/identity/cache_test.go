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
	if _, ok := f.d.cache.keys.m.Load(keys[0].ID); ok {
		t.Fatal("the first key is still cached: the test does not overflow the cache")
	}
	if p := f.lookup(keys[0].ID, ""); p.UserName != "u0" {
		t.Errorf("an evicted key resolves to %+v", p)
	}
	if _, ok := f.d.cache.keys.m.Load(keys[1].ID); ok {
		t.Fatal("the second key is still cached")
	}
	f.must(f.d.UpdateAccessKey(f.ctx, f.root, "u1", keys[1].ID, false))
	if _, _, err := f.d.Lookup(f.ctx, keys[1].ID, ""); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("a key deactivated while out of the cache: %v", err)
	}
}
