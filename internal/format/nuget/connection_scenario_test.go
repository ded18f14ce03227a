package nuget_test

// The public:nuget-org external connection through the resolver, over a
// real SQLite store and blob directory (servertest.World), with the
// client's clock stepped by the test: documents are cached for the TTL,
// served stale while the registry fails, and what was ingested is served
// after a restart.

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/nuget"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/upstream"
)

func nugetRef(id string) artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.NuGet, Name: id}
}

// nugetWorld is nuget-store (with the connection) <- my-repo, and
// repo-c (with the connection) <- repo-b <- repo-a, over a fake registry.
func nugetWorld(t *testing.T) (*servertest.World, *nugettest.Registry) {
	reg := nugettest.NewRegistry(t)
	w := servertest.NewWorld(t, t.TempDir(), nuget.Rules{}, domain, reg.IndexURL, 2*time.Second)
	w.CreateDomain()
	w.Chain()
	return w, reg
}

// During an outage the last registration is served however old, and what
// was ingested is served after a restart; a package never seen is
// Unavailable, and the failure is remembered.
func TestConnectionOutage(t *testing.T) {
	w, reg := nugetWorld(t)
	reg.Add(nugettest.Spec{ID: "Lib", Version: "1.0.0"})
	reg.Add(nugettest.Spec{ID: "Lib", Version: "2.0.0"})
	ctx, my := t.Context(), w.Get("my-repo")
	if _, err := w.Resolver.Version(ctx, my, nugetRef("lib"), "1.0.0"); err != nil {
		t.Fatal(err)
	}
	reg.SetStatus(http.StatusServiceUnavailable)
	w.Clock.Advance(upstream.DefaultTTL + time.Second)
	view, err := w.Resolver.Package(ctx, my, nugetRef("lib"))
	if err != nil || len(view.Versions) != 2 {
		t.Fatalf("registry failing, stale registration: %v (%d versions)", err, len(view.Versions))
	}
	if _, err := w.Resolver.Version(ctx, my, nugetRef("lib"), "2.0.0"); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("a version never ingested, its .nupkg unreachable: %v", err)
	}

	w.Restart()
	view, err = w.Resolver.Package(ctx, my, nugetRef("lib"))
	if err != nil {
		t.Fatalf("registry failing, cold cache: %v", err)
	}
	if c, ok := view.Versions["1.0.0"]; !ok || c.Remote != nil {
		t.Errorf("the ingested version is not served from the store: %+v", view.Versions)
	}
	for _, repo := range []string{"my-repo", "nuget-store"} {
		if v, err := w.Resolver.Version(ctx, w.Get(repo), nugetRef("lib"), "1.0.0"); err != nil || v.Origin.Type != artifact.OriginExternal {
			t.Errorf("%s, registry failing: the ingested version: %v", repo, err)
		}
	}
	if _, err := w.Resolver.Package(ctx, my, nugetRef("never.seen")); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("a package never seen, registry failing: %v", err)
	}
	before := reg.Requests("/v3/index.json")
	if _, err := w.Resolver.Package(ctx, my, nugetRef("never.seen.either")); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("the next package, failure remembered: %v", err)
	}
	if after := reg.Requests("/v3/index.json"); after != before {
		t.Errorf("a remembered failure asked the registry again (%d -> %d service index requests)", before, after)
	}

	// The registry is back once the failure is forgotten.
	reg.SetStatus(0)
	w.Clock.Advance(upstream.DefaultFailureTTL + time.Second)
	if _, err := w.Resolver.Version(ctx, my, nugetRef("lib"), "2.0.0"); err != nil {
		t.Errorf("registry back: %v", err)
	}
}

// A new version upstream shows after the TTL, not before; the service
// index and registration are fetched once per TTL.
func TestConnectionChangesAfterTTL(t *testing.T) {
	w, reg := nugetWorld(t)
	reg.Add(nugettest.Spec{ID: "Lib", Version: "1.0.0"})
	ctx, my := t.Context(), w.Get("my-repo")
	if _, err := w.Resolver.Package(ctx, my, nugetRef("lib")); err != nil {
		t.Fatal(err)
	}
	reg.Add(nugettest.Spec{ID: "Lib", Version: "1.1.0"})
	view, err := w.Resolver.Package(ctx, my, nugetRef("lib"))
	if _, ok := view.Versions["1.1.0"]; err != nil || ok {
		t.Errorf("within the TTL the new version shows already (%v)", err)
	}
	if n := reg.Requests("/reg/lib/index.json"); n != 1 {
		t.Errorf("within the TTL: %d registration requests, want 1", n)
	}
	w.Clock.Advance(upstream.DefaultTTL + time.Second)
	view, err = w.Resolver.Package(ctx, my, nugetRef("lib"))
	if _, ok := view.Versions["1.1.0"]; err != nil || !ok {
		t.Errorf("after the TTL the new version is missing (%v)", err)
	}
}
