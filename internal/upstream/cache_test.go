package upstream

// The machinery the registry clients share, against a fake registry that
// counts requests (upstreamtest.Maven serves any bytes at any path, with
// ETags), on a stepped clock: the cache, collapsed fetches, failure
// memory, hosts down, stale-if-error, bounded waits, bounded documents.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// doc is the document of the tests: a fake's file as it was fetched.
type doc struct{ body string }

// maxDoc bounds the documents of the tests.
const maxDoc = 4 << 10

// parseDoc reads a doc; a body "gone" is an answer that there is none (as
// npm's stub of an unpublished package), a body "broken" is invalid.
func parseDoc(resp *Response) (*doc, int64, error) {
	b, err := resp.ReadAll(maxDoc)
	if err != nil {
		return nil, 0, err
	}
	switch string(b) {
	case "gone":
		return nil, int64(len(b)), errkind.NotFoundf("gone")
	case "broken":
		return nil, 0, errkind.New(errkind.Unavailable, "invalid document")
	}
	return &doc{body: string(b)}, int64(len(b)), nil
}

type fixture struct {
	fake   *upstreamtest.Maven
	client *Client
	docs   *Cache[*doc]
	clock  *upstreamtest.Clock
	blobs  *fsblob.Store
}

func newFixture(t *testing.T, adjust ...func(*Config)) *fixture {
	t.Helper()
	fake := upstreamtest.NewMaven(t)
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := upstreamtest.NewClock()
	cfg := Config{URL: fake.URL, Name: "the test registry at " + fake.URL, UserAgent: "arca (+test)", Blobs: blobs, Now: c.Now}
	for _, a := range adjust {
		a(&cfg)
	}
	client := NewClient(cfg)
	return &fixture{fake: fake, client: client, docs: NewCache[*doc](client), clock: c, blobs: blobs}
}

// get asks the cache for the document at /name.
func (f *fixture) get(ctx context.Context, name string) (*doc, error) {
	req := Request{URL: f.fake.URL + "/" + name, What: "the document of " + name, Accept: "application/json"}
	return f.docs.Get(ctx, name, req, parseDoc)
}

// fetched puts body at /name and gets it through the cache.
func (f *fixture) fetched(t *testing.T, name, body string) *doc {
	t.Helper()
	f.fake.PutFile("/"+name, []byte(body))
	d, err := f.get(t.Context(), name)
	if err != nil || d.body != body {
		t.Fatalf("%s: %+v %v", name, d, err)
	}
	return d
}

func (f *fixture) requests(name string) int64 { return f.fake.Requests("/" + name) }

func wantKind(t *testing.T, err error, kind *errkind.Error, doing string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: %v, want %s", doing, err, kind.Kind)
	}
}

func wantMessage(t *testing.T, err error, parts ...string) {
	t.Helper()
	msg := errkind.As(err).Message
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message %q does not say %q", msg, p)
		}
	}
}

func TestGetSendsTheRequest(t *testing.T) {
	f := newFixture(t)
	f.fetched(t, "a", "one")
	if h := f.fake.Header("/a"); h.Get("Accept") != "application/json" || h.Get("User-Agent") != "arca (+test)" {
		t.Errorf("request headers %v", h)
	}
}

func TestCacheTTLAndRevalidation(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first := f.fetched(t, "a", "one")
	f.fake.PutFile("/a", []byte("two"))
	f.clock.Advance(DefaultTTL - time.Second)
	if again, _ := f.get(ctx, "a"); again != first || f.requests("a") != 1 {
		t.Fatalf("within the TTL: %d requests", f.requests("a"))
	}
	f.clock.Advance(2 * time.Second)
	fresh, err := f.get(ctx, "a")
	if err != nil || fresh.body != "two" || f.requests("a") != 2 {
		t.Fatalf("after the TTL: %+v %v, %d requests", fresh, err, f.requests("a"))
	}
	// Unchanged upstream: revalidated with If-None-Match, same document.
	f.clock.Advance(DefaultTTL)
	same, err := f.get(ctx, "a")
	if err != nil || same != fresh || f.requests("a") != 3 {
		t.Errorf("revalidation: %v, same document %v, %d requests", err, same == fresh, f.requests("a"))
	}
	if h := f.fake.Header("/a"); h.Get("If-None-Match") == "" {
		t.Error("revalidation without If-None-Match")
	}
	// Not found is an answer, cached too: a 404, and what Parse says.
	f.fake.PutFile("/gone", []byte("gone"))
	for _, name := range []string{"nope", "gone"} {
		for range 3 {
			_, err := f.get(ctx, name)
			wantKind(t, err, errkind.ErrNotFound, "a document the registry does not have")
		}
		if n := f.requests(name); n != 1 {
			t.Errorf("%s: not found asked %d times, want once per TTL", name, n)
		}
	}
	f.fake.PutFile("/nope", []byte("here now"))
	f.clock.Advance(DefaultTTL)
	if d, err := f.get(ctx, "nope"); err != nil || d.body != "here now" {
		t.Errorf("not found, after the TTL: %+v %v", d, err)
	}
}

