package format

import "sort"

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

// hasEqualNeighbours reports whether two items next to each other in
// sorted compare equal.
func hasEqualNeighbours[T any](sorted []T, cmp func(a, b T) int) bool {
	for i := 1; i < len(sorted); i++ {
		if cmp(sorted[i-1], sorted[i]) == 0 {
			return true
		}
	}
	return false
}
