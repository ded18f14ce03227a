package swift

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// Swift's 4 MiB share of the cache budget: packages' release lists and
// each package's versions in order.
const (
	// ReleasesCacheBytes bounds the memory of release lists.
	ReleasesCacheBytes = 3 << 20
	// OrderCacheBytes bounds the memory of packages' version orders.
	OrderCacheBytes = 1 << 20
)

// listKey names a package's release list as one repository endpoint
// serves it (the list's URLs start with the endpoint's base URL).
type listKey struct {
	repository int64
	ref        artifact.PackageRef
	base       string
}

// orderKey names a package's version order in a repository.
type orderKey struct {
	repository int64
	ref        artifact.PackageRef
}

// releaseList is a package's listed releases, newest first, with the
// 4.1 answer made from them: its body and its Link header.
type releaseList struct {
	versions []string
	doc      *rendered.Doc
	link     string
}

func (l *releaseList) size() int64 {
	n := l.doc.Size() + int64(len(l.link))
	for _, v := range l.versions {
		n += int64(len(v)) + 16
	}
	return n
}

// releaseList returns the call's package's release list: kept until the
// package changes in any repository of the domain, so a read decodes and
// sorts nothing, and a rebuild after a publish places the new version by
// binary search. The client's own last publish is always in it; other
// readers may get the previous list while it is rebuilt.
func (f *Format) releaseList(c *call) (*releaseList, error) {
	repo, ref := c.req.Repository, c.name.Ref()
	key := listKey{repository: repo.ID, ref: ref, base: c.req.BaseURL}
	gen := f.d.Catalog.PackageGeneration(repo.DomainID, ref)
	atLeast := f.writers.Seen(repo.DomainID, ref, c.req.Claims.ID)
	return f.lists.LoadAtLeast(key, gen, atLeast, func() (*releaseList, bool, error) {
		view, err := f.d.Resolver.Package(context.WithoutCancel(c.ctx()), repo, ref)
		if err != nil {
			return nil, false, err
		}
		if len(view.Versions) == 0 {
			return nil, false, errkind.NotFoundf("Package %s has no releases in repository %s or its upstreams", c.name, repo.Name)
		}
		l, err := renderReleases(c, view, f.orders, orderKey{repo.ID, ref})
		return l, view.Remote, err
	})
}

// notePublish records that the request's client (its token) changed the
// package, so that its next read of the list shows the change.
func (f *Format) notePublish(c *call) {
	f.writers.Wrote(c.req.Repository.DomainID, c.name.Ref(), c.req.Claims.ID)
}

// renderReleases makes a package's release list from its view: the
// Published versions (Unlisted, Archived, Disposed and Unfinished are not
// listed), and the 4.1 answer with a Link to the latest release and to
// its canonical repository URL.
func renderReleases(c *call, view *resolve.View, orders *format.Orders[orderKey], key orderKey) (*releaseList, error) {
	var versions []string
	for v, cand := range view.Versions {
		if cand.Status.Listed() {
			versions = append(versions, v)
		}
	}
	format.SortKept(orders, key, versions, func(v string) string { return v }, format.CompareSemVer)
	slices.Reverse(versions) // newest first
	l := &releaseList{versions: versions}
	if len(versions) == 0 {
		l.doc = rendered.NewDoc(nil, "application/json")
		return l, nil
	}
	type release struct {
		URL string `json:"url"`
	}
	body := map[string]map[string]release{"releases": {}}
	for _, v := range versions {
		body["releases"][v] = release{URL: c.releaseURL(v)}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	l.doc = rendered.NewDoc(append(b, '\n'), "application/json")
	links := []string{link(c.releaseURL(versions[0]), "latest-version")}
	if repo := stored(view.Versions[versions[0]].Meta.Extra).RepositoryURLs; len(repo) > 0 {
		links = append(links, link(repo[0], "canonical"))
	}
	l.link = strings.Join(links, ", ")
	return l, nil
}
