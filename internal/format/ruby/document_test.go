package ruby

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// infoFileOf returns an info file of n versions, each with its own
// checksum (5,000 make about 415 KB, as a gem of 5,000 releases has).
func infoFileOf(n int) []byte {
	var b strings.Builder
	b.WriteString(infoHeader)
	for i := range n {
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		fmt.Fprintf(&b, "1.%d.%d |checksum:%s\n", i/100, i%100, hex.EncodeToString(sum[:]))
	}
	return []byte(b.String())
}

func get(d *document, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/info/lib", nil)
	r.Header = header
	w := httptest.NewRecorder()
	d.serve(&call{w: w, r: r})
	return w
}

// TestDocumentServe checks what Bundler relies on: the ETag is the quoted
// MD5 of the plain bytes in either form, a Range answer holds the plain
// bytes at the asked offsets even for a client accepting gzip, and a
// matching If-None-Match gets a 304.
func TestDocumentServe(t *testing.T) {
	body := infoFileOf(50)
	d := newDocument(body, "text/plain; charset=utf-8")
	etag := `"` + MD5(body) + `"`

	w := get(d, http.Header{"Accept-Encoding": {"gzip"}})
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("ETag") != etag {
		t.Fatalf("gzip read: %d %v", w.Code, w.Header())
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, body) {
		t.Errorf("gzip body decodes to %d bytes, want the %d of the file", len(got), len(body))
	}

	w = get(d, http.Header{})
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), body) || w.Header().Get("ETag") != etag {
		t.Errorf("plain read: %d %v, %d bytes", w.Code, w.Header(), w.Body.Len())
	}

	from := len(body) - 100
	w = get(d, http.Header{"Accept-Encoding": {"gzip"}, "Range": {fmt.Sprintf("bytes=%d-", from)}})
	if w.Code != http.StatusPartialContent || w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), body[from:]) || w.Header().Get("ETag") != etag {
		t.Errorf("Range read: %d %v %q", w.Code, w.Header(), w.Body.Bytes())
	}

	for _, h := range []http.Header{{"If-None-Match": {etag}}, {"If-None-Match": {etag}, "Accept-Encoding": {"gzip"}}, {"If-None-Match": {etag}, "Range": {"bytes=10-"}}} {
		if w = get(d, h); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("%v: %d, %d bytes", h, w.Code, w.Body.Len())
		}
	}
}

// discard is a ResponseWriter that keeps nothing: the benchmark counts the
// server's work, not a recorder's copying.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// BenchmarkInfoRead is a read of an unchanged info file of 5,000 versions
// by a client accepting gzip: "per-request" hashes and sends the plain
// bytes on every read, as reads did before documents were kept;
// "document" sends the kept gzip form.
func BenchmarkInfoRead(b *testing.B) {
	body := infoFileOf(5000)
	d := newDocument(body, "text/plain; charset=utf-8")
	b.Logf("info file: %d bytes, %d gzipped", len(body), len(d.Gzip()))
	r := httptest.NewRequest(http.MethodGet, "/info/lib", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	b.Run("per-request", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serve(&call{w: discard{http.Header{}}, r: r}, "text/plain; charset=utf-8", body)
		}
	})
	b.Run("document", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d.serve(&call{w: discard{http.Header{}}, r: r})
		}
	})
}
