package server

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
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

// trimWhenIdle gives the memory a burst of work used back to the system
// once the server goes quiet. The Go runtime keeps freed heap for reuse and
// returns it only gradually, so a server that took a thousand uploads
// would sit near its peak for minutes; an idle server should be small.
// When half a second that allocated little follows busy ones, forced
// collections (debug.FreeOSMemory) return what is free. Starting counts
// as work: opening the store and migrating it, and the identity
// package's password hashing, leave tens of megabytes of garbage.
func trimWhenIdle(ctx context.Context) {
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	read := func() uint64 {
		metrics.Read(allocs)
		return allocs[0].Value.Uint64()
	}
	idle := idleDetector{last: read(), busy: true}
	every(ctx, idleCheck, func() {
		if idle.quietAfterWork(read()) {
			// Two collections: buffers pooled in sync.Pools (response
			// holds, log lines) survive one in the pools' victim caches.
			runtime.GC()
			debug.FreeOSMemory()
		}
	})
}

// idleDetector tells, from the bytes allocated so far sampled at
// intervals, when work has just stopped.
type idleDetector struct {
	last uint64
	busy bool
}

// quietAfterWork takes the next sample and reports whether the interval
// before it was quiet after busy ones; it answers true once per burst.
func (d *idleDetector) quietAfterWork(allocated uint64) bool {
	delta := allocated - d.last
	d.last = allocated
	switch {
	case delta >= busyBytes:
		d.busy = true
	case delta < quietBytes && d.busy:
		d.busy = false
		return true
	}
	return false
}
