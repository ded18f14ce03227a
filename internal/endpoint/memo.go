package endpoint

import (
	"hash/maphash"
	"sync/atomic"
)

// memo remembers strings built from three others (a repository
// endpoint's base URL from its path, a repository's ARN from its names),
// so that the requests of one repository, nearly all of a server's
// traffic, do not build them again each time. It has a fixed number of
// slots, chosen by the third string; a request of another repository
// that falls in the same slot builds its own and takes the slot over.
type memo struct {
	slots [memoSlots]atomic.Pointer[memoEntry]
}

const memoSlots = 64

type memoEntry struct{ a, b, c, v string }

var memoSeed = maphash.MakeSeed()

// get returns build(a, b, c), built now or remembered from a request
// with the same a, b and c.
func (m *memo) get(a, b, c string, build func(a, b, c string) string) string {
	slot := &m.slots[maphash.String(memoSeed, c)&(memoSlots-1)]
	if e := slot.Load(); e != nil && e.a == a && e.b == b && e.c == c {
		return e.v
	}
	v := build(a, b, c)
	slot.Store(&memoEntry{a, b, c, v})
	return v
}
