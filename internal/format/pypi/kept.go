package pypi

import (
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// A project's pages are rebuilt after every upload, and a project may
// have thousands of releases. What the pages are made from (each release
// with its files and page entries, all of them in PEP 440 order) is kept
// per repository and project with the view it was made from, so that the
// rebuild after an upload makes and places the one new release instead of
// visiting every release again: a view that extends the kept one (the
// same View.Lineage, a longer View.List) adds its new candidates; any
// other view of one repository's versions (a status changed, a file added
// to a release, a deletion) reuses each kept release whose stored version
// did not change, in its place. Views mixing repositories or a public
// index are built in full (projectOf).

// projectKey names a project of a repository.
type projectKey struct {
	repository int64
	project    string
}

// keptProject is a project's releases as made from a view of one
// repository's versions. Nothing in it is modified once kept.
type keptProject struct {
	lineage uint64 // the view's Lineage (0: none)
	n       int    // the length of the view's List
	maxID   int64  // the highest ID of the releases' stored versions
	// releases are in SortVersions' order, their versions PEP 440 and
	// distinct (a project with others is not kept).
	releases []*Release
	// layouts are how the pages last cut their entries into runs, shared
	// by the projects kept one after the other.
	layouts *layouts
}

// layouts keeps, per scope of a page's runs (rendered.Entries.Scope), how
// the runs were last cut (rendered.Layout) and the releases whose entries
// they hold, one per entry. A release is not modified once made, so the
// same *Release is the same entry: the next rendering of that scope maps
// its releases onto the previous ones by pointer (oldIndexes) and makes
// again only the runs around the releases added, changed or removed
// (rendered.Runs.PartsAfter).
type layouts struct {
	mu sync.Mutex
	m  map[string]layout
}

type layout struct {
	cut      *rendered.Layout
	releases []*Release // not modified once kept
}

// maxLayouts bounds the scopes kept per project (the JSON API has one per
// base URL clients use).
const maxLayouts = 8

// layoutBytes is what a project's layouts count per release: a pointer
// for each of the simple pages' three scopes and the JSON API's.
const layoutBytes = 4 * 8

func (l *layouts) get(scope string) layout {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[scope]
}

func (l *layouts) put(scope string, v layout) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.m[scope]; !ok && len(l.m) >= maxLayouts {
		clear(l.m)
	}
	l.m[scope] = v
}

// runParts returns the parts of e, the entries of releases (entry i is
// releases[i]'s, in the order cmp gives), reusing the runs of the layout
// last kept for e.Scope that hold no release added, changed or removed
// since. releases must not be modified afterwards.
func (p Project) runParts(e rendered.Entries, releases []*Release, cmp func(a, b *Release) int) []*rendered.Part {
	if p.layouts == nil {
		return p.Runs.Parts(e)
	}
	prev := p.layouts.get(e.Scope)
	var parts []*rendered.Part
	var cut *rendered.Layout
	if old := oldIndexes(prev.releases, releases, cmp); old != nil {
		parts, cut = p.Runs.PartsAfter(e, prev.cut, func(i int) int { return int(old[i]) })
	} else {
		parts, cut = p.Runs.PartsAfter(e, nil, nil)
	}
	p.layouts.put(e.Scope, layout{cut, releases})
	return parts
}

// oldIndexes returns, for each release of next, its index in prev (the
// same *Release), -1 for one added or changed since; nil when there is no
// prev. Both are in the order cmp gives, which only says which of two
// differing releases was removed or added (the walk's indexes increase
// whatever it says, and PartsAfter checks that a run's are consecutive).
func oldIndexes(prev, next []*Release, cmp func(a, b *Release) int) []int32 {
	if len(prev) == 0 {
		return nil
	}
	old := make([]int32, len(next))
	j := 0
	for i, r := range next {
		old[i] = -1
		for j < len(prev) && prev[j] != r {
			c := cmp(prev[j], r)
			if c > 0 {
				break // r is added, before prev[j]
			}
			j++ // prev[j] was removed (c < 0), or r is what it became
			if c == 0 {
				break
			}
		}
		if j < len(prev) && prev[j] == r {
			old[i], j = int32(j), j+1
		}
	}
	return old
}

