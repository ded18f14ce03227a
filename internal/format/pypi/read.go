package pypi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/respond"
	"github.com/arcahq/arca/internal/store"
)

// projectOf turns a resolved view into what pages are made from. A
// version's files are its stored distribution assets, with what its Extra
// records of each, and the files of a public index that its Extra lists
// but that are not fetched yet (a version only in the index, or ingested
// with some of its files: each file is fetched on its first download).
// Only stored wheels advertise their metadata file. A view of one
// repository's versions (View.List) extends or reuses the project kept
// from the previous one (keptProject); any other is built in full.
func (f *Format) projectOf(view *resolve.View, repository int64, name string) Project {
	if view.List != nil {
		if p, ok := f.fromKept(view, repository, name); ok {
			return p
		}
	}
	all := make([]Release, 0, len(view.Versions))
	for _, c := range view.Versions {
		all = append(all, f.release(name, c, view.List == nil))
	}
	p := Project{Name: name, Releases: make([]*Release, len(all)), Runs: f.runs, versions: view.Versions}
	for i := range all {
		p.Releases[i] = &all[i]
	}
	key := orderKey{repository, name}
	prev, _ := f.orders.Peek(key, 0)
	order := sortReleases(p.Releases, prev)
	if order != nil {
		f.orders.Put(key, 0, order)
	}
	p.sorted = true
	if view.List != nil && order != nil {
		p.layouts = f.keep(projectKey{repository, name}, view, p.Releases, nil)
	}
	return p
}

// release makes the release of candidate c of project name. Its files
// are decoded from the version; with cached, once per revision of the
// version (kept in Format.fragments). A project made from a view of one
// repository's versions, which is kept with its releases between
// rebuilds (kept.go), does without: it decodes the files of the
// versions it does not hold, each once.
func (f *Format) release(name string, c *resolve.Candidate, cached bool) Release {
	r := Release{Version: c.Version.Version, Status: c.Status, id: c.ID}
	if c.Remote != nil || c.Revision == "" {
		r.Files = filesOf(c)
		return r
	}
	r.Revision = c.Revision
	if !cached {
		r.Files = filesOf(c)
		return r
	}
	r.Files = f.fragments.Get(releaseKey{name, r.Version, c.Revision}, func() []Dist { return filesOf(c) })
	return r
}

// filesOf returns a release's files: its stored assets, and the files its
// metadata knows that are not stored yet (a public registry's), in file
// name order.
func filesOf(c *resolve.Candidate) []Dist {
	extra := ParseFiles(c.Meta.Extra)
	stored := func(file string) bool {
		return slices.ContainsFunc(c.Assets, func(a artifact.Asset) bool { return a.Name == file && KindOf(a.Name) != 0 })
	}
	files := make([]Dist, 0, len(c.Assets))
	for _, a := range c.Assets {
		if KindOf(a.Name) != 0 {
			files = append(files, Dist{Filename: a.Name, SHA256: a.SHA256, MD5: a.MD5, Size: a.Size, File: extra[a.Name]})
		}
	}
	for file, fe := range extra {
		if fe.SHA256 == "" || stored(file) {
			continue
		}
		fe.MetadataSHA256 = ""
		files = append(files, Dist{Filename: file, SHA256: fe.SHA256, Size: fe.Size, File: fe})
	}
	slices.SortFunc(files, func(a, b Dist) int { return strings.Compare(a.Filename, b.Filename) })
	return files
}

// project reads the {project} of the route: its normal form, and whether
// the request named it so.
func project(c *call) (name string, normal bool, err error) {
	raw := c.r.PathValue("project")
	if err := ValidateName(raw); err != nil {
		// No project can have that name, so none is here.
		return "", false, errkind.NotFoundf("Project %q not found: %s", raw, errkind.As(err).Message)
	}
	name = NormalizeName(raw)
	return name, name == raw, nil
}

// redirect answers 301 to a path below the repository endpoint. (Not
// http.Redirect: it would resolve the path against the route's path, which
// lacks the endpoint's prefix.)
func (c *call) redirect(below string) error {
	c.w.Header().Set("Location", c.prefix+below)
	c.w.WriteHeader(http.StatusMovedPermanently)
	return nil
}

// addSlash redirects simple/{project} to simple/{normalized}/.
func (f *Format) addSlash(c *call) error {
	name, _, err := project(c)
	if err != nil {
		return err
	}
	return c.redirect("simple/" + url.PathEscape(name) + "/")
}

