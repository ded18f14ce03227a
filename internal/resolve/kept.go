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
// maps; the versions themselves are the catalog's). One package's may
// take half of it.
const ViewCacheBytes = 12 << 20

// keptViews keeps, per repository and package, the candidates made from
// the catalog's version list of that package, with the list they were
// made from. A candidate points at its version in that list (the
// catalog's array, read-only) and at the view's one copy of the
// repository: 24 bytes a version, not a copy of each. The catalog's list
// only grows in place when versions are published (the same backing
// array, longer; any other change makes a new one), so a view made after
// a publish copies the kept candidates' map and adds the new versions,
// instead of making a candidate of every version again; a view made when
// nothing changed is the kept one.
//
// Any other change (an asset added, a status changed, a version deleted)
// gives a new array, and starts a new lineage made anew: its candidates
// point into the new array, so that no view keeps a replaced one alive
// (a Maven deploy replaces the list three times, 1.8 MB each at 5,000
// versions).
type keptViews struct {
	m *cachesize.Map[viewKey, *keptView]
}

type viewKey struct{ repository, pkg int64 }

// keptView is one repository's versions of a package as candidates.
// Nothing in it is modified once it is kept, except that list grows past
// its length by the one extension that claims it (extended).
type keptView struct {
	repo      *store.Repository // the candidates'
	versions  []store.Version   // the catalog's list the candidates point into
	list      []*Candidate      // by ID, as versions
	byVersion map[string]*Candidate
	lineage   uint64
	extended  atomic.Bool
}

// lineages numbers runs of views that only grew.
var lineages atomic.Uint64

func newKeptViews(max int64) *keptViews {
	return &keptViews{m: cachesize.NewMapOfLarge[viewKey, *keptView](max, max/2)}
}

// view returns the candidates of vs, the catalog's list of package pkg in
// repo: the kept ones when vs is the list they were made from, the kept
// ones extended when vs is that list grown, or, of a new lineage, new
// ones.
func (k *keptViews) view(repo store.Repository, pkg int64, vs []store.Version) *keptView {
	key := viewKey{repo.ID, pkg}
	var next *keptView
	if kept, ok := k.m.Load(key); ok && sameRepository(*kept.repo, repo) {
		switch n := len(kept.versions); {
		case len(vs) == n && (n == 0 || &vs[0] == &kept.versions[0]):
			return kept
		case n > 0 && len(vs) > n && &vs[0] == &kept.versions[0] && kept.extended.CompareAndSwap(false, true):
			next = &keptView{repo: kept.repo, versions: vs, lineage: kept.lineage, byVersion: maps.Clone(kept.byVersion)}
			// Appended past the kept list's end: the views holding it see
			// only their own length.
			next.list = kept.list
			next.add(vs[n:])
		}
	}
	if next == nil {
		next = &keptView{repo: &repo, versions: vs, lineage: lineages.Add(1), byVersion: make(map[string]*Candidate, len(vs))}
		next.list = make([]*Candidate, 0, len(vs))
		next.add(vs)
	}
	k.m.Store(key, next, next.size())
	return next
}

// add makes candidates of vs (one array for all of them), pointing at
// them, and adds them.
func (kv *keptView) add(vs []store.Version) {
	cands := make([]Candidate, 0, len(vs))
	for i := range vs {
		v := &vs[i]
		if _, seen := kv.byVersion[v.Version]; seen {
			continue // a list by ID holds each version once; kept for safety
		}
		cands = append(cands, Candidate{Version: v, Repository: kv.repo})
		c := &cands[len(cands)-1]
		kv.byVersion[v.Version] = c
		kv.list = append(kv.list, c)
	}
}

// size is what the kept view holds of its own: its candidates, its
// pointers and map entries (the versions are the catalog's).
func (kv *keptView) size() int64 {
	return 256 + int64(len(kv.list))*(int64(unsafe.Sizeof(Candidate{}))+8+40)
}

// sameRepository reports whether a and b describe the repository alike
// (candidates carry it).
func sameRepository(a, b store.Repository) bool {
	return a.ID == b.ID && a.DomainID == b.DomainID && a.DomainName == b.DomainName &&
		a.DomainOwner == b.DomainOwner && a.Name == b.Name && a.Administrator == b.Administrator &&
		a.Description == b.Description && a.CreatedAt.Equal(b.CreatedAt) &&
		slices.Equal(a.Upstreams, b.Upstreams) && slices.Equal(a.ExternalConnections, b.ExternalConnections)
}
