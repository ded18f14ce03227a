package npmregistry

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// clock is a settable clock for the cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	t     *testing.T
	fake  *upstreamtest.NPM
	reg   *Registry
	clock *clock
	blobs *fsblob.Store
}

func newFixture(t *testing.T, adjust ...func(*Config)) *fixture {
	fake := upstreamtest.NewNPM(t)
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := Config{URL: fake.URL, Blobs: blobs, Now: c.Now}
	for _, a := range adjust {
		a(&cfg)
	}
	return &fixture{t: t, fake: fake, reg: New(cfg), clock: c, blobs: blobs}
}

func npmRef(name string) artifact.PackageRef {
	n, err := npm.ParseName(name)
	if err != nil {
		panic(err)
	}
	return n.Ref()
}

func wantKind(t *testing.T, err error, kind *errkind.Error, doing string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: %v, want %s", doing, err, kind.Kind)
	}
}

func TestPackageFromRegistry(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 3)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	if len(remote.Versions) != 3 || remote.Tags["latest"] != "1.2.0" {
		t.Errorf("versions %d, tags %v", len(remote.Versions), remote.Tags)
	}
	tgz := f.fake.Tarball("left-pad", "1.1.0")
	s1, s512 := sha1.Sum(tgz), sha512.Sum512(tgz)
	want := Tarball{URL: f.fake.URL + f.fake.TarballPath("left-pad", "1.1.0"), SHA1: hex.EncodeToString(s1[:]), SHA512: hex.EncodeToString(s512[:])}
	if got := remote.Versions["1.1.0"].Source; got != want {
		t.Errorf("source %+v, want %+v", got, want)
	}
	if m := remote.Versions["1.1.0"].Meta; m.DisplayName != "left-pad" || m.Licenses[0].Name != "MIT" || m.PublishedAt.IsZero() {
		t.Errorf("meta %+v", m)
	}
	h := f.fake.Header("/left-pad")
	if h.Get("Accept") != "application/json" || h.Get("User-Agent") != UserAgent {
		t.Errorf("request headers Accept %q User-Agent %q", h.Get("Accept"), h.Get("User-Agent"))
	}
}

// A scoped name goes upstream as one path segment, @scope%2fname.
func TestScopedPackage(t *testing.T) {
	var uri string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uri = r.RequestURI
		http.NotFound(w, r)
	}))
	defer srv.Close()
	_, err := New(Config{URL: srv.URL + "/"}).Package(t.Context(), npmRef("@acme/util"))
	wantKind(t, err, errkind.ErrNotFound, "a package the registry does not have")
	if uri != "/@acme%2futil" {
		t.Errorf("requested %s, want /@acme%%2futil", uri)
	}

	f := newFixture(t)
	f.fake.Publish("@acme/util", upstreamtest.Version{Version: "2.0.0", Dependencies: map[string]string{"@acme/core": "^1.0.0"}})
	remote, err := f.reg.Package(t.Context(), npmRef("@acme/util"))
	if err != nil {
		t.Fatal(err)
	}
	deps := remote.Versions["2.0.0"].Meta.Dependencies
	if len(deps) != 1 || deps[0].Namespace != "acme" || deps[0].Package != "core" {
		t.Errorf("dependencies %+v", deps)
	}
	if n := f.fake.Packuments("@acme/util"); n != 1 {
		t.Errorf("%d document requests", n)
	}
}

func TestBadAndOversizedDocuments(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxDocumentSize = 4 << 10 })
	f.fake.SetDocument("broken", []byte(`{"name":"broken","versions":{`))
	_, err := f.reg.Package(t.Context(), npmRef("broken"))
	wantKind(t, err, errkind.ErrUnavailable, "invalid JSON")
	if msg := errkind.As(err).Message; !strings.Contains(msg, "invalid document") || !strings.Contains(msg, f.fake.URL) {
		t.Errorf("message %q", msg)
	}
	f.fake.SetDocument("huge", []byte(`{"name":"huge","description":"`+strings.Repeat("x", 5<<10)+`"}`))
	_, err = f.reg.Package(t.Context(), npmRef("huge"))
	wantKind(t, err, errkind.ErrUnavailable, "an oversized document")
	if msg := errkind.As(err).Message; !strings.Contains(msg, "larger than") {
		t.Errorf("message %q", msg)
	}
	f.fake.SetDocument("gone", []byte(`{"name":"gone","time":{"unpublished":{}}}`))
	_, err = f.reg.Package(t.Context(), npmRef("gone"))
	wantKind(t, err, errkind.ErrNotFound, "an unpublished package")
}

