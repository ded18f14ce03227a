package pypi

import "github.com/arcahq/arca/internal/format"

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
// that order, all of them PEP 440, each once) for the versions it holds
// (format.SortParsedAfter). It returns rs's versions in their order when
// they can serve as the next prev (all PEP 440, each once), nil otherwise.
func sortReleases(rs []*Release, prev []string) []string {
	return format.SortParsedAfter(rs, prev, func(r *Release) string { return r.Version }, parseVersion, compareParsed)
}
