package format

import "slices"

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
