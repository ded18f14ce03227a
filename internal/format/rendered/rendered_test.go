package rendered

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
)

func TestNegotiation(t *testing.T) {
	for enc, want := range map[string]bool{
		"gzip,deflate": true, "zstd,gzip,deflate": true, "gzip;q=0": false, "": false, "deflate": false,
		"*": true, "*;q=0.1": true, "gzip;q=0, *": false, "br, GZIP;q=0.5": true, "identity": false,
		"gzip;q=abc": false, "gzip;q=2": false,
	} {
		if AcceptsGzip(enc) != want {
			t.Errorf("AcceptsGzip(%q) != %v", enc, want)
		}
	}
}

// quality is what Quality computed before it parsed q values itself:
// JSON's number syntax, through encoding/json.
func quality(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			var q float64
			if err := json.Unmarshal([]byte(strings.TrimSpace(v)), &q); err != nil || q < 0 || q > 1 {
				return 0
			}
			return q
		}
	}
	return 1
}

// FuzzQuality checks Quality against encoding/json's reading of the q
// value: a client's Accept and Accept-Encoding headers mean what they did.
func FuzzQuality(f *testing.F) {
	for _, s := range []string{"", "q=0.5", "q=1", "q=1.000", "q=0", " q = 0.001 ", "q=-0", "q=1e-1", "q=1E0", "q=01",
		"q=.5", "q=5.", "q=Inf", "q=NaN", "q=0x1p-1", "q=1_0", "q=2", "q=abc", "level=1;q=0.3", "q=1e400", "q=-", "q=0.5e", "q=\t0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, params string) {
		if got, want := Quality(params), quality(params); got != want {
			t.Errorf("Quality(%q) = %v, encoding/json reads %v", params, got, want)
		}
	})
}

func TestDocServe(t *testing.T) {
	d := NewDoc([]byte(strings.Repeat("a", 5000)), "application/json")
	if !strings.HasPrefix(d.ETag, `W/"`) || len(d.Gzip()) == 0 || len(d.Gzip()) >= len(d.Bytes()) {
		t.Fatalf("doc: etag %s, %d gzipped bytes", d.ETag, len(d.Gzip()))
	}
	if small := NewDoc([]byte("{}"), "application/json"); small.Gzip() != nil {
		t.Error("a small body is not gzipped")
	}
	serve := func(h map[string]string) *http.Response {
		r := httptest.NewRequest("GET", "/", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		d.Serve(w, r)
		return w.Result()
	}
	if res := serve(map[string]string{"Accept-Encoding": "gzip"}); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip asked: encoding %q", res.Header.Get("Content-Encoding"))
	} else if body, _ := io.ReadAll(res.Body); !bytes.Equal(body, d.Gzip()) {
		t.Errorf("gzip asked: %d bytes, want the %d gzipped", len(body), len(d.Gzip()))
	}
	if res := serve(nil); res.Header.Get("Content-Encoding") != "" || res.ContentLength != int64(len(d.Bytes())) || res.Header.Get("ETag") != d.ETag {
		t.Errorf("plain: encoding %q, length %d, etag %q", res.Header.Get("Content-Encoding"), res.ContentLength, res.Header.Get("ETag"))
	}
	if res := serve(map[string]string{"If-None-Match": d.ETag}); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
}

