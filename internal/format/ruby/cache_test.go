package ruby

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/deflate"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// TestGemListCountsWhatItHolds builds the gem list of a package of 5,000
// versions, serves its info file (joining its parts) and checks that the
// cache counts at least the memory the list holds of its own (its gems'
// strings are the decoded gems', kept here apart), and that a cache of
// the default share keeps it.
func TestGemListCountsWhatItHolds(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	view := &resolve.View{Versions: map[string]*resolve.Candidate{}, Lineage: 1}
	decoded := map[*resolve.Candidate][]Gem{}
	for i := range 5000 {
		clock = clock.Add(time.Second)
		v := fmt.Sprintf("1.%d.%d", i/100, i%100)
		g := Gem{Spec: Spec{Name: "counted", Version: v, Platform: "ruby", Authors: []string{"Arca"}, Licenses: []string{"MIT"},
			RequiredRuby: []Constraint{{Op: ">=", Version: "0"}}, RequiredRubygems: []Constraint{{Op: ">=", Version: "0"}}},
			SHA256: fmt.Sprintf("%064x", i), Pushed: clock}
		c := &resolve.Candidate{Version: &store.Version{ID: int64(i + 1), Version: v, Status: artifact.Published, UpdatedAt: clock}}
		view.List = append(view.List, c)
		view.Versions[v] = c
		decoded[c] = []Gem{g}
	}
	heap := func() int64 {
		deflate.Drop() // the idle compressors are not the list's
		for range 3 {
			runtime.GC()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	before := heap()
	l := buildGems("counted", view, func(c *resolve.Candidate) []Gem { return decoded[c] })
	l.info.Bytes()
	l.info.Gzip()
	held := heap() - before
	if counted := l.size(); counted < held*9/10 {
		t.Errorf("a gem list of 5,000 versions holds %d bytes, counted as %d", held, counted)
	}
	f := New(Deps{})
	f.gems.Put(gemsKey{1, "counted"}, 0, l)
	if _, ok := f.gems.Peek(gemsKey{1, "counted"}, 0); !ok {
		t.Errorf("a gem list of 5,000 versions (%d bytes) is not kept", l.size())
	}
	runtime.KeepAlive(l)
	runtime.KeepAlive(decoded)
}
