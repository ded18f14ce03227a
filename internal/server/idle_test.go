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
		if _, got := d.sample(total); got != c.trim {
			t.Errorf("interval %d (%d bytes allocated): trim %v, want %v", i, c.allocated, got, c.trim)
		}
	}
}

func TestIdlePolicy(t *testing.T) {
	const mb = 1 << 20
	p := idlePolicy{idleDetector: idleDetector{last: 0, busy: true}, keep: 20}
	var total uint64
	for i, c := range []struct {
		allocated uint64 // during the interval
		now       uint32 // the caches' clock at its end
		canDrop   int64  // what the caches hold unused before now-keep
		before    uint32 // the tick the caches are asked to drop before (0: not asked)
		trim      bool
	}{
		{0, 1, 0, 0, true},                   // quiet after starting: trim, nothing old enough to drop
		{0, 15, 0, 0, false},                 // quiet, nothing to give back
		{8 * mb, 30, 5 * mb, 0, false},       // busy: the caches keep what they hold
		{200 << 10, 31, 5 * mb, 0, false},    // winding down, not quiet yet
		{10 << 10, 32, 5 * mb, 12, true},     // quiet after work: entries unused since tick 12 go; trim
		{10 << 10, 33, 100 << 10, 13, false}, // a little more unused: not worth a trim
		{10 << 10, 40, 1 * mb, 20, true},     // a megabyte more: trim
		{10 << 10, 41, 0, 21, false},
	} {
		total += c.allocated
		var asked uint32
		got := p.step(total, c.now, func(before uint32) int64 {
			asked = before
			return c.canDrop
		})
		if asked != c.before || got != c.trim {
			t.Errorf("interval %d: dropped before tick %d and trim %v, want %d and %v", i, asked, got, c.before, c.trim)
		}
	}
}
