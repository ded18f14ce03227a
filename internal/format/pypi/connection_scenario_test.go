package pypi_test

// The public:pypi external connection through the resolver, over a real
// SQLite store and blob directory (as a server lays them out), with this
// client pointed at a fake index that counts requests; and one smoke test
// against the index pip is configured with, read at run time.

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/pypi"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

const (
	connection = "public:pypi"
)

var external = artifact.Origin{Type: artifact.OriginExternal, ExternalConnection: connection}

// world is the read path of one domain, with public:pypi pointed at a
// URL (servertest.World): pypi-store (with the connection) <- my-repo;
// repo-c (with the connection) <- repo-b <- repo-a.
type world struct{ *servertest.World }

func newWorld(t *testing.T, url string, timeout time.Duration) *world {
	w := &world{servertest.NewWorld(t, t.TempDir(), pypi.Rules{}, domain, url, timeout)}
	w.CreateDomain()
	w.Chain()
	return w
}

// has reports whether repo holds the version, and its asset names.
func (w *world) has(repo, name, version string) (bool, []string) {
	w.T.Helper()
	v, err := w.Catalog.Version(w.T.Context(), w.Get(repo), project(name), version)
	if errors.Is(err, errkind.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		w.T.Fatal(err)
	}
	var names []string
	for _, a := range v.Assets {
		names = append(names, a.Name)
	}
	return true, names
}

func (w *world) bytes(a artifact.Asset) []byte {
	w.T.Helper()
	f, err := assets.Open(w.T.Context(), w.Blobs, a)
	if err != nil {
		w.T.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

// The first request gets the file: the version is ingested (no "ingestion
// in progress"), retained where the guide says, and the file fetched
// alone.
func TestFirstRequestThroughTheChain(t *testing.T) {
	idx := upstreamtest.NewPyPI(t)
	d := upstreamtest.PyPIDist{Name: "tiny-lib", Version: "1.0"}
	idx.Publish("tiny-lib", d)
	w := newWorld(t, idx.IndexURL, 5*time.Second)
	wheel := upstreamtest.PyPIWheelName(d)
	v, a, err := w.Resolver.Asset(t.Context(), w.Get("repo-a"), project("tiny-lib"), "1.0", wheel)
	if err != nil {
		t.Fatal(err)
	}
	if v.Origin != external || v.Status != artifact.Published || !bytes.Equal(w.bytes(a), idx.File(wheel)) {
		t.Errorf("version %+v", v)
	}
	for repo, want := range map[string]bool{"repo-a": true, "repo-b": false, "repo-c": true} {
		if ok, names := w.has(repo, "tiny-lib", "1.0"); ok != want || (want && strings.Join(names, " ") != wheel) {
			t.Errorf("%s holds the version: %v %v, want %v with the wheel only", repo, ok, names, want)
		}
	}
	if p, f := idx.Pages("tiny-lib"), idx.Downloads(wheel); p != 1 || f != 1 || idx.Downloads(upstreamtest.PyPISdistName(d)) != 0 {
		t.Errorf("index requests: %d pages, %d wheels", p, f)
	}
}

func TestConcurrentFileMisses(t *testing.T) {
	idx := upstreamtest.NewPyPI(t)
	d := upstreamtest.PyPIDist{Name: "lib", Version: "3.1.4"}
	idx.Publish("lib", d)
	w := newWorld(t, idx.IndexURL, 5*time.Second)
	idx.SetDelay(100 * time.Millisecond)
	sdist := upstreamtest.PyPISdistName(d)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, a, err := w.Resolver.Asset(t.Context(), w.Get("my-repo"), project("lib"), "3.1.4", sdist); err != nil || a.Name != sdist {
				t.Error(a, err)
			}
		})
	}
	wg.Wait()
	wheel := upstreamtest.PyPIWheelName(d)
	if p, m, f := idx.Pages("lib"), idx.MetadataRequests(wheel), idx.Downloads(sdist); p != 1 || m != 1 || f != 1 {
		t.Errorf("20 concurrent misses: %d pages, %d metadata files, %d sdists; want 1 each", p, m, f)
	}
}

