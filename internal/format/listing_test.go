package format_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// TestRelistIsAListingFromScratch changes a package step by step as
// clients and the control plane do (publishes appended to the same
// lineage, a version finished or unlisted, an asset added, a deletion, a
// view without a List) and checks after each step that the listing
// derived from the previous one is the one made from nothing, and that it
// keeps its Stamp exactly when what it lists did not change.
func TestRelistIsAListingFromScratch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var list []*resolve.Candidate
	lineage := uint64(1)
	at := 0
	version := func() string {
		at++
		// Not in publication order: 1.0.10 before 1.0.9, prereleases.
		v := fmt.Sprintf("1.%d.%d", rng.IntN(4), rng.IntN(40))
		if rng.IntN(5) == 0 {
			v += "-rc." + fmt.Sprint(rng.IntN(3))
		}
		for _, c := range list {
			if c.Version.Version == v {
				return fmt.Sprintf("2.0.%d", at)
			}
		}
		return v
	}
	cand := func(v string, s artifact.Status) *resolve.Candidate {
		return &resolve.Candidate{Version: &store.Version{Version: v, Status: s, UpdatedAt: base.Add(time.Duration(at) * time.Minute)}}
	}
	// replace makes a new list (a new lineage) with version i changed.
	replace := func(i int, s artifact.Status) {
		list = slices.Clone(list)
		c := *list[i]
		c.Status = s
		at++
		c.UpdatedAt = base.Add(time.Duration(at) * time.Minute)
		list[i] = &c
		lineage++
	}
	var prev *format.Listing
	for step := range 400 {
		what := "publish"
		switch r := rng.IntN(10); {
		case len(list) > 0 && r == 0:
			what = "unlist"
			replace(rng.IntN(len(list)), artifact.Unlisted)
		case len(list) > 0 && r == 1:
			what = "finish"
			replace(len(list)-1, artifact.Published)
		case len(list) > 0 && r == 2:
			what = "asset added"
			i := rng.IntN(len(list))
			replace(i, list[i].Status)
		case len(list) > 0 && r == 3:
			what = "delete"
			i := rng.IntN(len(list))
			list = slices.Delete(slices.Clone(list), i, i+1)
			lineage++
		default:
			status := artifact.Published
			if rng.IntN(3) == 0 {
				status = artifact.Unfinished
			}
			list = append(list, cand(version(), status))
		}
		view := &resolve.View{List: list, Lineage: lineage, Versions: map[string]*resolve.Candidate{}}
		for _, c := range list {
			view.Versions[c.Version.Version] = c
		}
		if rng.IntN(20) == 0 {
			what += " (no List)"
			view.List, view.Lineage = nil, 0
		}
		got := format.Relist(prev, view, format.CompareSemVer)
		want := format.Relist(nil, view, format.CompareSemVer)
		if !slices.Equal(got.Versions, want.Versions) || !got.Updated.Equal(want.Updated) {
			t.Fatalf("step %d (%s): derived %v at %v, from scratch %v at %v", step, what, got.Versions, got.Updated, want.Versions, want.Updated)
		}
		if prev != nil {
			same := slices.Equal(got.Versions, prev.Versions) && got.Updated.Equal(prev.Updated)
			if same != (got.Stamp == prev.Stamp) {
				t.Fatalf("step %d (%s): listing unchanged %v, stamp kept %v", step, what, same, got.Stamp == prev.Stamp)
			}
		}
		prev = got
	}
}

// TestRelistOrdersEqualVersionsByTheirStrings checks that versions the
// format's order finds equal (semantic versions differing in build
// metadata) are listed in one order however they arrive.
func TestRelistOrdersEqualVersionsByTheirStrings(t *testing.T) {
	var list []*resolve.Candidate
	var prev *format.Listing
	for i, v := range []string{"1.0.0+b", "1.0.0+a", "0.9.0", "1.0.0+c"} {
		list = append(list, &resolve.Candidate{Version: &store.Version{Version: v, Status: artifact.Published}})
		prev = format.Relist(prev, &resolve.View{List: list, Lineage: 1}, format.CompareSemVer)
		if i == 3 {
			want := []string{"0.9.0", "1.0.0+a", "1.0.0+b", "1.0.0+c"}
			if !slices.Equal(prev.Versions, want) {
				t.Fatalf("got %v, want %v", prev.Versions, want)
			}
		}
	}
}
