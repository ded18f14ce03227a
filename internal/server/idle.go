package server

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// idleCheck is how often trimWhenIdle looks at the garbage collector.
const idleCheck = 2 * time.Second

// trimWhenIdle gives the memory a burst of work used back to the system
// once the server goes quiet. The Go runtime keeps freed heap for reuse and
// returns it only gradually, so a server that took a thousand uploads
// would sit at its peak for minutes; an idle server should be small.
//
// Work shows as garbage collections: when some ran during one interval
// and none during the next, the server has gone quiet, and one forced
// collection (debug.FreeOSMemory) returns what is free.
func trimWhenIdle(ctx context.Context) {
	gcs := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	read := func() uint64 {
		metrics.Read(gcs)
		return gcs[0].Value.Uint64()
	}
	idle := idleDetector{last: read()}
	every(ctx, idleCheck, func() {
		if idle.quietAfterWork(read()) {
			debug.FreeOSMemory()
			idle.last = read() // the forced collection is no work
		}
	})
}

// idleDetector tells, from the garbage collection count sampled at
// intervals, when work has just stopped.
type idleDetector struct {
	last uint64
	busy bool
}

// quietAfterWork takes the next sample and reports whether the interval
// before it was quiet after a busy one; it answers true once per burst.
func (d *idleDetector) quietAfterWork(gcs uint64) bool {
	if gcs != d.last {
		d.last, d.busy = gcs, true
		return false
	}
	if d.busy {
		d.busy = false
		return true
	}
	return false
}
