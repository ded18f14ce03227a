package ruby

// RubyGems' 16 MiB share of the cache budget.
const (
	// GemsCacheBytes bounds the memory of the cached gem lists and info
	// files.
	GemsCacheBytes = 12 << 20
	// ExtraCacheBytes bounds the memory of versions' decoded gems.
	ExtraCacheBytes = 4 << 20
)

// extraKey names a version's decoded gems: what they were decoded from
// (a version's revision changes with every change to its metadata).
type extraKey struct {
	name, version, revision string
}

// gemsSize is roughly the memory of a version's decoded gems.
func gemsSize(gems []Gem) int64 {
	n := int64(64)
	for _, g := range gems {
		n += 512 + int64(len(g.Summary)+len(g.Description))
		for _, d := range g.Dependencies {
			n += 64 + int64(len(d.Name))
		}
	}
	return n
}

// gemsKey names a package's gems as one repository's clients see them.
type gemsKey struct {
	repository int64
	name       string
}

// gemList is a package's Published gems in push order, its compact index
// info file rendered from them, and its lines of the versions file.
type gemList struct {
	gems    []Gem
	info    *document // nil when no gem is Published
	history []VersionsEvent
}

// size is what a gemList is counted as in the cache: the info file (its
// plain and gzip bytes, and, roughly, the gems it was rendered from
// again), and its versions lines.
func (l *gemList) size() int64 {
	n := 96*int64(len(l.history)) + 64
	if l.info != nil {
		n += l.info.Size() + int64(len(l.info.Bytes()))
	}
	return n
}
