package server

import "testing"

func TestIdleDetector(t *testing.T) {
	d := idleDetector{last: 5}
	for i, c := range []struct {
		gcs  uint64
		trim bool
	}{
		{5, false},  // idle from the start: nothing to give back
		{9, false},  // busy
		{12, false}, // still busy
		{12, true},  // quiet after work: trim once
		{12, false}, // still quiet: already trimmed
		{13, false}, // busy again
		{13, true},
	} {
		if got := d.quietAfterWork(c.gcs); got != c.trim {
			t.Errorf("sample %d (%d collections): trim %v, want %v", i, c.gcs, got, c.trim)
		}
	}
}
