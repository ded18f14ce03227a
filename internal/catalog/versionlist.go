package catalog

import (
	"context"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// VersionListBytes bounds the memory of kept version lists.
const VersionListBytes = 32 << 20

// versionListMaxRead is how many changed versions a list reads one by one;
// beyond it, the whole list is read again.
const versionListMaxRead = 32

// ListVersions returns every version of a package with its assets, in no
// particular order, as the store has them now. The versions are kept
// decoded between calls: each call asks the store for the versions'
// stamps only (store.VersionStamp: a few small columns per version) and
// reads in full only those whose stamp changed, so that a package of
// thousands of versions costs one version's decoding per publish instead
// of every version's. Nothing depends on a generation: what the store
// says now decides, on every engine and with several server processes.
//
// The versions returned share their slices (assets, metadata) with the
// kept list and with other callers: they must not be modified.
func (c *Catalog) ListVersions(ctx context.Context, packageID int64) ([]store.Version, error) {
	stamps, err := c.st.VersionStamps(ctx, packageID)
	if err != nil {
		return nil, err
	}
	kept := c.lists.get(packageID)
	var changed []store.VersionStamp
	for _, s := range stamps {
		if v, ok := kept[s.ID]; !ok || !sameStamp(v, s) {
			changed = append(changed, s)
		}
	}
	if len(changed) == 0 && len(kept) == len(stamps) {
		return listOf(kept, stamps), nil
	}
	if len(changed) > versionListMaxRead || kept == nil {
		vs, err := c.st.ListVersions(ctx, packageID, true)
		if err != nil {
			return nil, err
		}
		c.lists.put(packageID, vs)
		return vs, nil
	}
	next := make(map[int64]store.Version, len(stamps))
	for _, s := range stamps {
		if v, ok := kept[s.ID]; ok && sameStamp(v, s) {
			next[s.ID] = v
		}
	}
	for _, s := range changed {
		v, err := c.st.GetVersion(ctx, packageID, s.Version)
		if err != nil {
			// Changed again (or deleted) since the stamps were read: read
			// everything, consistently.
			vs, err := c.st.ListVersions(ctx, packageID, true)
			if err != nil {
				return nil, err
			}
			c.lists.put(packageID, vs)
			return vs, nil
		}
		next[v.ID] = v
	}
	vs := make([]store.Version, 0, len(next))
	for _, v := range next {
		vs = append(vs, v)
	}
	c.lists.put(packageID, vs)
	return vs, nil
}

// VersionsWithStatus returns the versions of a package in repo that
// have the status, from the store's stamps of those versions alone: a
// caller looking for a few versions among thousands (Maven's metadata
// upload lists every version, to publish the Unfinished ones) reads a few
// rows.
func (c *Catalog) VersionsWithStatus(ctx context.Context, repo store.Repository, ref artifact.PackageRef, status artifact.Status) ([]string, error) {
	p, err := c.getPackage(ctx, c.st, repo, ref)
	if err != nil {
		return nil, err
	}
	stamps, err := c.st.VersionStampsWithStatus(ctx, p.ID, status)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(stamps))
	for i, s := range stamps {
		out[i] = s.Version
	}
	return out, nil
}

func sameStamp(v store.Version, s store.VersionStamp) bool {
	return v.Status == s.Status && v.Revision == s.Revision && v.UpdatedAt.Equal(s.UpdatedAt) && v.Version == s.Version
}

// listOf returns the kept versions in the stamps' order.
func listOf(kept map[int64]store.Version, stamps []store.VersionStamp) []store.Version {
	out := make([]store.Version, len(stamps))
	for i, s := range stamps {
		out[i] = kept[s.ID]
	}
	return out
}

// versionLists keeps decoded version lists by package, least recently
// used out first, within a byte bound; a package whose list is larger
// than half of it is read in full every time (at the default budget,
// about 10,000 versions of an npm package with 1.5 KB manifests fit).
type versionLists struct {
	l *lru[int64, map[int64]store.Version]
}

func newVersionLists(max int64) *versionLists {
	return &versionLists{l: newLRU[int64, map[int64]store.Version](max, max/2)}
}

// get returns the kept versions of a package by ID (nil when none are
// kept); the map is never modified after it is kept.
func (l *versionLists) get(packageID int64) map[int64]store.Version {
	m, _ := l.l.get(packageID)
	return m
}

// put keeps vs as the package's versions.
func (l *versionLists) put(packageID int64, vs []store.Version) {
	m := make(map[int64]store.Version, len(vs))
	var size int64
	for _, v := range vs {
		m[v.ID] = v
		size += versionSize(versionKey{version: v.Version}, v)
	}
	l.l.put(packageID, m, size)
}
