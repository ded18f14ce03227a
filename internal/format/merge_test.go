package format

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMergeIsAStableSort merges sorted additions into kept orders, with
// keys repeated within and across both: the result is the stable sort of
// kept followed by added (an added item after the kept ones equal to it,
// and after the added ones before it), kept is left as it was, and
// distinct says whether an added key was kept already.
func TestMergeIsAStableSort(t *testing.T) {
	type item struct{ key, tag int }
	byKey := func(a, b item) int { return cmp.Compare(a.key, b.key) }
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 2000 {
		keys := 1 + rng.IntN(30)
		var kept, added []item
		for i := range rng.IntN(20) {
			kept = append(kept, item{rng.IntN(keys), i})
		}
		for i := range rng.IntN(6) {
			added = append(added, item{rng.IntN(keys), 100 + i})
		}
		slices.SortStableFunc(kept, byKey)
		slices.SortStableFunc(added, byKey)
		was := slices.Clone(kept)

		got, distinct := Merge(kept, added, byKey)

		want := slices.SortedStableFunc(slices.Values(append(slices.Clone(kept), added...)), byKey)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: Merge(%v, %v) = %v, want %v", round, kept, added, got, want)
		}
		if !slices.Equal(kept, was) {
			t.Fatalf("round %d: kept modified: %v, was %v", round, kept, was)
		}
		wantDistinct := !slices.ContainsFunc(added, func(a item) bool {
			return slices.ContainsFunc(kept, func(k item) bool { return k.key == a.key })
		})
		if distinct != wantDistinct {
			t.Fatalf("round %d: Merge(%v, %v) distinct = %v, want %v", round, kept, added, distinct, wantDistinct)
		}
		if len(added) == 0 && len(kept) > 0 && &got[0] != &kept[0] {
			t.Fatalf("round %d: nothing added, but a new slice", round)
		}
	}
}
