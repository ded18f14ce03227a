package resolve

import (
	"maps"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/store"
)

// ViewCacheBytes bounds the memory of kept views (their candidates and
// maps; the versions' own metadata and assets are the catalog's). One
// package's may take half of it (at the default budget, about 10,000
// versions, as the catalog keeps their lists; a view rebased after
// changes counts the candidates it may keep alive, up to 1.5 times its
// versions).
const ViewCacheBytes = 12 << 20

// keptViews keeps, per repository and package, the candidates made from
// the catalog's version list of that package, with the list they were
// made from. The catalog's list only grows in place when versions are
// published (the same backing array, longer; any other change makes a
// new one), so a view made after a publish copies the kept candidates'
// map and adds the new versions, instead of making a candidate of every
// version again; a view made when nothing changed is the kept one.
//
// Any other change (an asset added, a status changed, a version deleted)
// starts a new lineage, but its view is still made from the kept one
// (rebase): the two lists are walked by ID side by side, a version whose
// stamp (sameState) did not change keeps its candidate, and only the
// versions that changed or came get new ones. A Maven deploy changes its
// version three times (jar, POM, metadata); each costs a pass over the
// stamps and a copy of the map, not a candidate of every version.
type keptViews struct {
	m *cachesize.Map[viewKey, *keptView]
}

type viewKey struct{ repository, pkg int64 }

// keptView is one repository's versions of a package as candidates.
// Nothing in it is modified once it is kept, except that list grows past
// its length by the one extension that claims it (extended).
type keptView struct {
	repo      store.Repository
	versions  []store.Version // the catalog's list the candidates were made from
	list      []*Candidate    // by ID, as versions
	byVersion map[string]*Candidate
	lineage   uint64
	extended  atomic.Bool
	// made counts the candidates made since the view was last made anew:
	// the arrays its candidates are in hold at most as many.
	made int
}

// lineages numbers runs of views that only grew.
var lineages atomic.Uint64

func newKeptViews(max int64) *keptViews {
	return &keptViews{m: cachesize.NewMapOfLarge[viewKey, *keptView](max, max/2)}
}

// view returns the candidates of vs, the catalog's list of package pkg in
// repo: the kept ones when vs is the list they were made from, the kept
// ones extended when vs is that list grown, or, of a new lineage, the
// kept ones rebased on vs or new ones.
func (k *keptViews) view(repo store.Repository, pkg int64, vs []store.Version) *keptView {
	key := viewKey{repo.ID, pkg}
	var next *keptView
	if kept, ok := k.m.Load(key); ok && sameRepository(kept.repo, repo) {
		switch n := len(kept.versions); {
		case len(vs) == n && (n == 0 || &vs[0] == &kept.versions[0]):
			return kept
		case n > 0 && len(vs) > n && &vs[0] == &kept.versions[0] && kept.extended.CompareAndSwap(false, true):
			next = &keptView{repo: repo, versions: vs, lineage: kept.lineage, made: kept.made, byVersion: maps.Clone(kept.byVersion)}
			// Appended past the kept list's end: the views holding it see
			// only their own length.
			next.list = kept.list
			next.add(vs[n:])
		default:
			next = kept.rebase(vs)
		}
	}
	if next == nil {
		next = &keptView{repo: repo, versions: vs, lineage: lineages.Add(1), byVersion: make(map[string]*Candidate, len(vs))}
		next.list = make([]*Candidate, 0, len(vs))
		next.add(vs)
	}
	k.m.Store(key, next, next.size())
	return next
}

// rebase returns the view of vs, a later list of the package than kept's
// (both by ID), as a new lineage: the candidates of the versions whose
// state did not change are kept's, the others are made anew, and the map
// is kept's copied with those changed. It returns nil (the view is made
// anew) when half of the versions changed, when the candidates made
// since the view was last made anew would be more than one and a half
// times the versions (a reused candidate keeps the array it was made in
// alive: this bounds what a view holds on to), and when vs holds a
// version string twice.
func (kv *keptView) rebase(vs []store.Version) *keptView {
	old := kv.list
	list := make([]*Candidate, len(vs), len(vs)+len(vs)/8+8) // room for the next publishes
	// gone: the versions of kept whose candidates are not reused; fresh:
	// the indexes in vs of the versions to make candidates of.
	var gone []string
	var fresh []int
	i := 0
	for j := range vs {
		v := &vs[j]
		for ; i < len(old) && old[i].ID < v.ID; i++ {
			gone = append(gone, old[i].Version.Version) // deleted
		}
		if i < len(old) && old[i].ID == v.ID {
			c := old[i]
			i++
			if sameState(&c.Version, v) {
				list[j] = c
				continue
			}
			gone = append(gone, c.Version.Version)
		}
		if len(fresh) >= len(vs)/2 {
			return nil
		}
		fresh = append(fresh, j)
	}
	for ; i < len(old); i++ {
		gone = append(gone, old[i].Version.Version)
	}
	if kv.made+len(fresh) > len(vs)+len(vs)/2 {
		return nil
	}
	next := &keptView{repo: kv.repo, versions: vs, list: list, lineage: lineages.Add(1), made: kv.made + len(fresh), byVersion: maps.Clone(kv.byVersion)}
	for _, v := range gone {
		delete(next.byVersion, v)
	}
	cands := make([]Candidate, len(fresh))
	for k, j := range fresh {
		cands[k] = Candidate{Version: vs[j], Repository: kv.repo}
		list[j] = &cands[k]
		next.byVersion[vs[j].Version] = list[j]
	}
	if len(next.byVersion) != len(list) {
		return nil // a version string twice: add keeps the first
	}
	return next
}

// sameState reports whether a and b are the same state of a stored
// version: its stamp (store.VersionStamp: every change of a version
// changes its status, its revision, which covers its metadata and
// assets, or its update time) and the rest a candidate shows.
func sameState(a, b *store.Version) bool {
	return a.ID == b.ID && a.Version == b.Version && a.Status == b.Status && a.Revision == b.Revision &&
		a.UpdatedAt.Equal(b.UpdatedAt) && a.Origin == b.Origin && len(a.Assets) == len(b.Assets)
}

// add makes candidates of vs (one array for all of them) and adds them.
func (kv *keptView) add(vs []store.Version) {
	cands := make([]Candidate, 0, len(vs))
	for _, v := range vs {
		if _, seen := kv.byVersion[v.Version]; seen {
			continue // a list by ID holds each version once; kept for safety
		}
		cands = append(cands, Candidate{Version: v, Repository: kv.repo})
		kv.made++
		c := &cands[len(cands)-1]
		kv.byVersion[v.Version] = c
		kv.list = append(kv.list, c)
	}
}

// size is what the kept view holds of its own: the candidates made since
// it was made anew, its pointers and map entries (the versions' slices
// are the catalog's).
func (kv *keptView) size() int64 {
	return 256 + int64(kv.made)*int64(unsafe.Sizeof(Candidate{})) + int64(len(kv.list))*(8+40)
}

// sameRepository reports whether a and b describe the repository alike
// (candidates carry it).
func sameRepository(a, b store.Repository) bool {
	return a.ID == b.ID && a.DomainID == b.DomainID && a.DomainName == b.DomainName &&
		a.DomainOwner == b.DomainOwner && a.Name == b.Name && a.Administrator == b.Administrator &&
		a.Description == b.Description && a.CreatedAt.Equal(b.CreatedAt) &&
		slices.Equal(a.Upstreams, b.Upstreams) && slices.Equal(a.ExternalConnections, b.ExternalConnections)
}
