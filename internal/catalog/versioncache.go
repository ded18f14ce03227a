package catalog

import (
	"bytes"
	"slices"

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
	generation uint64 // the package generation it was read at
	v          store.Version
}

// versionCache keeps versions read by Catalog.Version, least recently
// used out first, so that a download (every tarball, wheel and jar GET)
// does not query the store. An entry is valid while the package
// generation of its package is the one it was read at: every committed
// change to the package's versions, tags, assets or origin configuration
// in any repository of the domain, and every change to the domain's
// structure, changes it.
type versionCache struct {
	l *lru[versionKey, cachedVersion]
}

func newVersionCache(max int64) *versionCache {
	return &versionCache{l: newLRU[versionKey, cachedVersion](max, max/16)}
}

// get returns the version cached for key if it is still valid: a copy,
// or if shared the cache's own, whose slices must not be modified.
func (c *versionCache) get(key versionKey, gen uint64, shared bool) (store.Version, bool) {
	cv, ok := c.l.get(key)
	if !ok {
		return store.Version{}, false
	}
	if cv.generation != gen {
		c.l.drop(key)
		return store.Version{}, false
	}
	if shared {
		return cv.v, true
	}
	return cloneVersion(cv.v), true
}

// put caches v for key as read at gen.
func (c *versionCache) put(key versionKey, gen uint64, v store.Version) {
	c.l.put(key, cachedVersion{generation: gen, v: cloneVersion(v)}, versionSize(key, v))
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
