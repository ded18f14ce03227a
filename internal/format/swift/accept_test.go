package swift

import (
	"net/http"
	"testing"

	"github.com/arcahq/arca/internal/format"
)

func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		accept, kind string
		status       int
	}{
		{"", mediaJSON, 0},
		{"application/vnd.swift.registry.v1+json", mediaJSON, 0},
		{"application/vnd.swift.registry.v1", mediaJSON, 0},
		{"application/vnd.swift.registry.v1+zip", mediaZip, 0},
		{"application/vnd.swift.registry.v1+swift", mediaSwift, 0},
		{"*/*", mediaZip, 0},
		{"application/json", mediaJSON, 0},
		{"text/html, */*;q=0.1", mediaSwift, 0},
		{"application/vnd.swift.registry.v2+json", mediaJSON, http.StatusBadRequest},
		{"application/vnd.swift.registry.v1+zip", mediaJSON, http.StatusUnsupportedMediaType},
		{"text/html", mediaZip, http.StatusUnsupportedMediaType},
	} {
		err := Negotiate(c.accept, c.kind)
		got := 0
		if err != nil {
			got = format.Status(err)
			if r, ok := err.(*format.Refusal); ok {
				got = r.Status
			}
		}
		if got != c.status {
			t.Errorf("Negotiate(%q, %s) = %d (%v), want %d", c.accept, c.kind, got, err, c.status)
		}
	}
}

func FuzzNegotiate(f *testing.F) {
	f.Add("application/vnd.swift.registry.v1+json")
	f.Add("text/html;q=0.5, application/vnd.swift.registry.v3")
	f.Fuzz(func(t *testing.T, accept string) { Negotiate(accept, mediaJSON) })
}
