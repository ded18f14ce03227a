package npm

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/arcahq/arca/internal/format"
)

// sortVersions with a kept order gives format.SortParsed's order exactly,
// as versions are added and removed, with prereleases and build metadata,
// and falls back to sorting from scratch on a version that is not semver.
func TestSortVersionsMatchesSortParsed(t *testing.T) {
	pool := []string{"1.0.0", "1.0.1", "1.0.10", "1.0.2", "1.1.0-alpha", "1.1.0-alpha.1", "1.1.0-beta", "1.1.0", "1.1.0+build.5",
		"2.0.0-rc.1", "2.0.0", "10.0.0", "0.0.1", "0.9.9", "1.10.0", "1.2.0", "3.0.0-0", "3.0.0-alpha.10", "3.0.0-alpha.9"}
	for i := range 200 {
		pool = append(pool, semver.New(uint64(i%7), uint64(i%13), uint64(i), "", "").String())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var prev []string
	var have []string
	for round := range 300 {
		switch {
		case round%50 == 49: // one version not semver: sorted from scratch
			have = append(have, "latest-ish")
		case rng.IntN(4) == 0 && len(have) > 0:
			i := rng.IntN(len(have))
			have = slices.Delete(have, i, i+1)
		default:
			for range 1 + rng.IntN(3) {
				if v := pool[rng.IntN(len(pool))]; !slices.Contains(have, v) {
					have = append(have, v)
				}
			}
		}
		vs := make([]*Version, len(have))
		for i, v := range rng.Perm(len(have)) {
			vs[i] = &Version{Version: have[v]}
		}
		want := slices.Clone(vs)
		format.SortParsed(want, func(v *Version) string { return v.Version }, semver.StrictNewVersion, (*semver.Version).Compare)
		order := sortVersions(vs, prev)
		for i := range vs {
			if vs[i].Version != want[i].Version {
				t.Fatalf("round %d: position %d is %s, want %s", round, i, vs[i].Version, want[i].Version)
			}
		}
		if slices.Contains(have, "latest-ish") {
			if order != nil {
				t.Fatalf("round %d: an order with a version that is not semver is kept", round)
			}
			have = slices.DeleteFunc(have, func(v string) bool { return v == "latest-ish" })
		}
		prev = order
	}
}
