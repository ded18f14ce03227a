package upstream

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
)

func hexSum(sum []byte) string { return hex.EncodeToString(sum) }

func TestDownload(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	body := []byte("the bytes of a file")
	s1, s256 := sha1.Sum(body), sha256.Sum256(body)
	f.fake.PutFile("/lib.jar", body)
	req := Request{URL: f.fake.URL + "/lib.jar", What: "lib.jar", Accept: "*/*"}
	var tee bytes.Buffer
	a, err := f.client.Download(ctx, req, File{Name: "lib.jar", Want: assets.Expect{SHA1: hexSum(s1[:])}, Tee: &tee})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "lib.jar" || a.SHA256 != hexSum(s256[:]) || a.Size != int64(len(body)) || !bytes.Equal(tee.Bytes(), body) {
		t.Errorf("asset %+v, tee %q", a, tee.Bytes())
	}
	d, _ := blob.ParseDigest(a.SHA256)
	if _, err := f.blobs.Stat(ctx, d); err != nil {
		t.Errorf("the file is not in the blob store: %v", err)
	}
	if h := f.fake.Header("/lib.jar"); h.Get("User-Agent") != "arca (+test)" || h.Get("Accept") != "*/*" {
		t.Errorf("request headers %v", h)
	}
}

func TestDownloadRefusesBadBytes(t *testing.T) {
	f := newFixture(t)
	body := []byte("the bytes of a file")
	s1 := sha1.Sum(body)
	f.fake.PutFile("/lib.jar", body)
	f.fake.Corrupt("/lib.jar")
	_, err := f.client.Download(t.Context(), Request{URL: f.fake.URL + "/lib.jar", What: "lib.jar"},
		File{Name: "lib.jar", Want: assets.Expect{SHA1: hexSum(s1[:])}, Mismatch: "lib.jar does not match its checksum; it was not stored"})
	wantKind(t, err, errkind.ErrValidation, "bytes that do not match their digest")
	wantMessage(t, err, "lib.jar does not match its checksum; it was not stored: ")
	n := 0
	f.blobs.Walk(t.Context(), func(blob.Info) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d blobs stored from bad bytes", n)
	}
}

func TestGetErrors(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.fake.PutFile("/lib.jar", []byte("x"))
	req := Request{URL: f.fake.URL + "/missing.jar", What: "missing.jar"}
	_, err := f.client.Get(ctx, req)
	wantKind(t, err, errkind.ErrNotFound, "a 404")
	wantMessage(t, err, "The test registry at "+f.fake.URL+" does not have missing.jar")

	f.fake.SetStatus(http.StatusBadGateway)
	_, err = f.client.Download(ctx, Request{URL: f.fake.URL + "/lib.jar", What: "lib.jar"}, File{Name: "lib.jar"})
	wantKind(t, err, errkind.ErrUnavailable, "a 502")
	wantMessage(t, err, "answered 502 Bad Gateway for lib.jar")
	f.fake.SetStatus(0)

	_, err = f.client.Get(ctx, Request{URL: "http://bad host/x", What: "x"})
	wantKind(t, err, errkind.ErrUnavailable, "a URL that does not parse")
	wantMessage(t, err, "not usable")

	// A slow file is bounded by the caller's deadline, and the host is
	// remembered down.
	f.fake.SetDelay(5 * time.Second)
	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = f.client.Download(dctx, Request{URL: f.fake.URL + "/lib.jar", What: "lib.jar"}, File{Name: "lib.jar"})
	wantKind(t, err, errkind.ErrUnavailable, "a slow file")
	wantMessage(t, err, "no answer within")
	if took := time.Since(start); took > 600*time.Millisecond {
		t.Errorf("gave up after %v with a 300ms deadline", took)
	}
	total := f.fake.Total()
	if _, err := f.client.Read(ctx, Request{URL: f.fake.URL + "/lib.jar", What: "lib.jar"}, 1<<10); !strings.Contains(errkind.As(err).Message, "tries again in") || f.fake.Total() != total {
		t.Errorf("after a timeout: %v", err)
	}
}

func TestRedacted(t *testing.T) {
	for in, want := range map[string]string{
		"http://arca:s3cret@127.0.0.1:1/npm": "http://arca:xxxxx@127.0.0.1:1/npm",
		"https://registry.npmjs.org":         "https://registry.npmjs.org",
	} {
		if got := Redacted(in); got != want {
			t.Errorf("Redacted(%q) = %q, want %q", in, got, want)
		}
	}
}
