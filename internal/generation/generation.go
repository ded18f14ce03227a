// Package generation keeps the named change counters that Arca's caches
// key on, and keeps them in step across every server over one store.
//
// A cache entry is tagged with the counter of what it was read from (a
// domain's structure, a package's versions, IAM state, the revocations)
// and is good while the counter has not moved. A write bumps its
// counters twice: in the store, in the transaction of the change
// (store.Generations), and in the process once it commits, so the server
// that made it sees it at once. Sync brings in the changes other servers
// made: one indexed read of the counters above the last sequence value
// seen, empty when nothing changed; each name returned is bumped here.
//
// Freshness: Sync is called as a request is authenticated, and one read
// serves every request that arrives within the window after its start,
// without a lock; a later request waits for a read that starts after it
// arrived (one read at a time: requests that arrive together share it).
// So a change
// committed through one server binds every request that reaches another
// server more than Window after the commit; Window is a millisecond by
// default, which keeps the read off nearly every request of a busy
// server (see docs/PERFORMANCE.md). With Window 0 every request reads.
package generation

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/store"
)

// DefaultWindow is how long one read of the store's counters serves the
// requests that arrive after it started.
const DefaultWindow = time.Millisecond

// Store is what Counters read from the metadata store.
type Store interface {
	GenerationsSince(ctx context.Context, after int64) ([]store.Generation, error)
	LatestGeneration(ctx context.Context) (int64, error)
}

// Updater runs transactions (store.Store).
type Updater interface {
	Update(ctx context.Context, fn func(q store.Queries) error) error
}

// Counters are named change counters. The zero value counts the changes
// of this process only; New makes counters that Sync with a store.
type Counters struct {
	st     Store
	window time.Duration

	m    sync.Map // name -> *atomic.Uint64
	n    atomic.Int64
	base atomic.Uint64 // added to every counter; moves when m starts over

	last atomic.Int64 // the highest store sequence value seen

	// syncMu serialises reads of the store; synced is when the last
	// completed one started, in nanoseconds since epoch (monotonic), or -1.
	syncMu sync.Mutex
	epoch  time.Time
	synced atomic.Int64
}

// maxNames bounds the counters held; past it they start over, every
// counter moving at once (every cache entry goes stale once).
const maxNames = 1 << 20

// New returns counters that Sync with st, starting from its current
// sequence (what the process caches is empty, so older changes do not
// matter). window is how long a read serves later arrivals.
func New(ctx context.Context, st Store, window time.Duration) (*Counters, error) {
	latest, err := st.LatestGeneration(ctx)
	if err != nil {
		return nil, err
	}
	c := &Counters{st: st, window: window, epoch: time.Now()}
	c.last.Store(latest)
	c.synced.Store(-1)
	return c, nil
}

// Load returns the counter of name: a number that moves with every
// change announced under it.
func (c *Counters) Load(name string) uint64 {
	base := c.base.Load()
	if g, ok := c.m.Load(name); ok {
		return base + g.(*atomic.Uint64).Load()
	}
	return base
}

// Bump moves the counters of names in this process (after the change
// they announce committed).
func (c *Counters) Bump(names ...string) {
	for _, name := range names {
		g, loaded := c.m.LoadOrStore(name, new(atomic.Uint64))
		if !loaded && c.n.Add(1) > maxNames {
			c.startOver()
			continue
		}
		g.(*atomic.Uint64).Add(1)
	}
}

// startOver forgets every counter and moves the base past any value a
// counter had, so that every Load answers a number never answered before.
func (c *Counters) startOver() {
	c.base.Add(1 << 40)
	c.m.Clear()
	c.n.Store(0)
}

// Changes collects the names a transaction's change moves.
type Changes struct{ names []string }

// Add names counters the change moves.
func (ch *Changes) Add(names ...string) { ch.names = append(ch.names, names...) }

// Update runs fn in a transaction of st. The counters fn adds to ch are
// bumped in the store in that transaction and, once it commits, here.
func (c *Counters) Update(ctx context.Context, st Updater, fn func(q store.Queries, ch *Changes) error) error {
	var ch Changes
	err := st.Update(ctx, func(q store.Queries) error {
		ch = Changes{}
		if err := fn(q, &ch); err != nil {
			return err
		}
		return q.BumpGenerations(ctx, ch.names...)
	})
	if err == nil {
		c.Bump(ch.names...)
	}
	return err
}

// Sync makes the counters at least as recent as the store was Window
// before Sync was called, reading the changes made since the last read
// (by any server) and bumping their names here. Counters without a
// store have nothing to read.
func (c *Counters) Sync(ctx context.Context) error {
	if c.st == nil {
		return nil
	}
	arrived := time.Since(c.epoch)
	// Without the lock first: within the window a request neither reads
	// nor waits for a read under way.
	if c.fresh(arrived) {
		return nil
	}
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if c.fresh(arrived) {
		return nil
	}
	started := time.Since(c.epoch)
	list, err := c.st.GenerationsSince(ctx, c.last.Load())
	if err != nil {
		return err
	}
	last := c.last.Load()
	for _, g := range list {
		if g.Name != "" {
			c.Bump(g.Name)
		}
		last = max(last, g.Value)
	}
	c.last.Store(last)
	c.synced.Store(int64(started))
	return nil
}

// fresh reports whether a read that started less than the window before
// arrived (or after it) has completed.
func (c *Counters) fresh(arrived time.Duration) bool {
	s := c.synced.Load()
	return s >= 0 && time.Duration(s) > arrived-c.window
}