func TestCacheTTLAndRevalidation(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	first, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	f.fake.Publish("left-pad", upstreamtest.Version{Version: "2.0.0"})
	f.clock.Advance(DefaultTTL - time.Second)
	again, _ := f.reg.Package(t.Context(), npmRef("left-pad"))
	if again != first || f.fake.Packuments("left-pad") != 1 {
		t.Fatalf("within the TTL: %d requests", f.fake.Packuments("left-pad"))
	}
	f.clock.Advance(2 * time.Second)
	fresh, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fresh.Versions["2.0.0"]; !ok || fresh.Tags["latest"] != "2.0.0" || f.fake.Packuments("left-pad") != 2 {
		t.Errorf("after the TTL: versions %d, tags %v, %d requests", len(fresh.Versions), fresh.Tags, f.fake.Packuments("left-pad"))
	}
	// Unchanged upstream: revalidated with If-None-Match, same document.
	f.clock.Advance(DefaultTTL)
	same, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil || same != fresh {
		t.Errorf("revalidation: %v, same document %v", err, same == fresh)
	}
	if h := f.fake.Header("/left-pad"); h.Get("If-None-Match") == "" {
		t.Error("revalidation without If-None-Match")
	}
	// Not found is an answer, cached too.
	for range 3 {
		_, err := f.reg.Package(t.Context(), npmRef("nope"))
		wantKind(t, err, errkind.ErrNotFound, "a package the registry does not have")
	}
	if n := f.fake.Packuments("nope"); n != 1 {
		t.Errorf("not found asked %d times, want once per TTL", n)
	}
}

