package cachesize

import (
	"sync"
	"sync/atomic"
)

// Map is a concurrent map bounded in bytes, for the small caches read on
// every request (credentials, principals, compiled policies, resource
// attributes): a hit is a lock-free read. Each entry counts the bytes
// its holder says it takes plus EntryOverhead (the map's own node and
// the entry's header). Past its bound a Map drops, in one pass, the
// entries not used since the previous tick and then any others until it
// holds three quarters of its bound (a random choice: sync.Map's order);
// entries unused for a while go when the server is quiet (DropUnused).
// A dropped entry is only a miss: whoever asks next reads it again.
type Map[K comparable, V any] struct {
	max     int64
	largest int64 // the largest entry kept
	size    atomic.Int64
	m       sync.Map // K -> *mapEntry[V]
	trim    sync.Mutex
}

type mapEntry[V any] struct {
	v       V
	size    int64
	lastUse atomic.Uint32
}

// EntryOverhead is what a Map entry takes besides its key's and value's
// own bytes: sync.Map's node and indirection (about 64 bytes on 64-bit
// platforms, the trie's inner nodes shared among entries) and the entry
// header with its size and stamp (32 bytes), rounded up.
const EntryOverhead = 112

// NewMap returns an empty Map holding at most max bytes, registered with
// DropUnused.
func NewMap[K comparable, V any](max int64) *Map[K, V] {
	return NewMapOfLarge[K, V](max, max/4)
}

// NewMapOfLarge is NewMap for a Map whose entries may each hold up to
// largest bytes (NewMap's: a quarter of the bound), for caches of few,
// large values that are worth keeping even if one fills half of it.
func NewMapOfLarge[K comparable, V any](max, largest int64) *Map[K, V] {
	m := &Map[K, V]{max: max, largest: largest}
	Register(m, (*Map[K, V]).dropUnused)
	return m
}

// Load returns the value kept for key.
func (m *Map[K, V]) Load(key K) (v V, ok bool) {
	e, ok := m.m.Load(key)
	if !ok {
		return v, false
	}
	en := e.(*mapEntry[V])
	// Written only when the clock moved: a hit rarely dirties the line.
	if now := Now(); en.lastUse.Load() != now {
		en.lastUse.Store(now)
	}
	return en.v, true
}

// Store keeps v for key; size is the bytes of the key and the value (what
// they reference and nothing else holds). A value larger than a quarter
// of the bound (NewMapOfLarge: its largest) is not kept, and what was
// kept for key goes.
func (m *Map[K, V]) Store(key K, v V, size int64) {
	size += EntryOverhead
	if size > m.largest {
		m.Delete(key)
		return
	}
	en := &mapEntry[V]{v: v, size: size}
	en.lastUse.Store(Now())
	old, loaded := m.m.Swap(key, en)
	if loaded {
		size -= old.(*mapEntry[V]).size
	}
	if m.size.Add(size) > m.max {
		m.shrink(en)
	}
}

// Delete forgets key.
func (m *Map[K, V]) Delete(key K) {
	if old, ok := m.m.LoadAndDelete(key); ok {
		m.size.Add(-old.(*mapEntry[V]).size)
	}
}

// Clear forgets everything.
func (m *Map[K, V]) Clear() {
	m.m.Range(func(k, e any) bool {
		if m.m.CompareAndDelete(k, e) {
			m.size.Add(-e.(*mapEntry[V]).size)
		}
		return true
	})
}

// Bytes returns the bytes the Map counts as held.
func (m *Map[K, V]) Bytes() int64 { return m.size.Load() }

// shrink brings the Map back to three quarters of its bound: first the
// entries not used in this tick or the one before, then any but kept
// (just stored). One caller shrinks at a time; the others go on.
func (m *Map[K, V]) shrink(kept *mapEntry[V]) {
	if !m.trim.TryLock() {
		return
	}
	defer m.trim.Unlock()
	target := m.max / 4 * 3
	now := Now()
	for pass := range 2 {
		m.m.Range(func(k, e any) bool {
			en := e.(*mapEntry[V])
			if en != kept && (pass == 1 || en.lastUse.Load()+1 < now) && m.m.CompareAndDelete(k, e) {
				m.size.Add(-en.size)
			}
			return m.size.Load() > target
		})
		if m.size.Load() <= target {
			return
		}
	}
}

// dropUnused drops the entries last used before tick before.
func (m *Map[K, V]) dropUnused(before uint32) int64 {
	var freed int64
	m.m.Range(func(k, e any) bool {
		en := e.(*mapEntry[V])
		if en.lastUse.Load() < before && m.m.CompareAndDelete(k, e) {
			m.size.Add(-en.size)
			freed += en.size
		}
		return true
	})
	return freed
}

// StringBytes is what a string takes: its header and its bytes.
func StringBytes(s string) int64 { return 16 + int64(len(s)) }

// Bucket hashes s (FNV-1a) into one of n buckets, for caches that keep a
// mark per bucket of what they dropped.
func Bucket(s string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return int(h % uint32(n))
}
