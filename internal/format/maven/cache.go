package maven

import (
	"container/list"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/arcahq/arca/internal/artifact"
)

// DocCacheBytes bounds the memory of generated metadata files.
const DocCacheBytes = 16 << 20

// RemoteTTL is how long metadata that depends on a public repository is
// served from the cache: it changes when the repository does, which no
// generation tracks.
const RemoteTTL = 60 * time.Second

// docKey names a generated metadata file: the repository, and the path of
// the file without a checksum extension.
type docKey struct {
	repository int64
	path       string
}

func (k docKey) flightKey(gen uint64) string {
	return fmt.Sprintf("%d\x00%s\x00%d", k.repository, k.path, gen)
}

// document is a generated metadata file, ready to send with its digests
// (served for its checksum files) and ETag.
type document struct {
	key        docKey
	generation uint64
	expires    time.Time // zero: valid until the generation changes
	body       []byte
	digests    artifact.Asset
	etag       string
}

func newDocument(key docKey, gen uint64, body []byte) *document {
	d := digestsOf(MetadataFile, body)
	return &document{key: key, generation: gen, body: body, digests: d, etag: `"` + d.SHA256[:32] + `"`}
}

func (d *document) size() int64 { return int64(len(d.body)) + 512 }

// docCache keeps generated metadata files, least recently used out first.
// An entry is valid while the package generation it was made at holds
// and, for files that depend on a public repository, until it expires.
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

// put stores d, evicting the least recently used documents beyond the
// bound.
func (c *docCache) put(d *document) {
	if d.size() > c.max/4 {
		return
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
