package generation

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
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

// Bumped far past their bound, the counters hold no more bytes than it,
// and a name whose counter was dropped never answers a value it answered
// before its last change, nor goes back: what was cached under an old
// value stays stale.
func TestBoundedInBytes(t *testing.T) {
	var c Counters
	c.SetCacheBudget(cachesize.Min)
	bound := cachesize.Share(Bytes, cachesize.Min)
	const n = 5000
	stale := make([]uint64, n) // each name's value before its bump
	fresh := make([]uint64, n) // and after
	for i := range n {
		name := fmt.Sprint("pkg/1/npm//name-", i)
		stale[i] = c.Load(name)
		c.Bump(name)
		fresh[i] = c.Load(name)
		if fresh[i] <= stale[i] {
			t.Fatalf("%s went from %d to %d at a bump", name, stale[i], fresh[i])
		}
		if c.HeldBytes() > bound {
			t.Fatalf("after %d names the counters hold %d bytes, over %d", i+1, c.HeldBytes(), bound)
		}
	}
	dropped := 0
	for i := range n {
		name := fmt.Sprint("pkg/1/npm//name-", i)
		if _, held := c.m.Load(name); !held {
			dropped++
		}
		if v := c.Load(name); v < fresh[i] || v == stale[i] {
			t.Errorf("%s answers %d; it answered %d before its change and %d after", name, v, stale[i], fresh[i])
		}
	}
	if dropped == 0 {
		t.Fatal("no counter was dropped: the test does not overflow the bound")
	}
}

// Counters unused since a tick go at DropUnused, and their names come
// back at new values; counters in use stay as they are.
func TestDropUnused(t *testing.T) {
	var c Counters
	c.Bump("old")
	old := c.Load("old")
	cachesize.Tick()
	c.Bump("recent")
	recent := c.Load("recent")
	if freed := c.dropUnused(cachesize.Now()); freed != counterBytes("old") {
		t.Errorf("dropUnused freed %d bytes, want %d", freed, counterBytes("old"))
	}
	if v := c.Load("old"); v <= old {
		t.Errorf("a dropped counter came back at %d, not above %d", v, old)
	}
	if v := c.Load("recent"); v != recent {
		t.Errorf("a counter in use moved from %d to %d", recent, v)
	}
}

// Bumps racing with drops: each name's value, as one goroutine sees it,
// never goes back and moves at each of its bumps.
func TestBumpsRacingDrops(t *testing.T) {
	var c Counters
	c.SetCacheBudget(cachesize.Min)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			c.dropUnused(cachesize.Tick())
		}
	}()
	last := map[string]uint64{}
	for i := range 20_000 {
		name := fmt.Sprint("n", i%50)
		before := c.Load(name)
		if before < last[name] {
			t.Fatalf("%s went back from %d to %d", name, last[name], before)
		}
		c.Bump(name)
		after := c.Load(name)
		if after <= before {
			t.Fatalf("%s went from %d to %d at a bump", name, before, after)
		}
		last[name] = after
	}
	<-done
}

// helperDB names the database TestHelperProcessBump bumps "x" in, when
// the test binary runs as another process.
const helperDB = "ARCA_GENERATION_HELPER_DB"

// TestHelperProcessBump is another process writing to the database: it
// runs only as the child of TestMarksSeeAnotherProcess.
func TestHelperProcessBump(t *testing.T) {
	path := os.Getenv(helperDB)
	if path == "" {
		t.Skip("runs as another process of TestMarksSeeAnotherProcess")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(context.Background(), func(q store.Queries) error { return q.BumpGenerations(context.Background(), "x") }); err != nil {
		t.Fatal(err)
	}
}

// With the SQLite store's commit marks, a Sync with nothing committed
// since the last one skips the query, and a change committed by another
// process (a second `arca serve`, or `arca token revoke`, over the same
// database) is still read at the next Sync.
func TestMarksSeeAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "arca.db")
	raw, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	st := &countingStore{Store: raw}
	c, err := New(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	var marker Marker = raw
	var m store.CommitMark
	if !marker.CommitMark(&m) {
		t.Fatal("the SQLite store gave no mark of an open database")
	}
	c.UseMarks(marker)
	sync := func() {
		t.Helper()
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sync()
	if st.reads != 1 {
		t.Fatalf("the first sync read the store %d times, want 1", st.reads)
	}
	sync()
	if st.reads != 1 {
		t.Errorf("a sync with nothing committed since the last one read the store (%d reads)", st.reads)
	}

	x0 := c.Load("x")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestHelperProcessBump$", "-test.count", "1")
	cmd.Env = append(os.Environ(), helperDB+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other process: %v\n%s", err, out)
	}
	sync()
	if st.reads != 2 {
		t.Errorf("the sync after another process's commit read the store %d times in all, want 2", st.reads)
	}
	if c.Load("x") == x0 {
		t.Error("the counter of x did not move at the sync after another process bumped it")
	}

	// A commit through this process's own store moves the mark too.
	if err := raw.Update(ctx, func(q store.Queries) error { return q.BumpGenerations(ctx, "y") }); err != nil {
		t.Fatal(err)
	}
	y0 := c.Load("y")
	sync()
	if c.Load("y") == y0 {
		t.Error("the counter of y did not move at the sync after a commit the counters did not make")
	}
}