// projectPage serves a project's page of the simple API, as JSON or HTML
// by the Accept header. A project asked for by a name that is not its
// normal form is redirected to it, as PyPI does and pip expects.
func (f *Format) projectPage(c *call) error {
	name, normal, err := project(c)
	if err != nil {
		return err
	}
	if !normal {
		return c.redirect("simple/" + url.PathEscape(name) + "/")
	}
	kind := pageHTML
	switch Negotiate(c.r.Header.Get("Accept")) {
	case ContentTypeJSON:
		kind = pageJSON
	case ContentTypeHTMLv1:
		kind = pageHTMLv1
	}
	p, err := f.page(c, pageKey{repository: c.req.Repository.ID, project: name, kind: kind})
	if err != nil {
		return err
	}
	return f.send(c, p)
}

// send writes a rendered page, gzipped when the client accepts it, with
// its ETag (so a revalidation is a 304).
func (f *Format) send(c *call, p *rendered.Doc) error {
	p.Serve(c.w, c.r)
	return nil
}

// page returns a rendered page from the cache, or renders it once however
// many requests ask at the same time.
func (f *Format) page(c *call, key pageKey) (*rendered.Doc, error) {
	repo := c.req.Repository
	ref := Ref(key.project)
	// The generation is read before resolving: a change that lands while
	// the page renders leaves it under the old generation, stale.
	gen := f.d.Catalog.PackageGeneration(repo.DomainID, ref)
	atLeast := f.writers.Seen(repo.DomainID, ref, c.req.Claims.ID)
	return f.pages.LoadAtLeast(key, gen, atLeast, func() (*rendered.Doc, bool, error) {
		// The work outlives a client that goes away, for the others.
		view, err := f.d.Resolver.Package(context.WithoutCancel(c.ctx()), repo, ref)
		if err != nil {
			return nil, false, err
		}
		p, err := renderPage(f.projectOf(view, repo.ID, key.project), key, repo.Name)
		return p, view.Remote, err
	})
}

// renderPage renders the page key names.
func renderPage(proj Project, key pageKey, repo string) (*rendered.Doc, error) {
	switch key.kind {
	case pageJSON:
		return proj.SimpleJSONDoc(), nil
	case pageHTMLv1:
		return proj.SimpleHTMLDoc(ContentTypeHTMLv1), nil
	case pageJSONAPI:
		doc, ok := proj.ProjectJSONDoc(key.baseURL)
		if !ok {
			return nil, errkind.NotFoundf("Project %s has no listed versions in repository %s or its upstreams", key.project, repo)
		}
		return doc, nil
	case pageRelease:
		r, ok := releaseOf(proj, key.version)
		if !ok {
			return nil, errkind.NotFoundf("Version %s of %s not found in repository %s or its upstreams", key.version, key.project, repo)
		}
		return rendered.NewDoc(proj.ReleaseJSON(r, key.baseURL), "application/json"), nil
	}
	return proj.SimpleHTMLDoc(ContentTypeTextHTML), nil
}

// releaseOf finds a release that can be asked for by version: Published
// or Unlisted (an explicit request, like a download).
func releaseOf(p Project, version string) (Release, bool) {
	for _, r := range p.Releases {
		if r.Version == version && r.Status.Downloadable() {
			return *r, true
		}
	}
	return Release{}, false
}

// projectJSON serves the JSON API's project document.
func (f *Format) projectJSON(c *call) error {
	name, _, err := project(c)
	if err != nil {
		return err
	}
	p, err := f.page(c, pageKey{repository: c.req.Repository.ID, project: name, kind: pageJSONAPI, baseURL: c.req.BaseURL})
	if err != nil {
		return err
	}
	return f.send(c, p)
}

// releaseJSON serves the JSON API's document of one version.
func (f *Format) releaseJSON(c *call) error {
	name, _, err := project(c)
	if err != nil {
		return err
	}
	version := RemoteVersion(c.r.PathValue("version"))
	p, err := f.page(c, pageKey{repository: c.req.Repository.ID, project: name, kind: pageRelease, version: version, baseURL: c.req.BaseURL})
	if err != nil {
		return err
	}
	return f.send(c, p)
}

