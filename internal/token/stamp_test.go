package token

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func TestStamp(t *testing.T) {
	path := filepath.Join(t.TempDir(), StampFile)
	now := time.Now()
	s := NewStamp(path, func() time.Time { return now })
	if s.Unchanged() {
		t.Error("a first look is never unchanged")
	}
	if !s.Unchanged() {
		t.Error("no stamp, twice: unchanged")
	}
	if err := Touch(path, 7); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stampRecheck)
	if s.Unchanged() {
		t.Error("a stamp written since the last look is a change")
	}
	if s.Unchanged() {
		t.Error("a stamp written less than a second ago is not trusted")
	}
	now = now.Add(2 * stampSettle)
	if !s.Unchanged() {
		t.Error("a settled stamp, as last seen: unchanged")
	}
	// A later write shows in the modification time.
	fi, _ := os.Stat(path)
	Touch(path, 8)
	os.Chtimes(path, now, fi.ModTime().Add(time.Millisecond))
	if !s.Unchanged() {
		t.Error("an unchanged answer does not stand for the recheck interval")
	}
	time.Sleep(stampRecheck)
	if s.Unchanged() {
		t.Error("a rewritten stamp is a change")
	}
	os.Remove(path)
	time.Sleep(stampRecheck)
	if s.Unchanged() {
		t.Error("a removed stamp is a change")
	}
}

// TestRevocationsTrustTheStamp: with a stamp, Check asks the store only
// when the stamp moved, and a revocation that touched it binds a
// millisecond later.
func TestRevocationsTrustTheStamp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counted := &countingStore{Store: db}
	rv, err := NewRevocations(ctx, counted, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, StampFile)
	rv.UseStamp(NewStamp(path, time.Now))
	tk, _ := New(ctx, db)
	now := time.Now().UTC().Truncate(time.Millisecond)
	tok, _ := tk.Mint(claims(now))
	c, _ := tk.Verify(tok, now)
	for range 3 {
		if err := rv.Check(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	before := counted.generations
	for range 10 {
		rv.Check(ctx, c)
	}
	if counted.generations != before {
		t.Errorf("%d generation queries while the stamp stood still, want none", counted.generations-before)
	}
	revoke(t, db, store.Revocation{TokenID: c.ID.String(), IssuedBefore: c.IssuedAt, Expires: c.Expires})
	gen, _ := db.RevocationGeneration(ctx)
	if err := Touch(path, gen); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stampRecheck) // the contract: requests that start a millisecond after the touch
	if err := rv.Check(ctx, c); !errors.Is(err, ErrRevoked) {
		t.Fatalf("the next Check after a revocation touched the stamp: %v, want ErrRevoked", err)
	}
}

type countingStore struct {
	store.Store
	generations int
}

func (c *countingStore) RevocationGeneration(ctx context.Context) (int64, error) {
	c.generations++
	return c.Store.RevocationGeneration(ctx)
}
