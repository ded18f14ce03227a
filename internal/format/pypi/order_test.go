package pypi

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortReleasesMatchesSortVersions checks that sorting with a kept
// order, as a rebuild does, gives exactly SortVersions' order: with
// versions added and removed since, pre-, post- and dev-releases, epochs,
// and versions that are not PEP 440 (which sort from scratch).
func TestSortReleasesMatchesSortVersions(t *testing.T) {
	pool := []string{"1.0", "1.0.0", "1.0.post1", "1.0rc1", "1.0a1", "1.0.dev3", "1!0.1", "2.0", "0.9", "10.0", "1.10", "1.9", "1.0+local.1", "1.0.1", "3.0b2", "3.0b10"}
	for i := range 40 {
		pool = append(pool, fmt.Sprintf("1.%d.%d", i/7, i%7))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vs []string) []*Release {
		var rs []*Release
		for _, v := range vs {
			if rng.IntN(3) > 0 {
				rs = append(rs, &Release{Version: v})
			}
		}
		rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
		return rs
	}
	versions := func(rs []*Release) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Version)
		}
		return out
	}
	var prev []string
	for round := range 200 {
		vs := pool
		if round%50 == 49 {
			vs = append(slices.Clone(pool), "not a version", "another")
		}
		rs := pick(vs)
		want := slices.Clone(rs)
		SortVersions(want, func(r *Release) string { return r.Version })
		order := sortReleases(rs, prev)
		if got, w := versions(rs), versions(want); !slices.Equal(got, w) {
			t.Fatalf("round %d: with kept order %q\ngot  %q\nwant %q", round, prev, got, w)
		}
		if order != nil {
			if !slices.Equal(order, versions(want)) {
				t.Fatalf("round %d: order to keep %q, want %q", round, order, versions(want))
			}
			prev = order
		}
	}
}
