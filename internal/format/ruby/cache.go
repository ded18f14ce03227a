package ruby

import "slices"

// RubyGems' 16 MiB share of the cache budget.
const (
	// GemsCacheBytes bounds the memory of the cached gem lists and info
	// files.
	GemsCacheBytes = 10 << 20
	// VersionsCacheBytes bounds the memory of repositories' kept versions
	// files.
	VersionsCacheBytes = 2 << 20
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
	gems      []Gem
	info      *document // nil when no gem is Published
	infoBytes int64     // the size of info's plain bytes
	history   []VersionsEvent
	grow      *growth // nil: the list is not extended, but built again
}

// size is what a gemList is counted as in the cache: the info file (its
// plain and gzip bytes joined, the parts they are joined from, and,
// roughly, the gems it was rendered from again), and its versions lines.
func (l *gemList) size() int64 {
	n := 96*int64(len(l.history)) + 64
	if l.info != nil {
		n += 2*l.info.Size() + l.infoBytes
	}
	return n
}

// versionsFile is a repository's own versions file as last served, with
// the gem lists it was made from: while a read finds the same lists (each
// is replaced when its package changes), the kept document is sent. The
// lists are held so that their addresses are not reused.
type versionsFile struct {
	lists []*gemList
	doc   *document
}

// madeFrom reports whether v was made from exactly lists.
func (v *versionsFile) madeFrom(lists []*gemList) bool {
	return slices.Equal(v.lists, lists)
}

// size counts the document and the list of lists (the lists themselves
// are counted in the gems cache).
func (v *versionsFile) size() int64 { return v.doc.Size() + 8*int64(len(v.lists)) + 64 }
