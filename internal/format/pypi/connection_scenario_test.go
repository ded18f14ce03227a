package pypi_test

// The public:pypi external connection through the resolver, over a real
// SQLite store and blob directory (as a server lays them out), with this
// client pointed at a fake index that counts requests; and one smoke test
// against the index pip is configured with, read at run time.

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/pypi"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

const (
	owner      = servertest.AccountID
	connection = "public:pypi"
)

var external = artifact.Origin{Type: artifact.OriginExternal, ExternalConnection: connection}

// world is the read path of one domain: catalog and resolver over a store
// and blob directory, with public:pypi pointed at url.
type world struct {
	t       *testing.T
	url     string
	timeout time.Duration
	st      store.Store
	cat     *catalog.Catalog
	blobs   *fsblob.Store
	clock   *upstreamtest.Clock
	reg     *pypi.Connection
	res     *resolve.Resolver
}

func newWorld(t *testing.T, url string, timeout time.Duration) *world {
	t.Helper()
	data := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(data, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := fsblob.New(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, url: url, timeout: timeout, st: st, blobs: blobs,
		cat:   catalog.New(st, servertest.Region, time.Now, format.NewRegistry(pypi.Rules{})),
		clock: upstreamtest.NewClock()}
	w.restart()
	ctx := t.Context()
	if _, err := w.cat.CreateDomain(ctx, catalog.DomainRef{Owner: owner, Name: domain}, "", nil); err != nil {
		t.Fatal(err)
	}
	// pypi-store (with the connection) <- my-repo; repo-c (with the
	// connection) <- repo-b <- repo-a.
	w.repo("pypi-store")
	w.connect("pypi-store")
	w.repo("my-repo", "pypi-store")
	w.repo("repo-c")
	w.connect("repo-c")
	w.repo("repo-b", "repo-c")
	w.repo("repo-a", "repo-b")
	return w
}

// restart gives the world a new client and resolver over the same store,
// as a restarted server has: nothing cached, nothing remembered.
func (w *world) restart() {
	w.reg = pypi.NewConnection(upstream.Config{URL: w.url, Blobs: w.blobs, Now: w.clock.Now})
	w.res = resolve.New(w.st, w.cat, map[string]resolve.Connection{connection: w.reg}, w.timeout, slog.New(slog.DiscardHandler))
}

func repoRef(name string) catalog.RepositoryRef {
	return catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: domain}, Name: name}
}

func (w *world) repo(name string, upstreams ...string) {
	w.t.Helper()
	if _, err := w.cat.CreateRepository(w.t.Context(), repoRef(name), owner, "", upstreams, nil); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) connect(name string) {
	w.t.Helper()
	if _, err := w.cat.AssociateExternalConnection(w.t.Context(), repoRef(name), connection); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) get(name string) store.Repository {
	w.t.Helper()
	r, err := w.cat.Repository(w.t.Context(), repoRef(name))
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// has reports whether repo holds the version, and its asset names.
func (w *world) has(repo, name, version string) (bool, []string) {
	w.t.Helper()
	v, err := w.cat.Version(w.t.Context(), w.get(repo), project(name), version)
	if errors.Is(err, errkind.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		w.t.Fatal(err)
	}
	var names []string
	for _, a := range v.Assets {
		names = append(names, a.Name)
	}
	return true, names
}

func (w *world) bytes(a artifact.Asset) []byte {
	w.t.Helper()
	f, err := assets.Open(w.t.Context(), w.blobs, a)
	if err != nil {
		w.t.Fatal(err)
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
	v, a, err := w.res.Asset(t.Context(), w.get("repo-a"), project("tiny-lib"), "1.0", wheel)
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
			if _, a, err := w.res.Asset(t.Context(), w.get("my-repo"), project("lib"), "3.1.4", sdist); err != nil || a.Name != sdist {
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
	ctx, my := t.Context(), w.get("my-repo")
	wheel := upstreamtest.PyPIWheelName(d)
	if _, _, err := w.res.Asset(ctx, my, project("lib"), "1.0", wheel); err != nil {
		t.Fatal(err)
	}
	idx.Down()
	w.clock.Advance(upstream.DefaultTTL + time.Second)
	view, err := w.res.Package(ctx, my, project("lib"))
	if err != nil || len(view.Versions) != 2 {
		t.Fatalf("index down, stale page: %v", err)
	}
	w.restart()
	for _, repo := range []string{"my-repo", "pypi-store"} {
		if _, a, err := w.res.Asset(ctx, w.get(repo), project("lib"), "1.0", wheel); err != nil || !bytes.Equal(w.bytes(a), idx.File(wheel)) {
			t.Errorf("%s, index down after a restart: %v", repo, err)
		}
	}
	// A file never fetched, of a version ingested: Unavailable.
	if _, _, err := w.res.Asset(ctx, my, project("lib"), "1.0", upstreamtest.PyPISdistName(d)); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("a file never fetched, index down: %v", err)
	}
	start := time.Now()
	_, err = w.res.Package(ctx, my, project("never-seen"))
	if took := time.Since(start); !errors.Is(err, errkind.ErrUnavailable) || took > 2*timeout {
		t.Errorf("a project never seen, index down: %v after %v", err, took)
	}
	start = time.Now()
	if _, err := w.res.Package(ctx, my, project("never-seen-either")); !errors.Is(err, errkind.ErrUnavailable) || time.Since(start) > 100*time.Millisecond {
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
	_, err := w.res.Package(t.Context(), w.get("my-repo"), project("lib"))
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
	ctx, my := t.Context(), w.get("my-repo")
	start := time.Now()
	view, err := w.res.Package(ctx, my, project("six"))
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
	v, a, err := w.res.Asset(ctx, my, project("six"), version, wheel)
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
