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
	sortAll := func(vs []string) { slices.SortFunc(vs, CompareSemVer) }
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
				cc := *c
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
					list = append(list, &resolve.Candidate{Version: store.Version{Version: v, Status: artifact.Published}})
				}
			}
		}
		vw := view()
		got, err := s.Items("pkg", vw, item, sortAll, CompareSemVer)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := (*Sorted[string, string])(nil).Items("pkg", vw, item, sortAll, CompareSemVer)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: %v\nfrom scratch %v", round, got, want)
		}
		if again, _ := s.Items("pkg", vw, item, sortAll, CompareSemVer); &again[0] != &got[0] {
			t.Fatalf("round %d: a view grown by nothing was derived again", round)
		}
	}
}
