package main

import (
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
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
		{6 * mb, 400},   // 30 MiB: under heapTarget
		{8 * mb, 300},   // the heap grows to heapTarget, no more
		{12 * mb, 166},  // 32 MiB
		{16 * mb, 100},  // half of it live: as much garbage again
		{24 * mb, 100},  // the floor: never less than what is live
		{32 * mb, 100},  // 64 MiB
		{512 * mb, 100}, // a large cache is not collected ever more often
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mb, got, c.want)
		}
	}
}

// The heap a collection lets grow (the live heap and the headroom) never
// shrinks as more is live, and it never exceeds heapTarget while the
// live heap is under half of it.
func TestHeapGoalGrowsWithTheLiveHeap(t *testing.T) {
	const step = 256 << 10
	prev := uint64(0)
	for live := uint64(step); live <= 1<<30; live += step {
		goal := live + live*uint64(gcPercentFor(live))/100
		if goal+live/100 < prev { // percentages round down: 1% slack
			t.Fatalf("heap goal %d at %d live, after %d at %d", goal, live, prev, live-step)
		}
		if live*2 < heapTarget && goal > heapTarget {
			t.Errorf("heap goal %d at %d live, over heapTarget %d", goal, live, heapTarget)
		}
		prev = goal
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

// /debug/metrics names the figures the memory work reads, each with a
// number, and leaves out the histograms.
func TestServeMetrics(t *testing.T) {
	rec := httptest.NewRecorder()
	serveMetrics(rec, httptest.NewRequest("GET", "/debug/metrics", nil))
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(rec.Body.String()), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("line %q is not \"name value\"", line)
		}
		if _, err := strconv.ParseFloat(value, 64); err != nil {
			t.Errorf("%s: %q is not a number", name, value)
		}
		got[name] = value
	}
	for _, name := range []string{"/gc/heap/live:bytes", "/gc/heap/goal:bytes", "/memory/classes/heap/released:bytes", "/cpu/classes/gc/total:cpu-seconds"} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
	if _, ok := got["/gc/pauses:seconds"]; ok {
		t.Errorf("a histogram is listed")
	}
}
