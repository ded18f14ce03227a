package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The server's garbage collection policy, unless GOGC says otherwise:
// between collections the heap (what the last collection found live and
// the garbage since) may grow to heapTarget, but never past five times
// the live heap (GOGC 400), and never by less than the live heap itself
// (GOGC 100, Go's default). In MiB of live heap, the heap's goal: 2 →
// 10, 8 → 32, 16 → 32, 24 → 48, 256 → 512.
//
// GOGC 400 saves about a tenth of the CPU a small download costs
// (measured with wrk on a 10 KB jar: 29.9 µs at GOGC=100, 26.4 µs at
// 400), when the live heap is a few megabytes. But the live heap grows
// with the caches (--cache-bytes) and with documents being rebuilt, and
// five times a live heap of 60 MB is 300 MB of mostly garbage: the heap
// must not grow in proportion to it. The floor keeps the collector's work
// per allocated byte what any Go program pays, whatever the caches hold:
// a lower one was measured (GOGC 50 from 21 MiB live cut the peak of a
// 5,000-version package by 14-18 MB, at 28% more CPU per publish and
// read) and not kept. docs/PERFORMANCE.md ("Memory", "Peak memory") has
// the figures.
const (
	maxGCPercent = 400
	minGCPercent = 100
	heapTarget   = 32 << 20
)

// gcPercentFor is the collection target for a live heap of live bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	if live >= heapTarget {
		return minGCPercent
	}
	return int(min(max((heapTarget-live)*100/live, minGCPercent), maxGCPercent))
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
