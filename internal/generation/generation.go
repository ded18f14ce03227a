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
// When the store gives a mark of what it has committed (UseMarks: SQLite's
// WAL index header, shared by every process on the database), a read
// whose mark has not moved since the last one skips the query: nothing
// was committed anywhere, so the counters are as recent as the store.
//
// Memory: the counters held are bounded in bytes (Bytes, a share of the
// server's cache budget: package cachesize), and those unused for a while
// go when the server is quiet (cachesize.DropUnused). A name without a
// counter answers its bucket's floor. Dropping a counter is safe because
// every value is drawn from one sequence: before a counter goes, the
// floor of its bucket moves to a value never drawn before, above every
// value any counter had, so the name comes back at a value nothing was
// cached under (and every other counterless name of the bucket moves
// too, which only costs a cache miss). So each name's value never goes
// back, and moves at every change announced under it.
package generation

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
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

// Marker is what Counters may also read from the store when it gives one
// (sqlstore.Store over SQLite): a mark of everything committed, read
// without a query. Equal marks read one after the other mean nothing
// committed in between, by any process (store.CommitMark).
type Marker interface {
	CommitMark(m *store.CommitMark) bool
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

	m      sync.Map      // name -> *counter
	seq    atomic.Uint64 // the last value drawn; every value is drawn from here
	floors [floorBuckets]atomic.Uint64
	size   atomic.Int64 // bytes held by the counters in m
	limit  int64        // bound of size; 0 is Bytes
	// dropMu keeps drops (which move floors, then delete counters) apart
	// from Bumps (which draw values and raise or add counters).
	dropMu   sync.RWMutex
	register sync.Once

	last atomic.Int64 // the highest store sequence value seen

	// syncMu serialises reads of the store; synced is when the last
	// completed one started, in nanoseconds since epoch (monotonic), or -1.
	syncMu sync.Mutex
	epoch  time.Time
	synced atomic.Int64

	// marker, when the store gives one; mark is what it read before the
	// last read of the store, if marked; read is where the next mark is
	// read (all under syncMu).
	marker     Marker
	mark, read store.CommitMark
	marked     bool
}

// Bytes is the share of the cache budget (package cachesize) of the
// counters, at the default budget: some 20,000 names.
const Bytes = 4 << 20

// floorBuckets is how many floors counterless names share.
const floorBuckets = 256

// counter is one name's counter.
type counter struct {
	v       atomic.Uint64
	lastUse atomic.Uint32 // cachesize.Now when last loaded or bumped
	size    int64
}

// raise moves the counter up to v (never down: Bumps may race).
func (g *counter) raise(v uint64) {
	for old := g.v.Load(); old < v && !g.v.CompareAndSwap(old, v); old = g.v.Load() {
	}
}

func (g *counter) touch() {
	if now := cachesize.Now(); g.lastUse.Load() != now {
		g.lastUse.Store(now)
	}
}

// counterBytes is what a counter of name takes: the name, the counter and
// the map's node.
func counterBytes(name string) int64 {
	return cachesize.StringBytes(name) + 24 + cachesize.EntryOverhead
}

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
	c.SetCacheBudget(cachesize.Default)
	c.synced.Store(-1)
	return c, nil
}

// UseMarks makes Sync skip its read of the store when m's mark has not
// moved since the last read: nothing was committed, by any process, so
// there is nothing to read. Call it before the counters are used.
func (c *Counters) UseMarks(m Marker) { c.marker = m }

// SetCacheBudget bounds the counters held to their share of the server's
// cache budget. Call it before the counters are used.
func (c *Counters) SetCacheBudget(budget int64) { c.limit = cachesize.Share(Bytes, budget) }

// HeldBytes returns the bytes the counters held count.
func (c *Counters) HeldBytes() int64 { return c.size.Load() }

// Load returns the counter of name: a number that moves with every
// change announced under it, and never goes back.
func (c *Counters) Load(name string) uint64 {
	if g, ok := c.m.Load(name); ok {
		g := g.(*counter)
		g.touch()
		return g.v.Load()
	}
	return c.floors[cachesize.Bucket(name, floorBuckets)].Load()
}

// Bump moves the counters of names in this process (after the change
// they announce committed).
func (c *Counters) Bump(names ...string) {
	c.register.Do(func() { cachesize.Register(c, (*Counters).dropUnused) })
	c.dropMu.RLock()
	grown := false
	for _, name := range names {
		// Drawn while no drop runs: above the floor the name answers now.
		v := c.seq.Add(1)
		if g, ok := c.m.Load(name); ok {
			g := g.(*counter)
			g.raise(v)
			g.touch()
			continue
		}
		g := &counter{size: counterBytes(name)}
		g.v.Store(v)
		g.lastUse.Store(cachesize.Now())
		if old, loaded := c.m.LoadOrStore(name, g); loaded {
			old.(*counter).raise(v)
			continue
		}
		grown = c.size.Add(g.size) > c.bound() || grown
	}
	c.dropMu.RUnlock()
	if grown {
		c.shrink()
	}
}

func (c *Counters) bound() int64 {
	if c.limit == 0 {
		return Bytes
	}
	return c.limit
}

// shrink brings the counters back to three quarters of their bound:
// first those not used in this tick or the one before, then any.
func (c *Counters) shrink() {
	now := cachesize.Now()
	target := c.bound() / 4 * 3
	c.drop(func(g *counter) bool { return g.lastUse.Load()+1 >= now }, target)
	c.drop(func(*counter) bool { return false }, target)
}

// dropUnused drops the counters last used before tick before.
func (c *Counters) dropUnused(before uint32) int64 {
	return c.drop(func(g *counter) bool { return g.lastUse.Load() >= before }, -1)
}

// drop drops the counters keep does not keep until the bytes held are at
// most target (-1: all of them), and returns the bytes they held. The
// floor of a counter's bucket moves before the counter goes (see the
// package doc): a Load that no longer finds the counter finds the new
// floor, above every value the counter had. No Bump runs meanwhile, so
// none raises a counter being dropped above the new floor.
func (c *Counters) drop(keep func(*counter) bool, target int64) int64 {
	c.dropMu.Lock()
	defer c.dropMu.Unlock()
	var moved [floorBuckets]bool
	var freed int64
	if target >= 0 && c.size.Load() <= target {
		return 0
	}
	c.m.Range(func(name, g any) bool {
		g2 := g.(*counter)
		if keep(g2) {
			return true
		}
		if b := cachesize.Bucket(name.(string), floorBuckets); !moved[b] {
			c.floors[b].Store(c.seq.Add(1))
			moved[b] = true
		}
		c.m.Delete(name)
		c.size.Add(-g2.size)
		freed += g2.size
		return target < 0 || c.size.Load() > target
	})
	return freed
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
	// The mark is read before the store: a commit after this read moves
	// the next mark, one before it is in what the read below returns.
	marked := c.marker != nil && c.marker.CommitMark(&c.read)
	if marked && c.marked && c.read == c.mark {
		c.synced.Store(int64(started))
		return nil
	}
	c.marked = false
	list, err := c.st.GenerationsSince(ctx, c.last.Load())
	if err != nil {
		return err
	}
	c.mark, c.marked = c.read, marked
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
