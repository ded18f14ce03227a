package pypi

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// PageCacheBytes bounds the memory of rendered pages (plain and gzipped
// together).
const PageCacheBytes = 32 << 20

// RemoteTTL is how long a page that depends on a public index is served
// from the cache: such pages change when the index does, which no
// generation tracks.
const RemoteTTL = 60 * time.Second

// pageKind is a rendering of a project.
type pageKind uint8

const (
	pageHTML    pageKind = iota // the simple API, PEP 503 HTML
	pageJSON                    // the simple API, PEP 691 JSON
	pageJSONAPI                 // the JSON API, pypi/{project}/json
	pageRelease                 // the JSON API, pypi/{project}/{version}/json
	pageHTMLv1                  // PEP 503 HTML under its PEP 691 media type
)

// pageKey names a rendered page.
type pageKey struct {
	repository int64
	project    string
	kind       pageKind
	version    string // pageRelease only
	baseURL    string // the JSON API's URLs are absolute
}

func (k pageKey) flightKey(gen uint64) string {
	return fmt.Sprintf("%d\x00%s\x00%d\x00%s\x00%s\x00%d", k.repository, k.project, k.kind, k.version, k.baseURL, gen)
}

// page is a rendered page, ready to send.
type page struct {
	key         pageKey
	generation  uint64    // the package generation it was made at
	expires     time.Time // zero: valid until the generation changes
	contentType string
	etag        string
	body, gz    []byte
}

// newPage prepares a rendered body: its ETag (weak, since the plain and
// gzipped bytes share it) and, for bodies worth it, its gzipped form,
// made once here.
func newPage(key pageKey, gen uint64, body []byte, contentType string) *page {
	sum := sha256.Sum256(body)
	p := &page{
		key: key, generation: gen, contentType: contentType,
		etag: `W/"` + hex.EncodeToString(sum[:16]) + `"`, body: body,
	}
	if len(body) >= 1024 {
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
		w.Write(body)
		w.Close()
		p.gz = gz.Bytes()
	}
	return p
}

func (p *page) size() int64 { return int64(len(p.body) + len(p.gz)) }

// pageCache keeps rendered pages, least recently used out first. An entry
// is valid while the package generation of its project is the one it was
// made at (every change to the project anywhere in the domain, and every
// change to the domain's structure, changes it) and, for pages that
// depend on a public index, until it expires.
type pageCache struct {
	max    int64
	flight singleflight.Group

	mu      sync.Mutex
	size    int64
	entries map[pageKey]*list.Element
	lru     *list.List // of *page, most recently used first
}

func newPageCache(max int64) *pageCache {
	return &pageCache{max: max, entries: map[pageKey]*list.Element{}, lru: list.New()}
}

// get returns the page for key if it is still valid.
func (c *pageCache) get(key pageKey, gen uint64, now time.Time) *page {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil
	}
	p := e.Value.(*page)
	if p.generation != gen || (!p.expires.IsZero() && !now.Before(p.expires)) {
		c.remove(e)
		return nil
	}
	c.lru.MoveToFront(e)
	return p
}

// put stores p, replacing the page for its key and evicting the least
// recently used ones beyond the limit.
func (c *pageCache) put(p *page) {
	if p.size() > c.max/4 {
		return // one project must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[p.key]; ok {
		c.remove(e)
	}
	c.entries[p.key] = c.lru.PushFront(p)
	c.size += p.size()
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *pageCache) remove(e *list.Element) {
	p := c.lru.Remove(e).(*page)
	delete(c.entries, p.key)
	c.size -= p.size()
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(acceptEncoding string) bool {
	star := false
	for _, part := range strings.Split(acceptEncoding, ",") {
		coding, params, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			return quality(params) > 0
		case "*":
			star = quality(params) > 0
		}
	}
	return star
}