// During an outage, what was fetched is served, also after a restart; the
// rest fails in bounded time, then at once.
func TestOutage(t *testing.T) {
	const timeout = 2 * time.Second
	idx := upstreamtest.NewPyPI(t)
	d := upstreamtest.PyPIDist{Name: "lib", Version: "1.0"}
	idx.Publish("lib", d)
	idx.Publish("lib", upstreamtest.PyPIDist{Version: "2.0"})
	w := newWorld(t, idx.IndexURL, timeout)
	ctx, my := t.Context(), w.Get("my-repo")
	wheel := upstreamtest.PyPIWheelName(d)
	if _, _, err := w.Resolver.Asset(ctx, my, project("lib"), "1.0", wheel); err != nil {
		t.Fatal(err)
	}
	idx.Down()
	w.Clock.Advance(upstream.DefaultTTL + time.Second)
	view, err := w.Resolver.Package(ctx, my, project("lib"))
	if err != nil || len(view.Versions) != 2 {
		t.Fatalf("index down, stale page: %v", err)
	}
	w.Restart()
	for _, repo := range []string{"my-repo", "pypi-store"} {
		if _, a, err := w.Resolver.Asset(ctx, w.Get(repo), project("lib"), "1.0", wheel); err != nil || !bytes.Equal(w.bytes(a), idx.File(wheel)) {
			t.Errorf("%s, index down after a restart: %v", repo, err)
		}
	}
	// A file never fetched, of a version ingested: Unavailable.
	if _, _, err := w.Resolver.Asset(ctx, my, project("lib"), "1.0", upstreamtest.PyPISdistName(d)); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("a file never fetched, index down: %v", err)
	}
	start := time.Now()
	_, err = w.Resolver.Package(ctx, my, project("never-seen"))
	if took := time.Since(start); !errors.Is(err, errkind.ErrUnavailable) || took > 2*timeout {
		t.Errorf("a project never seen, index down: %v after %v", err, took)
	}
	start = time.Now()
	if _, err := w.Resolver.Package(ctx, my, project("never-seen-either")); !errors.Is(err, errkind.ErrUnavailable) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("the next request, failure remembered: %v after %v", err, time.Since(start))
	}
}

func TestSlowIndexThroughTheResolver(t *testing.T) {
	const timeout = time.Second
	idx := upstreamtest.NewPyPI(t)
	idx.AddProject("lib", 1)
	w := newWorld(t, idx.IndexURL, timeout)
	idx.SetDelay(20 * time.Second)
	start := time.Now()
	_, err := w.Resolver.Package(t.Context(), w.Get("my-repo"), project("lib"))
	if took := time.Since(start); !errors.Is(err, errkind.ErrUnavailable) || took > 2*timeout {
		t.Errorf("slow index: %v after %v", err, took)
	}
}

// --- the public index ---

// indexFromPip returns the index URL pip is configured with, or pip's own
// default as pip reports it, read at run time (its address is written
// nowhere in Arca).
func indexFromPip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("reaches the public index")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if out, err := exec.CommandContext(t.Context(), py, "-m", "pip", "config", "get", "global.index-url").Output(); err == nil {
		if u := strings.TrimSpace(string(out)); strings.HasPrefix(u, "http") {
			return u
		}
	}
	out, err := exec.CommandContext(t.Context(), py, "-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)").Output()
	if err != nil {
		t.Fatalf("pip's default index URL: %v", err)
	}
	u := strings.TrimSpace(string(out))
	if !strings.HasPrefix(u, "http") {
		t.Fatalf("pip reports index URL %q", u)
	}
	return u
}

// A smoke test against the index pip uses.
func TestSmokePublicIndex(t *testing.T) {
	url := indexFromPip(t)
	w := newWorld(t, url, 60*time.Second)
	ctx, my := t.Context(), w.Get("my-repo")
	start := time.Now()
	view, err := w.Resolver.Package(ctx, my, project("six"))
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Versions) < 10 {
		t.Fatalf("six: %d versions", len(view.Versions))
	}
	t.Logf("six: %d versions in %v", len(view.Versions), time.Since(start))
	const version = "1.16.0"
	rel := view.Versions[version].Remote.Source.(pypi.RemoteRelease)
	var wheel string
	for name := range rel.Files {
		if strings.HasSuffix(name, ".whl") {
			wheel = name
		}
	}
	if wheel == "" {
		t.Fatalf("six %s has no wheel: %v", version, rel.Files)
	}
	start = time.Now()
	v, a, err := w.Resolver.Asset(ctx, my, project("six"), version, wheel)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("six %s: %s, %d bytes, sha256 %s…, in %v", version, wheel, a.Size, a.SHA256[:16], time.Since(start))
	if v.Origin != external || v.Meta.Summary == "" || a.SHA256 != rel.Files[wheel].Hashes["sha256"] {
		t.Errorf("six %s: %+v %+v", version, v.Meta, a)
	}
	if ok, _ := w.has("pypi-store", "six", version); !ok {
		t.Error("not retained in pypi-store")
	}
}
