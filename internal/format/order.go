package format

import (
	"slices"
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
	byVersion := func(a, b int) int { return cmp(version(items[a]), version(items[b])) }
	slices.SortStableFunc(added, byVersion)
	if hasEqualNeighbours(added, byVersion) {
		full()
		return
	}
	kept := make([]int, 0, known)
	for _, i := range byRank {
		if i != 0 {
			kept = append(kept, i-1)
		}
	}
	merged, _ := Merge(kept, added, byVersion) // distinct: not in the kept order
	sorted := make([]T, len(items))
	for j, i := range merged {
		sorted[j] = items[i]
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

// SortParsedAfter sorts items as SortParsed does, using prev (their
// versions in that order as an earlier SortParsedAfter returned them)
// for the items whose versions it holds: those keep their places, and
// only the others are parsed, sorted and placed among them (Merge). It
// returns items' versions in their order when they can serve as the next
// prev (all parsable, each once), nil otherwise (then items are sorted by
// SortParsed).
func SortParsedAfter[T, V any](items []T, prev []string, version func(T) string, parse func(string) (V, error), cmp func(V, V) int) []string {
	fromScratch := func() []string {
		SortParsed(items, version, parse, cmp)
		return nil
	}
	// An item by its index in items, and its parsed version's in parsed
	// (-1: in prev, not parsed).
	type item struct{ i, p int }
	var parsed []V
	rank := make(map[string]int, len(prev))
	for i, v := range prev {
		rank[v] = i
	}
	byRank := make([]int, len(prev)) // index in items + 1 of the version of each rank
	var added []item
	for i, it := range items {
		if r, ok := rank[version(it)]; ok {
			if byRank[r] != 0 {
				return fromScratch() // twice
			}
			byRank[r] = i + 1
			continue
		}
		v, err := parse(version(it))
		if err != nil {
			return fromScratch()
		}
		added = append(added, item{i, len(parsed)})
		parsed = append(parsed, v)
	}
	// Parsable distinct versions: the order is total, and SortParsed's.
	compare := func(a, b item) int { // b is parsed
		var va V
		if a.p < 0 {
			va, _ = parse(version(items[a.i])) // in prev: parsed before
		} else {
			va = parsed[a.p]
		}
		return compareParsed(version(items[a.i]), version(items[b.i]), va, parsed[b.p], nil, nil, cmp)
	}
	slices.SortFunc(added, compare)
	for j := 1; j < len(added); j++ {
		if version(items[added[j-1].i]) == version(items[added[j].i]) {
			return fromScratch() // twice
		}
	}
	known := make([]item, 0, len(items))
	for _, i := range byRank {
		if i > 0 {
			known = append(known, item{i - 1, -1})
		}
	}
	merged, _ := Merge(known, added, compare)
	sorted := make([]T, len(items))
	order := make([]string, len(items))
	for j, it := range merged {
		sorted[j] = items[it.i]
		order[j] = version(items[it.i])
	}
	copy(items, sorted)
	return order
}
