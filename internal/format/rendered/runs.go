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
	f *Fragments[runKey, *run]
}

// run is a kept run: its part, and where each of its entries starts in
// the part's bytes (after the separator before it), so that a run made
// again around an inserted entry takes its other entries from the run
// it replaces instead of rendering them again (PartsAfter).
type run struct {
	part   *Part
	starts []int32
}

func (r *run) size() int64 { return r.part.Size() + int64(4*len(r.starts)) }

// entry returns the bytes of the run's k-th entry.
func (r *run) entry(k int, sep string) []byte {
	end := len(r.part.plain)
	if k+1 < len(r.starts) {
		end = int(r.starts[k+1]) - len(sep)
	}
	return r.part.plain[r.starts[k]:end]
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
	return &Runs{f: NewFragments[runKey](max, (*run).size)}
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

	// kept, when set, returns entry i's bytes as a kept run holds them,
	// nil when none does (PartsAfter: the entries of the runs it
	// replaces).
	kept func(i int) []byte
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

// PartsAfter is Parts for a sequence made from the one prev was made
// from by inserting, removing or changing entries: old(i) is the index in
// that sequence of entry i when it is the same entry (same name and
// revision), -1 for a new or changed one (the old entries keep their
// order). The runs of prev whose entries are all still there, consecutive,
// are taken by their keys; only the runs around the new, changed and
// removed entries are cut and keyed again, their other entries taken
// from the runs of prev that hold them. A nil prev cuts every run. It
// returns the layout of e too.
//
// The runs of prev that the new layout does not hold (those a change
// fell in) are dropped from r: the sequence has moved past them, and
// each publish would otherwise leave one behind until the cache's bound
// evicts it (a document's worth of stale runs at a few thousand
// versions). Documents already made keep their parts.
func (r *Runs) PartsAfter(e Entries, prev *Layout, old func(i int) int) ([]*Part, *Layout) {
	parts, next := r.partsAfter(e, prev, old)
	if prev != nil && r != nil {
		held := make(map[runKey]bool, len(next.keys))
		for _, k := range next.keys {
			held[k] = true
		}
		for _, k := range prev.keys {
			if k != (runKey{}) && !held[k] {
				r.f.Forget(k)
			}
		}
	}
	return parts, next
}

func (r *Runs) partsAfter(e Entries, prev *Layout, old func(i int) int) ([]*Part, *Layout) {
	var parts []*Part
	next := &Layout{len: e.Len}
	if prev != nil && r != nil {
		e.kept = r.keptEntries(e.Sep, prev, old)
	}
	for start := 0; start < e.Len; {
		if end, key, ok := prev.reusable(start, e.Len, old); ok && r != nil {
			parts = append(parts, r.f.Get(key, func() *run { return e.render(start, end, partLevel) }).part)
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

// keptEntries returns the function that finds an entry of the sequence
// prev was made from in the run of prev that holds it, while r keeps it.
func (r *Runs) keptEntries(sep string, prev *Layout, old func(i int) int) func(i int) []byte {
	j, at := -1, (*run)(nil) // the run last looked at
	return func(i int) []byte {
		o := old(i)
		if o < 0 {
			return nil
		}
		if j < 0 || o < int(prev.starts[j]) || (j+1 < len(prev.starts) && o >= int(prev.starts[j+1])) {
			j, _ = slices.BinarySearch(prev.starts, int32(o))
			if j == len(prev.starts) || prev.starts[j] != int32(o) {
				j--
			}
			at = nil
			if k := prev.keys[j]; k != (runKey{}) {
				at, _ = r.f.Peek(k)
			}
		}
		if at == nil {
			return nil
		}
		return at.entry(o-int(prev.starts[j]), sep)
	}
}

// reusable reports whether the entries from start on begin with one of
// l's kept runs, unchanged, and returns where it ends and its key. A run
// is cut by its own entries alone (a cut after its last one, or its
// length), so the same entries from a run's start make the same run
// (each of them checked: an entry between may have been changed);
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
	if end > n || (oldEnd == l.len && end != n) {
		return 0, key, false
	}
	for i := start + 1; i < end; i++ { // every entry of the run, in order
		if old(i) != o+i-start {
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

// render makes the run of entries [start, end) at a compression level:
// each entry as a kept run holds it (e.kept) or rendered, joined into
// bytes of their exact length (a kept run holds no spare capacity, and
// no copies are left behind by growing it).
func (e Entries) render(start, end, level int) *run {
	entries := make([][]byte, end-start)
	n := 0
	for i := start; i < end; i++ {
		var b []byte
		if e.kept != nil {
			b = e.kept(i)
		}
		if b == nil {
			b = e.Render(i)
		}
		entries[i-start] = b
		n += len(b)
		if i > 0 {
			n += len(e.Sep)
		}
	}
	b := make([]byte, 0, n)
	starts := make([]int32, len(entries))
	for i, entry := range entries {
		if start+i > 0 {
			b = append(b, e.Sep...)
		}
		starts[i] = int32(len(b))
		b = append(b, entry...)
	}
	return &run{part: newPart(b, level), starts: starts}
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
			return e.render(start, end, oneTimeLevel).part, runKey{}
		}
		field(e.Name(i))
		field(rev)
	}
	sum := runKey(sha256.Sum256(key))
	return r.f.Get(sum, func() *run { return e.render(start, end, partLevel) }).part, sum
}

// oneTimeLevel is the compression level of parts made for one rendering
// only.
const oneTimeLevel = 1 // flate.BestSpeed
