package main

import (
	"testing"
)

// BenchmarkScalePrepare is what building one publish costs the scale
// scenario's publisher, per format: the client CPU the busy publisher
// spent in its window before its payloads were built ahead of it.
func BenchmarkScalePrepare(b *testing.B) {
	a := scenarioArca{arcaServer: &arcaServer{}, ep: "http://127.0.0.1:1/"}
	for _, f := range []string{"npm", "pypi", "maven", "cargo", "nuget", "ruby", "swift"} {
		b.Run(f, func(b *testing.B) {
			t, err := scaleTargets(a, f)
			if err != nil {
				b.Fatal(err)
			}
			if f == "maven" {
				// The metadata lists the seeded versions: 5,000 of them.
				if _, err := t.prepare("scale"+f, 4999); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; b.Loop(); i++ {
				p, err := t.prepare("scale"+f, 1000000+i)
				if err != nil || p.size == 0 {
					b.Fatal(err, p.size)
				}
			}
		})
	}
}

// TestScalePrebuild checks that the busy publisher's payloads are built
// in order and stop at the count asked.
func TestScalePrebuild(t *testing.T) {
	a := scenarioArca{arcaServer: &arcaServer{}, ep: "http://127.0.0.1:1/"}
	tg, err := scaleTargets(a, "swift")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := tg.prebuild("scaleswift", 1000000, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 7 {
		t.Fatalf("built %d payloads, want 7", len(ps))
	}
	for _, p := range ps {
		if p.size == 0 || p.send == nil {
			t.Fatalf("an empty payload: %+v", p)
		}
	}
}
