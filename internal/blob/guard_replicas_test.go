package blob_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
)

// memHolds are the holds and claims of the metadata store
// (store.BlobHolds), shared by the guards of several processes.
type memHolds struct {
	mu      sync.Mutex
	rows    map[[2]string]memHold // (digest, holder)
	refused chan blob.Digest      // a hold refused under a claim
}

type memHold struct {
	claim bool
	until time.Time
}

// of returns the Holds of the process named holder.
func (m *memHolds) of(holder string) blob.Holds { return holdsOf{m, holder} }

type holdsOf struct {
	m      *memHolds
	holder string
}

// other reports whether a row of another holder on d, in force at now,
// is one that blocks (a claim, or anything when claimsOnly is false).
func (h holdsOf) other(d blob.Digest, now time.Time, claimsOnly bool) bool {
	for k, r := range h.m.rows {
		if k[0] == d.String() && k[1] != h.holder && r.until.After(now) && (r.claim || !claimsOnly) {
			return true
		}
	}
	return false
}

func (h holdsOf) Hold(_ context.Context, d blob.Digest, now, until time.Time) (bool, error) {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if h.other(d, now, true) {
		select {
		case h.m.refused <- d:
		default:
		}
		return false, nil
	}
	h.m.rows[[2]string{d.String(), h.holder}] = memHold{until: until}
	return true, nil
}

func (h holdsOf) Claim(_ context.Context, d blob.Digest, now, until time.Time) (bool, error) {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if h.other(d, now, false) {
		return false, nil
	}
	h.m.rows[[2]string{d.String(), h.holder}] = memHold{claim: true, until: until}
	return true, nil
}

func (h holdsOf) Release(_ context.Context, d blob.Digest) error {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	delete(h.m.rows, [2]string{d.String(), h.holder})
	return nil
}

// replicaGuards returns the guards of two processes over one directory,
// with shared holds and a shared clock two hours ahead of the files'
// times (every blob is past the grace period by its ModTime).
func replicaGuards(t *testing.T) (a, b *blob.Guard, holds *memHolds) {
	t.Helper()
	dir := t.TempDir()
	c := &clock{t: time.Now().Add(2 * time.Hour)}
	holds = &memHolds{rows: map[[2]string]memHold{}, refused: make(chan blob.Digest, 1)}
	for i, g := range []**blob.Guard{&a, &b} {
		files, err := fsblob.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		*g = blob.NewGuard(files, time.Hour, c.now)
		(*g).UseHolds(holds.of(string(rune('a' + i))))
	}
	return a, b, holds
}

// A rejected upload settling on one process leaves the bytes that an
// upload on another process committed and has not yet referenced.
func TestSettleSparesAnotherProcessUpload(t *testing.T) {
	a, b, _ := replicaGuards(t)
	ctx := context.Background()
	refs := &references{}
	d, upB := upload(t, b, "the same bytes on two servers")
	_, upA := upload(t, a, "the same bytes on two servers")
	if err := a.Settle(ctx, upA, refs.inUse); err != nil {
		t.Fatal(err)
	}
	if !exists(t, a, d) {
		t.Fatal("a's rejected upload deleted the bytes b's upload is about to reference")
	}
	refs.add(d) // b's version commits
	if err := b.Settle(ctx, upB, refs.inUse); err != nil {
		t.Fatal(err)
	}
	if !exists(t, b, d) {
		t.Fatal("b's referenced blob is gone")
	}
}

// The sweep on one process leaves a blob another process committed
// outside any request (a cache fill) within the grace period.
func TestSweepSparesAnotherProcessCommit(t *testing.T) {
	a, b, _ := replicaGuards(t)
	ctx := context.Background()
	refs := &references{}
	info, err := blob.Put(ctx, b, bytes.NewReader([]byte("a cache fill on b")))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.Sweep(ctx, refs.inUse); err != nil || n != 0 {
		t.Fatalf("a's sweep removed %d (%v) blobs b holds", n, err)
	}
	if !exists(t, a, info.Digest) {
		t.Fatal("a's sweep deleted b's fresh commit")
	}
}

// An upload on one process of bytes another process is deleting waits
// for the delete and stores the bytes anew.
func TestUploadWaitsForAnotherProcessDelete(t *testing.T) {
	a, b, holds := replicaGuards(t)
	ctx := context.Background()
	content := []byte("deleted on a, uploaded on b")
	// An orphan left long ago (written past the guards).
	orphan, err := blob.Put(ctx, a.Store, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	refs := &references{}
	uploaded := make(chan error, 1)
	a.SetHooks(func(d blob.Digest) {
		// Under a's claim, b uploads the same bytes and publishes them.
		go func() {
			_, err := blob.Put(ctx, b, bytes.NewReader(content))
			if err == nil {
				refs.add(d)
			}
			uploaded <- err
		}()
		select {
		case <-holds.refused: // b waits for the delete
		case err := <-uploaded:
			uploaded <- err
			t.Error("b committed while a held the claim")
		}
	}, nil)
	if n, err := a.Sweep(ctx, refs.inUse); err != nil || n != 1 {
		t.Fatalf("a's sweep removed %d (%v), want the orphan", n, err)
	}
	if err := <-uploaded; err != nil {
		t.Fatal(err)
	}
	if !exists(t, b, orphan.Digest) {
		t.Fatal("b's upload, published after a's delete, has no bytes")
	}
}
