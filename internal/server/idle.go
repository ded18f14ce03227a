package server

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/deflate"
)

// idleCheck is how often trimWhenIdle looks at what the program allocated.
const idleCheck = 500 * time.Millisecond

// Allocation per idleCheck that makes an interval busy, and below which it
// is quiet. An idle server still allocates a little (timers, health
// checks); a burst of requests allocates megabytes.
const (
	busyBytes  = 512 << 10
	quietBytes = 128 << 10
)

// keepUnused is how long a cache entry nobody uses is kept while the
// server is quiet (in idleCheck ticks of the caches' clock).
const keepUnused = 10 * time.Second

// trimBytes is how much the caches must have dropped to be worth a trim.
const trimBytes = 256 << 10

// trimWhenIdle gives the memory a burst of work used back to the system
// once the server goes quiet. The Go runtime keeps freed heap for reuse and
// returns it only gradually, so a server that took a thousand uploads
// would sit near its peak for minutes; an idle server should be small.
// When half a second that allocated little follows busy ones, forced
// collections (debug.FreeOSMemory) return what is free. Starting counts
// as work: opening the store and migrating it, and the identity
// package's password hashing, leave tens of megabytes of garbage.
//
// The caches' content goes too: every half second that allocated little,
// the entries no request used for keepUnused are dropped
// (cachesize.DropUnused), and the memory they held is returned. Under
// load the caches keep up to their share of --cache-bytes; a server left
// alone comes back to what it held after start, and its next requests
// build what they need again (a document from the parts the store keeps).
func trimWhenIdle(ctx context.Context) {
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	read := func() uint64 {
		metrics.Read(allocs)
		return allocs[0].Value.Uint64()
	}
	idle := idlePolicy{idleDetector: idleDetector{last: read(), busy: true}, keep: uint32(keepUnused / idleCheck)}
	every(ctx, idleCheck, func() {
		if idle.step(read(), cachesize.Tick(), cachesize.DropUnused) {
			// Two collections: buffers pooled in sync.Pools (response
			// holds, log lines) survive one in the pools' victim caches.
			// The idle DEFLATE compressors go too (~0.9 MB each).
			deflate.Drop()
			runtime.GC()
			debug.FreeOSMemory()
		}
	})
}

// idlePolicy decides, at each tick, what an idle server gives back.
type idlePolicy struct {
	idleDetector
	keep uint32 // ticks an unused cache entry is kept while quiet
}

// step takes the bytes allocated so far and the caches' clock at a tick;
// in a quiet interval it drops the cache entries unused for p.keep ticks
// (drop, cachesize.DropUnused). It reports whether to return free memory
// to the system: work has just stopped, or the caches dropped enough.
func (p *idlePolicy) step(allocated uint64, now uint32, drop func(before uint32) int64) (trim bool) {
	quiet, afterWork := p.sample(allocated)
	var dropped int64
	if quiet && now > p.keep {
		dropped = drop(now - p.keep)
	}
	return afterWork || dropped >= trimBytes
}

// idleDetector tells, from the bytes allocated so far sampled at
// intervals, when work has just stopped.
type idleDetector struct {
	last uint64
	busy bool
}

// sample takes the next sample and reports whether the interval before
// it was quiet, and whether it was quiet after busy ones (afterWork:
// true once per burst).
func (d *idleDetector) sample(allocated uint64) (quiet, afterWork bool) {
	delta := allocated - d.last
	d.last = allocated
	quiet = delta < quietBytes
	switch {
	case delta >= busyBytes:
		d.busy = true
	case quiet && d.busy:
		d.busy = false
		return true, true
	}
	return quiet, false
}
