package ruby

import (
	"slices"
	"unsafe"
)

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
	gems      []gemID   // what the Marshal index lists of each gem
	info      *document // nil when no gem is Published
	infoBytes int64     // the size of info's plain bytes
	history   []VersionsEvent
	grow      *growth // nil: the list is not extended, but built again
	// decoded is the last gem decoded for the list (a kept decoded gem,
	// read only): the gems decoded for its extension share its strings.
	decoded *Gem
}

// size is what a gemList holds: its gems (their strings and slices are
// the decoded gems', counted by the extras cache), its versions lines,
// its info file (its parts, and the plain and gzip bytes joined from
// them once served), and what an extension continues from.
func (l *gemList) size() int64 {
	n := 64 + int64(cap(l.gems))*int64(unsafe.Sizeof(gemID{})) + int64(cap(l.history))*int64(unsafe.Sizeof(VersionsEvent{}))
	for _, e := range l.history { // its Name is the package's
		n += int64(16*cap(e.Entries) + len(e.InfoMD5))
		for _, s := range e.Entries {
			n += int64(len(s))
		}
	}
	if l.info != nil {
		n += 2 * l.info.Size()
	}
	if l.grow != nil {
		n += 256 + int64(cap(l.grow.info.tail)) // with its MD5 state
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
