package token

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// StampFile is the name, in the data directory, of the file that writers
// of revocations touch after they commit.
const StampFile = "revocations.stamp"

// Stamp lets a server over a local data directory skip the store's
// revocation generation query on requests when nothing was revoked: a
// stat of the stamp file, at most once a millisecond, says so. `arca token
// revoke` writes the file after its revocation commits, so a request that
// starts a millisecond after the command returns sees the file changed
// and asks the store.
//
// File times can be coarse (a clock tick of some milliseconds), so two
// writes can leave the same modification time. A stamp written less than
// a second before the request is never trusted as unchanged: the store is
// asked until the stamp has been still for a second.
type Stamp struct {
	path string
	now  func() time.Time
	last atomic.Pointer[stampState]
}

type stampState struct {
	exists  bool
	modTime time.Time
	size    int64
	// trustedAt is when a look found the stamp unchanged and settled
	// (zero if it did not); the answer stands for stampRecheck.
	trustedAt time.Time
}

func (a *stampState) same(b stampState) bool {
	return a.exists == b.exists && a.modTime.Equal(b.modTime) && a.size == b.size
}

// stampSettle is how long a stamp must be still before it is trusted.
const stampSettle = time.Second

// stampRecheck is how long an "unchanged" answer stands before the file
// is looked at again: a revocation takes effect for requests that start a
// millisecond after the command that made it returns, and a busy server
// stats the file a thousand times a second rather than on every request.
const stampRecheck = time.Millisecond

// NewStamp returns the stamp at path; now is the clock it is judged by.
func NewStamp(path string, now func() time.Time) *Stamp {
	return &Stamp{path: path, now: now}
}

// Unchanged reports whether the stamp is as it was when Unchanged last
// looked, and settled. Any doubt (a first look, a change, an error, a
// recent write) answers false, and the caller asks the store.
func (s *Stamp) Unchanged() bool {
	// The recheck interval is real time, whatever clock s judges the
	// stamp's age by (tests move theirs).
	looked := time.Now()
	prev := s.last.Load()
	if prev != nil && !prev.trustedAt.IsZero() && looked.Sub(prev.trustedAt) < stampRecheck {
		return true
	}
	var cur stampState
	fi, err := os.Stat(s.path)
	switch {
	case err == nil:
		cur = stampState{exists: true, modTime: fi.ModTime(), size: fi.Size()}
	case !errors.Is(err, fs.ErrNotExist):
		return false
	}
	if prev != nil && prev.same(cur) && (!cur.exists || s.now().Sub(cur.modTime) >= stampSettle) {
		cur.trustedAt = looked
		s.last.Store(&cur)
		return true
	}
	s.last.Store(&cur)
	return false
}

// Touch rewrites the stamp at path with gen, the revocation generation
// just committed. It is called after the commit.
func Touch(path string, gen int64) error {
	return os.WriteFile(path, []byte(strconv.FormatInt(gen, 10)+"\n"), 0o600)
}
