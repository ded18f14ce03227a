package ruby

import (
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// Gems decoded one after the other read back as ParseExtra gives them,
// and hold the strings and slices they repeat once; what differs stays
// their own.
func TestDecodedGemsShareWhatTheyRepeat(t *testing.T) {
	gem := func(i int, deps string) Gem {
		return Gem{Spec: Spec{Name: "shared", Version: fmt.Sprintf("1.0.%d", i), Platform: "ruby", Summary: "A gem.",
			Authors: []string{"Arca"}, Licenses: []string{"MIT"}, Metadata: map[string]string{"source_code_uri": "https://example.invalid"},
			Dependencies:     []Dependency{{Name: deps, Type: "runtime", Requirements: []Constraint{{Op: ">=", Version: "1"}}}},
			RequiredRuby:     []Constraint{{Op: ">=", Version: "2.7"}},
			RequiredRubygems: []Constraint{{Op: ">=", Version: "0"}}, Date: "2026-12-07"},
			SHA256: fmt.Sprintf("%064x", i), Pushed: time.Date(2026, 12, 7, 0, i, 0, 0, time.UTC)}
	}
	var d gemDecoder
	var got [][]Gem
	for i, deps := range []string{"rake", "rake", "rack"} {
		extra := withGem(nil, fmt.Sprintf("shared-1.0.%d.gem", i), gem(i, deps))
		gems := d.decode(extra)
		if want := ParseExtra(extra).Gems[fmt.Sprintf("shared-1.0.%d.gem", i)]; len(gems) != 1 || !reflect.DeepEqual(gems[0], want) {
			t.Fatalf("version %d decoded as %+v, want %+v", i, gems, want)
		}
		d.saw(gems)
		got = append(got, gems)
	}
	a, b, c := &got[0][0], &got[1][0], &got[2][0]
	str := func(s string) *byte { return unsafe.StringData(s) }
	if str(a.Name) != str(b.Name) || str(a.Summary) != str(b.Summary) || str(a.Date) != str(b.Date) || str(b.Platform) != str(c.Platform) {
		t.Error("equal strings are not shared")
	}
	if &a.Authors[0] != &b.Authors[0] || &a.Licenses[0] != &c.Licenses[0] || &a.RequiredRuby[0] != &c.RequiredRuby[0] ||
		reflect.ValueOf(a.Metadata).UnsafePointer() != reflect.ValueOf(c.Metadata).UnsafePointer() {
		t.Error("equal slices and maps are not shared")
	}
	if &a.Dependencies[0] != &b.Dependencies[0] || &b.Dependencies[0] == &c.Dependencies[0] {
		t.Error("dependencies shared where they differ, or not where they are equal")
	}
	if str(a.Version) == str(b.Version) || str(a.SHA256) == str(b.SHA256) {
		t.Error("a version's own strings are shared")
	}
}
