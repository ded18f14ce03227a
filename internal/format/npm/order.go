package npm

import (
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/arcahq/arca/internal/format"
)

// Sorting a package's thousands of versions by semver on every rebuild of
// its documents costs milliseconds (each version is parsed, and a stable
// sort moves them many times). A rebuild that cannot extend the kept
// state of the package (kept.go) places the versions of the kept semver
// order without sorting them again, and only the others by binary search.

// sortVersions sorts vs into format.SortParsed's semver order, using prev
// (versions in that order, each once, all semver) for the versions it
// holds. It returns vs's versions in their order when they can serve as
// the next prev, nil otherwise (a version twice, or one that is not
// semver: then vs is sorted from scratch).
func sortVersions(vs []*Version, prev []string) []string {
	fromScratch := func() []string {
		format.SortParsed(vs, func(v *Version) string { return v.Version }, semver.StrictNewVersion, (*semver.Version).Compare)
		return nil
	}
	rank := make(map[string]int, len(prev))
	for i, v := range prev {
		rank[v] = i
	}
	byRank := make([]int, len(prev)) // index in vs + 1 of the version of each rank
	type added struct {
		sv *semver.Version
		i  int
	}
	var news []added
	for i, v := range vs {
		if r, ok := rank[v.Version]; ok {
			if byRank[r] != 0 {
				return fromScratch() // twice
			}
			byRank[r] = i + 1
			continue
		}
		sv, err := semver.StrictNewVersion(v.Version)
		if err != nil {
			return fromScratch()
		}
		news = append(news, added{sv, i})
	}
	// Distinct semver versions: the order is total, and SortParsed's.
	compare := func(a string, va *semver.Version, b string, vb *semver.Version) int {
		if c := va.Compare(vb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	}
	slices.SortFunc(news, func(x, y added) int { return compare(vs[x.i].Version, x.sv, vs[y.i].Version, y.sv) })
	for j := 1; j < len(news); j++ {
		if vs[news[j].i].Version == vs[news[j-1].i].Version {
			return fromScratch() // twice
		}
	}
	known := make([]int, 0, len(vs))
	for _, i := range byRank {
		if i > 0 {
			known = append(known, i-1)
		}
	}
	if len(news) > 0 {
		merged := make([]int, 0, len(vs))
		k := 0
		for _, n := range news {
			// The first known version after n, from k on.
			at := sort.Search(len(known)-k, func(j int) bool {
				ki := known[k+j]
				sv, _ := semver.StrictNewVersion(vs[ki].Version) // in prev: semver
				return compare(vs[ki].Version, sv, vs[n.i].Version, n.sv) > 0
			})
			merged = append(merged, known[k:k+at]...)
			merged = append(merged, n.i)
			k += at
		}
		known = append(merged, known[k:]...)
	}
	sorted := make([]*Version, len(vs))
	order := make([]string, len(vs))
	for j, i := range known {
		sorted[j] = vs[i]
		order[j] = vs[i].Version
	}
	copy(vs, sorted)
	return order
}
