package npm

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// DocCacheBytes bounds the memory of rendered package documents (plain
// and gzipped together).
const DocCacheBytes = 32 << 20

// RemoteTTL is how long a document that depends on a public registry is
// served from the cache: such documents change when the registry does,
// which no generation tracks.
const RemoteTTL = 60 * time.Second

// docKey names a rendered document.
type docKey struct {
	repository  int64
	name        string
	abbreviated bool
	baseURL     string // tarball URLs depend on it
}

func (k docKey) flightKey(gen uint64) string {
	return fmt.Sprintf("%d\x00%s\x00%t\x00%s\x00%d", k.repository, k.name, k.abbreviated, k.baseURL, gen)
}

// document is a rendered package document, ready to send.
type document struct {
	key         docKey
	generation  uint64    // the catalog generation it was made at
	expires     time.Time // zero: valid until the generation changes
	contentType string
	etag        string
	body, gz    []byte
}

// newDocument prepares a rendered body: its ETag (weak, since the plain
// and gzipped bytes share it) and its gzipped form, made once here since
// every npm client accepts gzip.
func newDocument(key docKey, gen uint64, body []byte, contentType string) *document {
	sum := sha256.Sum256(body)
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	w.Write(body)
	w.Close()
	return &document{
		key: key, generation: gen, contentType: contentType,
		etag: `W/"` + hex.EncodeToString(sum[:16]) + `"`,
		body: body, gz: gz.Bytes(),
	}
}

func (d *document) size() int64 { return int64(len(d.body) + len(d.gz)) }

// docCache keeps rendered documents, least recently used out first. An
// entry is valid while the catalog generation of its domain is the one it
// was made at (every write in the domain changes it) and, for documents
// that depend on a public registry, until it expires.
type docCache struct {
	max    int64
	flight singleflight.Group

	mu      sync.Mutex
	size    int64
	entries map[docKey]*list.Element
	lru     *list.List // of *document, most recently used first
}

func newDocCache(max int64) *docCache {
	return &docCache{max: max, entries: map[docKey]*list.Element{}, lru: list.New()}
}

// get returns the document for key if it is still valid.
func (c *docCache) get(key docKey, gen uint64, now time.Time) *document {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil
	}
	d := e.Value.(*document)
	if d.generation != gen || (!d.expires.IsZero() && !now.Before(d.expires)) {
		c.remove(e)
		return nil
	}
	c.lru.MoveToFront(e)
	return d
}

// put stores d, replacing the document for its key and evicting the least
// recently used ones beyond the limit.
func (c *docCache) put(d *document) {
	if d.size() > c.max/4 {
		return // one package must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[d.key]; ok {
		c.remove(e)
	}
	c.entries[d.key] = c.lru.PushFront(d)
	c.size += d.size()
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *docCache) remove(e *list.Element) {
	d := c.lru.Remove(e).(*document)
	delete(c.entries, d.key)
	c.size -= d.size()
}

// acceptsAbbreviated reports whether an Accept header asks for the
// abbreviated document: npm's and pnpm's first request prefers it (q=1)
// to application/json (q=0.8); yarn and npm install ask for
// application/json alone.
func acceptsAbbreviated(accept string) bool {
	abbreviated, full := 0.0, 0.0
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mediaType)) {
		case ContentTypeAbbreviated:
			abbreviated = quality(params)
		case ContentTypeFull:
			full = quality(params)
		}
	}
	return abbreviated > 0 && abbreviated >= full
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

// quality returns the q parameter of a header element's parameters
// (1 when absent).
func quality(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return q
		}
	}
	return 1
}
