package respond

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the writes its connections make, beneath the
// coalescing wrapper.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c.(*net.TCPConn), l.writes}, nil
}

type countingConn struct {
	*net.TCPConn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.TCPConn.Write(p)
}

// serve runs h behind Listener and ConnContext, as the server does, and
// returns its URL and the count of writes that reached the socket.
func serve(t *testing.T, h http.HandlerFunc) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	writes := new(atomic.Int64)
	srv := &http.Server{Handler: h, ConnContext: ConnContext}
	go srv.Serve(Listener(countingListener{ln, writes}))
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), writes
}

func get(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestBytesOneWrite(t *testing.T) {
	for _, size := range []int{100, 3000, 10 << 10, SmallBody} {
		body := bytes.Repeat([]byte("x"), size)
		url, writes := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("ETag", `"abc"`)
			Bytes(w, r, time.Time{}, body)
		})
		get(t, "GET", url, nil) // the connection is open and warm
		before := writes.Load()
		res, got := get(t, "GET", url, nil)
		if n := writes.Load() - before; n != 1 {
			t.Errorf("%d bytes: the response took %d writes, want 1", size, n)
		}
		if res.StatusCode != 200 || !bytes.Equal(got, body) || res.ContentLength != int64(size) ||
			res.Header.Get("ETag") != `"abc"` || res.Header.Get("Accept-Ranges") != "bytes" {
			t.Errorf("%d bytes: status %d, %d bytes, length %d, headers %v", size, res.StatusCode, len(got), res.ContentLength, res.Header)
		}
	}
}

func TestBytesConditionalAndRanges(t *testing.T) {
	body := []byte("0123456789")
	modtime := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	url, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("ETag", `W/"v1"`)
		Bytes(w, r, modtime, body)
	})
	for _, inm := range []string{`W/"v1"`, `"v1"`, `"v0", W/"v1"`, `*`} {
		res, got := get(t, "GET", url, map[string]string{"If-None-Match": inm})
		if res.StatusCode != http.StatusNotModified || len(got) != 0 || res.Header.Get("ETag") != `W/"v1"` {
			t.Errorf("If-None-Match %s: status %d, %d bytes, etag %q", inm, res.StatusCode, len(got), res.Header.Get("ETag"))
		}
	}
	if res, got := get(t, "GET", url, map[string]string{"If-None-Match": `"v0"`}); res.StatusCode != 200 || string(got) != string(body) {
		t.Errorf("a stale If-None-Match: status %d, body %q", res.StatusCode, got)
	}
	res, got := get(t, "HEAD", url, nil)
	if res.StatusCode != 200 || len(got) != 0 || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) ||
		res.Header.Get("Last-Modified") != modtime.Format(http.TimeFormat) {
		t.Errorf("HEAD: status %d, %d bytes, headers %v", res.StatusCode, len(got), res.Header)
	}
	res, got = get(t, "GET", url, map[string]string{"Range": "bytes=2-4"})
	if res.StatusCode != http.StatusPartialContent || string(got) != "234" {
		t.Errorf("Range: status %d, body %q", res.StatusCode, got)
	}
	res, _ = get(t, "GET", url, map[string]string{"If-Modified-Since": modtime.Format(http.TimeFormat)})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since the modification time: status %d", res.StatusCode)
	}
}

// A body over SmallBody is not held, and a file still goes out through
// the connection's ReadFrom (sendfile) with the wrapper in between.
func TestLargeBodiesPassThrough(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MB
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.URL.Path == "/file" {
			f, err := os.Open(path)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			http.ServeContent(w, r, "", time.Time{}, f)
			return
		}
		Bytes(w, r, time.Time{}, big)
	})
	for _, p := range []string{"/bytes", "/file"} {
		res, got := get(t, "GET", url+p, nil)
		if res.StatusCode != 200 || !bytes.Equal(got, big) {
			t.Errorf("%s: status %d, %d bytes, want %d", p, res.StatusCode, len(got), len(big))
		}
	}
	var c net.Conn = &conn{}
	if _, ok := c.(io.ReaderFrom); !ok {
		t.Error("the wrapped connection hides ReadFrom, and with it sendfile")
	}
}

func TestMatchesETag(t *testing.T) {
	for _, c := range []struct {
		header, etag string
		want         bool
	}{
		{`"a"`, `"a"`, true}, {`W/"a"`, `"a"`, true}, {`"a"`, `W/"a"`, true}, {` "b" , "a"`, `"a"`, true},
		{`*`, `"a"`, true}, {`"b"`, `"a"`, false}, {`"a`, `"a"`, false}, {``, `"a"`, false},
	} {
		if got := MatchesETag(c.header, c.etag); got != c.want {
			t.Errorf("MatchesETag(%q, %q) = %v", c.header, c.etag, got)
		}
	}
}
