package rendered

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// PartsAfter, given the layout of a sequence and where its entries went
// after insertions, cuts the longer sequence into the runs Parts cuts it
// into (so that later renderings find the same runs kept), with the same
// bytes, and makes again only the runs holding a new entry.
func TestPartsAfterInsertions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	names := make([]string, 0, 3000)
	for i := range 2000 {
		names = append(names, fmt.Sprintf("v%05d", i*10))
	}
	runs := NewRuns(64 << 20)
	made := 0
	entries := func(names []string) Entries {
		return Entries{
			Scope: "s", Len: len(names), Sep: ",",
			Name:     func(i int) string { return names[i] },
			Revision: func(i int) string { return "r" },
			Render:   func(i int) []byte { made++; return []byte(names[i]) },
		}
	}
	_, layout := runs.PartsAfter(entries(names), nil, nil)
	for round := range 40 {
		// Insert one to three names anywhere (first, last, between).
		next := slices.Clone(names)
		for range 1 + rng.IntN(3) {
			var name string
			switch rng.IntN(4) {
			case 0:
				name = fmt.Sprintf("a%05d", round)
			case 1:
				name = fmt.Sprintf("z%05d", round)
			default:
				name = fmt.Sprintf("v%05d", rng.IntN(20000)|1)
			}
			at, found := slices.BinarySearch(next, name)
			if !found {
				next = slices.Insert(next, at, name)
			}
		}
		old := oldIndexes(names, next, func(string, string) bool { return false })
		made = 0
		parts, nextLayout := runs.PartsAfter(entries(next), layout, func(i int) int { return old[i] })
		remade := made
		fresh := NewRuns(64 << 20)
		want, wantLayout := fresh.PartsAfter(entries(next), nil, nil)
		if !bytes.Equal(join(parts), join(want)) {
			t.Fatalf("round %d: the parts after insertions are not the sequence's", round)
		}
		if !slices.Equal(nextLayout.starts, wantLayout.starts) || !slices.Equal(nextLayout.keys, wantLayout.keys) {
			t.Fatalf("round %d: the runs after insertions are not those Parts cuts", round)
		}
		if remade == 0 || remade > 3*2*maxRunItems {
			t.Fatalf("round %d: %d entries made again for %d new", round, remade, len(next)-len(names))
		}
		names, layout = next, nextLayout
	}
}

// PartsAfter also takes a sequence with entries removed or changed (an
// entry made from another revision is one removed and one inserted in its
// place): the runs that held them are made again, with the new bytes, and
// the others are kept.
func TestPartsAfterChangesAndRemovals(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type entry struct{ name, rev string }
	seq := make([]*entry, 0, 2000)
	for i := range 2000 {
		seq = append(seq, &entry{fmt.Sprintf("v%05d", i), "r0"})
	}
	runs := NewRuns(64 << 20)
	made := 0
	entries := func(seq []*entry) Entries {
		return Entries{
			Scope: "s", Len: len(seq), Sep: ",",
			Name:     func(i int) string { return seq[i].name },
			Revision: func(i int) string { return seq[i].rev },
			Render:   func(i int) []byte { made++; return []byte(seq[i].name + "@" + seq[i].rev) },
		}
	}
	_, layout := runs.PartsAfter(entries(seq), nil, nil)
	for round := range 40 {
		next := slices.Clone(seq)
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(next))
			if rng.IntN(2) == 0 {
				next[i] = &entry{next[i].name, fmt.Sprintf("r%d", round+1)} // changed in place
			} else {
				next = slices.Delete(next, i, i+1)
			}
		}
		// Removed before e: an entry of a lower name, or e's former self.
		old := oldIndexes(seq, next, func(p, e *entry) bool { return p.name <= e.name })
		made = 0
		parts, nextLayout := runs.PartsAfter(entries(next), layout, func(i int) int { return old[i] })
		remade := made
		want, _ := NewRuns(64<<20).PartsAfter(entries(next), nil, nil)
		if !bytes.Equal(join(parts), join(want)) {
			t.Fatalf("round %d: the parts after changes and removals are not the sequence's", round)
		}
		if remade == 0 || remade > 3*2*maxRunItems {
			t.Fatalf("round %d: %d entries made again", round, remade)
		}
		seq, layout = next, nextLayout
	}
}

// oldIndexes maps each entry of next to its index in prev, -1 for one
// not there, walking both in order: removed(p, e) says that prev's entry
// p, which is not e, was removed before e.
func oldIndexes[E comparable](prev, next []E, removed func(p, e E) bool) []int {
	old := make([]int, len(next))
	j := 0
	for i, e := range next {
		for j < len(prev) && prev[j] != e && removed(prev[j], e) {
			j++
		}
		if j < len(prev) && prev[j] == e {
			old[i], j = j, j+1
		} else {
			old[i] = -1
		}
	}
	return old
}

func join(parts []*Part) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p.Bytes()...)
	}
	return b
}
