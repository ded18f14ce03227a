package rendered

import (
	"container/list"
	"errors"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
)

// Cache keeps rendered values by key, least recently used out first. An
// entry is valid while the generation it was made at is the current one
// (the caller reads the package generation, which every change to the
// package and to the domain's structure changes) and, for values that
// depend on a public registry, until RemoteTTL has passed.
type Cache[K comparable, V any] struct {
	max     int64
	largest int64 // the largest entry kept
	size    func(V) int64
	now     func() time.Time

	mu      sync.Mutex
	used    int64
	entries map[K]*list.Element
	lru     *list.List // of *entry[K, V], most recently used first
	flights map[flightKey[K]]*flight[V]
	// rendering counts the renderings of each key under way, whatever
	// their generation.
	rendering map[K]int
}

type entry[K comparable, V any] struct {
	key        K
	generation uint64
	expires    time.Time // zero: valid until the generation changes
	size       int64
	value      V
	lastUse    uint32 // cachesize.Now when last kept or served
}

type flightKey[K comparable] struct {
	key        K
	generation uint64
}

// flight is one rendering that concurrent requests for the same key and
// generation wait for.
type flight[V any] struct {
	done  chan struct{}
	value V
	err   error
}

// NewCache returns a cache holding at most max bytes as size counts them,
// none of its entries larger than a quarter of that; now is its clock.
// Entries not used for a while go when the server is quiet
// (cachesize.DropUnused).
func NewCache[K comparable, V any](max int64, size func(V) int64, now func() time.Time) *Cache[K, V] {
	return NewCacheOfLarge[K](max, max/4, size, now)
}

// NewCacheOfLarge is NewCache for a cache whose entries may each hold up
// to largest bytes (NewCache's: a quarter of the bound), for values that
// grow with a package's versions and are worth keeping even if one fills
// half of it.
func NewCacheOfLarge[K comparable, V any](max, largest int64, size func(V) int64, now func() time.Time) *Cache[K, V] {
	c := &Cache[K, V]{
		max: max, largest: largest, size: size, now: now,
		entries: map[K]*list.Element{}, lru: list.New(), flights: map[flightKey[K]]*flight[V]{},
		rendering: map[K]int{},
	}
	cachesize.Register(c, (*Cache[K, V]).dropUnused)
	return c
}

// Load returns the value for key at generation gen: from the cache, or
// made by render, called once however many requests ask at the same time.
// render reports whether the value depends on a public registry. Its work
// should outlive a client that goes away, for the others waiting.
func (c *Cache[K, V]) Load(key K, gen uint64, render func() (v V, remote bool, err error)) (V, error) {
	return c.LoadAtLeast(key, gen, ^uint64(0), render)
}

// LoadAtLeast is Load, except that while a rendering of key is under way
// (at any generation), a value kept from an earlier generation, atLeast
// or later, is returned at once: readers beside a busy publisher get the
// previous rendering instead of each waiting for (or starting) a rebuild
// at every publish. atLeast is the generation of the requester's own last
// change (which it must see); values that depend on a public registry
// are never returned stale.
func (c *Cache[K, V]) LoadAtLeast(key K, gen, atLeast uint64, render func() (v V, remote bool, err error)) (V, error) {
	fk := flightKey[K]{key, gen}
	c.mu.Lock()
	if v, ok := c.lookup(key, gen); ok {
		c.mu.Unlock()
		return v, nil
	}
	if e, ok := c.entries[key]; ok && c.rendering[key] > 0 {
		en := e.Value.(*entry[K, V])
		if en.expires.IsZero() && en.generation < gen && en.generation >= atLeast {
			c.mu.Unlock()
			return en.value, nil
		}
	}
	if f, ok := c.flights[fk]; ok {
		c.mu.Unlock()
		<-f.done
		return f.value, f.err
	}
	f := &flight[V]{done: make(chan struct{})}
	c.flights[fk] = f
	c.rendering[key]++
	c.mu.Unlock()

	defer func() { // also when render panics, so that no waiter hangs
		c.mu.Lock()
		delete(c.flights, fk)
		if c.rendering[key]--; c.rendering[key] == 0 {
			delete(c.rendering, key)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	f.err = errPanicked
	f.value, f.err = c.render(key, gen, render)
	return f.value, f.err
}

// errPanicked is what waiters get when the rendering they waited for
// panicked.
var errPanicked = errors.New("rendered: rendering panicked")

func (c *Cache[K, V]) render(key K, gen uint64, render func() (V, bool, error)) (v V, err error) {
	v, remote, err := render()
	if err != nil {
		return v, err
	}
	var expires time.Time
	if remote {
		expires = c.now().Add(RemoteTTL)
	}
	c.put(&entry[K, V]{key: key, generation: gen, expires: expires, size: c.size(v), value: v})
	return v, nil
}

// lookup returns the valid entry for key; c.mu is held.
func (c *Cache[K, V]) lookup(key K, gen uint64) (v V, ok bool) {
	e, ok := c.entries[key]
	if !ok {
		return v, false
	}
	en := e.Value.(*entry[K, V])
	if !en.expires.IsZero() && !c.now().Before(en.expires) {
		c.remove(e)
		return v, false
	}
	if en.generation != gen {
		return v, false // kept for LoadAtLeast until replaced
	}
	c.lru.MoveToFront(e)
	en.lastUse = cachesize.Now()
	return en.value, true
}

// put stores en, replacing the entry for its key and evicting the least
// recently used ones beyond the bound.
func (c *Cache[K, V]) put(en *entry[K, V]) {
	if en.size > c.largest {
		return // one package must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[en.key]; ok {
		c.remove(e)
	}
	en.lastUse = cachesize.Now()
	c.entries[en.key] = c.lru.PushFront(en)
	c.used += en.size
	for c.used > c.max {
		c.remove(c.lru.Back())
	}
}

// dropUnused drops the entries last used before tick before and returns
// the bytes they held. The list is in order of use, so they are the
// last ones.
func (c *Cache[K, V]) dropUnused(before uint32) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var freed int64
	for e := c.lru.Back(); e != nil && e.Value.(*entry[K, V]).lastUse < before; e = c.lru.Back() {
		freed += e.Value.(*entry[K, V]).size
		c.remove(e)
	}
	return freed
}

func (c *Cache[K, V]) remove(e *list.Element) {
	en := c.lru.Remove(e).(*entry[K, V])
	delete(c.entries, en.key)
	c.used -= en.size
}

// Delete drops what is kept for key, if anything.
func (c *Cache[K, V]) Delete(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.remove(e)
	}
}

// Peek returns the valid value for key at generation gen, if one is kept.
func (c *Cache[K, V]) Peek(key K, gen uint64) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookup(key, gen)
}

// Put keeps v for key at generation gen, replacing what was kept.
func (c *Cache[K, V]) Put(key K, gen uint64, v V) {
	c.put(&entry[K, V]{key: key, generation: gen, size: c.size(v), value: v})
}

// Last returns the value kept for key whatever its generation (not one
// whose time has passed): what a rendering at a newer generation may
// extend instead of making its value anew.
func (c *Cache[K, V]) Last(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var v V
	e, ok := c.entries[key]
	if !ok {
		return v, false
	}
	en := e.Value.(*entry[K, V])
	if !en.expires.IsZero() && !c.now().Before(en.expires) {
		return v, false
	}
	return en.value, true
}
