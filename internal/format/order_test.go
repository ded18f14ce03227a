package format

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortKeptMatchesFullSort grows, shrinks and reorders a package's
// versions at random: every SortKept gives what a full sort gives.
func TestSortKeptMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	o := NewOrders[string](1 << 20)
	var vs []string
	for round := range 300 {
		switch rng.IntN(4) {
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
		}
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		got := slices.Clone(vs)
		SortKept(o, "pkg", got, func(s string) string { return s }, CompareSemVer)
		want := slices.Clone(vs)
		slices.SortStableFunc(want, CompareSemVer)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: SortKept = %v, want %v", round, got, want)
		}
	}
	var none *Orders[string]
	got := []string{"1.10.0", "1.2.0", "1.9.0"}
	SortKept(none, "pkg", got, func(s string) string { return s }, CompareSemVer)
	if !slices.Equal(got, []string{"1.2.0", "1.9.0", "1.10.0"}) {
		t.Errorf("SortKept without orders = %v", got)
	}
}
