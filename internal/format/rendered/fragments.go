package rendered

import "time"

// Fragments keeps rendered pieces of documents (one version's part of a
// package document) by a key that names what they were rendered from (a
// version's revision, which every change to its metadata or assets
// changes), so that a document of thousands of versions is assembled from
// pieces rendered once, and a publish renders one more piece instead of
// every version again. Keys name content, so an entry never goes stale:
// it is only evicted, least recently used first, beyond the byte bound.
// A nil *Fragments renders every time.
type Fragments[K comparable] struct {
	c *Cache[K, []byte]
}

// NewFragments returns a fragment cache holding at most max bytes.
func NewFragments[K comparable](max int64) *Fragments[K] {
	return &Fragments[K]{c: NewCache[K](max, func(b []byte) int64 { return int64(len(b)) + fragmentOverhead }, time.Now)}
}

// fragmentOverhead is the memory an entry holds beside its bytes (key,
// list element, map slot), roughly.
const fragmentOverhead = 160

// Get returns the piece for key, rendering it once if it is not kept.
func (f *Fragments[K]) Get(key K, render func() []byte) []byte {
	if f == nil {
		return render()
	}
	b, _ := f.c.Load(key, 0, func() ([]byte, bool, error) { return render(), false, nil })
	return b
}
