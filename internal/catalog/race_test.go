package catalog_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/enginetest"
)

// TestConcurrentUpstreamsFormNoCycle: two requests at once, each making
// one repository the other's upstream, as two replicas of one database may
// receive them. Each alone is valid; together they would form a cycle.
// Exactly one must land and the other be refused as a cycle, round after
// round. On PostgreSQL below serialisable isolation, both would read the
// graph without the other's edge and both would land.
func TestConcurrentUpstreamsFormNoCycle(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		// Two catalogs over one store: two servers.
		servers := []*catalog.Catalog{
			catalog.New(st, "us-east-1", time.Now, format.NewRegistry(npm.Rules{})),
			catalog.New(st, "us-east-1", time.Now, format.NewRegistry(npm.Rules{})),
		}
		d := catalog.DomainRef{Owner: "111122223333", Name: "d"}
		if _, err := servers[0].CreateDomain(ctx, d, "", nil); err != nil {
			t.Fatal(err)
		}
		a, b := catalog.RepositoryRef{DomainRef: d, Name: "a"}, catalog.RepositoryRef{DomainRef: d, Name: "b"}
		for _, r := range []catalog.RepositoryRef{a, b} {
			if _, err := servers[0].CreateRepository(ctx, r, d.Owner, "", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		none := []string{}
		for round := range 5 {
			for _, r := range []catalog.RepositoryRef{a, b} {
				if _, err := servers[0].UpdateRepository(ctx, r, nil, &none); err != nil {
					t.Fatal(err)
				}
			}
			edges := []struct {
				repo     catalog.RepositoryRef
				upstream string
			}{{a, "b"}, {b, "a"}}
			errs := make([]error, len(edges))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, e := range edges {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = servers[i].UpdateRepository(ctx, e.repo, nil, &[]string{e.upstream})
				}()
			}
			close(start)
			wg.Wait()
			landed := 0
			for _, err := range errs {
				switch {
				case err == nil:
					landed++
				case !errors.Is(err, errkind.ErrValidation):
					t.Errorf("round %d: %v, want success or the cycle's validation error", round, err)
				}
			}
			// From the store itself: each catalog caches what it reads,
			// and keeping those caches fresh across servers is another
			// matter.
			dom, err := st.GetDomain(ctx, d.Owner, d.Name)
			if err != nil {
				t.Fatal(err)
			}
			ra, err := st.GetRepository(ctx, dom.ID, a.Name)
			if err != nil {
				t.Fatal(err)
			}
			rb, err := st.GetRepository(ctx, dom.ID, b.Name)
			if err != nil {
				t.Fatal(err)
			}
			if landed != 1 || len(ra.Upstreams)+len(rb.Upstreams) != 1 {
				t.Fatalf("round %d: %d of two opposite edges landed; upstreams of a %v, of b %v", round, landed, ra.Upstreams, rb.Upstreams)
			}
		}
	})
}
