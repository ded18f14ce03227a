package catalog

import (
	"container/list"
	"sync"
)

// lru keeps values by key within a byte bound, least recently used out
// first. An entry larger than limit is not kept (a huge one must not
// flush everything else).
type lru[K comparable, V any] struct {
	max, limit int64

	mu      sync.Mutex
	size    int64
	entries map[K]*list.Element
	order   *list.List // of *lruEntry, most recently used first
}

type lruEntry[K comparable, V any] struct {
	key   K
	value V
	size  int64
}

func newLRU[K comparable, V any](max, limit int64) *lru[K, V] {
	return &lru[K, V]{max: max, limit: limit, entries: map[K]*list.Element{}, order: list.New()}
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
	return e.Value.(*lruEntry[K, V]).value, true
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
	l.entries[key] = l.order.PushFront(&lruEntry[K, V]{key, value, size})
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

func (l *lru[K, V]) remove(e *list.Element) {
	en := l.order.Remove(e).(*lruEntry[K, V])
	delete(l.entries, en.key)
	l.size -= en.size
}
