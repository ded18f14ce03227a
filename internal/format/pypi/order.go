package pypi

import (
	"slices"
	"sort"
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

// Sorting a project's thousands of versions by PEP 440 on every rebuild of
// its pages costs tens of milliseconds (parsing a version takes
// microseconds, and so does comparing two: the library formats both each
// time). The order a project's versions were last sorted in is kept
// (Format.orders), and a rebuild places only the versions not in it, by
// binary search: a publish sorts one version, not 5,000.

// orderKey names a project whose versions' order is kept.
type orderKey struct {
	repository int64
	project    string
}

// sortReleases sorts rs into SortVersions' order, using prev (versions in
// that order, all of them PEP 440, each once) for the versions it holds.
// It returns rs's versions in their order when they can serve as the next
// prev (all PEP 440, each once), nil otherwise.
func sortReleases(rs []*Release, prev []string) []string {
	fromScratch := func() []string {
		SortVersions(rs, func(r *Release) string { return r.Version })
		return nil
	}
	rank := make(map[string]int, len(prev))
	for i, v := range prev {
		rank[v] = i
	}
	byRank := make([]int, len(prev)) // index in rs + 1 of the version of each rank
	var added []int
	for i := range rs {
		if r, ok := rank[rs[i].Version]; ok {
			if byRank[r] != 0 {
				return fromScratch() // a version twice: order is the input's too
			}
			byRank[r] = i + 1
		} else {
			added = append(added, i)
		}
	}
	parsed := make(map[int]pep440.Version, len(added))
	for _, i := range added {
		v, err := pep440.Parse(rs[i].Version)
		if err != nil {
			return fromScratch() // not PEP 440: ordered by name among themselves
		}
		parsed[i] = v
	}
	// Distinct PEP 440 versions: the order is total, and SortVersions'.
	order := comparePEP440
	slices.SortFunc(added, func(i, j int) int { return order(rs[i].Version, parsed[i], rs[j].Version, parsed[j]) })
	for k := 1; k < len(added); k++ {
		if rs[added[k]].Version == rs[added[k-1]].Version {
			return fromScratch() // a version twice
		}
	}
	known := make([]int, 0, len(rs))
	for _, i := range byRank {
		if i > 0 {
			known = append(known, i-1)
		}
	}
	merged := known
	if len(added) > 0 {
		merged = make([]int, 0, len(rs))
		next := 0
		for _, a := range added {
			rest := known[next:]
			j := next + sort.Search(len(rest), func(k int) bool {
				vk, _ := pep440.Parse(rs[rest[k]].Version) // parsed before: in prev
				return order(rs[rest[k]].Version, vk, rs[a].Version, parsed[a]) > 0
			})
			merged = append(merged, known[next:j]...)
			merged = append(merged, a)
			next = j
		}
		merged = append(merged, known[next:]...)
	}
	sorted := make([]*Release, len(rs))
	versions := make([]string, len(rs))
	for j, i := range merged {
		sorted[j] = rs[i]
		versions[j] = rs[i].Version
	}
	copy(rs, sorted)
	return versions
}

// comparePEP440 orders distinct PEP 440 versions a and b (parsed as va
// and vb) as SortVersions does: by PEP 440, then by their strings.
func comparePEP440(a string, va pep440.Version, b string, vb pep440.Version) int {
	c, ok := compareReleases(a, b)
	if !ok {
		c = va.Compare(vb)
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
