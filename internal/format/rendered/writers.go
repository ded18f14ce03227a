package rendered

import (
	"sync"

	"github.com/arcahq/arca/internal/artifact"
)

// Writers remembers, for the last writes to packages, who made each (the
// client: the id of its authorization token, which a client such as npm,
// pip or a CI job sends with all its requests) and at which package
// generation, so that a client is served documents that show its own
// write (Cache.LoadAtLeast) while other readers may be served the
// previous rendering. It holds the last maxWriters writes
// (about 100 bytes each); a client whose write was pushed out by that
// many later ones is served like any other reader. A nil *Writers
// remembers nothing, and every reader waits for the current rendering.
type Writers struct {
	gens   Generations
	mu     sync.Mutex
	writes map[writer]uint64
	ring   []writer // the order writes came in, to forget the oldest
	next   int
}

// maxWriters bounds what Writers remembers.
const maxWriters = 8192

// writer is a package of a domain (generations are counted per package
// of a domain, whichever repository a document shows it in) and a client.
type writer struct {
	domainID int64
	ref      artifact.PackageRef
	who      [16]byte
}

// Generations tells the generation a package of a domain is at
// (catalog.Catalog.PackageGeneration).
type Generations interface {
	PackageGeneration(domainID int64, ref artifact.PackageRef) uint64
}

// NewWriters returns an empty record; Wrote reads package generations
// from g.
func NewWriters(g Generations) *Writers {
	return &Writers{gens: g, writes: map[writer]uint64{}}
}

// Wrote records that who (a token's id) changed ref in the domain (a
// publish, a status change, a tag), so that who's next read (Seen) shows
// the change.
func (w *Writers) Wrote(domainID int64, ref artifact.PackageRef, who [16]byte) {
	w.note(writer{domainID, ref, who}, w.gens.PackageGeneration(domainID, ref))
}

// Seen returns the generation that who's read of ref in the domain must
// show (for Cache.LoadAtLeast): that of its last write, 0 when none is
// remembered; ^0 (the current one) from a nil record.
func (w *Writers) Seen(domainID int64, ref artifact.PackageRef, who [16]byte) uint64 {
	if w == nil {
		return ^uint64(0)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes[writer{domainID, ref, who}]
}

// note records that k's client changed its package, which is now at
// generation gen.
func (w *Writers) note(k writer, gen uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.writes[k]; !ok {
		if len(w.ring) < maxWriters {
			w.ring = append(w.ring, k)
		} else {
			delete(w.writes, w.ring[w.next])
			w.ring[w.next] = k
			w.next = (w.next + 1) % maxWriters
		}
	}
	w.writes[k] = max(w.writes[k], gen)
}
