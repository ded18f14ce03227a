package s3blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/blobtest"
	"github.com/arcahq/arca/internal/blob/s3blob"
	"github.com/arcahq/arca/internal/blob/s3blob/s3test"
)

const bucket = "arca-blobs"

// newStore returns a store on srv under its own prefix, spooling into its
// own directory.
func newStore(t testing.TB, srv *s3test.Server, cfg s3blob.Config) *s3blob.Store {
	t.Helper()
	cfg.Bucket, cfg.Endpoint = bucket, srv.Endpoint
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = t.TempDir()
	}
	return s3blob.NewFromConfig(srv.AWSConfig(), cfg)
}

func start(t *testing.T) *s3test.Server {
	srv := s3test.Start(t)
	srv.CreateBucket(t, bucket)
	return srv
}

func TestConformance(t *testing.T) {
	srv := start(t)
	var n atomic.Int64
	began := time.Now()
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return newStore(t, srv, s3blob.Config{Prefix: fmt.Sprintf("conformance/%d", n.Add(1))})
	})
	t.Logf("blobtest on versitygw: %v", time.Since(began))
}

func put(t *testing.T, s blob.Store, data []byte) blob.Info {
	t.Helper()
	info, err := blob.Put(t.Context(), s, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return info
}

func TestLayout(t *testing.T) {
	srv := start(t)
	spool := t.TempDir()
	s := newStore(t, srv, s3blob.Config{Prefix: "/team/arca/", SpoolDir: spool})
	data := []byte("layout")
	put(t, s, data)
	// Computed independently of the package: the layout is a contract with
	// operators.
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	want := []string{"team/arca/sha256/" + h[:2] + "/" + h[2:4] + "/" + h}
	if got := srv.Keys(t, bucket, ""); !slices.Equal(got, want) {
		t.Errorf("bucket holds %v, want %v", got, want)
	}
	if left, _ := os.ReadDir(spool); len(left) != 0 {
		t.Errorf("spool directory holds %d files after Commit, want none", len(left))
	}
}

// TestMultipart stores a blob larger than the multipart threshold and
// checks that it reads back whole and that no upload is left open.
func TestMultipart(t *testing.T) {
	srv := start(t)
	s := newStore(t, srv, s3blob.Config{Prefix: "multipart", MultipartThreshold: 5 << 20, PartSize: 5 << 20})
	data := make([]byte, 11<<20+3) // three parts, the last one short
	for i := range data {
		data[i] = byte(i*31 + i>>13)
	}
	info := put(t, s, data)
	rc, _, err := s.Open(t.Context(), info.Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (%v), want the %d written", len(got), err, len(data))
	}
	ups, err := srv.Client().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Errorf("%d multipart uploads left open", len(ups.Uploads))
	}

	// A cancelled context aborts the upload: nothing is published and no
	// parts linger.
	ctx, cancel := context.WithCancel(t.Context())
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel(t.Context())
	other := append([]byte("x"), data...)
	if _, err := w.Write(other); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := w.Commit(ctx, w.Digest()); err == nil {
		t.Fatal("Commit with a done context succeeded")
	}
	if _, err := s.Stat(t.Context(), blob.Digest(sha256.Sum256(other))); err == nil {
		t.Error("a cancelled multipart Commit published its blob")
	}
}

