package generation

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Two servers' counters over one store: a change committed through one
// moves the other's counter of that name, and only that one, at its next
// Sync.
func TestSyncBringsOtherServersChanges(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	a, err := New(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	x0, y0 := b.Load("x"), b.Load("y")
	if err := a.Update(ctx, st, func(q store.Queries, ch *Changes) error { ch.Add("x"); return nil }); err != nil {
		t.Fatal(err)
	}
	if a.Load("x") == x0 {
		t.Error("a's own change did not move its counter at once")
	}
	if b.Load("x") != x0 {
		t.Error("b's counter moved before b synced")
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Load("x") == x0 {
		t.Error("b's counter of x did not move at its sync after a's change")
	}
	if b.Load("y") != y0 {
		t.Error("b's counter of y moved though nothing changed it")
	}
	x1 := b.Load("x")
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Load("x") != x1 {
		t.Error("a sync with nothing new moved a counter")
	}
}

// A transaction that fails announces nothing, in the store or here.
func TestUpdateThatFailsMovesNothing(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	c, err := New(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	x0 := c.Load("x")
	err = c.Update(ctx, st, func(q store.Queries, ch *Changes) error {
		ch.Add("x")
		return context.Canceled
	})
	if err == nil {
		t.Fatal("the failure was not returned")
	}
	if c.Load("x") != x0 {
		t.Error("a failed change moved the counter")
	}
	if latest, _ := st.LatestGeneration(ctx); latest != 0 {
		t.Errorf("a failed change moved the store's sequence to %d", latest)
	}
}

// countingStore counts the reads of the counters.
type countingStore struct {
	Store
	reads int
}

func (s *countingStore) GenerationsSince(ctx context.Context, after int64) ([]store.Generation, error) {
	s.reads++
	return s.Store.GenerationsSince(ctx, after)
}

// Within the window one read serves every Sync; with window 0 each Sync
// that arrives after the last read started reads again.
func TestWindowSharesReads(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: open(t)}
	long, err := New(ctx, st, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := long.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st.reads != 1 {
		t.Errorf("an hour's window read %d times, want 1", st.reads)
	}
	st.reads = 0
	every, err := New(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := every.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st.reads != 3 {
		t.Errorf("window 0 read %d times for 3 syncs, want 3", st.reads)
	}
}

// Starting over moves every counter to a value never answered before.
func TestStartOverMovesEveryCounter(t *testing.T) {
	var c Counters
	c.Bump("x")
	before := map[string]uint64{"x": c.Load("x"), "y": c.Load("y")}
	c.startOver()
	for name, v := range before {
		if c.Load(name) == v {
			t.Errorf("counter %s kept its value %d past a start over", name, v)
		}
	}
}
