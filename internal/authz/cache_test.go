package authz

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
)

// With the least budget, many principals each with their own policy
// overflow the caches: the bytes held stay within their shares, and a
// principal whose entry was dropped is decided again from its policies,
// a deny put meanwhile included.
func TestCachesStayWithinTheirShare(t *testing.T) {
	const n = 2000
	var users []identity.Principal
	for i := range n {
		users = append(users, userOf(acctA, fmt.Sprint("u", i)))
	}
	f := newFixture(users...)
	f.ev.SetCacheBudget(cachesize.Min)
	share := cachesize.Share(CacheBytes, cachesize.Min)
	ctx := context.Background()
	for i, u := range users {
		f.dir.setPolicies(u.ARN, doc(allow(read, fmt.Sprintf("arn:aws:codeartifact:%s:%s:repository/d/*", region, acctA), ""), deny("codeartifact:PublishPackageVersion", fmt.Sprintf("arn:aws:codeartifact:%s:%s:repository/d/x%d", region, acctA, i), "")))
	}
	for _, u := range users {
		if err := f.ev.Authorize(ctx, Request{Principal: u, Action: read, Resource: repoARN}); err != nil {
			t.Fatal(err)
		}
	}
	held := f.ev.compiled.Bytes() + f.ev.resourcePolicies.Bytes() + f.ev.principals.Bytes()
	if held > share || f.ev.principals.Bytes() > share/2 || f.ev.compiled.Bytes() > share/4 {
		t.Errorf("the caches hold %d bytes (principals %d, compiled %d), over their share %d",
			held, f.ev.principals.Bytes(), f.ev.compiled.Bytes(), share)
	}
	var evicted []identity.Principal
	for _, u := range users {
		if _, ok := f.ev.principals.Load(u.ARN); !ok {
			evicted = append(evicted, u)
		}
	}
	if len(evicted) < 2 {
		t.Fatalf("%d principals evicted: the test does not overflow the cache", len(evicted))
	}
	reads := f.dir.reads
	if err := f.ev.Authorize(ctx, Request{Principal: evicted[0], Action: read, Resource: repoARN}); err != nil {
		t.Fatalf("an evicted principal's decision: %v", err)
	}
	if f.dir.reads != reads+1 {
		t.Errorf("an evicted principal's policies were read %d times, want once", f.dir.reads-reads)
	}
	f.dir.setPolicies(evicted[1].ARN, doc(deny(read, "*", "")))
	if err := f.ev.Authorize(ctx, Request{Principal: evicted[1], Action: read, Resource: repoARN}); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("after a deny put on an evicted principal: %v", err)
	}
}
