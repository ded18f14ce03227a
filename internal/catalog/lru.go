package catalog

import (
	"container/list"
	"sync"

	"github.com/arcahq/arca/internal/cachesize"
)

// lru keeps values by key within a byte bound, least recently used out
// first. An entry larger than limit is not kept (a huge one must not
// flush everything else). Entries not used for a while go when the server
// is quiet (cachesize.DropUnused).
type lru[K comparable, V any] struct {
	max, limit int64

	mu      sync.Mutex
	size    int64
	entries map[K]*list.Element
	order   *list.List // of *lruEntry, most recently used first
}

type lruEntry[K comparable, V any] struct {
	key     K
	value   V
	size    int64
	lastUse uint32 // cachesize.Now when last kept or read
}

func newLRU[K comparable, V any](max, limit int64) *lru[K, V] {
	l := &lru[K, V]{max: max, limit: limit, entries: map[K]*list.Element{}, order: list.New()}
	cachesize.Register(l, (*lru[K, V]).dropUnused)
	return l
}

// get returns the value kept for key.
func (l *lru[K, V]) get(key K) (v V, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok {
		return v, false
	}
	l.order.MoveToFront(e)
	en := e.Value.(*lruEntry[K, V])
	en.lastUse = cachesize.Now()
	return en.value, true
}

// put keeps value for key, replacing what was kept; a value over the
// limit is not kept, and what was kept for key goes.
func (l *lru[K, V]) put(key K, value V, size int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[key]; ok {
		l.remove(e)
	}
	if size > l.limit {
		return
	}
	l.entries[key] = l.order.PushFront(&lruEntry[K, V]{key, value, size, cachesize.Now()})
	l.size += size
	for l.size > l.max {
		l.remove(l.order.Back())
	}
}

// drop forgets key.
func (l *lru[K, V]) drop(key K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[key]; ok {
		l.remove(e)
	}
}

// dropUnused drops the entries last used before tick before and returns
// the bytes they held; they are the last ones in order of use.
func (l *lru[K, V]) dropUnused(before uint32) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var freed int64
	for e := l.order.Back(); e != nil && e.Value.(*lruEntry[K, V]).lastUse < before; e = l.order.Back() {
		freed += e.Value.(*lruEntry[K, V]).size
		l.remove(e)
	}
	return freed
}

func (l *lru[K, V]) remove(e *list.Element) {
	en := l.order.Remove(e).(*lruEntry[K, V])
	delete(l.entries, en.key)
	l.size -= en.size
}