// TestDedupRefreshesModTime checks that committing bytes already stored
// renews the object's LastModified, which the sweep's grace period counts
// from. LastModified has a resolution of one second.
func TestDedupRefreshesModTime(t *testing.T) {
	srv := start(t)
	s := newStore(t, srv, s3blob.Config{Prefix: "dedup"})
	data := []byte("stored twice")
	first := put(t, s, data)
	before, err := s.Stat(t.Context(), first.Digest)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	put(t, s, data)
	after, err := s.Stat(t.Context(), first.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime.After(before.ModTime) {
		t.Errorf("after a deduplicating Commit, ModTime = %v, want later than %v", after.ModTime, before.ModTime)
	}
	if keys := srv.Keys(t, bucket, "dedup/"); len(keys) != 1 {
		t.Errorf("bucket holds %v, want one object", keys)
	}
}

func TestWalkSkipsForeignKeys(t *testing.T) {
	srv := start(t)
	s := newStore(t, srv, s3blob.Config{Prefix: "walk"})
	info := put(t, s, []byte("real"))
	h := info.Digest.String()
	other := blob.Digest(sha256.Sum256([]byte("misplaced"))).String()
	for _, k := range []string{
		"walk/sha256/README",
		"walk/sha256/" + h[:2] + "/" + h[2:4] + "/" + h + ".bak",
		"walk/sha256/" + h[:2] + "/" + h[2:4] + "/" + other,  // wrong fan-out
		"walkother/sha256/" + h[:2] + "/" + h[2:4] + "/" + h, // another prefix
	} {
		_, err := srv.Client().PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader([]byte("x"))})
		if err != nil {
			t.Fatal(err)
		}
	}
	var got []blob.Digest
	if err := s.Walk(t.Context(), func(i blob.Info) error {
		got = append(got, i.Digest)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != info.Digest {
		t.Errorf("Walk = %v, want only %s", got, info.Digest)
	}
}

// TestWalkPages stores more blobs than one ListObjectsV2 page holds.
func TestWalkPages(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 1,001 blobs")
	}
	srv := start(t)
	s := newStore(t, srv, s3blob.Config{Prefix: "pages"})
	want := map[blob.Digest]bool{}
	for i := range 1001 {
		want[put(t, s, []byte(fmt.Sprint("blob ", i))).Digest] = true
	}
	seen := 0
	if err := s.Walk(t.Context(), func(i blob.Info) error {
		if !want[i.Digest] {
			t.Errorf("Walk reported %s", i.Digest)
		}
		seen++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("Walk reported %d blobs, want %d", seen, len(want))
	}
}

func TestRedirectURL(t *testing.T) {
	srv := start(t)
	small, large := []byte("small"), bytes.Repeat([]byte("large "), 1000)

	off := newStore(t, srv, s3blob.Config{Prefix: "redirect"})
	info := put(t, off, large)
	if u, err := off.RedirectURL(t.Context(), info.Digest, info.Size, time.Minute); u != "" || err != nil {
		t.Errorf("RedirectURL with redirects off = %q, %v; want \"\", nil", u, err)
	}

	on := newStore(t, srv, s3blob.Config{Prefix: "redirect", RedirectMin: 1000})
	sinfo := put(t, on, small)
	if u, err := on.RedirectURL(t.Context(), sinfo.Digest, sinfo.Size, time.Minute); u != "" || err != nil {
		t.Errorf("RedirectURL of a blob under the threshold = %q, %v; want \"\", nil", u, err)
	}
	u, err := on.RedirectURL(t.Context(), info.Digest, info.Size, time.Minute)
	if err != nil || u == "" {
		t.Fatalf("RedirectURL = %q, %v; want a URL", u, err)
	}
	// The URL works without credentials.
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, large) {
		t.Errorf("GET presigned URL = %d with %d bytes, want 200 with the %d stored", resp.StatusCode, len(body), len(large))
	}
	// And only with its signature.
	resp, err = http.Get(srv.Endpoint + "/" + bucket + "/redirect/sha256/" + info.Digest.String()[:2] + "/" + info.Digest.String()[2:4] + "/" + info.Digest.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Error("the object is readable without a signature")
	}
}

func TestRemoveStaleSpool(t *testing.T) {
	dir := t.TempDir()
	stale, fresh, other := dir+"/arca-upload-crashed", dir+"/arca-upload-in-flight", dir+"/someone-elses"
	for _, p := range []string{stale, fresh, other} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{stale, other} {
		os.Chtimes(p, old, old)
	}
	if err := s3blob.RemoveStaleSpool(dir, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for p, kept := range map[string]bool{stale: false, fresh: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != kept {
			t.Errorf("%s: exists %v, want %v", p, err == nil, kept)
		}
	}
}
