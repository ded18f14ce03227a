package rendered

import (
	"container/list"
	"sync"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
)

// Writers remembers, for the last writes to packages, who made each (the
// client: the id of its authorization token, which a client such as npm,
// pip or a CI job sends with all its requests) and at which package
// generation, so that a client is served documents that show its own
// write (Cache.LoadAtLeast) while other readers may be served the
// previous rendering. A nil *Writers remembers nothing, and every reader
// waits for the current rendering.
//
// The records are bounded in bytes (WritersBytes, a share of the cache
// budget: package cachesize); the least recently made go first, and those
// older than a few seconds go when the server is quiet
// (cachesize.DropUnused). A record that goes leaves its generation in
// its package's bucket (dropped): a reader of a package of that bucket
// with no record is served a rendering at least that recent, so the
// writer whose record went still sees its write. For the other packages
// of the bucket that generation means nothing (generations are counted
// per package), and their readers may wait for the current rendering
// instead of being served the previous one: slower, never staler.
type Writers struct {
	gens Generations
	max  int64

	mu      sync.Mutex
	size    int64
	writes  map[writer]*list.Element
	order   list.List // of *record, most recent first
	dropped [droppedBuckets]uint64
}

// WritersBytes is the share of the cache budget of one format's writer
// records, at the default budget: about a thousand records.
const WritersBytes = 256 << 10

// droppedBuckets is how many buckets the packages' dropped records share.
const droppedBuckets = 1024

// writer is a package of a domain (generations are counted per package
// of a domain, whichever repository a document shows it in) and a client.
type writer struct {
	domainID int64
	ref      artifact.PackageRef
	who      [16]byte
}

// bucket is the dropped-records bucket of the writer's package.
func (k writer) bucket() int {
	return (cachesize.Bucket(k.ref.Name, droppedBuckets) + cachesize.Bucket(k.ref.Namespace, droppedBuckets) +
		int(uint64(k.domainID)%droppedBuckets)) % droppedBuckets
}

type record struct {
	k       writer
	gen     uint64
	size    int64
	lastUse uint32 // cachesize.Now when made
}

// recordBytes is what a record takes: the key's strings, the record, the
// list element and the map's entry (the key again, and a pointer).
func recordBytes(k writer) int64 {
	return int64(len(k.ref.Format)+len(k.ref.Namespace)+len(k.ref.Name)) + 2*int64(unsafe.Sizeof(k)) + 32 + 48 + 16
}

// Generations tells the generation a package of a domain is at
// (catalog.Catalog.PackageGeneration).
type Generations interface {
	PackageGeneration(domainID int64, ref artifact.PackageRef) uint64
}

// NewWriters returns an empty record within its share of budget (the
// server's cache budget, 0 for the default); Wrote reads package
// generations from g.
func NewWriters(g Generations, budget int64) *Writers {
	w := &Writers{gens: g, max: cachesize.Share(WritersBytes, budget), writes: map[writer]*list.Element{}}
	cachesize.Register(w, (*Writers).dropUnused)
	return w
}

// Wrote records that who (a token's id) changed ref in the domain (a
// publish, a status change, a tag), so that who's next read (Seen) shows
// the change.
func (w *Writers) Wrote(domainID int64, ref artifact.PackageRef, who [16]byte) {
	w.note(writer{domainID, ref, who}, w.gens.PackageGeneration(domainID, ref))
}

// Seen returns the generation that who's read of ref in the domain must
// show (for Cache.LoadAtLeast): that of its last write, or the highest of
// the records dropped in the package's bucket (0 when none: any rendering
// will do); ^0 (the current one) from a nil record.
func (w *Writers) Seen(domainID int64, ref artifact.PackageRef, who [16]byte) uint64 {
	if w == nil {
		return ^uint64(0)
	}
	k := writer{domainID, ref, who}
	w.mu.Lock()
	defer w.mu.Unlock()
	if e, ok := w.writes[k]; ok {
		return e.Value.(*record).gen
	}
	return w.dropped[k.bucket()]
}

// note records that k's client changed its package, which is now at
// generation gen.
func (w *Writers) note(k writer, gen uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e, ok := w.writes[k]; ok {
		r := e.Value.(*record)
		r.gen, r.lastUse = max(r.gen, gen), cachesize.Now()
		w.order.MoveToFront(e)
		return
	}
	r := &record{k: k, gen: gen, size: recordBytes(k), lastUse: cachesize.Now()}
	w.writes[k] = w.order.PushFront(r)
	w.size += r.size
	for w.size > w.max && w.order.Len() > 1 {
		w.drop(w.order.Back())
	}
}

// Bytes returns the bytes the records count.
func (w *Writers) Bytes() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.size
}

// drop forgets a record, leaving its generation in its bucket; w.mu is
// held.
func (w *Writers) drop(e *list.Element) {
	r := w.order.Remove(e).(*record)
	delete(w.writes, r.k)
	w.size -= r.size
	b := r.k.bucket()
	w.dropped[b] = max(w.dropped[b], r.gen)
}

// dropUnused drops the records made before tick before.
func (w *Writers) dropUnused(before uint32) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var freed int64
	for e := w.order.Back(); e != nil && e.Value.(*record).lastUse < before; e = w.order.Back() {
		freed += e.Value.(*record).size
		w.drop(e)
	}
	return freed
}