// byPEP440 orders releases as SortVersions does (a kept project's).
func byPEP440(a, b *Release) int { return Rules{}.CompareVersions(a.Version, b.Version) }

// byVersionString orders releases by their version strings (the JSON
// API's "releases").
func byVersionString(a, b *Release) int { return strings.Compare(a.Version, b.Version) }

// releaseBytes is what a kept project counts per release: the release
// and its pointer. Its files and page entries are the fragment cache's,
// its metadata the catalog's (a page being rendered holds them alike).
const releaseBytes = int64(unsafe.Sizeof(Release{})) + 8

// keep keeps rs, the releases made from view in SortVersions' order, with
// the pages' layouts (nil: none yet), and returns the layouts.
func (f *Format) keep(key projectKey, view *resolve.View, rs []*Release, l *layouts) *layouts {
	if l == nil {
		l = &layouts{m: map[string]layout{}}
	}
	kp := &keptProject{lineage: view.Lineage, n: len(view.List), releases: rs, layouts: l}
	for _, r := range rs {
		kp.maxID = max(kp.maxID, r.id)
	}
	f.projects.Store(key, kp, 64+cachesize.StringBytes(key.project)+int64(len(rs))*(releaseBytes+layoutBytes))
	return l
}

// fromKept makes the project of view, a view of one repository's
// versions, from the releases kept from a previous view of it. ok is
// false when they cannot serve (none kept; versions stored since that are
// not PEP 440, or not after the kept ones): the project is then built in
// full.
func (f *Format) fromKept(view *resolve.View, repository int64, name string) (Project, bool) {
	key := projectKey{repository, name}
	kept, ok := f.projects.Load(key)
	if !ok {
		return Project{}, false
	}
	var known []*Release           // releases kept or remade, in order
	var added []*resolve.Candidate // versions stored since, by ID
	if view.Lineage != 0 && view.Lineage == kept.lineage && len(view.List) >= kept.n {
		// The kept releases are the first candidates' own.
		known, added = kept.releases, view.List[kept.n:]
	} else {
		known = make([]*Release, 0, len(view.List))
		for _, r := range kept.releases {
			c, ok := view.Versions[r.Version]
			switch {
			case !ok || c.ID != r.id:
				// Deleted (and, if stored again, among the added).
			case c.Revision != "" && c.Revision == r.Revision && c.Status == r.Status:
				known = append(known, r) // a revision names metadata and assets
			default:
				nr := f.release(name, c, false)
				known = append(known, &nr)
			}
		}
		// The List is by ID: the versions stored since are at its end.
		i := len(view.List)
		for i > 0 && view.List[i-1].ID > kept.maxID {
			i--
		}
		added = view.List[i:]
		if len(known)+len(added) != len(view.List) {
			return Project{}, false // a version neither kept nor stored since
		}
	}
	rs, ok := f.place(name, known, added)
	if !ok {
		return Project{}, false
	}
	older := view.Lineage == kept.lineage && len(view.List) < kept.n
	if len(added) > 0 || (view.Lineage != kept.lineage && !older) {
		f.keep(key, view, rs, kept.layouts)
	}
	return Project{Name: name, Releases: rs, Runs: f.runs, sorted: true, layouts: kept.layouts, versions: view.Versions}, true
}

// place returns known (releases in SortVersions' order, PEP 440 and
// distinct) with the releases of added placed among them by binary
// search, a new slice when there are any. ok is false when a version
// added is not PEP 440 or is among the known already.
func (f *Format) place(name string, known []*Release, added []*resolve.Candidate) (_ []*Release, ok bool) {
	if len(added) == 0 {
		return known, true
	}
	made := make([]Release, len(added))
	news := make([]*Release, len(added))
	for i, c := range added {
		if _, err := parseVersion(c.Version.Version); err != nil {
			return nil, false
		}
		made[i] = f.release(name, c, false)
		news[i] = &made[i]
	}
	slices.SortFunc(news, byPEP440)
	for k := 1; k < len(news); k++ {
		if news[k-1].Version == news[k].Version {
			return nil, false
		}
	}
	out, distinct := format.Merge(known, news, byPEP440)
	return out, distinct
}
