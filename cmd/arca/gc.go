package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The server's garbage collection policy, unless GOGC says otherwise:
// the heap may grow, between collections, to heapTarget (live heap and
// garbage together) but never past five times the live heap (GOGC 400);
// as the live heap nears heapTarget the headroom left shrinks, down to
// half the live heap (GOGC 50); far past it (twice heapTarget and more)
// the headroom is what is live beyond heapTarget, which tends to the
// live heap itself (GOGC 100, Go's default) as the caches grow. In MiB
// of live heap: 2 → 10, 8 → 32, 16 → 32, 32 → 48, 64 → 96, 256 → 480.
//
// GOGC 400 saves about a tenth of the CPU a small download costs
// (measured with wrk on a 10 KB jar: 29.9 µs at GOGC=100, 26.4 µs at
// 400), when the live heap is a few megabytes. But the live heap grows
// with the caches (--cache-bytes) and with documents being rebuilt: the
// heap must not grow in proportion to it while it is tens of megabytes,
// the size of one large package's kept lists and documents (a package of
// 5,000 versions keeps 25-35 MB live), or the process holds twice that.
// The collector works harder only there: per byte allocated it marks the
// live heap at most twice as often as at Go's default (GOGC 50, when
// 21-64 MiB are live), and ever closer to the default beyond, so a
// server holding large caches does not collect ever more often.
// docs/PERFORMANCE.md ("Memory" and "Peak memory") has the figures.
const (
	maxGCPercent = 400
	minGCPercent = 50
	heapTarget   = 32 << 20
)

// gcPercentFor is the collection target for a live heap of live bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	headroom := live * minGCPercent / 100
	if live < heapTarget {
		headroom = max(headroom, heapTarget-live)
	} else {
		headroom = max(headroom, live-heapTarget)
	}
	return int(min(headroom*100/live, maxGCPercent))
}

// paceGC applies gcPercentFor after every collection, from the live heap
// that collection measured, for the rest of the process's life.
func paceGC() {
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	current := debug.SetGCPercent(maxGCPercent)
	afterEachGC(func() {
		metrics.Read(live)
		if p := gcPercentFor(live[0].Value.Uint64()); p != current {
			debug.SetGCPercent(p)
			current = p
		}
	})
}

// gcSentinel is an object kept by no one: its finalizer runs after the
// collection that finds it unreachable. It holds a pointer so that it is
// never placed in a tiny-allocation block beside other objects (whose
// finalizers may then never run).
type gcSentinel struct{ _ *byte }

// afterEachGC calls fn on the finalizer goroutine after every garbage
// collection, from the next one on.
func afterEachGC(fn func()) {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		fn()
		afterEachGC(fn)
	})
}