func TestConcurrentFetchesCollapse(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 5)
	f.fake.SetDelay(200 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
			if err == nil && len(remote.Versions) != 5 {
				err = fmt.Errorf("%d versions", len(remote.Versions))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.fake.Packuments("left-pad"); n != 1 {
		t.Errorf("50 concurrent calls sent %d requests, want 1", n)
	}
}

// A caller that goes away does not cancel the fetch the others wait for.
func TestFetchSurvivesTheCallerThatStartedIt(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	f.fake.SetDelay(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { _, err := f.reg.Package(ctx, npmRef("left-pad")); done <- err }()
	time.Sleep(50 * time.Millisecond)
	second := make(chan error)
	go func() { _, err := f.reg.Package(t.Context(), npmRef("left-pad")); second <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	if err := <-second; err != nil {
		t.Errorf("the second caller lost the fetch when the first went away: %v", err)
	}
	if n := f.fake.Packuments("left-pad"); n != 1 {
		t.Errorf("%d requests", n)
	}
}

func TestFailureMemory(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	f.fake.AddPackage("right-pad", 1)
	f.fake.SetStatus(http.StatusServiceUnavailable)
	_, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	wantKind(t, err, errkind.ErrUnavailable, "a 503")
	if msg := errkind.As(err).Message; !strings.Contains(msg, f.fake.URL) || !strings.Contains(msg, "503") {
		t.Errorf("message %q does not name the registry and the cause", msg)
	}
	f.fake.SetStatus(0)
	start := time.Now()
	_, err = f.reg.Package(t.Context(), npmRef("left-pad"))
	wantKind(t, err, errkind.ErrUnavailable, "within the failure memory")
	if n := f.fake.Packuments("left-pad"); n != 1 {
		t.Errorf("the remembered failure sent %d requests", n)
	}
	if msg := errkind.As(err).Message; !strings.Contains(msg, "tries again in") {
		t.Errorf("message %q", msg)
	}
	t.Logf("remembered failure answered in %v", time.Since(start))
	// A 503 is the package's failure, not the registry's: others are asked.
	if _, err := f.reg.Package(t.Context(), npmRef("right-pad")); err != nil {
		t.Errorf("another package: %v", err)
	}
	f.clock.Advance(DefaultFailureTTL)
	if _, err := f.reg.Package(t.Context(), npmRef("left-pad")); err != nil || f.fake.Packuments("left-pad") != 2 {
		t.Errorf("after the failure memory: %v, %d requests", err, f.fake.Packuments("left-pad"))
	}

	// A registry that cannot be reached is remembered for every package.
	f.fake.Down()
	_, err = f.reg.Package(t.Context(), npmRef("a"))
	wantKind(t, err, errkind.ErrUnavailable, "connection refused")
	if msg := errkind.As(err).Message; !strings.Contains(msg, "connection refused") {
		t.Errorf("message %q", msg)
	}
	f.fake.Up()
	total := f.fake.Total()
	_, err = f.reg.Package(t.Context(), npmRef("b"))
	wantKind(t, err, errkind.ErrUnavailable, "another package while the registry is remembered down")
	tgz := f.fake.Tarball("right-pad", "1.0.0")
	sum := sha512.Sum512(tgz)
	_, err = f.reg.Ingest(t.Context(), npmRef("right-pad"), rv("1.0.0", Tarball{URL: f.fake.URL + f.fake.TarballPath("right-pad", "1.0.0"), SHA512: hex.EncodeToString(sum[:])}))
	wantKind(t, err, errkind.ErrUnavailable, "a tarball while the registry is remembered down")
	if f.fake.Total() != total {
		t.Errorf("%d requests sent to a registry remembered down", f.fake.Total()-total)
	}
	f.clock.Advance(DefaultFailureTTL)
	f.fake.AddPackage("c", 1)
	if _, err := f.reg.Package(t.Context(), npmRef("c")); err != nil || f.fake.Packuments("c") != 1 {
		t.Errorf("after the registry came back: %v", err)
	}
}

func TestStaleIfError(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 2)
	first, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultTTL + time.Second)
	f.fake.SetStatus(http.StatusInternalServerError)
	got, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil || got != first {
		t.Fatalf("a failed refresh: %v (stale document served: %v)", err, got == first)
	}
	if n := f.fake.Packuments("left-pad"); n != 2 {
		t.Errorf("%d requests, want the refresh attempt", n)
	}
	f.fake.Down()
	f.clock.Advance(time.Hour)
	if got, err := f.reg.Package(t.Context(), npmRef("left-pad")); err != nil || got != first {
		t.Errorf("registry down an hour later: %v", err)
	}
	_, err = f.reg.Package(t.Context(), npmRef("never-fetched"))
	wantKind(t, err, errkind.ErrUnavailable, "a package never fetched, registry down")
}

func TestSlowRegistryIsBounded(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	f.fake.SetDelay(5 * time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.reg.Package(ctx, npmRef("left-pad"))
	took := time.Since(start)
	wantKind(t, err, errkind.ErrUnavailable, "a slow registry")
	if took > 600*time.Millisecond {
		t.Errorf("gave up after %v with a 300ms deadline", took)
	}
	if msg := errkind.As(err).Message; !strings.Contains(msg, "no answer within") {
		t.Errorf("message %q", msg)
	}
	time.Sleep(20 * time.Millisecond) // the detached fetch ends at the same deadline
	start = time.Now()
	_, err = f.reg.Package(t.Context(), npmRef("left-pad"))
	wantKind(t, err, errkind.ErrUnavailable, "right after the timeout")
	if again := time.Since(start); again > 50*time.Millisecond {
		t.Errorf("the remembered timeout took %v", again)
	}
	t.Logf("timeout after %v (deadline 300ms); remembered failure in %v", took, time.Since(start))
}

func rv(version string, tb Tarball) resolve.RemoteVersion {
	return resolve.RemoteVersion{Version: version, Meta: artifact.Meta{DisplayName: "x"}, Source: tb}
}

func TestIngest(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 2)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.reg.Ingest(t.Context(), npmRef("left-pad"), remote.Versions["1.1.0"])
	if err != nil {
		t.Fatal(err)
	}
	tgz := f.fake.Tarball("left-pad", "1.1.0")
	sum := sha256.Sum256(tgz)
	if len(v.Assets) != 1 || v.Assets[0].Name != "package.tgz" || v.Assets[0].SHA256 != hex.EncodeToString(sum[:]) || v.Assets[0].Size != int64(len(tgz)) {
		t.Fatalf("assets %+v", v.Assets)
	}
	if v.Meta.DisplayName != "left-pad" || string(v.Meta.Extra) != string(remote.Versions["1.1.0"].Meta.Extra) {
		t.Errorf("meta %+v", v.Meta)
	}
	d, _ := blob.ParseDigest(v.Assets[0].SHA256)
	if _, err := f.blobs.Stat(t.Context(), d); err != nil {
		t.Errorf("the tarball is not in the blob store: %v", err)
	}
	if h := f.fake.Header(f.fake.TarballPath("left-pad", "1.1.0")); h.Get("User-Agent") != UserAgent {
		t.Errorf("tarball User-Agent %q", h.Get("User-Agent"))
	}
}

func TestIngestRefusesBadBytes(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	f.fake.Corrupt("left-pad", "1.0.0")
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), remote.Versions["1.0.0"])
	wantKind(t, err, errkind.ErrValidation, "a tarball that does not match its integrity")
	if msg := errkind.As(err).Message; !strings.Contains(msg, "does not match") || !strings.Contains(msg, "not stored") {
		t.Errorf("message %q", msg)
	}
	// Only the SHA-1 declared: checked too.
	tb := remote.Versions["1.0.0"].Source.(Tarball)
	tb.SHA512 = ""
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), rv("1.0.0", tb))
	wantKind(t, err, errkind.ErrValidation, "a tarball that does not match its shasum")
	n := 0
	f.blobs.Walk(t.Context(), func(blob.Info) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d blobs stored from bad tarballs", n)
	}
}

