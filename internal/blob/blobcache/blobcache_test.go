package blobcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/blobtest"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/cachesize"
)

// The cached store is a blob.Store like any other.
func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := fsblob.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return New(s, 1<<20)
	})
}

// countingStore counts the opens that reach the store beneath the cache.
type countingStore struct {
	blob.Store
	opens int
}

func (c *countingStore) Open(ctx context.Context, d blob.Digest) (io.ReadSeekCloser, blob.Info, error) {
	c.opens++
	return c.Store.Open(ctx, d)
}

func put(t *testing.T, s blob.Store, data []byte) blob.Digest {
	t.Helper()
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	d := blob.Digest(sha256.Sum256(data))
	if _, err := w.Commit(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// read opens d as a download does (OpenToServe), serve as anything else
// (Open).
func read(t *testing.T, s *Store, d blob.Digest) ([]byte, io.ReadSeekCloser) {
	t.Helper()
	return readWith(t, s.OpenToServe, d)
}

func readWith(t *testing.T, open func(context.Context, blob.Digest) (io.ReadSeekCloser, blob.Info, error), d blob.Digest) ([]byte, io.ReadSeekCloser) {
	t.Helper()
	r, info, err := open(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil || int64(len(b)) != info.Size {
		t.Fatalf("read %d bytes of %d: %v", len(b), info.Size, err)
	}
	return b, r
}

func TestSmallBlobsFromMemory(t *testing.T) {
	fs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	under := &countingStore{Store: fs}
	s := New(under, 3*MaxEntry)
	small := [][]byte{bytes.Repeat([]byte("a"), 10<<10), bytes.Repeat([]byte("b"), MaxEntry), bytes.Repeat([]byte("c"), MaxEntry), bytes.Repeat([]byte("d"), MaxEntry)}
	big := bytes.Repeat([]byte("z"), MaxEntry+1)
	var ds []blob.Digest
	for _, b := range small {
		ds = append(ds, put(t, s, b))
	}
	dBig := put(t, s, big)

	// Reads that are not downloads leave the cache alone.
	for range 2 {
		if _, r := readWith(t, s.Open, ds[0]); r == nil {
			t.Fatal("no reader")
		} else if _, ok := r.(*Reader); ok {
			t.Error("Open filled the cache")
		}
	}
	under.opens = 0
	for range 3 {
		got, r := read(t, s, ds[0])
		if !bytes.Equal(got, small[0]) {
			t.Fatal("wrong bytes")
		}
		if m, ok := r.(*Reader); !ok || !bytes.Equal(m.Bytes(), small[0]) {
			t.Fatalf("a small blob is not served from memory: %T", r)
		}
	}
	if under.opens != 1 {
		t.Errorf("three reads of a small blob opened the store %d times, want 1", under.opens)
	}
	for range 2 {
		if got, r := read(t, s, dBig); !bytes.Equal(got, big) {
			t.Fatal("wrong bytes")
		} else if _, ok := r.(*Reader); ok {
			t.Error("a blob over MaxEntry is held in memory")
		}
	}
	if under.opens != 3 {
		t.Errorf("a big blob read twice: %d opens in all, want 3", under.opens)
	}

	// The cache holds 3*MaxEntry bytes: reading the four small blobs in
	// turn pushes out the least recently used.
	read(t, s, ds[1])
	read(t, s, ds[2])
	read(t, s, ds[0]) // ds[0] is the most recent; ds[1] the oldest
	read(t, s, ds[3])
	if s.size > s.max {
		t.Errorf("the cache holds %d bytes, over its %d", s.size, s.max)
	}
	before := under.opens
	read(t, s, ds[0])
	if under.opens != before {
		t.Error("the most recently used blob was evicted")
	}
	read(t, s, ds[1])
	if under.opens != before+1 {
		t.Error("the least recently used blob was not evicted")
	}

	// Open serves what downloads cached.
	if _, r := readWith(t, s.Open, ds[0]); r == nil {
		t.Fatal("no reader")
	} else if _, ok := r.(*Reader); !ok {
		t.Error("Open does not serve a cached blob from memory")
	}

	// A memo stays with the cached blob: made once, then given back.
	_, r := read(t, s, ds[0])
	if v := r.(*Reader).Memo(); v != nil {
		t.Errorf("memo %v before any was kept", v)
	}
	if v := r.(*Reader).KeepMemo(1); v != 1 {
		t.Errorf("KeepMemo(1) = %v", v)
	}
	if v := r.(*Reader).KeepMemo(2); v != 1 {
		t.Errorf("KeepMemo(2) over 1 = %v, want the first kept", v)
	}
	if _, r := read(t, s, ds[0]); r.(*Reader).Memo() != 1 {
		t.Errorf("the next read's memo is %v, want 1", r.(*Reader).Memo())
	}

	// Delete takes the blob out of the cache too.
	if err := s.Delete(context.Background(), ds[0]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(context.Background(), ds[0]); err == nil {
		t.Error("a deleted blob still opens")
	}
}

// redirectingStore is a store with the optional blob.Redirector.
type redirectingStore struct{ blob.Store }

func (redirectingStore) RedirectURL(_ context.Context, d blob.Digest, size int64, _ time.Duration) (string, error) {
	return fmt.Sprintf("https://objects.example/%s?size=%d", d, size), nil
}

// TestForwardsRedirector checks that the cache does not hide the wrapped
// store's presigned redirects, and offers none when the store has none.
func TestForwardsRedirector(t *testing.T) {
	fs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := blob.Digest(sha256.Sum256([]byte("x")))
	var s blob.Store = New(redirectingStore{fs}, 1<<20)
	rd, ok := s.(blob.Redirector)
	if !ok {
		t.Fatal("the cache over a Redirector is no blob.Redirector")
	}
	want := "https://objects.example/" + d.String() + "?size=7"
	if got, err := rd.RedirectURL(t.Context(), d, 7, time.Minute); got != want || err != nil {
		t.Errorf("RedirectURL = %q, %v; want %q", got, err, want)
	}
	if got, err := blob.RedirectURL(t.Context(), New(fs, 1<<20), d, 7, time.Minute); got != "" || err != nil {
		t.Errorf("RedirectURL over a store without redirects = %q, %v; want \"\" (stream)", got, err)
	}
}

// Stats counts Opens served from memory and from the store, and what the
// cache holds.
func TestStats(t *testing.T) {
	ctx := context.Background()
	inner, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	info, err := blob.Put(ctx, inner, bytes.NewReader([]byte("small blob")))
	if err != nil {
		t.Fatal(err)
	}
	c := New(inner, 1<<20)
	for range 3 {
		f, _, err := c.OpenToServe(ctx, info.Digest)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if got, want := c.Stats(), (Stats{Hits: 2, Misses: 1, Entries: 1, Bytes: info.Size}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

// When the server is quiet, blobs nobody downloaded lately leave memory;
// those served since stay.
func TestDropsUnused(t *testing.T) {
	ctx := context.Background()
	inner, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put := func(s string) blob.Digest {
		info, err := blob.Put(ctx, inner, bytes.NewReader([]byte(s)))
		if err != nil {
			t.Fatal(err)
		}
		return info.Digest
	}
	old, served := put("old blob"), put("served blob")
	c := New(inner, 1<<20)
	serve := func(d blob.Digest) {
		f, _, err := c.OpenToServe(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	serve(old)
	serve(served)
	since := cachesize.Tick()
	serve(served)
	if freed := c.dropUnused(since); freed != int64(len("old blob")) {
		t.Errorf("dropUnused freed %d bytes, want the old blob's %d", freed, len("old blob"))
	}
	if got, want := c.Stats(), (Stats{Hits: 1, Misses: 2, Entries: 1, Bytes: int64(len("served blob"))}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}
