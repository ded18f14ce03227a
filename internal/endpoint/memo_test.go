package endpoint

import (
	"fmt"
	"testing"
)

// A memo answers what build would, whichever repositories share its
// slots, and builds a string again only for a request unlike the last of
// its slot.
func TestMemo(t *testing.T) {
	var m memo
	builds := 0
	build := func(a, b, c string) string { builds++; return a + "|" + b + "|" + c }
	// More repositories than slots, so that some share one; and names
	// that differ only in the first or second string.
	for round := range 2 {
		for i := range 3 * memoSlots {
			for _, k := range [][3]string{{"d", "npm", fmt.Sprint("r", i)}, {"e", "npm", fmt.Sprint("r", i)}, {"d", "pypi", fmt.Sprint("r", i)}} {
				if got, want := m.get(k[0], k[1], k[2], build), k[0]+"|"+k[1]+"|"+k[2]; got != want {
					t.Fatalf("round %d: get(%q) = %q, want %q", round, k, got, want)
				}
			}
		}
	}
	before := builds
	for range 10 {
		if got := m.get("d", "npm", "same", build); got != "d|npm|same" {
			t.Fatalf("get = %q", got)
		}
	}
	if builds != before+1 {
		t.Errorf("10 gets of one key built %d times, want 1", builds-before)
	}
}
