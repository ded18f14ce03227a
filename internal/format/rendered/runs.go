package rendered

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
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
	parts, _ := r.PartsAfter(e, nil, nil)
	return parts
}

// Layout is how Parts cut a sequence of entries into runs, and what each
// run was made from: kept beside the sequence, it lets the next rendering
// of the sequence with entries inserted take every run that holds no new
// entry as it is, without reading its entries again (PartsAfter).
type Layout struct {
	starts []int32  // each run's first entry
	keys   []runKey // each run's key; zero: made for one rendering
	len    int
}

// Size is the memory the layout holds.
func (l *Layout) Size() int64 { return 64 + int64(len(l.starts))*(4+sha256.Size) }

// PartsAfter is Parts for a sequence that is the one prev was made from
// with entries inserted, and possibly some removed: old(i) is the index in
// that sequence of entry i, -1 for an inserted one (the old entries keep
// their order, and an entry that changed is one removed and one
// inserted). The runs of prev whose entries are all still there and
// consecutive are taken by their keys; only the runs around the inserted
// and removed entries are cut and keyed again. A nil prev cuts every run.
// It returns the layout of e too.
func (r *Runs) PartsAfter(e Entries, prev *Layout, old func(i int) int) ([]*Part, *Layout) {
	var parts []*Part
	next := &Layout{len: e.Len}
	for start := 0; start < e.Len; {
		if end, key, ok := prev.reusable(start, e.Len, old); ok && r != nil {
			parts = append(parts, r.f.Get(key, func() *Part { return e.render(start, end, partLevel) }))
			next.starts, next.keys = append(next.starts, int32(start)), append(next.keys, key)
			start = end
			continue
		}
		end := start + 1
		for end < e.Len && end-start < maxRunItems && !isCut(e.Name(end-1)) {
			end++
		}
		part, key := r.run(e, start, end)
		parts = append(parts, part)
		next.starts, next.keys = append(next.starts, int32(start)), append(next.keys, key)
		start = end
	}
	return parts, next
}

// reusable reports whether the entries from start on begin with one of
// l's kept runs, unchanged, and returns where it ends and its key. A run
// is cut by its own entries alone (a cut after its last one, or its
// length), so the same entries from a run's start make the same run;
// except the last run of l, which ended for want of entries and goes on
// in a longer sequence, and the first run, which alone has no separator.
func (l *Layout) reusable(start, n int, old func(i int) int) (end int, key runKey, ok bool) {
	if l == nil {
		return 0, key, false
	}
	o := old(start)
	if o < 0 || (o == 0) != (start == 0) {
		return 0, key, false
	}
	j, found := slices.BinarySearch(l.starts, int32(o))
	if !found || l.keys[j] == (runKey{}) {
		return 0, key, false
	}
	oldEnd := l.len
	if j+1 < len(l.starts) {
		oldEnd = int(l.starts[j+1])
	}
	end = start + oldEnd - o
	if end > n || old(end-1) != oldEnd-1 || (oldEnd == l.len && end != n) {
		return 0, key, false
	}
	for i := start + 1; i < end-1; i++ {
		if old(i) != o+i-start { // an entry removed, another inserted
			return 0, key, false
		}
	}
	return end, l.keys[j], true
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

// render makes the part of entries [start, end) at a compression level.
func (e Entries) render(start, end, level int) *Part {
	var b []byte
	for i := start; i < end; i++ {
		if i > 0 {
			b = append(b, e.Sep...)
		}
		b = append(b, e.Render(i)...)
	}
	return newPart(b, level)
}

// run returns the part of entries [start, end) and its key (zero when the
// part is made for this rendering only).
func (r *Runs) run(e Entries, start, end int) (*Part, runKey) {
	// The key digests the fields, each preceded by its length, written
	// into one buffer (not one allocation per field).
	key := make([]byte, 0, 1024)
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
			return e.render(start, end, oneTimeLevel), runKey{}
		}
		field(e.Name(i))
		field(rev)
	}
	sum := runKey(sha256.Sum256(key))
	return r.f.Get(sum, func() *Part { return e.render(start, end, partLevel) }), sum
}

// oneTimeLevel is the compression level of parts made for one rendering
// only.
const oneTimeLevel = 1 // flate.BestSpeed
