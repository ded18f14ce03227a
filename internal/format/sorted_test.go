package format

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// TestSortedExtendsALineage grows views of one lineage (publishes), with
// a new lineage at times (a status change: new candidates, one of them
// not shown), and checks each Items against the items sorted from
// scratch, and that views grown by nothing get the kept items.
func TestSortedExtendsALineage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := NewSorted[string](1<<20, func(string) int64 { return 16 })
	item := func(c *resolve.Candidate) (string, bool, error) {
		return c.Version.Version, c.Status.Downloadable(), nil
	}
	version := func(v string) string { return v }
	var list []*resolve.Candidate
	lineage := uint64(1)
	view := func() *resolve.View {
		v := &resolve.View{Versions: map[string]*resolve.Candidate{}, List: list[:len(list):len(list)], Lineage: lineage}
		for _, c := range list {
			v.Versions[c.Version.Version] = c
		}
		return v
	}
	seen := map[string]bool{}
	for round := range 200 {
		switch {
		case round%50 == 49: // a status change: the candidates anew
			lineage++
			next := make([]*resolve.Candidate, len(list))
			for i, c := range list {
				cc, cv := *c, *c.Version
				cc.Version = &cv
				if i == rng.IntN(len(list)) {
					cc.Status = artifact.Archived
				}
				next[i] = &cc
			}
			list = next
		default: // publishes
			for range 1 + rng.IntN(3) {
				v := fmt.Sprintf("%d.%d.%d", rng.IntN(4), rng.IntN(20), rng.IntN(20))
				if !seen[v] {
					seen[v] = true
					list = append(list, &resolve.Candidate{Version: &store.Version{Version: v, Status: artifact.Published}})
				}
			}
		}
		vw := view()
		got, err := s.Items("pkg", vw, item, version, CompareSemVer)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := (*Sorted[string, string])(nil).Items("pkg", vw, item, version, CompareSemVer)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: %v\nfrom scratch %v", round, got, want)
		}
		if again, _ := s.Items("pkg", vw, item, version, CompareSemVer); &again[0] != &got[0] {
			t.Fatalf("round %d: a view grown by nothing was derived again", round)
		}
	}
}

// TestSortedKeepsPlacesAcrossLineages gives every view a new lineage, its
// versions grown, shrunk and reordered at random (some not semver, some
// twice), and items whose place moves with their version at times (a
// weight ordering before the version): every Items gives what a nil
// *Sorted gives, a stable sort of every item, also when the order is not
// total (by weight alone).
func TestSortedKeepsPlacesAcrossLineages(t *testing.T) {
	total := func(a, b weighed) int {
		if a.w != b.w {
			return a.w - b.w
		}
		return CompareSemVer(a.v, b.v)
	}
	byWeight := func(a, b weighed) int { return a.w - b.w }
	for name, cmp := range map[string]func(a, b weighed) int{"total": total, "by weight": byWeight} {
		t.Run(name, func(t *testing.T) { testSortedKeepsPlaces(t, cmp) })
	}
}

func testSortedKeepsPlaces(t *testing.T, cmp func(a, b weighed) int) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := NewSorted[string](1<<20, func(weighed) int64 { return 24 })
	weight := map[string]int{}
	item := func(c *resolve.Candidate) (weighed, bool, error) {
		return weighed{c.Version.Version, weight[c.Version.Version]}, c.Status.Downloadable(), nil
	}
	version := func(it weighed) string { return it.v }
	var vs []string
	for round := range 300 {
		switch rng.IntN(5) {
		case 0, 1: // publishes (some not semver, some twice)
			for range 1 + rng.IntN(3) {
				v := fmt.Sprintf("%d.%d.%d", rng.IntN(3), rng.IntN(12), rng.IntN(12))
				switch rng.IntN(10) {
				case 0:
					v = fmt.Sprintf("v%d-rc%d", rng.IntN(3), rng.IntN(12))
				case 1:
					v += "-beta." + fmt.Sprint(rng.IntN(3))
				}
				if !slices.Contains(vs, v) || rng.IntN(20) == 0 {
					vs = append(vs, v)
				}
			}
		case 2: // a deletion
			if len(vs) > 0 {
				i := rng.IntN(len(vs))
				vs = slices.Delete(vs, i, i+1)
			}
		case 3: // a version's place moves
			if len(vs) > 0 {
				weight[vs[rng.IntN(len(vs))]] = rng.IntN(3)
			}
		}
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		vw := &resolve.View{Versions: map[string]*resolve.Candidate{}, Lineage: uint64(round + 1)}
		for _, v := range vs {
			c := &resolve.Candidate{Version: &store.Version{Version: v, Status: artifact.Published}}
			vw.List = append(vw.List, c)
			vw.Versions[v] = c
		}
		got, err := s.Items("pkg", vw, item, version, cmp)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := (*Sorted[string, weighed])(nil).Items("pkg", vw, item, version, cmp)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: Items = %v\nfrom scratch %v", round, got, want)
		}
	}
}
