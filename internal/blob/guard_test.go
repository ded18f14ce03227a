package blob_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newGuard(t *testing.T) (*blob.Guard, *clock) {
	t.Helper()
	files, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now()}
	return blob.NewGuard(files, time.Hour, c.now), c
}

func exists(t *testing.T, g *blob.Guard, d blob.Digest) bool {
	t.Helper()
	_, err := g.Stat(context.Background(), d)
	if err != nil && !errors.Is(err, errkind.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// references is the metadata of the tests: the digests some version names.
type references struct{ m sync.Map }

func (r *references) add(d blob.Digest) { r.m.Store(d, true) }
func (r *references) inUse(_ context.Context, d blob.Digest) (bool, error) {
	_, ok := r.m.Load(d)
	return ok, nil
}

// TestSweepRacesAnUpload forces the interleaving that lost blobs: the
// sweep has decided an orphan blob is unreferenced and old, and an upload
// of the same bytes commits (refreshing it) and is published before the
// sweep deletes. The upload's commit must wait for the delete and then
// store its own copy, so the published version's blob exists.
func TestSweepRacesAnUpload(t *testing.T) {
	g, c := newGuard(t)
	ctx := context.Background()
	content := []byte("the same bytes twice")
	orphan, err := blob.Put(ctx, g, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	c.add(2 * time.Hour) // the orphan is past the grace period
	refs := &references{}

	uploaded := make(chan error, 1)
	contended := make(chan struct{}, 1)
	g.SetHooks(func(d blob.Digest) {
		go func() {
			_, err := blob.Put(ctx, g, bytes.NewReader(content))
			if err == nil {
				refs.add(d) // its version is published
			}
			uploaded <- err
		}()
		select {
		case err := <-uploaded: // the commit slipped in before the delete
			uploaded <- err
		case <-contended: // the commit waits for the delete
		}
	}, func(blob.Digest) { contended <- struct{}{} })

	if _, err := g.Sweep(ctx, refs.inUse); err != nil {
		t.Fatal(err)
	}
	if err := <-uploaded; err != nil {
		t.Fatal(err)
	}
	if !exists(t, g, orphan.Digest) {
		t.Fatal("the sweep deleted the blob of a version published while it ran")
	}
}

// TestSweep checks what the sweep removes: unreferenced blobs past the
// grace period, and nothing else.
func TestSweep(t *testing.T) {
	g, c := newGuard(t)
	ctx := context.Background()
	refs := &references{}
	used, _ := blob.Put(ctx, g, bytes.NewReader([]byte("referenced bytes")))
	orphan, _ := blob.Put(ctx, g, bytes.NewReader([]byte("nobody uses these")))
	refs.add(used.Digest)
	if n, err := g.Sweep(ctx, refs.inUse); err != nil || n != 0 {
		t.Fatalf("a sweep within the grace period removed %d (%v)", n, err)
	}
	c.add(2 * time.Hour)
	if n, err := g.Sweep(ctx, refs.inUse); err != nil || n != 1 {
		t.Fatalf("the sweep removed %d (%v), want the one orphan", n, err)
	}
	if !exists(t, g, used.Digest) || exists(t, g, orphan.Digest) {
		t.Errorf("after the sweep: referenced blob present %v, orphan present %v", exists(t, g, used.Digest), exists(t, g, orphan.Digest))
	}
}

// upload commits content as one request's upload and returns its digest
// and the request's Uploads.
func upload(t *testing.T, g *blob.Guard, content string) (blob.Digest, *blob.Uploads) {
	t.Helper()
	ctx, up := blob.WithUploads(context.Background())
	info, err := blob.Put(ctx, g, bytes.NewReader([]byte(content)))
	if err != nil {
		t.Fatal(err)
	}
	return info.Digest, up
}

// TestSettle checks that a rejected upload's bytes are gone when its
// request ends, and that nothing another upload or a version relies on
// goes with them.
func TestSettle(t *testing.T) {
	ctx := context.Background()
	t.Run("rejected", func(t *testing.T) {
		g, _ := newGuard(t)
		d, up := upload(t, g, "rejected bytes")
		if err := g.Settle(ctx, up, (&references{}).inUse); err != nil {
			t.Fatal(err)
		}
		if exists(t, g, d) {
			t.Error("a rejected upload's blob is still there")
		}
	})
	t.Run("published", func(t *testing.T) {
		g, _ := newGuard(t)
		refs := &references{}
		d, up := upload(t, g, "published bytes")
		refs.add(d)
		g.Settle(ctx, up, refs.inUse)
		if !exists(t, g, d) {
			t.Error("a published upload's blob was deleted")
		}
	})
	t.Run("identical uploads, one rejected", func(t *testing.T) {
		g, _ := newGuard(t)
		refs := &references{}
		d, rejected := upload(t, g, "same bytes")
		_, accepted := upload(t, g, "same bytes") // its metadata not committed yet
		g.Settle(ctx, rejected, refs.inUse)
		if !exists(t, g, d) {
			t.Fatal("a rejected upload deleted the blob of an identical upload in flight")
		}
		refs.add(d)
		g.Settle(ctx, accepted, refs.inUse)
		if !exists(t, g, d) {
			t.Error("a published upload's blob was deleted")
		}
	})
	t.Run("identical uploads, both rejected", func(t *testing.T) {
		g, _ := newGuard(t)
		refs := &references{}
		d, a := upload(t, g, "same bytes")
		_, b := upload(t, g, "same bytes")
		g.Settle(ctx, a, refs.inUse)
		g.Settle(ctx, b, refs.inUse)
		if exists(t, g, d) {
			t.Error("the blob of two rejected uploads is still there")
		}
	})
	t.Run("a cache fill of the same bytes", func(t *testing.T) {
		g, _ := newGuard(t)
		refs := &references{}
		d, up := upload(t, g, "cached bytes")
		// A commit outside any request (its metadata follows it).
		if _, err := blob.Put(blob.WithoutUploads(ctx), g, bytes.NewReader([]byte("cached bytes"))); err != nil {
			t.Fatal(err)
		}
		g.Settle(ctx, up, refs.inUse)
		if !exists(t, g, d) {
			t.Error("a rejected upload deleted the blob of a cache fill")
		}
	})
	t.Run("settled twice", func(t *testing.T) {
		g, _ := newGuard(t)
		var calls atomic.Int32
		inUse := func(context.Context, blob.Digest) (bool, error) { calls.Add(1); return false, nil }
		_, up := upload(t, g, "x")
		g.Settle(ctx, up, inUse)
		g.Settle(ctx, up, inUse) // nothing left to settle
		if calls.Load() != 1 {
			t.Errorf("inUse called %d times, want 1", calls.Load())
		}
	})
}

// redirecting is a store with presigned redirects.
type redirecting struct{ blob.Store }

func (redirecting) RedirectURL(_ context.Context, d blob.Digest, _ int64, _ time.Duration) (string, error) {
	return "https://objects.example/" + d.String(), nil
}

// TestGuardForwardsRedirector: the guard does not hide the presigned
// redirects of the store it wraps, and offers none when it has none.
func TestGuardForwardsRedirector(t *testing.T) {
	g, c := newGuard(t)
	d := blob.Digest{1}
	if u, err := blob.RedirectURL(t.Context(), g, d, 1, time.Minute); u != "" || err != nil {
		t.Errorf("RedirectURL over a store without redirects = %q, %v; want \"\"", u, err)
	}
	var s blob.Store = blob.NewGuard(redirecting{g.Store}, time.Hour, c.now)
	if u, err := blob.RedirectURL(t.Context(), s, d, 1, time.Minute); u != "https://objects.example/"+d.String() || err != nil {
		t.Errorf("RedirectURL through the guard = %q, %v; want the wrapped store's URL", u, err)
	}
}
