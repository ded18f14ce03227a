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
func sortReleases(rs []Release, prev []string) []string {
	rank := make(map[string]int, len(prev))
	for i, v := range prev {
		rank[v] = i
	}
	type ranked struct {
		rank int
		r    Release
	}
	var known []ranked
	var added []Release
	seen := make(map[string]bool, len(rs))
	for _, r := range rs {
		if seen[r.Version] {
			SortVersions(rs, func(r Release) string { return r.Version })
			return nil // a version twice: order is the input's too
		}
		seen[r.Version] = true
		if i, ok := rank[r.Version]; ok {
			known = append(known, ranked{i, r})
		} else {
			added = append(added, r)
		}
	}
	parsed := make([]pep440.Version, len(added))
	for i, r := range added {
		v, err := pep440.Parse(r.Version)
		if err != nil {
			SortVersions(rs, func(r Release) string { return r.Version })
			return nil // not PEP 440: ordered by name among themselves
		}
		parsed[i] = v
	}
	slices.SortFunc(known, func(a, b ranked) int { return a.rank - b.rank })
	// Distinct PEP 440 versions: the order is total, and SortVersions'.
	order := func(a string, va pep440.Version, b string, vb pep440.Version) int {
		if c := va.Compare(vb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	}
	idx := make([]int, len(added))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int { return order(added[i].Version, parsed[i], added[j].Version, parsed[j]) })
	out := rs[:0]
	next := 0
	for _, i := range idx {
		a, va := added[i], parsed[i]
		rest := known[next:]
		j := next + sort.Search(len(rest), func(k int) bool {
			vk, _ := pep440.Parse(rest[k].r.Version) // parsed before: in prev
			return order(rest[k].r.Version, vk, a.Version, va) > 0
		})
		for _, k := range known[next:j] {
			out = append(out, k.r)
		}
		out = append(out, a)
		next = j
	}
	for _, k := range known[next:] {
		out = append(out, k.r)
	}
	versions := make([]string, len(out))
	for i, r := range out {
		versions[i] = r.Version
	}
	return versions
}
