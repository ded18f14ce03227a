package catalog

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// VersionListBytes bounds the memory of kept version lists.
const VersionListBytes = 24 << 20

// ListVersions returns every version of a package with its assets, by ID,
// as the store has them now. The versions are kept decoded between calls,
// with the package's change number they are as of: each call asks the
// store what changed since (store.VersionChanges: one indexed row when
// nothing did, the changed versions and the IDs of the deleted ones
// otherwise) and applies it, so that a package of thousands of versions
// costs one version's decoding per publish, and no pass over every
// version. Nothing depends on a generation: the store's change number
// decides, on every engine and with several server processes.
//
// The versions returned share their slices (assets, metadata) and their
// backing array with the kept list and with other callers, and a version
// shares the strings and slices equal to those of the version before it
// (shareRun): they must not be modified.
func (c *Catalog) ListVersions(ctx context.Context, packageID int64) ([]store.Version, error) {
	kept := c.lists.get(packageID)
	var since int64
	if kept != nil {
		since = kept.seq
	}
	ch, err := c.st.VersionChanges(ctx, packageID, since)
	if errors.Is(err, errkind.ErrNotFound) {
		// Deleted since the caller found it: no versions (as a list of
		// them read then would have said).
		c.lists.l.drop(packageID)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if kept != nil && !ch.All && len(ch.Changed) == 0 && len(ch.Deleted) == 0 {
		return slices.Clip(kept.versions), nil
	}
	next := kept.apply(ch)
	c.lists.put(packageID, next)
	// Clipped: a caller's append makes its own array instead of writing
	// where the kept list grows.
	return slices.Clip(next.versions), nil
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

// versionList is a package's versions by ID as of a change number.
// versions is never modified where callers can see it: a new version
// (the next ID, as a publish makes) is appended past the end of the
// slice, by the one apply that claims the list (extended); any other
// change makes a new slice.
type versionList struct {
	seq      int64
	versions []store.Version
	size     int64 // the bytes the versions hold, shared parts once (shareRun)
	extended atomic.Bool
}

// apply returns the list with the changes applied (l may be nil: no list).
func (l *versionList) apply(ch store.VersionChanges) *versionList {
	changed := ch.Changed
	if !slices.IsSortedFunc(changed, byID) {
		changed = slices.Clone(changed)
		slices.SortFunc(changed, byID)
	}
	next := &versionList{seq: ch.Seq}
	if l == nil || ch.All {
		// Room to grow: the next publishes append in place (views and
		// documents made from the list extend what they kept while its
		// backing array stays the same).
		next.versions = slices.Grow(changed, len(changed)/4+8)
		next.size = shareRun(next.versions, 0)
		return next
	}
	n := len(l.versions)
	if len(ch.Deleted) == 0 && (len(changed) == 0 || n == 0 || changed[0].ID > l.versions[n-1].ID) && l.extended.CompareAndSwap(false, true) {
		next.size = l.size
		// Only new versions, after every kept one: append (the backing
		// array grows by doubling, so a publish costs its own version).
		next.versions = append(l.versions, changed...)
		next.size += shareRun(next.versions, n)
		return next
	}
	deleted := make(map[int64]bool, len(ch.Deleted))
	for _, id := range ch.Deleted {
		deleted[id] = true
	}
	// Merge the kept versions and the changed ones, both by ID, with
	// room for a few publishes (appended in place): a list changed this
	// way is likely to change again so (a Maven deploy changes its
	// version twice after publishing it), and each change makes a new
	// array, so that room beyond the next publishes would be held for
	// nothing (a quarter of the list before).
	out := make([]store.Version, 0, n+len(changed)+n/64+8)
	i := 0
	for _, v := range changed {
		for ; i < n && l.versions[i].ID < v.ID; i++ {
			if old := l.versions[i]; !deleted[old.ID] {
				out = append(out, old)
			}
		}
		if i < n && l.versions[i].ID == v.ID {
			i++
		}
		if !deleted[v.ID] {
			out = append(out, v)
		}
	}
	for ; i < n; i++ {
		if old := l.versions[i]; !deleted[old.ID] {
			out = append(out, old)
		}
	}
	// out is a new array, which no caller has seen: sharing along all of
	// it also joins the neighbours a deletion or a change brought
	// together, and counts every shared part once again.
	next.versions = out
	next.size = shareRun(out, 0)
	return next
}

func byID(a, b store.Version) int { return cmp.Compare(a.ID, b.ID) }

// versionLists keeps decoded version lists by package, least recently
// used out first, within a byte bound; a package whose list is larger
// than half of it is read in full every time (at the default budget,
// about 8,000 versions of the load benchmark's npm package fit, ~1.5 KB
// a version held, and more of a package whose versions repeat a README).
type versionLists struct {
	l *lru[int64, *versionList]
}

func newVersionLists(max int64) *versionLists {
	return &versionLists{l: newLRU[int64, *versionList](max, max/2)}
}

// get returns the kept list of a package (nil when none is kept).
func (l *versionLists) get(packageID int64) *versionList {
	vl, _ := l.l.get(packageID)
	return vl
}

// put keeps vl as the package's list.
func (l *versionLists) put(packageID int64, vl *versionList) {
	spare := int64(cap(vl.versions)-len(vl.versions)) * int64(unsafe.Sizeof(store.Version{}))
	l.l.put(packageID, vl, vl.size+spare)
}
