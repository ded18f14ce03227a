// Package blobcache keeps small blobs in memory in front of a blob store.
//
// A 10 KB tarball read from disk costs four system calls (open, fstat,
// read, close), a fifth of what the whole download costs the server. A
// blob's bytes never change under its digest, so a small one read once can
// be served from memory for as long as it stays in the cache, with nothing
// to invalidate but Delete.
//
// The cache holds blobs of at most MaxEntry bytes, MaxBytes in all, and
// drops the least recently used first; blobs not served for a while go
// when the server is quiet (cachesize.DropUnused).
package blobcache

import (
	"bytes"
	"container/list"
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/cachesize"
)

// MaxEntry is the largest blob kept.
const MaxEntry = 64 << 10

// Store is a blob.Store whose Open serves small blobs from memory. It
// forwards the optional blob.Redirector of the store it wraps.
type Store struct {
	blob.Store
	max int64

	mu    sync.Mutex
	size  int64
	byKey map[blob.Digest]*list.Element
	lru   list.List // of *entry, most recently used first

	hits, misses atomic.Uint64
}

// Stats is what the cache did and holds, for the metrics.
type Stats struct {
	Hits, Misses uint64 // Opens answered from memory, and from the store
	Entries      int    // blobs held
	Bytes        int64  // their size
}

// Stats returns the cache's counters and size now.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Hits: s.hits.Load(), Misses: s.misses.Load(), Entries: len(s.byKey), Bytes: s.size}
}

type entry struct {
	digest  blob.Digest
	info    blob.Info
	data    []byte
	lastUse uint32 // cachesize.Now when last kept or served
	memo    atomic.Pointer[memo]
}

type memo struct{ v any }

// New returns s with a cache of at most maxBytes in front of it.
func New(s blob.Store, maxBytes int64) *Store {
	c := &Store{Store: s, max: maxBytes, byKey: map[blob.Digest]*list.Element{}}
	cachesize.Register(c, (*Store).dropUnused)
	return c
}

var _ blob.Redirector = (*Store)(nil)

// Reader is what Open returns for a blob held in memory: a ReadSeekCloser
// whose Bytes are the whole blob, for callers that can send them at once.
type Reader struct {
	bytes.Reader
	e *entry
}

// Bytes returns the whole blob. The caller must not modify it.
func (r *Reader) Bytes() []byte { return r.e.data }

// Close does nothing: the bytes belong to the cache.
func (*Reader) Close() error { return nil }

// Memo returns the value kept with the blob for as long as it stays
// cached (KeepMemo), nil if none: what a caller derives from the blob for
// every response it sends it in, such as header values. The caller must
// not modify it.
func (r *Reader) Memo() any {
	if m := r.e.memo.Load(); m != nil {
		return m.v
	}
	return nil
}

// KeepMemo keeps v with the blob unless a value is kept already, and
// returns the value kept.
func (r *Reader) KeepMemo(v any) any {
	r.e.memo.CompareAndSwap(nil, &memo{v})
	return r.e.memo.Load().v
}

func (e *entry) reader() *Reader {
	r := &Reader{e: e}
	r.Reader.Reset(e.data)
	return r
}

// Open returns the blob from memory when it is cached, else from the
// store.
func (s *Store) Open(ctx context.Context, d blob.Digest) (io.ReadSeekCloser, blob.Info, error) {
	if e, ok := s.get(d); ok {
		if err := ctx.Err(); err != nil {
			return nil, blob.Info{}, err
		}
		s.hits.Add(1)
		return e.reader(), e.info, nil
	}
	s.misses.Add(1)
	return s.Store.Open(ctx, d)
}

// OpenToServe is Open for a download: a small blob read from the store is
// kept for the next one. Other readers (metadata extraction, ingestion)
// use Open and leave the cache to what clients fetch.
func (s *Store) OpenToServe(ctx context.Context, d blob.Digest) (io.ReadSeekCloser, blob.Info, error) {
	f, info, err := s.Open(ctx, d)
	if _, cached := f.(*Reader); err != nil || cached || info.Size > MaxEntry || info.Size > s.max {
		return f, info, err
	}
	defer f.Close()
	var data []byte
	if m, ok := f.(interface{ Bytes() []byte }); ok && int64(len(m.Bytes())) == info.Size {
		data = m.Bytes() // in memory already (fsblob's pack): no copy
	} else {
		data = make([]byte, info.Size)
		if _, err := io.ReadFull(f, data); err != nil {
			return nil, blob.Info{}, err
		}
	}
	e := s.put(&entry{digest: d, info: info, data: data})
	return e.reader(), info, nil
}

// Delete removes the blob from the store and from the cache.
func (s *Store) Delete(ctx context.Context, d blob.Digest) error {
	err := s.Store.Delete(ctx, d)
	s.mu.Lock()
	if el, ok := s.byKey[d]; ok {
		s.remove(el)
	}
	s.mu.Unlock()
	return err
}

// RedirectURL forwards to the wrapped store's blob.Redirector; without one
// it returns "", and the blob is streamed (from memory when it is cached).
func (s *Store) RedirectURL(ctx context.Context, d blob.Digest, size int64, ttl time.Duration) (string, error) {
	return blob.RedirectURL(ctx, s.Store, d, size, ttl)
}

func (s *Store) get(d blob.Digest) (*entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byKey[d]
	if !ok {
		return nil, false
	}
	s.lru.MoveToFront(el)
	e := el.Value.(*entry)
	e.lastUse = cachesize.Now()
	return e, true
}

// put caches e and returns the entry held for its digest: e, or the one
// another request cached meanwhile.
func (s *Store) put(e *entry) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byKey[e.digest]; ok {
		return el.Value.(*entry)
	}
	e.lastUse = cachesize.Now()
	s.byKey[e.digest] = s.lru.PushFront(e)
	s.size += int64(len(e.data))
	for s.size > s.max {
		s.remove(s.lru.Back())
	}
	return e
}

// dropUnused drops the blobs last served before tick before and returns
// their size; they are the last ones in order of use.
func (s *Store) dropUnused(before uint32) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var freed int64
	for el := s.lru.Back(); el != nil && el.Value.(*entry).lastUse < before; el = s.lru.Back() {
		freed += int64(len(el.Value.(*entry).data))
		s.remove(el)
	}
	return freed
}

func (s *Store) remove(el *list.Element) {
	e := s.lru.Remove(el).(*entry)
	delete(s.byKey, e.digest)
	s.size -= int64(len(e.data))
}
