package ruby_test

// The public:ruby-gems-org external connection through the resolver, over
// a real SQLite store and blob directory (servertest.World), with this
// client pointed at a fake gem registry (upstreamtest.RubyGems) and its
// clock stepped by the test.

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/ruby"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// rubyWorld is ruby-store (with the connection) <- my-repo, and repo-c
// (with the connection) <- repo-b <- repo-a.
func rubyWorld(t *testing.T) (*servertest.World, *upstreamtest.RubyGems) {
	reg := upstreamtest.NewRubyGems(t)
	w := servertest.NewWorld(t, t.TempDir(), ruby.Rules{}, "my-domain", reg.URL, 2*time.Second)
	w.CreateDomain()
	w.Chain()
	return w, reg
}

func blobBytes(t *testing.T, w *servertest.World, a artifact.Asset) []byte {
	t.Helper()
	f, err := assets.Open(t.Context(), w.Blobs, a)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

// The first download ingests the version once for concurrent requests,
// with the whole gemspec of its gem; another platform's gem of the
// version is fetched on its own first download.
func TestConnectionIngests(t *testing.T) {
	w, reg := rubyWorld(t)
	reg.Publish(upstreamtest.Gem{Name: "lib", Version: "1.0.0", Summary: "The lib", Dependencies: map[string]string{"dep": ">= 1, < 3"}})
	reg.Publish(upstreamtest.Gem{Name: "lib", Version: "1.0.0", Platform: "java"})
	ctx, my := t.Context(), w.Get("my-repo")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, a, err := w.Resolver.Asset(ctx, my, ruby.Ref("lib"), "1.0.0", "lib-1.0.0.gem"); err != nil || !bytes.Equal(blobBytes(t, w, a), reg.File("lib-1.0.0.gem")) {
				t.Errorf("download: %v", err)
			}
		})
	}
	wg.Wait()
	if n := reg.Requests("/gems/lib-1.0.0.gem"); n != 1 {
		t.Errorf("the gem was fetched %d times, want 1", n)
	}
	v, err := w.Catalog.Version(ctx, w.Get("ruby-store"), ruby.Ref("lib"), "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	gems := ruby.ParseExtra(v.Meta.Extra).Gems
	if v.Origin.Type != artifact.OriginExternal || v.Meta.Summary != "The lib" || len(gems) != 2 ||
		gems["lib-1.0.0.gem"].Summary != "The lib" || ruby.Requirement(gems["lib-1.0.0.gem"].Dependencies[0].Requirements) != ">= 1, < 3" {
		t.Errorf("ingested version = %+v, gems %+v", v, gems)
	}
	if n := reg.Requests("/gems/lib-1.0.0-java.gem"); n != 0 {
		t.Errorf("the java gem was fetched before it was asked for (%d)", n)
	}
	if _, a, err := w.Resolver.Asset(ctx, my, ruby.Ref("lib"), "1.0.0", "lib-1.0.0-java.gem"); err != nil || !bytes.Equal(blobBytes(t, w, a), reg.File("lib-1.0.0-java.gem")) {
		t.Errorf("the java gem: %v", err)
	}
	reg.Corrupt("lib-1.0.0-java.gem") // already kept: not fetched again
	if _, _, err := w.Resolver.Asset(ctx, my, ruby.Ref("lib"), "1.0.0", "lib-1.0.0-java.gem"); err != nil || reg.Requests("/gems/lib-1.0.0-java.gem") != 1 {
		t.Errorf("the kept java gem: %v, %d fetches", err, reg.Requests("/gems/lib-1.0.0-java.gem"))
	}
}

// A gem whose bytes do not match its info line is refused, and nothing
// is kept.
func TestConnectionRefusesCorruptGems(t *testing.T) {
	w, reg := rubyWorld(t)
	reg.Publish(upstreamtest.Gem{Name: "lib", Version: "1.0.0"})
	reg.Corrupt("lib-1.0.0.gem")
	ctx := t.Context()
	if _, _, err := w.Resolver.Asset(ctx, w.Get("my-repo"), ruby.Ref("lib"), "1.0.0", "lib-1.0.0.gem"); err == nil {
		t.Error("a corrupt gem was served")
	}
	if _, err := w.Catalog.Version(ctx, w.Get("ruby-store"), ruby.Ref("lib"), "1.0.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("a corrupt gem was kept: %v", err)
	}
}

// During an outage the last info file is served however old, and what
// was ingested is served after a restart; a gem never seen is
// Unavailable. The versions file is served stale too.
func TestConnectionOutage(t *testing.T) {
	w, reg := rubyWorld(t)
	reg.Publish(upstreamtest.Gem{Name: "lib", Version: "1.0.0"})
	reg.Publish(upstreamtest.Gem{Name: "lib", Version: "2.0.0"})
	ctx, my := t.Context(), w.Get("my-repo")
	if _, err := w.Resolver.Version(ctx, my, ruby.Ref("lib"), "1.0.0"); err != nil {
		t.Fatal(err)
	}
	conn := ruby.NewConnection(upstream.Config{URL: reg.URL, Blobs: w.Blobs, Now: w.Clock.Now})
	before, err := conn.VersionsFile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reg.Down()
	w.Clock.Advance(upstream.DefaultTTL + time.Second)
	view, err := w.Resolver.Package(ctx, my, ruby.Ref("lib"))
	if err != nil || len(view.Versions) != 2 {
		t.Fatalf("registry down, stale info file: %v", err)
	}
	if stale, err := conn.VersionsFile(ctx); err != nil || !bytes.Equal(stale, before) {
		t.Errorf("registry down, stale versions file: %v", err)
	}
	w.Restart()
	for _, repo := range []string{"my-repo", "ruby-store"} {
		if _, a, err := w.Resolver.Asset(ctx, w.Get(repo), ruby.Ref("lib"), "1.0.0", "lib-1.0.0.gem"); err != nil || !bytes.Equal(blobBytes(t, w, a), reg.File("lib-1.0.0.gem")) {
			t.Errorf("%s, registry down after a restart: %v", repo, err)
		}
	}
	if _, err := w.Resolver.Package(ctx, my, ruby.Ref("never-seen")); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("a gem never seen, registry down: %v", err)
	}
}
