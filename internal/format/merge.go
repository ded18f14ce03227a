package format

import (
	"slices"
	"sort"
)

// Merge returns kept with added placed among them, both in cmp's order:
// each item of added after the kept items that compare equal to it (and
// after the items of added before it), found by binary search in the
// part of kept after the previous one's place. It is how a format's kept
// order of a package's versions takes the versions added since, without
// sorting every version again. added is sorted by the caller, which may
// compare its own items faster (versions parsed once); cmp is called with
// an item of kept first and one of added second, so that it may look the
// latter's parsed form up. The result is a new slice unless added is
// empty (kept is shared with the documents made from it: it is not
// modified). distinct reports whether no item of added compares equal to
// one of kept; whether items of added compare equal among themselves is
// the caller's to check.
func Merge[T any](kept, added []T, cmp func(k, a T) int) (merged []T, distinct bool) {
	if len(added) == 0 {
		return kept, true
	}
	merged = make([]T, 0, len(kept)+len(added))
	distinct = true
	next := 0
	for _, a := range added {
		rest := kept[next:]
		j := next + sort.Search(len(rest), func(k int) bool { return cmp(rest[k], a) > 0 })
		// An equal kept item is the last before j. When j is next, it was
		// checked against the item of added before (which a equals, then).
		if distinct && j > next && cmp(kept[j-1], a) == 0 {
			distinct = false
		}
		merged = append(append(merged, kept[next:j]...), a)
		next = j
	}
	return append(merged, kept[next:]...), distinct
}

// placeAdded returns kept (in cmp's order) with added (in any order;
// sorted in place) placed among them by Merge; ok false when an item of
// added compares equal to another one or to one of kept (not a total
// order: the caller sorts every item). It is how a kept order is
// extended along a view's Lineage (Sorted, Relist).
func placeAdded[T any](kept, added []T, cmp func(a, b T) int) (merged []T, ok bool) {
	slices.SortFunc(added, cmp)
	for i := 1; i < len(added); i++ {
		if cmp(added[i-1], added[i]) == 0 {
			return nil, false
		}
	}
	if merged, ok = Merge(kept, added, cmp); !ok {
		return nil, false
	}
	return merged, true
}

// sortKeeping sorts items stably in cmp's order, the items whose
// versions kept holds (kept: in cmp's order, from an earlier sort) in
// kept's order and the others sorted and placed among them (Merge). When
// the items kept are no longer in order, or one compares equal to one
// kept, it sorts all of them. It is how a kept order takes any other
// change (Sorted and Relist when a view is derived whole).
func sortKeeping[T any](kept, items []T, version func(T) string, cmp func(a, b T) int) {
	full := func() { slices.SortStableFunc(items, cmp) }
	if len(kept) == 0 {
		full()
		return
	}
	at := make(map[string]int, len(items)) // an item's index, by version
	for i, it := range items {
		v := version(it)
		if _, twice := at[v]; twice {
			full()
			return
		}
		at[v] = i
	}
	placed := make([]T, 0, len(items))
	for _, k := range kept {
		v := version(k)
		if i, ok := at[v]; ok {
			if n := len(placed); n > 0 && cmp(placed[n-1], items[i]) >= 0 {
				full() // an item's place changed with it
				return
			}
			placed = append(placed, items[i])
			delete(at, v)
		}
	}
	added := make([]T, 0, len(at))
	for _, it := range items {
		if _, ok := at[version(it)]; ok {
			added = append(added, it)
		}
	}
	slices.SortStableFunc(added, cmp)
	merged, distinct := Merge(placed, added, cmp)
	if !distinct { // added equal among themselves keep their order
		full()
		return
	}
	copy(items, merged)
}
