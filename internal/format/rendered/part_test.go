package rendered

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCRCCombine(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"", ""}, {"a", ""}, {"", "b"}, {"hello, ", "world"},
		{strings.Repeat("x", 100000), strings.Repeat("yz", 70001)},
	} {
		want := crc32.ChecksumIEEE([]byte(c.a + c.b))
		got := crcCombine(crc32.ChecksumIEEE([]byte(c.a)), crc32.ChecksumIEEE([]byte(c.b)), int64(len(c.b)))
		if got != want {
			t.Errorf("combine(%d, %d bytes) = %08x, want %08x", len(c.a), len(c.b), got, want)
		}
	}
}

// entries returns n JSON entries of a package document, like npm's
// versions, each a few hundred bytes.
func entries(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`"1.%d.%d":{"name":"pkg","version":"1.%d.%d","dependencies":{"left-pad":"^1.0.%d"},"dist":{"tarball":"http://localhost/pkg/-/pkg-1.%d.%d.tgz","shasum":"%040x"}}`,
			i/100, i%100, i/100, i%100, i%7, i/100, i%100, i*7919)
	}
	return out
}

func TestAssembledGzipIsTheDocument(t *testing.T) {
	items := entries(3000)
	revs := make([]string, len(items))
	for i := range revs {
		revs[i] = "r1"
	}
	renders := 0
	e := Entries{
		Scope: "pkg", Len: len(items), Sep: ",",
		Name:     func(i int) string { return items[i][1 : strings.IndexByte(items[i][1:], '"')+1] },
		Revision: func(i int) string { return revs[i] },
		Render:   func(i int) []byte { renders++; return []byte(items[i]) },
	}
	runs := NewRuns(64 << 20)
	doc := func() *Doc {
		parts := append([]*Part{NewPart([]byte(`{"name":"pkg","versions":{`))}, runs.Parts(e)...)
		return Assemble("application/json", append(parts, NewPart([]byte("}}\n")))...)
	}
	want := func() []byte { return []byte(`{"name":"pkg","versions":{` + strings.Join(items, ",") + "}}\n") }

	d := doc()
	if renders != len(items) {
		t.Fatalf("first rendering: %d entries rendered, want %d", renders, len(items))
	}
	if d.parts == nil {
		t.Fatal("a large document is kept as parts")
	}
	check := func(d *Doc) {
		t.Helper()
		if !bytes.Equal(d.Bytes(), want()) {
			t.Fatalf("plain body differs from the entries joined (%d bytes, want %d)", len(d.Bytes()), len(want()))
		}
		zr, err := gzip.NewReader(bytes.NewReader(d.Gzip()))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr) // checks the CRC-32 and the size
		if err != nil {
			t.Fatalf("gunzip: %v", err)
		}
		if !bytes.Equal(got, want()) {
			t.Fatalf("gunzipped body differs from the plain one (%d bytes, want %d)", len(got), len(want()))
		}
		if rest, _ := io.ReadAll(bytes.NewReader(d.Gzip()[len(d.Gzip()):])); len(rest) != 0 || int64(len(d.Gzip())) != d.gzSize {
			t.Fatalf("gzip body: %d bytes, %d announced", len(d.Gzip()), d.gzSize)
		}
	}
	check(d)
	whole := NewDoc(want(), "application/json")
	t.Logf("gzip of the parts: %d bytes, of the whole: %d, plain %d", len(d.Gzip()), len(whole.Gzip()), len(d.Bytes()))
	if len(d.Gzip()) > len(whole.Gzip())*13/10 {
		t.Errorf("gzip of the parts: %d bytes, of the whole: %d", len(d.Gzip()), len(whole.Gzip()))
	}

	// The same entries: every run is the one kept, and so is the ETag.
	renders = 0
	again := doc()
	if renders != 0 || again.ETag != d.ETag {
		t.Errorf("same entries: %d rendered, etag %s then %s", renders, d.ETag, again.ETag)
	}
	// One entry changed: one run is made again; the ETag changes.
	items[1234] = strings.Replace(items[1234], "left-pad", "right-pad", 1)
	revs[1234] = "r2"
	renders = 0
	changed := doc()
	if renders == 0 || renders > maxRunItems || changed.ETag == d.ETag {
		t.Errorf("one entry changed: %d rendered, etag %s then %s", renders, d.ETag, changed.ETag)
	}
	check(changed)
	// One entry inserted in the middle, one removed: at most two runs
	// each (the run it lands in, and a run cut by it).
	items = append(items[:2000], append([]string{`"1.19.999":{"name":"pkg"}`}, items[2000:]...)...)
	revs = append(revs[:2000], append([]string{"r1"}, revs[2000:]...)...)
	items = append(items[:10], items[11:]...)
	revs = append(revs[:10], revs[11:]...)
	e.Len = len(items)
	renders = 0
	check(doc())
	if renders > 4*maxRunItems {
		t.Errorf("one entry inserted and one removed: %d rendered", renders)
	}
	// Without a revision, a run is made every time.
	revs[5] = ""
	renders = 0
	check(doc())
	if renders == 0 {
		t.Error("an entry without a revision was not rendered")
	}
}

func TestAssembledDocServe(t *testing.T) {
	items := entries(2000)
	var parts []*Part
	for i := 0; i < len(items); i += 100 {
		parts = append(parts, NewPart([]byte(strings.Join(items[i:i+100], ","))))
	}
	d := Assemble("application/json", parts...)
	serve := func(h map[string]string) (*http.Response, []byte) {
		r := httptest.NewRequest("GET", "/", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		d.Serve(w, r)
		res := w.Result()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	if res, body := serve(map[string]string{"Accept-Encoding": "gzip"}); res.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, d.Gzip()) || res.ContentLength != int64(len(body)) {
		t.Errorf("gzip: encoding %q, %d bytes (length %d)", res.Header.Get("Content-Encoding"), len(body), res.ContentLength)
	}
	if res, body := serve(nil); !bytes.Equal(body, d.Bytes()) || res.Header.Get("ETag") != d.ETag {
		t.Errorf("plain: %d bytes, etag %q", len(body), res.Header.Get("ETag"))
	}
	if res, body := serve(map[string]string{"Range": "bytes=10-19"}); res.StatusCode != http.StatusPartialContent || !bytes.Equal(body, d.Bytes()[10:20]) {
		t.Errorf("range: %d %q", res.StatusCode, body)
	}
	if res, _ := serve(map[string]string{"If-None-Match": d.ETag, "Accept-Encoding": "gzip"}); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
}
