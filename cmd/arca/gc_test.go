package main

import (
	"runtime"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400},        // nothing measured yet
		{2 * mb, 400},   // a small live heap may grow fivefold
		{8 * mb, 400},   // 32 MiB of garbage at most
		{16 * mb, 200},  // the headroom, no more
		{32 * mb, 100},  // the floor: never less than what is live
		{512 * mb, 100}, // a large cache is not collected ever more often
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mb, got, c.want)
		}
	}
}

// TestAfterEachGC: the hook runs after every collection, not once.
func TestAfterEachGC(t *testing.T) {
	ran := make(chan struct{}, 16)
	afterEachGC(func() {
		select {
		case ran <- struct{}{}:
		default:
		}
	})
	for i := range 3 {
		runtime.GC()
		// The finalizer goroutine runs the hook after the collection;
		// another collection guarantees it ran (no timing involved).
		for len(ran) <= i {
			runtime.GC()
			runtime.Gosched()
		}
	}
}
