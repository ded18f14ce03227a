package rendered

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

func TestDocServe(t *testing.T) {
	d := NewDoc([]byte(strings.Repeat("a", 5000)), "application/json")
	if !strings.HasPrefix(d.ETag, `W/"`) || len(d.Gzip) == 0 || len(d.Gzip) >= len(d.Body) {
		t.Fatalf("doc: etag %s, %d gzipped bytes", d.ETag, len(d.Gzip))
	}
	if small := NewDoc([]byte("{}"), "application/json"); small.Gzip != nil {
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
	} else if body, _ := io.ReadAll(res.Body); !bytes.Equal(body, d.Gzip) {
		t.Errorf("gzip asked: %d bytes, want the %d gzipped", len(body), len(d.Gzip))
	}
	if res := serve(nil); res.Header.Get("Content-Encoding") != "" || res.ContentLength != int64(len(d.Body)) || res.Header.Get("ETag") != d.ETag {
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
	load("r", 7, "remote", true)
	now = now.Add(RemoteTTL - time.Second)
	if load("r", 7, "again", true) != "remote" {
		t.Error("a remote value is kept until RemoteTTL")
	}
	now = now.Add(time.Second)
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
