package format

import (
	"slices"
	"sort"
	"time"

	"github.com/arcahq/arca/internal/format/rendered"
)

// Orders keeps, per package, its versions in the order its format sorts
// them, so that a document rebuilt after a publish places the one new
// version by binary search instead of sorting thousands again (a
// comparison parses both versions: sorting 5,000 takes tens of
// milliseconds). Keys name a package in a repository. A nil *Orders
// keeps nothing: every sort is a full one.
type Orders[K comparable] struct {
	c *rendered.Cache[K, *order]
}

// order is a package's versions in order, with each one's place.
type order struct {
	versions []string
	rank     map[string]int
}

func (o *order) size() int64 {
	n := int64(64 * len(o.versions))
	for _, v := range o.versions {
		n += int64(2 * len(v))
	}
	return n
}

// NewOrders returns orders holding at most max bytes.
func NewOrders[K comparable](max int64) *Orders[K] {
	return &Orders[K]{c: rendered.NewCache[K](max, (*order).size, time.Now)}
}

// SortKept sorts items by their versions (version names an item's) in
// cmp's order, which must be total: only equal strings compare equal (as
// CompareParsed's). The versions kept under key keep their places; the
// others are placed by binary search; the result is what a full sort
// gives. A version twice among items makes it a full (stable) sort.
func SortKept[K comparable, T any](o *Orders[K], key K, items []T, version func(T) string, cmp func(a, b string) int) {
	var prev *order
	if o != nil {
		prev, _ = o.c.Peek(key, 0)
	}
	full := func() {
		slices.SortStableFunc(items, func(a, b T) int { return cmp(version(a), version(b)) })
		keepOrder(o, key, items, version)
	}
	if prev == nil {
		full()
		return
	}
	// Items whose version is kept, by place (a version twice: full sort).
	byRank := make([]int, len(prev.versions))
	var added []int
	known := 0
	for i, it := range items {
		r, ok := prev.rank[version(it)]
		if !ok {
			added = append(added, i)
			continue
		}
		if byRank[r] != 0 {
			full()
			return
		}
		byRank[r] = i + 1
		known++
	}
	if len(added) == 0 && known == len(prev.versions) {
		sorted := make([]T, 0, len(items))
		for _, i := range byRank {
			sorted = append(sorted, items[i-1])
		}
		copy(items, sorted)
		return
	}
	slices.SortStableFunc(added, func(a, b int) int { return cmp(version(items[a]), version(items[b])) })
	for i := 1; i < len(added); i++ {
		if cmp(version(items[added[i-1]]), version(items[added[i]])) == 0 {
			full()
			return
		}
	}
	kept := make([]int, 0, known)
	for _, i := range byRank {
		if i != 0 {
			kept = append(kept, i-1)
		}
	}
	sorted := make([]T, 0, len(items))
	next := 0
	for _, a := range added {
		v := version(items[a])
		rest := kept[next:]
		j := next + sort.Search(len(rest), func(k int) bool { return cmp(version(items[rest[k]]), v) > 0 })
		for _, k := range kept[next:j] {
			sorted = append(sorted, items[k])
		}
		sorted = append(sorted, items[a])
		next = j
	}
	for _, k := range kept[next:] {
		sorted = append(sorted, items[k])
	}
	copy(items, sorted)
	keepOrder(o, key, items, version)
}

// keepOrder keeps the order of sorted items under key, when their
// versions are distinct.
func keepOrder[K comparable, T any](o *Orders[K], key K, items []T, version func(T) string) {
	if o == nil {
		return
	}
	kept := &order{versions: make([]string, len(items)), rank: make(map[string]int, len(items))}
	for i, it := range items {
		v := version(it)
		if _, twice := kept.rank[v]; twice {
			return
		}
		kept.versions[i], kept.rank[v] = v, i
	}
	o.c.Put(key, 0, kept)
}
