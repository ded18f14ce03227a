package upstream

import (
	"container/list"
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/arcahq/arca/internal/errkind"
)

// Cache keeps the documents of T a registry serves, by key. It is safe for
// concurrent use. The documents it returns are shared: callers must not
// modify them.
type Cache[T any] struct {
	client  *Client
	flights singleflight.Group

	mu      sync.Mutex
	entries map[string]*entry[T]
	lru     list.List // of *entry[T], most recently used first
	size    int64
}

// Parse reads a document from the body of a 200 answer, and says how much
// it counts for in Config.CacheBytes. An errkind.NotFound error is an
// answer, cached like a 404; other errors are failures and must be
// errkind.Unavailable (Response.ReadAll's and its Body's are).
type Parse[T any] func(resp *Response) (doc T, size int64, err error)

// entry is what is known of one key.
type entry[T any] struct {
	key  string
	elem *list.Element
	size int64

	// The last answer: a document, or that there is none.
	doc                T
	has                bool // doc is an answer
	notFound           error
	checked            time.Time // when the answer was fetched or revalidated
	etag, lastModified string

	// The last failure, if more recent than the answer.
	failure error
	failed  time.Time
}

// entryOverhead is what an entry counts for at least in the cache bound,
// so that many unknown names also fill it.
const entryOverhead = 512

// NewCache returns an empty cache of documents fetched through c, with
// c's Config.
func NewCache[T any](c *Client) *Cache[T] {
	return &Cache[T]{client: c, entries: map[string]*entry[T]{}}
}

// Get returns the document of key, from memory while it is fresh, else
// fetched with req and read by parse. When the registry cannot be asked
// or does not answer in time, the last good document is returned however
// old, else errkind.Unavailable; errkind.NotFound is an answer, cached
// like a document.
func (c *Cache[T]) Get(ctx context.Context, key string, req Request, parse Parse[T]) (T, error) {
	if doc, ok, err := c.Cached(key); ok {
		return doc, err
	}
	// The fetch runs detached from the caller that starts it, until that
	// caller's deadline, so that the callers that join it are not cut
	// short when this one goes away.
	start := time.Now()
	ch := c.flights.DoChan(key, func() (any, error) {
		fetchCtx, cancel := c.detach(ctx)
		defer cancel()
		return c.fetch(fetchCtx, key, req, parse)
	})
	select {
	case res := <-ch:
		if res.Err == nil {
			doc, _ := res.Val.(T)
			return doc, nil
		}
		if !errors.Is(res.Err, errkind.ErrUnavailable) {
			var zero T
			return zero, res.Err
		}
		return c.staleOr(key, res.Err)
	case <-ctx.Done():
		return c.staleOr(key, errkind.Wrap(errkind.Unavailable, ctx.Err(),
			"%s did not send %s in time: %s", c.client.subject, req.What, cause(ctx.Err(), time.Since(start))))
	}
}

// detach returns a context for work shared by several callers: not
// cancelled with ctx, but ending at its deadline (or after Config.Timeout
// when it has none).
func (c *Cache[T]) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(c.client.cfg.Timeout)
	}
	return context.WithDeadline(context.WithoutCancel(ctx), deadline)
}

// Cached answers from memory: a fresh document or NotFound, or a
// remembered failure of key or of the registry's host (with a stale
// document when there is one). ok is false when the registry must be
// asked.
func (c *Cache[T]) Cached(key string) (doc T, ok bool, err error) {
	now := c.client.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e != nil {
		c.lru.MoveToFront(e.elem)
		if (e.has || e.notFound != nil) && now.Sub(e.checked) < c.client.cfg.TTL && e.failure == nil {
			return e.doc, true, e.notFound
		}
	}
	failure := c.client.hostDown(c.client.host)
	if failure == nil && e != nil && e.failure != nil && now.Sub(e.failed) < c.client.cfg.FailureTTL {
		failure = c.client.remembered(e.failure, e.failed, now)
	}
	if failure == nil {
		return doc, false, nil
	}
	if e != nil && e.has {
		return e.doc, true, nil // stale-if-error
	}
	return doc, true, failure
}

