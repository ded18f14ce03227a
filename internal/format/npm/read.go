package npm

import (
	"context"
	"net/http"

	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// TarballAsset is the name of an npm version's one asset (User Guide,
// "Package assets").
const TarballAsset = "package.tgz"

// Permissions of the writes (User Guide, "Publishing permissions"; the
// dist-tags and deprecations are package metadata).
const (
	actionPublish  = "codeartifact:PublishPackageVersion"
	actionMetadata = "codeartifact:PutPackageMetadata"
)

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(append(marshal(v), '\n'))
	return err
}

// okBody is the answer to a write npm accepts.
var okBody = map[string]bool{"ok": true}

// packageOf turns a resolved view into what documents are made from.
func (f *Format) packageOf(view *resolve.View, name Name, baseURL string) Package {
	p := f.documentsOf(name, baseURL, view.Tags)
	p.Versions = make([]Version, 0, len(view.Versions))
	for _, c := range view.Versions {
		p.Versions = append(p.Versions, versionOf(c))
	}
	return p
}

// documentsOf is a package with the format's caches and no versions
// (documents of a kept state are made from it, see sortedOf).
func (f *Format) documentsOf(name Name, baseURL string, tags map[string]string) Package {
	return Package{Name: name, BaseURL: baseURL, Tags: tags, Runs: f.runs}
}

// view resolves the call's package through the repository's upstreams
// and external connection.
func (f *Format) view(ctx context.Context, c *call) (*resolve.View, error) {
	view, err := f.d.Resolver.Package(ctx, c.req.Repository, c.name.Ref())
	if err != nil {
		return nil, err
	}
	if len(view.Versions) == 0 {
		return nil, errkind.NotFoundf("Package %s has no versions in repository %s or its upstreams", c.name, c.req.Repository.Name)
	}
	return view, nil
}

// getPackage serves a package document, full or abbreviated as Accept
// asks ("?write=true", sent by commands that change the document, always
// gets the full one).
func (f *Format) getPackage(c *call) error {
	abbreviated := (c.r.URL.RawQuery == "" || c.r.URL.Query().Get("write") != "true") && acceptsAbbreviated(c.r.Header.Get("Accept"))
	doc, err := f.document(c, abbreviated)
	if err != nil {
		return err
	}
	doc.Serve(c.w, c.r)
	return nil
}

// document returns the rendered document from the cache, or renders it
// once however many requests ask at the same time.
func (f *Format) document(c *call, abbreviated bool) (*rendered.Doc, error) {
	repo := c.req.Repository
	key := docKey{repository: repo.ID, name: c.name.String(), abbreviated: abbreviated, baseURL: c.req.BaseURL}
	// The generation is read before resolving: a write that lands while
	// the document renders leaves it under the old generation, stale.
	gen := f.d.Catalog.PackageGeneration(repo.DomainID, c.name.Ref())
	atLeast := f.writers.Seen(repo.DomainID, c.name.Ref(), c.req.Claims.ID)
	return f.docs.LoadAtLeast(key, gen, atLeast, func() (*rendered.Doc, bool, error) {
		// The work outlives a client that goes away, for the others.
		view, err := f.view(context.WithoutCancel(c.ctx()), c)
		if err != nil {
			return nil, false, err
		}
		pkg := f.documentsOf(c.name, c.req.BaseURL, view.Tags)
		s := f.sortedOf(repo.ID, view, pkg)
		if abbreviated {
			return pkg.abbreviatedDoc(s), view.Remote, nil
		}
		return pkg.fullDoc(s), view.Remote, nil
	})
}

// getVersion serves one version's manifest (GET /{name}/{version-or-tag}).
func (f *Format) getVersion(c *call) error {
	view, err := f.view(c.ctx(), c)
	if err != nil {
		return err
	}
	body, found := f.packageOf(view, c.name, c.req.BaseURL).VersionDocument(c.p.version)
	if !found {
		return errkind.NotFoundf("Version or dist-tag %s of %s not found", c.p.version, c.name)
	}
	c.w.Header().Set("Content-Type", ContentTypeFull)
	_, err = c.w.Write(body)
	return err
}

// getTarball sends a version's tarball. The version is retained in this
// repository if it came from an upstream or the external connection
// (resolve.Resolver.Version). Unlisted versions download; Archived,
// Disposed and Unfinished ones do not.
func (f *Format) getTarball(c *call) error {
	version, found := ParseTarballFile(c.name, c.p.file)
	if !found {
		return errkind.NotFoundf("%s is not a tarball of %s", c.p.file, c.name)
	}
	v, err := f.d.Resolver.SharedVersion(c.ctx(), c.req.Repository, c.name.Ref(), version)
	if err != nil {
		return err
	}
	if !v.Status.Downloadable() {
		return errkind.NotFoundf("Version %s of %s is %s: its tarball cannot be downloaded", version, c.name, v.Status)
	}
	for _, a := range v.Assets {
		if a.Name == TarballAsset {
			return assets.Serve(c.w, c.r, f.d.Blobs, a, "application/octet-stream")
		}
	}
	return errkind.NotFoundf("Version %s of %s has no tarball", version, c.name)
}

// getDistTags lists the dist-tags that are set (npm dist-tag ls): merged
// across upstreams, as in the package document, but without a made-up
// "latest".
func (f *Format) getDistTags(c *call) error {
	view, err := f.view(c.ctx(), c)
	if err != nil {
		return err
	}
	return writeJSON(c.w, http.StatusOK, f.packageOf(view, c.name, c.req.BaseURL).SetDistTags())
}

// maxTagBody bounds the body of a dist-tag request (a JSON string).
const maxTagBody = 64 << 10

func (f *Format) ping(c *call) error { return writeJSON(c.w, http.StatusOK, struct{}{}) }

// whoami answers "aws": CodeArtifact answers every token holder as "aws",
// the user name in every client's configuration.
func (f *Format) whoami(c *call) error {
	return writeJSON(c.w, http.StatusOK, map[string]string{"username": "aws"})
}

// audit answers npm's audit requests (sent by every npm install) with no
// advisories: CodeArtifact vends no vulnerability data, and an error here
// would make npm install report a failed audit.
func (f *Format) audit(c *call) error { return writeJSON(c.w, http.StatusOK, struct{}{}) }

func (f *Format) notFound(c *call) error { return errkind.NotFoundf("Not found") }
