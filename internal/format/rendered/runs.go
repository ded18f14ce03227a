package rendered

import (
	"crypto/sha256"
	"encoding/binary"
)

// Runs keeps the parts that the long middle of a document (one entry per
// version of a package) is sent in: runs of consecutive entries, each
// made into a Part once and kept by what its entries were made from.
// Runs are cut after an entry whose name hashes to a cut (one in
// runItems on average, at most maxRunItems apart), a rule that depends on
// that entry only: a new version, or a changed one, re-makes the one run
// it falls in, and every other run of the document is the part kept from
// the previous rendering, compressed already. A run of a few dozen
// entries (tens of kilobytes) compresses nearly as well as the whole
// document, DEFLATE's window being 32 KB. A nil *Runs makes every run
// each time.
type Runs struct {
	f *Fragments[runKey, *Part]
}

// runKey is a digest of what a run was made from.
type runKey [sha256.Size]byte

// runItems is the average number of entries in a run, maxRunItems the
// most.
const (
	runItems    = 64
	maxRunItems = 4 * runItems
)

// NewRuns returns a cache of runs of at most max bytes.
func NewRuns(max int64) *Runs {
	return &Runs{f: NewFragments[runKey](max, (*Part).Size)}
}

// Entries is a sequence of a document's entries, for Runs.Parts.
type Entries struct {
	// Scope names what every entry's rendering depends on beside its own
	// key (package name, base URL, kind of document): runs are kept
	// under it.
	Scope string
	// Len is the number of entries.
	Len int
	// Name is entry i's name among the others (its version): runs are
	// cut by it.
	Name func(i int) string
	// Revision names what entry i is made from beside its name (the
	// version's revision); "" when it has none (a version only in a
	// public registry): its run is made every time.
	Revision func(i int) string
	// Render makes entry i's bytes, for a run not kept.
	Render func(i int) []byte
	// Sep separates entries (a comma in JSON, nothing in HTML).
	Sep string
}

// Parts returns the entries joined by Sep as parts, in order: each run's
// part is the kept one when its entries' names and revisions (and Scope,
// and whether it is the first) are those it was made from.
func (r *Runs) Parts(e Entries) []*Part {
	var parts []*Part
	// The runs' keys are digested from one buffer, grown once.
	key := make([]byte, 0, 4096)
	for start := 0; start < e.Len; {
		end := start + 1
		for end < e.Len && end-start < maxRunItems && !isCut(e.Name(end-1)) {
			end++
		}
		var p *Part
		p, key = r.run(e, start, end, key[:0])
		parts = append(parts, p)
		start = end
	}
	return parts
}

// isCut reports whether a run ends after the entry named name: its
// 64-bit FNV-1a hash is a multiple of runItems (computed here rather than
// with hash/fnv, which costs an allocation per name, thousands per
// document).
func isCut(name string) bool {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= prime
	}
	return h%runItems == 0
}

// run returns the part of entries [start, end), and key (empty, its
// room reused) as it grew.
func (r *Runs) run(e Entries, start, end int, key []byte) (*Part, []byte) {
	render := func(level int) *Part {
		var b []byte
		for i := start; i < end; i++ {
			if i > 0 {
				b = append(b, e.Sep...)
			}
			b = append(b, e.Render(i)...)
		}
		return newPart(b, level)
	}
	// The key digests the fields, each preceded by its length, written
	// into one buffer (not one allocation per field).
	field := func(s string) {
		key = binary.AppendUvarint(key, uint64(len(s)))
		key = append(key, s...)
	}
	field(e.Scope)
	field(e.Sep)
	if start == 0 {
		field("first")
	}
	for i := start; i < end; i++ {
		rev := e.Revision(i)
		if rev == "" || r == nil {
			return render(oneTimeLevel), key
		}
		field(e.Name(i))
		field(rev)
	}
	return r.f.Get(sha256.Sum256(key), func() *Part { return render(partLevel) }), key
}

// oneTimeLevel is the compression level of parts made for one rendering
// only.
const oneTimeLevel = 1 // flate.BestSpeed