// RememberNotFound records that key does not exist (err, an
// errkind.NotFound), as a 404 to Get would: Cached answers err for
// Config.TTL. It is for absences found otherwise than by Get (a file).
func (c *Cache[T]) RememberNotFound(key string, err error) {
	var zero T
	c.answer(key, zero, false, err, 0, nil)
}

// staleOr returns the last good document of key in place of err, if any.
func (c *Cache[T]) staleOr(key string, err error) (T, error) {
	c.mu.Lock()
	e := c.entries[key]
	var stale T
	var has bool
	var age time.Duration
	if e != nil {
		stale, has, age = e.doc, e.has, c.client.now().Sub(e.checked)
	}
	c.mu.Unlock()
	if !has {
		return stale, err
	}
	c.client.log.Warn("serving a stale upstream document", "registry", c.client.cfg.Name, "key", key, "age", age.Round(time.Second), "error", err)
	return stale, nil
}

// fetch asks the registry for key's document and records the answer.
func (c *Cache[T]) fetch(ctx context.Context, key string, req Request, parse Parse[T]) (T, error) {
	// A flight that finished just before this one started has the answer.
	if doc, ok, err := c.Cached(key); ok {
		return doc, err
	}
	c.mu.Lock()
	var prev T
	if e := c.entries[key]; e != nil && e.has {
		prev, req.etag, req.lastModified = e.doc, e.etag, e.lastModified
	}
	c.mu.Unlock()

	var zero T
	resp, err := c.client.Get(ctx, req)
	if errors.Is(err, errkind.ErrNotFound) {
		return zero, c.answer(key, zero, false, err, 0, nil)
	}
	if err != nil {
		return zero, c.fail(key, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		drain(resp.Body)
		return prev, c.answer(key, prev, true, nil, -1, resp.Header)
	}
	doc, size, err := parse(resp)
	if errors.Is(err, errkind.ErrNotFound) {
		return zero, c.answer(key, zero, false, err, size, resp.Header)
	}
	if err != nil {
		return zero, c.fail(key, err)
	}
	return doc, c.answer(key, doc, true, nil, size, resp.Header)
}

// answer records an answer of the registry (a document, or notFound) and
// returns notFound. size -1 keeps the entry's size (a revalidation).
func (c *Cache[T]) answer(key string, doc T, has bool, notFound error, size int64, h http.Header) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(key)
	e.doc, e.has, e.notFound, e.failure = doc, has, notFound, nil
	e.checked = c.client.now()
	e.etag, e.lastModified = h.Get("ETag"), h.Get("Last-Modified")
	if size >= 0 {
		c.resize(e, max(size, entryOverhead))
	}
	return notFound
}

// fail records a failure to fetch key's document and returns err.
func (c *Cache[T]) fail(key string, err error) error {
	c.client.log.Warn("upstream fetch failed", "registry", c.client.cfg.Name, "key", key, "error", err)
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(key)
	e.failure, e.failed = err, c.client.now()
	return err
}

// entry returns key's entry, creating it (c.mu held).
func (c *Cache[T]) entry(key string) *entry[T] {
	e := c.entries[key]
	if e == nil {
		e = &entry[T]{key: key}
		e.elem = c.lru.PushFront(e)
		c.entries[key] = e
		c.resize(e, entryOverhead)
	}
	c.lru.MoveToFront(e.elem)
	return e
}

// resize sets e's size and evicts the least recently used entries beyond
// the bound (c.mu held).
func (c *Cache[T]) resize(e *entry[T], size int64) {
	c.size += size - e.size
	e.size = size
	for c.size > c.client.cfg.CacheBytes {
		last := c.lru.Back()
		if last == nil || last.Value.(*entry[T]) == e {
			break
		}
		old := c.lru.Remove(last).(*entry[T])
		delete(c.entries, old.key)
		c.size -= old.size
	}
}
