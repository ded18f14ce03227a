package server

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/config"
)

// An external connection no format serves stops the server before it
// creates anything (moved here from config, which knows no formats).
func TestUnknownConnectionRefused(t *testing.T) {
	cfg := config.Defaults()
	cfg.Data = filepath.Join(t.TempDir(), "data")
	cfg.ExternalConnections = map[string]string{"public:nope": "http://h/"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), `external connection "public:nope" is not one of`) || !strings.Contains(err.Error(), "public:crates-io") {
		t.Fatalf("New: %v", err)
	}
	if _, err := os.Stat(cfg.Data); !os.IsNotExist(err) {
		t.Errorf("the data directory was created: %v", err)
	}
}

// The list of formats knows every external connection of the User
// Guide's list, each with its format, whether or not Arca has a client
// for it yet.
func TestFormatsKnowEveryConnection(t *testing.T) {
	f := formats()
	want := map[string]artifact.Format{
		"public:npmjs": artifact.NPM, "public:pypi": artifact.PyPI,
		"public:maven-central": artifact.Maven, "public:maven-googleandroid": artifact.Maven,
		"public:maven-gradleplugins": artifact.Maven, "public:maven-commonsware": artifact.Maven,
		"public:maven-clojars": artifact.Maven, "public:nuget-org": artifact.NuGet,
		"public:ruby-gems-org": artifact.Ruby, "public:crates-io": artifact.Cargo,
	}
	names := f.ConnectionNames()
	if len(names) != len(want) || !slices.IsSorted(names) {
		t.Errorf("connection names %v", names)
	}
	for name, format := range want {
		if got, ok := f.ConnectionFormat(name); !ok || got != format {
			t.Errorf("%s: %q %v, want %q", name, got, ok, format)
		}
	}
	// Served: the formats with an endpoint, and generic (the control
	// plane serves it): every format.
	if got := f.Served(); !slices.Equal(got, []string{"cargo", "generic", "maven", "npm", "nuget", "pypi", "ruby", "swift"}) {
		t.Errorf("served %v", got)
	}
	for _, format := range []artifact.Format{artifact.NPM, artifact.PyPI, artifact.Maven, artifact.NuGet, artifact.Generic, artifact.Ruby, artifact.Swift, artifact.Cargo} {
		if !f.Known(format) {
			t.Errorf("format %s is not listed", format)
		}
	}
}
