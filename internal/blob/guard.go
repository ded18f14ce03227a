package blob

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/errkind"
)

// InUse reports whether any metadata references a blob.
type InUse func(ctx context.Context, d Digest) (bool, error)

// Guard wraps a Store so that blobs nothing references can be deleted
// without destroying the bytes of an upload of the same content running at
// the same time (the store deduplicates: two uploads of equal bytes share
// one blob). It is what the sweep and the clean-up of rejected uploads
// delete through.
//
// The hazard is an upload that commits bytes already stored, just after a
// deleter decided they were unreferenced and just before it deletes them:
// the upload's metadata then names a blob that is gone. Guard closes it by
// serialising, per digest, Commit with the deleter's decision and delete,
// and by remembering recent commits:
//
//   - DeleteUnused (the sweep) deletes a blob only if its last commit is
//     older than the grace period (by its ModTime, which a deduplicating
//     Commit refreshes), no upload in flight committed it, and nothing
//     references it, all decided under the digest's lock;
//   - Settle (the end of a request that uploaded) deletes the blobs its
//     uploads committed that nothing references, unless another upload
//     still in flight committed them too, or a commit outside any request
//     (a cache fill) did within the grace period.
//
// The lock and the record of uploads are in memory. When several
// processes share the blob store (replicas over one bucket or directory),
// Holds (UseHolds) carry the same rules across them: an upload holds its
// digest, in the metadata store, from before its commit until its request
// settles (a commit outside any request, for the grace period), and a
// delete first claims the digest, which it can only while no other
// process holds or claims it; an upload that finds the digest claimed
// waits until the delete is done and then stores its bytes anew. Without
// Holds only one process may delete (the server); others may only read
// and write.
type Guard struct {
	Store
	grace time.Duration
	now   func() time.Time
	holds Holds

	mu    sync.Mutex
	locks map[Digest]*digestLock
	pins  map[Digest]int       // commits by uploads whose request has not ended
	free  map[Digest]time.Time // latest commit by no request's upload

	// Tests' hooks: beforeDelete runs under the digest's lock just before
	// a guarded delete; contended when a lock must wait for its holder.
	beforeDelete func(Digest)
	contended    func(Digest)
}

type digestLock struct {
	mu   sync.Mutex
	refs int
}

// NewGuard wraps s. grace is how long after its last commit a blob is
// left alone by DeleteUnused (its metadata may be on its way); now is the
// clock.
func NewGuard(s Store, grace time.Duration, now func() time.Time) *Guard {
	return &Guard{Store: s, grace: grace, now: now,
		locks: map[Digest]*digestLock{}, pins: map[Digest]int{}, free: map[Digest]time.Time{}}
}

// Holds are a digest's holds and delete claims shared by the processes
// that use one blob store (store.BlobHolds through an adapter naming this
// process). A hold is refused (false) while another process claims the
// digest; a claim while another process holds or claims it. Each process
// has at most one hold or claim per digest: taking one replaces the other.
type Holds interface {
	Hold(ctx context.Context, d Digest, now, until time.Time) (bool, error)
	Claim(ctx context.Context, d Digest, now, until time.Time) (bool, error)
	Release(ctx context.Context, d Digest) error
}

// UseHolds makes g coordinate with the other processes sharing its store
// through h. Call it before g is used.
func (g *Guard) UseHolds(h Holds) { g.holds = h }

// How long an upload waits between tries while another process deletes
// its digest, and how long a delete claim lasts (a process that dies
// while deleting holds uploads of the digest back that long).
const (
	holdRetry = 20 * time.Millisecond
	claimFor  = time.Minute
)

// hold takes this process's hold on d for the grace period, waiting while
// another process deletes d.
func (g *Guard) hold(ctx context.Context, d Digest) error {
	if g.holds == nil {
		return nil
	}
	for {
		now := g.now()
		ok, err := g.holds.Hold(ctx, d, now, now.Add(g.grace))
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(holdRetry):
		}
	}
}

