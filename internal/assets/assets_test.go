package assets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/blobcache"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
)

func TestStoreAndServe(t *testing.T) {
	ctx := context.Background()
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("hello asset")
	sum := sha256.Sum256(content)
	a, err := Store(ctx, blobs, "a.txt", bytes.NewReader(content), Expect{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content))}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Digests from independent implementations (coreutils).
	if a.MD5 != "b3e6da35cd87a7163de28cd751e9cb4c" || a.Size != 11 {
		t.Errorf("asset %+v", a)
	}
	if a.SHA256 != hex.EncodeToString(sum[:]) || len(a.SHA512) != 128 || len(a.SHA1) != 40 {
		t.Errorf("digests %+v", a)
	}
	rec := httptest.NewRecorder()
	if err := Serve(rec, httptest.NewRequest(http.MethodGet, "/a.txt", nil), blobs, a, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || rec.Body.String() != string(content) || rec.Header().Get("ETag") != `"`+a.SHA256+`"` {
		t.Errorf("serve: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	req := httptest.NewRequest(http.MethodGet, "/a.txt", nil)
	req.Header.Set("If-None-Match", `"`+a.SHA256+`"`)
	rec = httptest.NewRecorder()
	Serve(rec, req, blobs, a, "")
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: status %d, want 304", rec.Code)
	}
}

func TestStoreRefusesMismatches(t *testing.T) {
	ctx := context.Background()
	blobs, _ := fsblob.New(t.TempDir())
	cases := map[string]Expect{
		"sha256": {SHA256: strings.Repeat("0", 64)},
		"sha1":   {SHA1: strings.Repeat("0", 40)},
		"size":   {Size: 3},
	}
	for name, want := range cases {
		_, err := Store(ctx, blobs, "x", strings.NewReader("content"), want, 0)
		if !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("%s mismatch: %v, want a Validation error", name, err)
		}
	}
	_, err := Store(ctx, blobs, "x", strings.NewReader("0123456789"), Expect{}, 5)
	if !errors.Is(err, errkind.ErrQuotaExceeded) {
		t.Errorf("oversized: %v", err)
	}
	n := 0
	blobs.Walk(ctx, func(blob.Info) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d blobs stored by refused uploads", n)
	}
	_, err = Store(ctx, blobs, "x", io.MultiReader(strings.NewReader("a"), errReader{}), Expect{}, 0)
	if !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("read error: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// redirecting offers a redirect for blobs of at least 10 bytes, as an S3
// store with a redirect threshold does.
type redirecting struct{ blob.Store }

func (redirecting) RedirectURL(_ context.Context, d blob.Digest, size int64, _ time.Duration) (string, error) {
	if size < 10 {
		return "", nil
	}
	return "http://objects.test/" + d.String() + "?X-Amz-Signature=s", nil
}

func TestServeRedirects(t *testing.T) {
	fs, _ := fsblob.New(t.TempDir())
	blobs := redirecting{fs}
	large, small := []byte("a large enough asset"), []byte("small")
	var as []artifact.Asset
	for _, b := range [][]byte{large, small} {
		a, err := Store(t.Context(), blobs, "f", bytes.NewReader(b), Expect{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	for _, c := range []struct {
		method string
		a      int
		code   int
		body   string
	}{
		{http.MethodGet, 0, http.StatusFound, ""},
		{http.MethodHead, 0, http.StatusOK, ""}, // a presigned GET cannot answer HEAD
		{http.MethodGet, 1, http.StatusOK, string(small)},
	} {
		rec := httptest.NewRecorder()
		if err := Serve(rec, httptest.NewRequest(c.method, "/f", nil), blobs, as[c.a], ""); err != nil {
			t.Fatal(err)
		}
		loc := rec.Header().Get("Location")
		if rec.Code != c.code || (c.code == http.StatusFound) != (loc == "http://objects.test/"+as[c.a].SHA256+"?X-Amz-Signature=s") {
			t.Errorf("%s asset %d: %d Location %q, want %d", c.method, c.a, rec.Code, loc, c.code)
		}
		if c.code == http.StatusFound && rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("redirect Cache-Control %q, want no-store: the URL expires", rec.Header().Get("Cache-Control"))
		}
		if c.body != "" && rec.Body.String() != c.body {
			t.Errorf("%s asset %d: body %q, want %q", c.method, c.a, rec.Body.String(), c.body)
		}
	}
}

// Stream serves the control plane's downloads: never a redirect, no
// validators of its own, Range honoured; from the blob cache once a
// download has put the asset there, the same bytes.
func TestStream(t *testing.T) {
	fs, _ := fsblob.New(t.TempDir())
	blobs := blobcache.New(redirecting{fs}, 1<<20)
	content := []byte("a large enough asset, streamed")
	a, err := Store(t.Context(), blobs, "f", bytes.NewReader(content), Expect{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, pass := range []string{"from the store", "from the cache"} {
		rec := httptest.NewRecorder()
		if err := Stream(rec, httptest.NewRequest(http.MethodGet, "/f", nil), blobs, a); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusOK || rec.Body.String() != string(content) {
			t.Errorf("%s: %d %q, want the asset (no redirect)", pass, rec.Code, rec.Body.String())
		}
		if h := rec.Header(); h.Get("ETag") != "" || h.Get("Last-Modified") != "" || h.Get("Location") != "" {
			t.Errorf("%s: headers %v, want none of ETag, Last-Modified, Location", pass, h)
		}
		req := httptest.NewRequest(http.MethodGet, "/f", nil)
		req.Header.Set("Range", "bytes=2-6")
		rec = httptest.NewRecorder()
		if err := Stream(rec, req, blobs, a); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusPartialContent || rec.Body.String() != string(content[2:7]) {
			t.Errorf("%s: Range bytes=2-6: %d %q", pass, rec.Code, rec.Body.String())
		}
	}
	if st := blobs.Stats(); st.Hits == 0 {
		t.Errorf("blob cache stats %+v: the second pass did not read from the cache", st)
	}
}

// Serve sends a blob from the cache with the same headers as from the
// store, whatever each call's content type, and answers revalidations and
// ranges there too (its header values are kept with the cached blob).
func TestServeFromCache(t *testing.T) {
	fs, _ := fsblob.New(t.TempDir())
	blobs := blobcache.New(fs, 1<<20)
	content := []byte("a small asset, served from memory once fetched")
	a, err := Store(t.Context(), blobs, "f", bytes.NewReader(content), Expect{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(contentType string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/f", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		if err := Serve(rec, req, blobs, a, contentType); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	first := serve("application/octet-stream")
	for _, pass := range []string{"cached", "cached again"} {
		rec := serve("application/octet-stream")
		if rec.Code != http.StatusOK || rec.Body.String() != string(content) {
			t.Fatalf("%s: %d %q", pass, rec.Code, rec.Body.String())
		}
		for _, k := range []string{"ETag", "Content-Type", "Last-Modified", "Content-Length"} {
			if got, want := rec.Header().Get(k), first.Header().Get(k); got != want || want == "" {
				t.Errorf("%s: %s %q, from the store %q", pass, k, got, want)
			}
		}
	}
	if st := blobs.Stats(); st.Hits < 2 {
		t.Fatalf("blob cache stats %+v: not served from the cache", st)
	}
	if got := serve("application/x-tar").Header().Get("Content-Type"); got != "application/x-tar" {
		t.Errorf("another format's content type: %q", got)
	}
	if rec := serve("application/octet-stream", "If-None-Match", `"`+a.SHA256+`"`); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the ETag: %d, want 304", rec.Code)
	}
	if rec := serve("application/octet-stream", "Range", "bytes=2-6"); rec.Code != http.StatusPartialContent || rec.Body.String() != string(content[2:7]) {
		t.Errorf("Range: %d %q", rec.Code, rec.Body.String())
	}
}

// onlySeeker hides a reader's ReadAt.
type onlySeeker struct{ io.ReadSeeker }

func TestReaderAt(t *testing.T) {
	data := []byte("0123456789")
	for _, r := range []io.ReadSeeker{bytes.NewReader(data), onlySeeker{bytes.NewReader(data)}} {
		ra := ReaderAt(r)
		p := make([]byte, 4)
		if n, err := ra.ReadAt(p, 3); n != 4 || err != nil || string(p) != "3456" {
			t.Errorf("%T: ReadAt(3) = %d %v %q", r, n, err, p)
		}
		if n, err := ra.ReadAt(p, 8); n != 2 || err != io.EOF || string(p[:n]) != "89" {
			t.Errorf("%T: ReadAt(8) = %d %v", r, n, err)
		}
	}
}
