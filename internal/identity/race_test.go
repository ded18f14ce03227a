package identity

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/enginetest"
)

// TestConcurrentAccessKeysKeepTheLimit: requests racing to create access
// keys for one user, as they may through several replicas of one database,
// create exactly MaxAccessKeysPerUser; the others are refused with the
// quota error. On PostgreSQL below serialisable isolation, every racer
// would count the same keys and most would succeed.
func TestConcurrentAccessKeysKeepTheLimit(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		d := NewDirectory(st, time.Now)
		if err := d.EnsureRoot(ctx, Root{AccountID: acct, AccessKeyID: "AKIAROOTAAAAAAAAAAAA", SecretAccessKey: "root-secret-aaaaaaaa"}); err != nil {
			t.Fatal(err)
		}
		_, root, err := d.Lookup(ctx, "AKIAROOTAAAAAAAAAAAA", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.CreateUser(ctx, acct, "racer", "/"); err != nil {
			t.Fatal(err)
		}
		const racers = 8
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, _, errs[i] = d.CreateAccessKey(ctx, root, "racer")
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, errkind.ErrQuotaExceeded):
				t.Errorf("CreateAccessKey: %v, want success or the quota error", err)
			}
		}
		keys, _, err := d.ListAccessKeys(ctx, root, "racer")
		if err != nil {
			t.Fatal(err)
		}
		if created != MaxAccessKeysPerUser || len(keys) != MaxAccessKeysPerUser {
			t.Errorf("%d racers: %d keys created, %d stored; want %d", racers, created, len(keys), MaxAccessKeysPerUser)
		}
	})
}