// release drops this process's hold or claim on d.
func (g *Guard) release(ctx context.Context, d Digest) error {
	if g.holds == nil {
		return nil
	}
	return g.holds.Release(context.WithoutCancel(ctx), d)
}

// lock takes d's lock and returns its release.
func (g *Guard) lock(d Digest) func() {
	g.mu.Lock()
	l := g.locks[d]
	if l == nil {
		l = &digestLock{}
		g.locks[d] = l
	}
	l.refs++
	g.mu.Unlock()
	if !l.mu.TryLock() {
		if g.contended != nil {
			g.contended(d)
		}
		l.mu.Lock()
	}
	return func() {
		l.mu.Unlock()
		g.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(g.locks, d)
		}
		g.mu.Unlock()
	}
}

// Create starts a blob whose Commit holds the digest's lock.
func (g *Guard) Create(ctx context.Context) (Writer, error) {
	w, err := g.Store.Create(ctx)
	if err != nil {
		return nil, err
	}
	return &guardedWriter{Writer: w, g: g, uploads: uploadsFrom(ctx)}, nil
}

// OpenToServe passes on to the wrapped store's OpenToServe (a cache that
// keeps what clients fetch), or opens the blob.
func (g *Guard) OpenToServe(ctx context.Context, d Digest) (io.ReadSeekCloser, Info, error) {
	if s, ok := g.Store.(interface {
		OpenToServe(context.Context, Digest) (io.ReadSeekCloser, Info, error)
	}); ok {
		return s.OpenToServe(ctx, d)
	}
	return g.Store.Open(ctx, d)
}

// RedirectURL forwards to the wrapped store's Redirector (an S3 store's
// presigned URLs); without one it returns "", and the blob is streamed.
func (g *Guard) RedirectURL(ctx context.Context, d Digest, size int64, ttl time.Duration) (string, error) {
	return RedirectURL(ctx, g.Store, d, size, ttl)
}

var _ Redirector = (*Guard)(nil)

type guardedWriter struct {
	Writer
	g       *Guard
	uploads *Uploads
}

// Commit commits under the digest's lock and records the commit: as the
// request's (pinned until Settle) or as a free one.
func (w *guardedWriter) Commit(ctx context.Context, expected Digest) (Info, error) {
	unlock := w.g.lock(expected)
	defer unlock()
	// The hold comes first: once it is in place no other process deletes
	// the bytes until this commit's request settles.
	if err := w.g.hold(ctx, expected); err != nil {
		return Info{}, err
	}
	info, err := w.Writer.Commit(ctx, expected)
	if err != nil {
		if !w.g.recent(expected) {
			w.g.release(ctx, expected)
		}
		return info, err
	}
	g := w.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.uploads.add(expected) {
		g.pins[expected]++
	} else {
		g.free[expected] = g.now()
	}
	return info, nil
}

// DeleteUnused deletes d if its last commit is older than the grace
// period, no upload in flight committed it and inUse says nothing
// references it, and reports whether it did. No Commit of d runs between
// the checks and the delete.
func (g *Guard) DeleteUnused(ctx context.Context, d Digest, inUse InUse) (bool, error) {
	unlock := g.lock(d)
	defer unlock()
	info, err := g.Store.Stat(ctx, d)
	if errors.Is(err, errkind.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if g.now().Sub(info.ModTime) < g.grace || g.recent(d) {
		return false, nil
	}
	return g.deleteIfUnused(ctx, d, inUse)
}

// recent reports whether an upload in flight committed d, or a free
// commit did within the grace period.
func (g *Guard) recent(d Digest) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pins[d] > 0 {
		return true
	}
	at, ok := g.free[d]
	if ok && g.now().Sub(at) >= g.grace {
		delete(g.free, d)
		ok = false
	}
	return ok
}