func TestCacheValidity(t *testing.T) {
	now := time.Unix(1700000000, 0)
	c := NewCache[string](4000, func(s string) int64 { return int64(len(s)) }, func() time.Time { return now })
	renders := 0
	load := func(key string, gen uint64, value string, remote bool) string {
		v, err := c.Load(key, gen, func() (string, bool, error) { renders++; return value, remote, nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	load("a", 7, "one", false)
	if load("a", 7, "two", false) != "one" || renders != 1 {
		t.Error("a hit renders again")
	}
	if load("a", 8, "three", false) != "three" {
		t.Error("a new generation must render again")
	}
	// What a rendering at a newer generation may extend.
	if v, ok := c.Last("a"); !ok || v != "three" {
		t.Errorf("Last = %q %v, want the value of generation 8", v, ok)
	}
	if _, ok := c.Last("nothing"); ok {
		t.Error("Last of a key never rendered")
	}
	load("r", 7, "remote", true)
	now = now.Add(RemoteTTL - time.Second)
	if load("r", 7, "again", true) != "remote" {
		t.Error("a remote value is kept until RemoteTTL")
	}
	now = now.Add(time.Second)
	if _, ok := c.Last("r"); ok {
		t.Error("Last returns a remote value past RemoteTTL")
	}
	if load("r", 7, "again", true) != "again" {
		t.Error("a remote value expires after RemoteTTL")
	}
	if _, err := c.Load("e", 1, func() (string, bool, error) { return "", false, errors.New("boom") }); err == nil {
		t.Error("a render error is returned")
	}
	if load("e", 1, "fine", false) != "fine" {
		t.Error("errors are not cached")
	}
}

func TestCacheEviction(t *testing.T) {
	c := NewCache[string](4000, func(s string) int64 { return int64(len(s)) }, time.Now)
	put := func(k string, n int) {
		c.Load(k, 1, func() (string, bool, error) { return strings.Repeat(k, n), false, nil })
	}
	cached := func(k string) bool {
		hit := true
		c.Load(k, 1, func() (string, bool, error) { hit = false; return "", false, errors.New("miss") })
		return hit
	}
	for _, k := range []string{"y", "x", "z", "v"} {
		put(k, 900)
	}
	cached("x")
	put("w", 900)
	if cached("y") || !cached("x") || !cached("w") {
		t.Error("eviction is not least recently used first")
	}
	if c.used > c.max {
		t.Errorf("size %d over %d", c.used, c.max)
	}
	put("h", 5000)
	if cached("h") || !cached("x") {
		t.Error("a value over a quarter of the cache must not be cached")
	}
}

// When the server is quiet, what nobody used lately goes, whatever room
// is left; what was served since stays.
func TestCacheDropsUnused(t *testing.T) {
	c := NewCache[string](4000, func(s string) int64 { return int64(len(s)) }, time.Now)
	hit := func(k string) bool {
		hit := true
		c.Load(k, 1, func() (string, bool, error) { hit = false; return strings.Repeat("x", 100), false, nil })
		return hit
	}
	hit("old")
	hit("served")
	since := cachesize.Tick()
	hit("served")
	hit("new")
	if freed := c.dropUnused(since); freed != 100 || c.used != 200 {
		t.Errorf("dropUnused freed %d bytes, %d left; want 100 and 200", freed, c.used)
	}
	if !hit("served") || !hit("new") || hit("old") {
		t.Error("dropUnused dropped an entry used since, or kept one unused")
	}
	// "old" was made again by the miss above.
	if freed := c.dropUnused(cachesize.Tick()); freed != 300 || c.used != 0 || c.lru.Len() != 0 || len(c.entries) != 0 {
		t.Errorf("after dropping everything: freed %d, %d bytes and %d entries left", freed, c.used, c.lru.Len())
	}
}

func TestCacheCollapsesConcurrentRenders(t *testing.T) {
	c := NewCache[string](1<<20, func(s string) int64 { return int64(len(s)) }, time.Now)
	var renders atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.Load("k", 1, func() (string, bool, error) {
				renders.Add(1)
				<-release
				return "v", false, nil
			})
			if err != nil || v != "v" {
				t.Errorf("Load = %q, %v", v, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders for 8 concurrent requests, want 1", n)
	}
}

// TestLoadAtLeastServesPreviousWhileRendering checks that while a
// rendering of a newer generation is under way, a reader that may have
// an older one gets the previous value at once, and a reader whose own
// write is newer than that value (atLeast) waits for the new one.
func TestLoadAtLeastServesPreviousWhileRendering(t *testing.T) {
	c := NewCache[string](1<<20, func(s string) int64 { return int64(len(s)) }, time.Now)
	fixed := func(v string) func() (string, bool, error) {
		return func() (string, bool, error) { return v, false, nil }
	}
	if v, _ := c.Load("doc", 1, fixed("v1")); v != "v1" {
		t.Fatalf("first load: %q", v)
	}
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() {
		v, _ := c.Load("doc", 3, func() (string, bool, error) {
			close(started)
			<-release
			return "v3", false, nil
		})
		done <- v
	}()
	<-started
	// Another reader at generation 4 (a publish landed meanwhile): the
	// previous rendering, not a rendering of its own.
	if v, _ := c.LoadAtLeast("doc", 4, 0, fixed("v4")); v != "v1" {
		t.Errorf("reader beside the rendering got %q, want the previous v1", v)
	}
	// The publisher of generation 2 must see it: it waits for generation 3.
	waited := make(chan string)
	go func() {
		v, _ := c.LoadAtLeast("doc", 3, 2, fixed("unexpected"))
		waited <- v
	}()
	select {
	case v := <-waited:
		t.Fatalf("publisher was served %q without waiting for the rendering", v)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if v := <-waited; v != "v3" {
		t.Errorf("publisher got %q, want v3", v)
	}
	if v := <-done; v != "v3" {
		t.Errorf("renderer got %q", v)
	}
	// Nothing under way: a reader of a newer generation renders it.
	if v, _ := c.LoadAtLeast("doc", 5, 0, fixed("v5")); v != "v5" {
		t.Errorf("with no rendering under way got %q, want v5", v)
	}
}

// fixedGenerations answers gen for every package.
type fixedGenerations struct{ gen uint64 }

func (f *fixedGenerations) PackageGeneration(int64, artifact.PackageRef) uint64 { return f.gen }

// TestWriters checks what a writer must be served: its own last write's
// generation, and nothing for others or from a nil record.
func TestWriters(t *testing.T) {
	gens := &fixedGenerations{}
	w := NewWriters(gens, 0)
	a := artifact.PackageRef{Format: "npm", Name: "a"}
	alice, bob := [16]byte{1}, [16]byte{2}
	gens.gen = 7
	w.Wrote(1, a, alice)
	gens.gen = 5
	w.Wrote(1, a, alice)
	if g := w.Seen(1, a, alice); g != 7 {
		t.Errorf("alice: %d, want 7", g)
	}
	if g := w.Seen(1, a, bob); g != 0 {
		t.Errorf("bob: %d, want 0", g)
	}
	if g := w.Seen(2, a, alice); g != 0 {
		t.Errorf("alice in another domain: %d, want 0", g)
	}
	if g := w.Seen(1, artifact.PackageRef{Format: "npm", Namespace: "a"}, alice); g != 0 {
		t.Errorf("alice, another package: %d, want 0", g)
	}
	if g := (*Writers)(nil).Seen(1, a, bob); g != ^uint64(0) {
		t.Errorf("nil record: %d, want the current generation", g)
	}
}

// Writers past their bound hold no more bytes than it, and every writer,
// its record kept or dropped, is still told to wait for a rendering at
// least as recent as its write.
func TestWritersStayWithinTheirShare(t *testing.T) {
	gens := &fixedGenerations{}
	w := NewWriters(gens, cachesize.Min)
	bound := cachesize.Share(WritersBytes, cachesize.Min)
	const n = 300
	ref := func(i int) artifact.PackageRef {
		return artifact.PackageRef{Format: "npm", Name: fmt.Sprint("pkg-", i)}
	}
	who := func(i int) [16]byte { return [16]byte{byte(i), byte(i >> 8), 7} }
	for i := range n {
		gens.gen = uint64(10 + i)
		w.Wrote(1, ref(i), who(i))
		if w.Bytes() > bound {
			t.Fatalf("after %d writes the records hold %d bytes, over %d", i+1, w.Bytes(), bound)
		}
	}
	dropped := 0
	for i := range n {
		if _, kept := w.writes[writer{1, ref(i), who(i)}]; !kept {
			dropped++
		}
		if g := w.Seen(1, ref(i), who(i)); g < uint64(10+i) {
			t.Errorf("pkg-%d's writer must see generation %d, is told %d", i, 10+i, g)
		}
	}
	if dropped == 0 {
		t.Fatal("no record was dropped: the test does not overflow the bound")
	}
	cachesize.Tick()
	gens.gen = 99
	w.Wrote(1, ref(n), who(n))
	if w.dropUnused(cachesize.Now()); len(w.writes) != 1 || w.Seen(1, ref(0), who(0)) < 10 {
		t.Errorf("after dropping the unused: %d records, pkg-0's writer told %d", len(w.writes), w.Seen(1, ref(0), who(0)))
	}
}
