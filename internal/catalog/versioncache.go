package catalog

import (
	"bytes"
	"container/list"
	"slices"
	"sync"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// VersionCacheBytes bounds the memory of cached version lookups.
const VersionCacheBytes = 8 << 20

// versionKey names a version of a package in a repository.
type versionKey struct {
	repository int64
	ref        artifact.PackageRef
	version    string
}

type cachedVersion struct {
	key        versionKey
	generation uint64 // the package generation it was read at
	v          store.Version
	size       int64
}

// versionCache keeps versions read by Catalog.Version, least recently
// used out first, so that a download (every tarball, wheel and jar GET)
// does not query the store. An entry is valid while the package
// generation of its package is the one it was read at: every committed
// change to the package's versions, tags, assets or origin configuration
// in any repository of the domain, and every change to the domain's
// structure, changes it.
type versionCache struct {
	max int64

	mu      sync.Mutex
	size    int64
	entries map[versionKey]*list.Element
	lru     *list.List // of *cachedVersion, most recently used first
}

func newVersionCache(max int64) *versionCache {
	return &versionCache{max: max, entries: map[versionKey]*list.Element{}, lru: list.New()}
}

// get returns a copy of the version cached for key if it is still valid.
func (c *versionCache) get(key versionKey, gen uint64) (store.Version, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return store.Version{}, false
	}
	cv := e.Value.(*cachedVersion)
	if cv.generation != gen {
		c.remove(e)
		return store.Version{}, false
	}
	c.lru.MoveToFront(e)
	return cloneVersion(cv.v), true
}

// put caches v for key as read at gen.
func (c *versionCache) put(key versionKey, gen uint64, v store.Version) {
	cv := &cachedVersion{key: key, generation: gen, v: cloneVersion(v), size: versionSize(key, v)}
	if cv.size > c.max/16 {
		return // a version with a huge readme must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.remove(e)
	}
	c.entries[key] = c.lru.PushFront(cv)
	c.size += cv.size
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *versionCache) remove(e *list.Element) {
	cv := c.lru.Remove(e).(*cachedVersion)
	delete(c.entries, cv.key)
	c.size -= cv.size
}

// versionSize estimates the memory an entry holds.
func versionSize(key versionKey, v store.Version) int64 {
	n := 512 + len(key.ref.Namespace) + len(key.ref.Name) + 2*len(key.version) + len(v.Revision) +
		len(v.Meta.DisplayName) + len(v.Meta.Summary) + len(v.Meta.HomePage) + len(v.Meta.SourceCodeRepository) +
		len(v.Meta.Readme) + len(v.Meta.Extra)
	for _, a := range v.Assets {
		n += 96 + len(a.Name) + len(a.SHA256) + len(a.SHA1) + len(a.MD5) + len(a.SHA512)
	}
	for _, l := range v.Meta.Licenses {
		n += 32 + len(l.Name) + len(l.URL)
	}
	for _, d := range v.Meta.Dependencies {
		n += 128 + len(d.Namespace) + len(d.Package) + len(d.VersionRange) + len(d.DependencyType)
	}
	return int64(n)
}

// cloneVersion copies the slices of v, so that no caller can change what
// the cache holds.
func cloneVersion(v store.Version) store.Version {
	v.Assets = slices.Clone(v.Assets)
	v.Meta.Licenses = slices.Clone(v.Meta.Licenses)
	v.Meta.Dependencies = slices.Clone(v.Meta.Dependencies)
	v.Meta.Extra = bytes.Clone(v.Meta.Extra)
	return v
}