// deleteIfUnused deletes d unless inUse says it is referenced; the caller
// holds d's lock. With Holds it claims d first (which replaces this
// process's hold), and deletes nothing while another process holds it. A
// referenced blob keeps this process's hold until it lapses: nobody
// deletes a referenced blob, and the write a release costs is saved.
func (g *Guard) deleteIfUnused(ctx context.Context, d Digest, inUse InUse) (bool, error) {
	used, err := inUse(ctx, d)
	if err != nil || used {
		return false, err
	}
	if g.holds != nil {
		now := g.now()
		ok, err := g.holds.Claim(ctx, d, now, now.Add(claimFor))
		if err != nil || !ok {
			return false, err
		}
		defer g.release(ctx, d)
		// Asked again under the claim: metadata committed by another
		// process whose hold ended before the claim is seen now.
		if used, err := inUse(ctx, d); err != nil || used {
			return false, err
		}
	}
	if g.beforeDelete != nil {
		g.beforeDelete(d)
	}
	if err := g.Store.Delete(ctx, d); err != nil {
		return false, err
	}
	return true, nil
}

// Sweep deletes every blob DeleteUnused would, and returns how many.
func (g *Guard) Sweep(ctx context.Context, inUse InUse) (removed int, err error) {
	g.forgetOld()
	var old []Digest
	now := g.now()
	err = g.Store.Walk(ctx, func(info Info) error {
		if now.Sub(info.ModTime) >= g.grace {
			old = append(old, info.Digest)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, d := range old {
		gone, err := g.DeleteUnused(ctx, d, inUse)
		if err != nil {
			return removed, err
		}
		if gone {
			removed++
		}
	}
	return removed, nil
}

// forgetOld drops the free commits older than the grace period.
func (g *Guard) forgetOld() {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for d, at := range g.free {
		if now.Sub(at) >= g.grace {
			delete(g.free, d)
		}
	}
}

// Settle ends a request's uploads (see WithUploads): each blob they
// committed that nothing references is deleted at once, unless another
// upload in flight committed it too or a free commit did within the grace
// period (the sweep takes those later). A request whose metadata
// committed leaves its blobs referenced, so they stay. Commits made with
// up's context after Settle count as free. It returns the first error;
// it goes on with the other blobs regardless.
func (g *Guard) Settle(ctx context.Context, up *Uploads, inUse InUse) error {
	var first error
	for _, d := range up.close() {
		unlock := g.lock(d)
		g.mu.Lock()
		if g.pins[d]--; g.pins[d] <= 0 {
			delete(g.pins, d)
		}
		g.mu.Unlock()
		if !g.recent(d) {
			if _, err := g.deleteIfUnused(ctx, d, inUse); err != nil && first == nil {
				first = err
			}
		}
		unlock()
	}
	return first
}

// Uploads collects the blobs committed with a request's context, so that
// Settle can remove those the request did not end up referencing (a
// rejected upload). The zero value is not used: see WithUploads.
type Uploads struct {
	mu      sync.Mutex
	digests []Digest
	closed  bool
}

type uploadsKey struct{}

// WithUploads returns a context whose blob commits (through a Guard) are
// the request's uploads, to be settled with Guard.Settle when the request
// ends.
func WithUploads(ctx context.Context) (context.Context, *Uploads) {
	up := &Uploads{}
	return context.WithValue(ctx, uploadsKey{}, up), up
}

// WithoutUploads returns ctx with its commits no request's uploads: for
// work whose metadata may commit after the request ends (a cache fill
// finishing in the background).
func WithoutUploads(ctx context.Context) context.Context {
	return context.WithValue(ctx, uploadsKey{}, (*Uploads)(nil))
}

func uploadsFrom(ctx context.Context) *Uploads {
	up, _ := ctx.Value(uploadsKey{}).(*Uploads)
	return up
}

// add records a commit of d and reports whether it counts as the
// request's (false without Uploads or after Settle).
func (up *Uploads) add(d Digest) bool {
	if up == nil {
		return false
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if up.closed {
		return false
	}
	up.digests = append(up.digests, d)
	return true
}

func (up *Uploads) close() []Digest {
	up.mu.Lock()
	defer up.mu.Unlock()
	up.closed = true
	d := up.digests
	up.digests = nil
	return d
}
