package server

import "testing"

func TestIdleDetector(t *testing.T) {
	const mb = 1 << 20
	d := idleDetector{last: 5 * mb}
	total := uint64(5 * mb)
	for i, c := range []struct {
		allocated uint64 // during the interval
		trim      bool
	}{
		{10 << 10, false}, // idle from the start: nothing to give back
		{100 << 10, false},
		{8 * mb, false},    // busy
		{2 * mb, false},    // still busy
		{200 << 10, false}, // winding down, not quiet yet
		{20 << 10, true},   // quiet after work: trim once
		{20 << 10, false},  // still quiet: already trimmed
		{3 * mb, false},    // busy again
		{0, true},
	} {
		total += c.allocated
		if got := d.quietAfterWork(total); got != c.trim {
			t.Errorf("interval %d (%d bytes allocated): trim %v, want %v", i, c.allocated, got, c.trim)
		}
	}
}
