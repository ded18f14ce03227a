package pypi

import (
	"slices"
	"unsafe"

	pep440 "github.com/aquasecurity/go-pep440-version"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/format"
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
}

// releaseBytes is what a kept project counts per release: the release
// and its pointer. Its files and page entries are the fragment cache's,
// its metadata the catalog's (a page being rendered holds them alike).
const releaseBytes = int64(unsafe.Sizeof(Release{})) + 8

// keep keeps rs, the releases made from view in SortVersions' order.
func (f *Format) keep(key projectKey, view *resolve.View, rs []*Release) {
	kp := &keptProject{lineage: view.Lineage, n: len(view.List), releases: rs}
	for _, r := range rs {
		kp.maxID = max(kp.maxID, r.id)
	}
	f.projects.Store(key, kp, 64+cachesize.StringBytes(key.project)+int64(len(rs))*releaseBytes)
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
				nr := f.release(name, c)
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
		f.keep(key, view, rs)
	}
	return Project{Name: name, Releases: rs, Runs: f.runs, sorted: true}, true
}

// place returns known (releases in SortVersions' order, PEP 440 and
// distinct) with the releases of added placed among them by binary
// search, a new slice when there are any. ok is false when a version
// added is not PEP 440 or is among the known already.
func (f *Format) place(name string, known []*Release, added []*resolve.Candidate) (_ []*Release, ok bool) {
	if len(added) == 0 {
		return known, true
	}
	type newRelease struct {
		r *Release
		v pep440.Version
	}
	made := make([]Release, len(added))
	news := make([]newRelease, len(added))
	for i, c := range added {
		v, err := pep440.Parse(c.Version.Version)
		if err != nil {
			return nil, false
		}
		made[i] = f.release(name, c)
		news[i] = newRelease{&made[i], v}
	}
	slices.SortFunc(news, func(a, b newRelease) int { return comparePEP440(a.r.Version, a.v, b.r.Version, b.v) })
	for k := 1; k < len(news); k++ {
		if news[k-1].r.Version == news[k].r.Version {
			return nil, false
		}
	}
	sorted := make([]*Release, len(news))
	parsed := make(map[*Release]pep440.Version, len(news))
	for k, n := range news {
		sorted[k], parsed[n.r] = n.r, n.v
	}
	out, distinct := format.Merge(known, sorted, func(k, a *Release) int {
		v, _ := pep440.Parse(k.Version) // parsed before: kept
		return comparePEP440(k.Version, v, a.Version, parsed[a])
	})
	return out, distinct
}
