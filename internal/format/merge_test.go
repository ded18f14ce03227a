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

// weighed is a version with a weight that orders before it.
type weighed struct {
	v string
	w int
}

// TestSortKeepingAnItemEqualToAKeptOne sorts an item added that compares
// equal to a kept one (an order that is not total): the two stay in the
// order they were derived, as a stable sort leaves them, not after the
// kept one.
func TestSortKeepingAnItemEqualToAKeptOne(t *testing.T) {
	items := []weighed{{"2.0.0", 0}, {"1.0.0", 0}, {"3.0.0", 1}}
	sortKeeping([]weighed{{"1.0.0", 0}, {"3.0.0", 1}}, items, func(it weighed) string { return it.v }, func(a, b weighed) int { return a.w - b.w })
	if want := []weighed{{"2.0.0", 0}, {"1.0.0", 0}, {"3.0.0", 1}}; !slices.Equal(items, want) {
		t.Errorf("sortKeeping = %v, want %v", items, want)
	}
}

// TestPlaceAddedRefusesEqualItems places added items in an order that
// is not total (by weight alone): an item equal to a kept one or to
// another added one is refused (the caller sorts every item), others are
// placed.
func TestPlaceAddedRefusesEqualItems(t *testing.T) {
	byWeight := func(a, b weighed) int { return a.w - b.w }
	kept := []weighed{{"1.0.0", 0}, {"2.0.0", 2}}
	for _, c := range []struct {
		added []weighed
		want  []weighed // nil: refused
	}{
		{[]weighed{{"4.0.0", 3}, {"3.0.0", 1}}, []weighed{{"1.0.0", 0}, {"3.0.0", 1}, {"2.0.0", 2}, {"4.0.0", 3}}},
		{[]weighed{{"3.0.0", 2}}, nil},
		{[]weighed{{"3.0.0", 1}, {"4.0.0", 1}}, nil},
	} {
		got, ok := placeAdded(kept, slices.Clone(c.added), byWeight)
		if ok != (c.want != nil) || !slices.Equal(got, c.want) {
			t.Errorf("placeAdded(%v) = %v, %v; want %v", c.added, got, ok, c.want)
		}
	}
}
