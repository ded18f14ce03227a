package npm

import (
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
// holds (format.SortParsedAfter). It returns vs's versions in their order
// when they can serve as the next prev, nil otherwise (a version twice,
// or one that is not semver: then vs is sorted from scratch).
func sortVersions(vs []*Version, prev []string) []string {
	return format.SortParsedAfter(vs, prev, func(v *Version) string { return v.Version }, semver.StrictNewVersion, (*semver.Version).Compare)
}
