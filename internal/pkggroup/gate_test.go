package pkggroup

import (
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
)

// gateIndex builds an index of patterns with gates on some of them.
func gateIndex(t testing.TB, gates map[string]*ReleaseGate, patterns ...string) *Index {
	t.Helper()
	var gs []Group
	for i, s := range patterns {
		p, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, Group{ID: int64(i + 1), Pattern: p, Gate: gates[s]})
	}
	return NewIndex(gs)
}

var (
	day      = 24 * time.Hour
	gateNow  = time.Date(2026, 9, 20, 12, 0, 0, 0, time.UTC)
	leftPad  = artifact.PackageRef{Format: artifact.NPM, Name: "left-pad"}
	scoped   = artifact.PackageRef{Format: artifact.NPM, Namespace: "acme", Name: "ui"}
	requests = artifact.PackageRef{Format: artifact.PyPI, Name: "requests"}
)

func TestGateHoldsYoungVersions(t *testing.T) {
	ix := gateIndex(t, map[string]*ReleaseGate{"/npm/*": {MinAge: 72 * time.Hour}}, "/*", "/npm/*")
	g := ix.GateFor(leftPad)
	if g == nil {
		t.Fatal("no gate for an npm package under /npm/*")
	}
	if _, held := g.Check("1.0.0", gateNow.Add(-4*day), gateNow); held {
		t.Error("a version four days old is held by a 72h gate")
	}
	published := gateNow.Add(-day)
	h, held := g.Check("2.0.0", published, gateNow)
	if !held {
		t.Fatal("a version one day old passes a 72h gate")
	}
	if want := published.Add(72 * time.Hour); !h.AvailableAt.Equal(want) || !h.PublishedAt.Equal(published) || h.Group != "/npm/*" {
		t.Errorf("hold %+v, want available at %v", h, want)
	}
	for _, part := range []string{"2.0.0", "left-pad", "/npm/*", "2026-09-19T12:00:00Z", "72h", "becomes available at 2026-09-22T12:00:00Z", "arca gate allow"} {
		if !strings.Contains(h.Reason, part) {
			t.Errorf("reason %q does not say %q", h.Reason, part)
		}
	}
	// Exactly at the age it comes through.
	if _, held := g.Check("2.0.0", published, published.Add(72*time.Hour)); held {
		t.Error("held at the moment it becomes available")
	}
	// Other formats have no gate.
	if ix.GateFor(requests) != nil {
		t.Error("a PyPI package got the npm gate")
	}
}

func TestGateCutoff(t *testing.T) {
	cutoff := time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)
	ix := gateIndex(t, map[string]*ReleaseGate{"/*": {Cutoff: cutoff}}, "/*")
	g := ix.GateFor(requests)
	if _, held := g.Check("2.31.0", cutoff, gateNow); held {
		t.Error("a version published at the cut-off is held")
	}
	h, held := g.Check("2.32.0", cutoff.Add(time.Minute), gateNow.Add(365*day))
	if !held || !h.AvailableAt.IsZero() || !strings.Contains(h.Reason, "after the cut-off 2026-09-15T00:00:00Z") {
		t.Errorf("after the cut-off, a year on: held %v, %+v", held, h)
	}
}

func TestGateMissingTime(t *testing.T) {
	ix := gateIndex(t, map[string]*ReleaseGate{"/*": {MinAge: time.Hour}, "/pypi/*": {MinAge: time.Hour, AllowMissingTime: true}}, "/*", "/pypi/*")
	h, held := ix.GateFor(leftPad).Check("1.0.0", time.Time{}, gateNow)
	if !held || !strings.Contains(h.Reason, "gives no publish time") {
		t.Errorf("no publish time, failing closed: held %v, %q", held, h.Reason)
	}
	if _, held := ix.GateFor(requests).Check("1.0.0", time.Time{}, gateNow); held {
		t.Error("no publish time under AllowMissingTime is held")
	}
}

