package server

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// idleCheck is how often trimWhenIdle looks at what the program allocated.
const idleCheck = time.Second

// Allocation per idleCheck that makes an interval busy, and below which it
// is quiet. An idle server still allocates a little (timers, health
// checks); a burst of requests allocates megabytes.
const (
	busyBytes  = 1 << 20
	quietBytes = 256 << 10
)

// trimWhenIdle gives the memory a burst of work used back to the system
// once the server goes quiet. The Go runtime keeps freed heap for reuse and
// returns it only gradually, so a server that took a thousand uploads
// would sit near its peak for minutes; an idle server should be small.
// When an interval that allocated little follows a busy one, one forced
// collection (debug.FreeOSMemory) returns what is free.
func trimWhenIdle(ctx context.Context) {
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	read := func() uint64 {
		metrics.Read(allocs)
		return allocs[0].Value.Uint64()
	}
	idle := idleDetector{last: read()}
	every(ctx, idleCheck, func() {
		if idle.quietAfterWork(read()) {
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
