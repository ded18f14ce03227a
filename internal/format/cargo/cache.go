package cargo

import "github.com/arcahq/arca/internal/format/rendered"

// Cargo's 16 MiB share of the cache budget: rendered index files, their
// lines by version and in runs, and each crate's versions in order.
const (
	// IndexCacheBytes bounds the memory of rendered index files.
	IndexCacheBytes = 8 << 20
	// LineCacheBytes bounds the memory of rendered index lines.
	LineCacheBytes = 3 << 20
	// RunCacheBytes bounds the memory of runs of lines made into parts
	// (plain and compressed).
	RunCacheBytes = 2 << 20
	// SortedCacheBytes bounds the memory of crates' listed versions in
	// order (about 24 bytes a version).
	SortedCacheBytes = 3 << 20
)

// indexKey names a rendered index file.
type indexKey struct {
	repository int64
	name       string // the collision name
}

// lineKey names a rendered index line: what it was rendered from (a
// version's revision changes with every change to its metadata).
type lineKey struct {
	name, version, revision string
	yanked                  bool
}

// line is a version's rendered index line, with the crate name it
// states (or why it could not be rendered).
type line struct {
	body []byte
	name string
	err  error
}

func lineSize(l line) int64 { return int64(len(l.body) + len(l.name) + 64) }

// Lines keeps rendered index lines (see rendered.Fragments).
type Lines = rendered.Fragments[lineKey, line]