func TestConcurrentFetchesCollapse(t *testing.T) {
	f := newFixture(t)
	f.fake.PutFile("/a", []byte("one"))
	f.fake.SetDelay(200 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			d, err := f.get(t.Context(), "a")
			if err == nil && d.body != "one" {
				err = fmt.Errorf("document %q", d.body)
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
	if n := f.requests("a"); n != 1 {
		t.Errorf("50 concurrent calls sent %d requests, want 1", n)
	}
}

// A caller that goes away does not cancel the fetch the others wait for.
func TestFetchSurvivesTheCallerThatStartedIt(t *testing.T) {
	f := newFixture(t)
	f.fake.PutFile("/a", []byte("one"))
	f.fake.SetDelay(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { _, err := f.get(ctx, "a"); done <- err }()
	time.Sleep(50 * time.Millisecond)
	second := make(chan error)
	go func() { _, err := f.get(t.Context(), "a"); second <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	if err := <-second; err != nil {
		t.Errorf("the second caller lost the fetch when the first went away: %v", err)
	}
	if n := f.requests("a"); n != 1 {
		t.Errorf("%d requests", n)
	}
}

func TestFailureMemory(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.fake.PutFile("/a", []byte("one"))
	f.fake.PutFile("/b", []byte("two"))
	f.fake.SetStatus(http.StatusServiceUnavailable)
	_, err := f.get(ctx, "a")
	wantKind(t, err, errkind.ErrUnavailable, "a 503")
	wantMessage(t, err, "The test registry at "+f.fake.URL, "503", "the document of a")
	f.fake.SetStatus(0)
	_, err = f.get(ctx, "a")
	wantKind(t, err, errkind.ErrUnavailable, "within the failure memory")
	wantMessage(t, err, "503", "tries again in")
	if n := f.requests("a"); n != 1 {
		t.Errorf("the remembered failure sent %d requests", n)
	}
	// A 503 is the document's failure, not the host's: others are asked.
	if _, err := f.get(ctx, "b"); err != nil {
		t.Errorf("another document: %v", err)
	}
	f.clock.Advance(DefaultFailureTTL)
	if _, err := f.get(ctx, "a"); err != nil || f.requests("a") != 2 {
		t.Errorf("after the failure memory: %v, %d requests", err, f.requests("a"))
	}
	// An invalid document is a failure too.
	f.fake.PutFile("/broken", []byte("broken"))
	for range 2 {
		_, err = f.get(ctx, "broken")
		wantKind(t, err, errkind.ErrUnavailable, "an invalid document")
		wantMessage(t, err, "invalid document")
	}
	if n := f.requests("broken"); n != 1 {
		t.Errorf("an invalid document was asked %d times", n)
	}
}

// A host that cannot be reached is remembered for every request to it:
// documents, files and small reads alike.
func TestHostDown(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.fake.PutFile("/a", []byte("one"))
	f.fake.PutFile("/file", []byte("bytes"))
	f.fake.Down()
	_, err := f.get(ctx, "a")
	wantKind(t, err, errkind.ErrUnavailable, "connection refused")
	wantMessage(t, err, "could not be reached for the document of a", "connection refused")
	f.fake.Up()
	total := f.fake.Total()
	_, err = f.get(ctx, "other")
	wantKind(t, err, errkind.ErrUnavailable, "another document while the host is remembered down")
	wantMessage(t, err, "could not be reached: connection refused", "tries again in")
	_, err = f.client.Download(ctx, Request{URL: f.fake.URL + "/file", What: "file"}, File{Name: "file"})
	wantKind(t, err, errkind.ErrUnavailable, "a file while the host is remembered down")
	_, err = f.client.Read(ctx, Request{URL: f.fake.URL + "/file", What: "file"}, 1<<10)
	wantKind(t, err, errkind.ErrUnavailable, "a small file while the host is remembered down")
	if f.fake.Total() != total {
		t.Errorf("%d requests sent to a host remembered down", f.fake.Total()-total)
	}
	// Another host is another matter.
	other := upstreamtest.NewMaven(t)
	other.PutFile("/file", []byte("bytes"))
	if _, err := f.client.Read(ctx, Request{URL: other.URL + "/file", What: "file"}, 1<<10); err != nil {
		t.Errorf("another host: %v", err)
	}
	f.clock.Advance(DefaultFailureTTL)
	if _, err := f.get(ctx, "a"); err != nil || f.requests("a") != 1 {
		t.Errorf("after the host came back: %v, %d requests", err, f.requests("a"))
	}
}

// A caller that goes away is not a failure of the host.
func TestCancelledIsNotDown(t *testing.T) {
	f := newFixture(t)
	f.fake.PutFile("/file", []byte("bytes"))
	f.fake.SetDelay(time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := f.client.Read(ctx, Request{URL: f.fake.URL + "/file", What: "file"}, 1<<10); err == nil {
		t.Fatal("a cancelled read succeeded")
	}
	f.fake.SetDelay(0)
	if _, err := f.client.Read(t.Context(), Request{URL: f.fake.URL + "/file", What: "file"}, 1<<10); err != nil {
		t.Errorf("after a cancelled request: %v", err)
	}
}

func TestStaleIfError(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first := f.fetched(t, "a", "one")
	f.clock.Advance(DefaultTTL + time.Second)
	f.fake.SetStatus(http.StatusInternalServerError)
	got, err := f.get(ctx, "a")
	if err != nil || got != first {
		t.Fatalf("a failed refresh: %v (stale document served: %v)", err, got == first)
	}
	if n := f.requests("a"); n != 2 {
		t.Errorf("%d requests, want the refresh attempt", n)
	}
	f.fake.Down()
	f.clock.Advance(time.Hour)
	if got, err := f.get(ctx, "a"); err != nil || got != first {
		t.Errorf("host down an hour later: %v", err)
	}
	_, err = f.get(ctx, "never-fetched")
	wantKind(t, err, errkind.ErrUnavailable, "a document never fetched, host down")
}

func TestSlowRegistryIsBounded(t *testing.T) {
	f := newFixture(t)
	f.fake.PutFile("/a", []byte("one"))
	f.fake.SetDelay(5 * time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.get(ctx, "a")
	took := time.Since(start)
	wantKind(t, err, errkind.ErrUnavailable, "a slow registry")
	if took > 600*time.Millisecond {
		t.Errorf("gave up after %v with a 300ms deadline", took)
	}
	wantMessage(t, err, "no answer within")
	time.Sleep(20 * time.Millisecond) // the detached fetch ends at the same deadline
	start = time.Now()
	_, err = f.get(t.Context(), "a")
	wantKind(t, err, errkind.ErrUnavailable, "right after the timeout")
	if again := time.Since(start); again > 50*time.Millisecond {
		t.Errorf("the remembered timeout took %v", again)
	}
	t.Logf("timeout after %v (deadline 300ms); remembered failure in %v", took, time.Since(start))
}

// Without a deadline of its own, a caller waits Config.Timeout at most.
func TestTimeoutWithoutDeadline(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Timeout = 300 * time.Millisecond })
	f.fake.PutFile("/a", []byte("one"))
	f.fake.SetDelay(5 * time.Second)
	start := time.Now()
	_, err := f.get(context.Background(), "a")
	wantKind(t, err, errkind.ErrUnavailable, "a slow registry, no deadline")
	if took := time.Since(start); took > time.Second {
		t.Errorf("gave up after %v with a 300ms timeout", took)
	}
}

func TestOversizedDocuments(t *testing.T) {
	f := newFixture(t)
	f.fake.PutFile("/huge", []byte(strings.Repeat("x", maxDoc+1)))
	_, err := f.get(t.Context(), "huge")
	wantKind(t, err, errkind.ErrUnavailable, "an oversized document")
	wantMessage(t, err, "the document of huge", "larger than the 4096 bytes")
	f.fake.PutFile("/big", []byte(strings.Repeat("x", 1<<20+1)))
	_, err = f.client.Read(t.Context(), Request{URL: f.fake.URL + "/big", What: "big"}, 1<<20)
	wantKind(t, err, errkind.ErrUnavailable, "an oversized file")
	wantMessage(t, err, "larger than the 1 MiB")
}

func TestCacheIsBounded(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CacheBytes = 1 })
	f.fake.PutFile("/a", []byte("one"))
	f.fake.PutFile("/b", []byte("two"))
	for _, name := range []string{"a", "b", "a"} {
		if _, err := f.get(t.Context(), name); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.requests("a"); n != 2 {
		t.Errorf("a fetched %d times, want 2 (evicted by b)", n)
	}
	if len(f.docs.entries) != 1 {
		t.Errorf("%d entries kept", len(f.docs.entries))
	}
}

// An absence found otherwise than by Get (a file) is remembered as a
// document's is.
func TestRememberNotFound(t *testing.T) {
	f := newFixture(t)
	if _, ok, _ := f.docs.Cached("file"); ok {
		t.Fatal("an unknown key is cached")
	}
	f.docs.RememberNotFound("file", errkind.NotFoundf("no file"))
	if _, ok, err := f.docs.Cached("file"); !ok || !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("a remembered absence: %v %v", ok, err)
	}
	f.clock.Advance(DefaultTTL)
	if _, ok, _ := f.docs.Cached("file"); ok {
		t.Error("an absence is remembered past the TTL")
	}
}