// download sends a distribution file. Its version is retained in this
// repository if it came from an upstream or the external connection, and
// a file of a version ingested through the connection is fetched on its
// first download (resolve.Resolver.Asset), as a download does in
// CodeArtifact. Unlisted versions download; Archived, Disposed and
// Unfinished ones do not. "{file}.metadata" is the file's core metadata
// (PEP 658).
func (f *Format) download(c *call) error {
	name, _, err := project(c)
	if err != nil {
		return err
	}
	version, file := c.r.PathValue("version"), c.r.PathValue("file")
	if wheel, ok := strings.CutSuffix(file, ".metadata"); ok && KindOf(wheel) == Wheel {
		return f.metadata(c, name, version, wheel)
	}
	if KindOf(file) == 0 {
		return errkind.NotFoundf("%s is not a distribution file", file)
	}
	v, a, err := f.d.Resolver.Asset(c.ctx(), c.req.Repository, Ref(name), version, file)
	if err != nil && (v.Status == "" || v.Status.Downloadable()) {
		return err
	}
	if !v.Status.Downloadable() {
		return errkind.NotFoundf("Version %s of %s is %s: its files cannot be downloaded", version, name, v.Status)
	}
	return assets.Serve(c.w, c.r, f.d.Blobs, a, "application/octet-stream")
}

// metadata serves a wheel's METADATA, recorded when the wheel was stored
// (wheelMetadata). Only stored wheels advertise it, so a version only in a
// public index has none to serve; and reading it retains nothing (pip
// reads the metadata of versions it then does not install).
func (f *Format) metadata(c *call, name, version, wheel string) error {
	ctx, repo, ref := c.ctx(), c.req.Repository, Ref(name)
	v, err := f.d.Catalog.Version(ctx, repo, ref, version)
	if errors.Is(err, errkind.ErrNotFound) {
		view, verr := f.d.Resolver.Package(ctx, repo, ref)
		if verr != nil {
			return verr
		}
		cand, ok := view.Versions[version]
		if !ok || cand.Remote != nil {
			return errkind.NotFoundf("Version %s of %s has no stored file %s", version, name, wheel)
		}
		v, err = *cand.Version, nil
	}
	if err != nil {
		return err
	}
	if !v.Status.Downloadable() {
		return errkind.NotFoundf("Version %s of %s is %s: its files cannot be downloaded", version, name, v.Status)
	}
	i := slices.IndexFunc(v.Assets, func(a artifact.Asset) bool { return a.Name == wheel })
	if i < 0 {
		return errkind.NotFoundf("Version %s of %s has no file %s", version, name, wheel)
	}
	b, err := f.wheelMetadata(ctx, repo, name, v.Assets[i])
	if errors.Is(err, ErrNoMetadata) {
		return errkind.NotFoundf("%s has no METADATA to serve", wheel)
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	h := c.w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	respond.Bytes(c.w, c.r, time.Time{}, b)
	return nil
}

// wheelMetadata returns a stored wheel's METADATA as its upload recorded
// it, without opening the wheel. A wheel stored without it (fetched from a
// public index, or uploaded before Arca recorded it) is read once, within
// the archive bounds, and the result recorded.
func (f *Format) wheelMetadata(ctx context.Context, repo store.Repository, name string, a artifact.Asset) ([]byte, error) {
	if b, err := f.d.Catalog.Derived(ctx, repo, a); err != nil || b != nil {
		return b, err
	}
	b, err := FileMetadata(ctx, f.d.Blobs, name, a)
	if err != nil {
		return nil, err
	}
	if err := f.d.Catalog.SetDerived(ctx, repo, a, b); err != nil {
		f.d.Log.Warn("pypi: recording a wheel's METADATA", "file", a.Name, "error", err)
	}
	return b, nil
}

// maxProjects bounds the project list.
const maxProjects = 100_000

// projectList serves simple/: the projects of the repository and of its
// upstream repositories (a public index behind an external connection is
// not listed: it holds hundreds of thousands), by normalised name.
func (f *Format) projectList(c *call) error {
	names, err := f.d.PackageNames(c.ctx(), c.req.Repository, artifact.PyPI, maxProjects)
	if err != nil {
		return err
	}
	var body []byte
	ct := Negotiate(c.r.Header.Get("Accept"))
	switch ct {
	case ContentTypeJSON:
		body = ProjectListJSON(names)
	case ContentTypeHTML:
		body, ct = ProjectListHTML(names), ContentTypeTextHTML
	default:
		body = ProjectListHTML(names)
	}
	c.w.Header().Set("Content-Type", ct)
	c.w.Header().Set("Vary", "Accept")
	c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if c.r.Method == http.MethodHead {
		return nil
	}
	_, err = c.w.Write(body)
	return err
}
