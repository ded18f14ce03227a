package rendered

import "time"

// Fragments keeps pieces of documents (one version's part of a package
// document, rendered or decoded) by a key that names what they were made
// from (a version's revision, which every change to its metadata or
// assets changes), so that a document of thousands of versions is
// assembled from pieces made once, and a publish makes one more piece
// instead of every version's again. Keys name content, so an entry never
// goes stale: it is only evicted, least recently used first, beyond the
// byte bound. A nil *Fragments makes the piece every time.
type Fragments[K comparable, V any] struct {
	c *Cache[K, V]
}

// NewFragments returns a fragment cache holding at most max bytes, as
// size counts a piece's.
func NewFragments[K comparable, V any](max int64, size func(V) int64) *Fragments[K, V] {
	return &Fragments[K, V]{c: NewCache[K](max, func(v V) int64 { return size(v) + fragmentOverhead }, time.Now)}
}

// fragmentOverhead is the memory an entry holds beside its piece (key,
// list element, map slot), roughly.
const fragmentOverhead = 160

// Get returns the piece for key, making it once if it is not kept.
func (f *Fragments[K, V]) Get(key K, make func() V) V {
	if f == nil {
		return make()
	}
	v, _ := f.c.Load(key, 0, func() (V, bool, error) { return make(), false, nil })
	return v
}

// Peek returns the piece kept for key, if any, without making it.
func (f *Fragments[K, V]) Peek(key K) (V, bool) {
	if f == nil {
		var v V
		return v, false
	}
	return f.c.Peek(key, 0)
}

// Forget drops the piece kept for key: one no rendering will ask for
// again, which would otherwise hold its memory until evicted.
func (f *Fragments[K, V]) Forget(key K) {
	if f != nil {
		f.c.Delete(key)
	}
}

// BytesSize is the size of a []byte piece.
func BytesSize(b []byte) int64 { return int64(len(b)) }

// StringsSize is the memory a []string holds (a kept order of versions).
func StringsSize(vs []string) int64 {
	n := int64(24 * len(vs))
	for _, v := range vs {
		n += int64(len(v))
	}
	return n
}