// A group without a gate takes its nearest ancestor's; a gate with
// neither age nor cut-off turns it off below; the reason says where the
// gate comes from.
func TestGateInheritance(t *testing.T) {
	ix := gateIndex(t, map[string]*ReleaseGate{"/npm/*": {MinAge: 48 * time.Hour}, "/npm/acme/*": {}},
		"/*", "/npm/*", "/npm//left~", "/npm/acme/*")
	if ix.GateFor(requests) != nil {
		t.Error("the root has no gate, yet a PyPI package got one")
	}
	h, held := ix.GateFor(leftPad).Check("1.0.0", gateNow.Add(-time.Hour), gateNow)
	if !held || !strings.Contains(h.Reason, "/npm//left~ (inherited from /npm/*)") || h.Group != "/npm//left~" {
		t.Errorf("inherited gate: held %v, %+v", held, h)
	}
	if ix.GateFor(scoped) != nil {
		t.Error("a gate turned off on /npm/acme/* still applies to @acme/ui")
	}
}

// Break-glass: one version, or every version of one package.
func TestGateExemptions(t *testing.T) {
	ix := gateIndex(t, map[string]*ReleaseGate{"/*": {MinAge: 72 * time.Hour}}, "/*")
	ix.SetExemptions([]Exemption{{Ref: leftPad, Version: "2.0.0"}, {Ref: requests}})
	young := gateNow.Add(-time.Hour)
	if _, held := ix.GateFor(leftPad).Check("2.0.0", young, gateNow); held {
		t.Error("an allowed version is held")
	}
	if _, held := ix.GateFor(leftPad).Check("2.0.1", young, gateNow); !held {
		t.Error("allowing 2.0.0 let 2.0.1 through")
	}
	if _, held := ix.GateFor(artifact.PackageRef{Format: artifact.PyPI, Name: "Requests"}).Check("9", young, gateNow); held {
		t.Error("every version of requests is allowed, yet Requests 9 is held (names are normalized)")
	}
	if _, held := ix.GateFor(scoped).Check("1.0.0", young, gateNow); !held {
		t.Error("an exemption of other packages let @acme/ui through")
	}
}

func TestGateValidate(t *testing.T) {
	for _, g := range []ReleaseGate{{MinAge: -time.Second}, {MinAge: MaxGateAge + time.Hour}, {MinAge: 1500 * time.Millisecond}} {
		if g.Validate() == nil {
			t.Errorf("%+v is valid", g)
		}
	}
	if err := (ReleaseGate{MinAge: 72 * time.Hour}).Validate(); err != nil {
		t.Error(err)
	}
}

// The gate lookup and decision per version cost what a group lookup does
// (run with -bench GateFor).
func BenchmarkGateFor(b *testing.B) {
	gates := map[string]*ReleaseGate{"/npm/*": {MinAge: 72 * time.Hour}}
	patterns := []string{"/*", "/npm/*"}
	for i := 0; i < 200; i++ {
		patterns = append(patterns, "/npm/scope"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+"/*")
	}
	ix := gateIndex(b, gates, patterns...)
	ix.SetExemptions([]Exemption{{Ref: leftPad, Version: "0.9.0"}})
	b.ReportAllocs()
	for b.Loop() {
		g := ix.GateFor(leftPad)
		g.Check("1.0.0", gateNow.Add(-day), gateNow)
		g.Check("0.9.0", gateNow.Add(-day), gateNow)
	}
}

// ParseCutoff reads client input: it never panics, and a time it accepts
// is UTC and reads back the same.
func FuzzParseCutoff(f *testing.F) {
	for _, s := range []string{"2026-09-15T00:00:00Z", "2026-09-15T00:00Z", "2026-09-15", "2026-09-15T02:00:00+02:00", "next tuesday", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCutoff(s)
		if err != nil {
			return
		}
		if c.Location() != time.UTC {
			t.Fatalf("ParseCutoff(%q) = %v, not UTC", s, c)
		}
		back, err := ParseCutoff(c.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(c) {
			t.Fatalf("ParseCutoff(%q) = %v does not read back: %v %v", s, c, back, err)
		}
	})
}