func TestIngestFailures(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	v := remote.Versions["1.0.0"]
	f.fake.SetStatus(http.StatusBadGateway)
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), v)
	wantKind(t, err, errkind.ErrUnavailable, "a 502 for the tarball")
	f.fake.SetStatus(0)
	tb := v.Source.(Tarball)
	tb.URL += ".missing"
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), rv("1.0.0", tb))
	wantKind(t, err, errkind.ErrNotFound, "a tarball the registry does not have")
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), rv("1.0.0", Tarball{}))
	if err == nil {
		t.Error("ingested from no URL")
	}
	f.fake.Down()
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), v)
	wantKind(t, err, errkind.ErrUnavailable, "registry down")
}

func TestCacheIsBounded(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CacheBytes = 1 })
	f.fake.AddPackage("a", 1)
	f.fake.AddPackage("b", 1)
	for _, name := range []string{"a", "b", "a"} {
		if _, err := f.reg.Package(t.Context(), npmRef(name)); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.fake.Packuments("a"); n != 2 {
		t.Errorf("a fetched %d times, want 2 (evicted by b)", n)
	}
	if len(f.reg.entries) != 1 {
		t.Errorf("%d entries kept", len(f.reg.entries))
	}
}

// A password in the configured URL never reaches a client's message.
func TestMessagesRedactTheURL(t *testing.T) {
	reg := New(Config{URL: "http://arca:s3cret@127.0.0.1:1/npm"})
	_, err := reg.Package(t.Context(), npmRef("left-pad"))
	wantKind(t, err, errkind.ErrUnavailable, "a registry that refuses connections")
	if msg := errkind.As(err).Message; strings.Contains(msg, "s3cret") || !strings.Contains(msg, "127.0.0.1:1") {
		t.Errorf("message %q", msg)
	}
}
