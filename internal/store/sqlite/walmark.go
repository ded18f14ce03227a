package sqlite

import (
	"bytes"
	"os"

	"github.com/arcahq/arca/internal/store"
)

// walIndex reads the header of a WAL-mode database's WAL index (the -shm
// file), which every process with the database open maps and every
// commit rewrites before it returns: the header holds a counter moved by
// each transaction, the number of frames in the WAL, their running
// checksum and the WAL's salts (SQLite's documentation, "WAL-mode File
// Format", section "The WAL-Index Header"). Two equal headers read one
// after the other therefore mean that nothing committed in between, by
// any process, which lets the change counters skip their query (package
// generation; store.CommitMark).
//
// The header is kept twice, 48 bytes each, the second copy written first;
// a read that finds the copies different (a commit under way) or the
// index not initialised gives no mark, and the caller reads the store.
// A header is read with one pread of the file (the kernel's page is the
// one SQLite maps), not mapped here: a file another process truncates
// cannot fault this one.
type walIndex struct{ f *os.File }

// walHeader is the size of one copy of the WAL index header.
const walHeader = 48

// isInit is the offset of the header's "initialised" flag.
const isInit = 12

// The mark is the header's two copies.
var _ [len(store.CommitMark{}) - 2*walHeader]struct{}

func openWALIndex(path string) (*walIndex, error) {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil, err
	}
	return &walIndex{f: f}, nil
}

// mark reads the header's two copies into m.
func (w *walIndex) mark(m *store.CommitMark) bool {
	if n, err := w.f.ReadAt(m[:], 0); n != len(m) || err != nil {
		return false
	}
	return m[isInit] == 1 && bytes.Equal(m[:walHeader], m[walHeader:2*walHeader])
}

// close closes the file; a nil index has none.
func (w *walIndex) close() error {
	if w == nil {
		return nil
	}
	return w.f.Close()
}
