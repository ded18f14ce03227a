package swift

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// Swift's 4 MiB share of the cache budget: packages' release lists, with
// the listings of versions they were made from, and the runs of entries
// they are assembled from (RunCacheBytes of it).
const (
	// ReleasesCacheBytes bounds the memory of release lists and runs.
	ReleasesCacheBytes = 4 << 20
	// RunCacheBytes is the part of ReleasesCacheBytes that keeps runs of
	// release lists' entries, compressed (rendered.Runs).
	RunCacheBytes = 768 << 10
)

// listKey names a package's release list as one repository endpoint
// serves it (the list's URLs start with the endpoint's base URL).
type listKey struct {
	repository int64
	ref        artifact.PackageRef
	base       string
}

// releaseList is a package's listed releases, oldest first (the
// listing's versions), with the 4.1 answer made from them: its body and
// its Link header.
type releaseList struct {
	listing *format.Listing
	doc     *rendered.Doc
	link    string
}

// versions are the listed releases, oldest first.
func (l *releaseList) versions() []string { return l.listing.Versions }

func (l *releaseList) size() int64 {
	return l.doc.Size() + int64(len(l.link)) + l.listing.Size()
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
		prev, _ := f.lists.Last(key)
		return renderReleases(c, view, prev, f.runs), view.Remote, nil
	})
}

// notePublish records that the request's client (its token) changed the
// package, so that its next read of the list shows the change.
func (f *Format) notePublish(c *call) {
	f.writers.Wrote(c.req.Repository.DomainID, c.name.Ref(), c.req.Claims.ID)
}

// renderReleases makes a package's release list from its view, derived
// from prev (the package's previous list, or nil): the Published versions
// (Unlisted, Archived, Disposed and Unfinished are not listed), and the
// 4.1 answer with a Link to the latest release and to its canonical
// repository URL. The answer lists releases newest first; prev's body
// serves again when the listing did not change.
func renderReleases(c *call, view *resolve.View, prev *releaseList, runs *rendered.Runs) *releaseList {
	var was *format.Listing
	if prev != nil {
		was = prev.listing
	}
	l := &releaseList{listing: format.Relist(was, view, format.CompareSemVer)}
	versions := l.versions()
	n := len(versions)
	if n == 0 {
		l.doc = rendered.NewDoc(nil, "application/json")
		return l
	}
	latest := versions[n-1]
	links := []string{link(c.releaseURL(latest), "latest-version")}
	if repo := stored(view.Versions[latest].Meta.Extra).RepositoryURLs; len(repo) > 0 {
		links = append(links, link(repo[0], "canonical"))
	}
	l.link = strings.Join(links, ", ")
	if was != nil && was.Stamp == l.listing.Stamp {
		l.doc = prev.doc
		return l
	}
	parts := []*rendered.Part{rendered.NewPartOnce([]byte(`{"releases":{`))}
	parts = append(parts, runs.Parts(rendered.Entries{
		Scope: "swift releases " + c.releaseURL(""), Len: n, Sep: ",",
		Name: func(i int) string { return versions[n-1-i] },
		// An entry is made from its version alone.
		Revision: func(int) string { return "-" },
		Render:   func(i int) []byte { return releaseEntry(c, versions[n-1-i]) },
	})...)
	parts = append(parts, rendered.NewPartOnce([]byte("}}\n")))
	l.doc = rendered.Assemble("application/json", parts...)
	return l
}

// releaseEntry is a release's member of the releases object:
// "1.0.0":{"url":"…/scope/name/1.0.0"}, escaped as encoding/json does.
func releaseEntry(c *call, version string) []byte {
	k, _ := json.Marshal(version)
	u, _ := json.Marshal(c.releaseURL(version))
	b := make([]byte, 0, len(k)+len(u)+10)
	b = append(append(b, k...), `:{"url":`...)
	return append(append(b, u...), '}')
}
