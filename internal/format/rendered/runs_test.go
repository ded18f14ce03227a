package rendered

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// PartsAfter, given the layout of a sequence and where its entries went
// after insertions, cuts the longer sequence into the runs Parts cuts it
// into (so that later renderings find the same runs kept), with the same
// bytes, and makes again only the runs holding a new entry, rendering
// only the new entries.
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
		old := make([]int, len(next))
		j := 0
		for i, n := range next {
			if j < len(names) && names[j] == n {
				old[i], j = j, j+1
			} else {
				old[i] = -1
			}
		}
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
		// Only the new entries are rendered: the others of the runs made
		// again are taken from the runs they replace.
		if remade != len(next)-len(names) {
			t.Fatalf("round %d: %d entries rendered for %d new", round, remade, len(next)-len(names))
		}
		// The runs the insertions replaced are dropped: the cache holds
		// the new layout's runs and no others.
		if kept := len(runs.f.c.entries); kept != len(nextLayout.keys) {
			t.Fatalf("round %d: %d runs kept for a layout of %d", round, kept, len(nextLayout.keys))
		}
		for _, p := range parts {
			if cap(p.plain) != len(p.plain) {
				t.Fatalf("round %d: a run of %d bytes holds %d", round, len(p.plain), cap(p.plain))
			}
		}
		names, layout = next, nextLayout
	}
}

func join(parts []*Part) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p.Bytes()...)
	}
	return b
}

// PartsAfter also takes a sequence with entries removed and changed (a
// new revision): the runs are those Parts cuts, with the same bytes, and
// only the new and changed entries are rendered.
func TestPartsAfterChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type entry struct{ name, rev string }
	seq := make([]entry, 0, 2000)
	for i := range 2000 {
		seq = append(seq, entry{fmt.Sprintf("v%05d", i*10), "r0"})
	}
	runs := NewRuns(64 << 20)
	made := 0
	entries := func(seq []entry) Entries {
		return Entries{
			Scope: "s", Len: len(seq), Sep: ",",
			Name:     func(i int) string { return seq[i].name },
			Revision: func(i int) string { return seq[i].rev },
			Render:   func(i int) []byte { made++; return []byte(seq[i].name + "=" + seq[i].rev) },
		}
	}
	_, layout := runs.PartsAfter(entries(seq), nil, nil)
	for round := range 40 {
		next := slices.Clone(seq)
		changed := 0
		for range 1 + rng.IntN(3) {
			switch i := rng.IntN(len(next)); rng.IntN(3) {
			case 0: // removed (the first one too)
				if round%10 == 0 {
					i = 0
				}
				next = slices.Delete(next, i, i+1)
			case 1: // changed
				next[i].rev = fmt.Sprintf("r%d", round+1)
				changed++
			default: // inserted
				name := fmt.Sprintf("v%05d", rng.IntN(20000)|1)
				if at, found := slices.BinarySearchFunc(next, name, func(e entry, n string) int { return strings.Compare(e.name, n) }); !found {
					next = slices.Insert(next, at, entry{name, "r0"})
					changed++
				}
			}
		}
		// Both sequences are in name order: an entry is the same one
		// when its name and revision are.
		old := make([]int, len(next))
		j := 0
		for i, e := range next {
			for j < len(seq) && seq[j].name < e.name {
				j++
			}
			old[i] = -1
			if j < len(seq) && seq[j] == e {
				old[i] = j
			}
		}
		made = 0
		parts, nextLayout := runs.PartsAfter(entries(next), layout, func(i int) int { return old[i] })
		remade := made
		want, wantLayout := NewRuns(64<<20).PartsAfter(entries(next), nil, nil)
		if !bytes.Equal(join(parts), join(want)) {
			t.Fatalf("round %d: the parts after changes are not the sequence's", round)
		}
		if !slices.Equal(nextLayout.starts, wantLayout.starts) || !slices.Equal(nextLayout.keys, wantLayout.keys) {
			t.Fatalf("round %d: the runs after changes are not those Parts cuts", round)
		}
		if remade != changed {
			t.Fatalf("round %d: %d entries rendered for %d new or changed", round, remade, changed)
		}
		if kept := len(runs.f.c.entries); kept != len(nextLayout.keys) {
			t.Fatalf("round %d: %d runs kept for a layout of %d", round, kept, len(nextLayout.keys))
		}
		seq, layout = next, nextLayout
	}
}
