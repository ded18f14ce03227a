package cargo

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// Permissions of the writes: a yank changes a version's status.
const (
	actionPublish = "codeartifact:PublishPackageVersion"
	actionStatus  = "codeartifact:UpdatePackageVersionsStatus"
)

// ref is the package key of a crate name.
func ref(name string) artifact.PackageRef {
	return Rules{}.Normalize(artifact.PackageRef{Format: artifact.Cargo, Name: name})
}

// CrateFile is the name of a version's one asset, {name}-{version}.crate.
func CrateFile(name, version string) string { return name + "-" + version + ".crate" }

// config serves config.json: downloads at {dl}/{crate}/{version}/download,
// the web API at the endpoint itself, and a token required for every
// request (without "auth-required" cargo sends none for index files).
func (f *Format) config(c *call) error {
	base := c.req.BaseURL
	return format.WriteJSON(c.w, 200, map[string]any{
		"dl":            base + "api/v1/crates",
		"api":           strings.TrimSuffix(base, "/"),
		"auth-required": true,
	})
}

// indexFile serves a crate's index file: one line per Published
// (yanked false) or Unlisted (yanked true) version, in version order.
// A crate published with another spelling of the name (case, '-' or '_')
// is not this one: 404, as for a crate nobody published.
func (f *Format) indexFile(c *call) error {
	repo := c.req.Repository
	r := ref(c.p.name)
	key := indexKey{repository: repo.ID, name: c.p.name}
	gen := f.d.Catalog.PackageGeneration(repo.DomainID, r)
	atLeast := f.writers.Seen(repo.DomainID, r, c.req.Claims.ID)
	doc, err := f.index.LoadAtLeast(key, gen, atLeast, func() (*rendered.Doc, bool, error) {
		view, err := f.d.Resolver.Package(context.WithoutCancel(c.ctx()), repo, r)
		if err != nil {
			return nil, false, err
		}
		body, modified, err := renderIndex(view, c.p.name, f.lines, f.orders, key)
		if err != nil {
			return nil, false, err
		}
		doc := rendered.NewDoc(body, "text/plain; charset=utf-8")
		doc.Modified = modified
		return doc, view.Remote, nil
	})
	if err != nil {
		return err
	}
	doc.Serve(c.w, c.r)
	return nil
}

// notePublish records that the request's client (its token) changed the
// crate, so that its next read of the index file shows the change.
func (f *Format) notePublish(c *call, r artifact.PackageRef) {
	f.writers.Wrote(c.req.Repository.DomainID, r, c.req.Claims.ID)
}

// RenderIndex renders an index file from a resolved view: each version's
// stored index line with yanked set from its status, and the newest
// publish or status change of the versions listed (zero when only
// versions not yet ingested are), its Last-Modified. A crate with no
// line to show, or published under a spelling whose lower case is not
// path (the lower-cased name of the index path), is NotFound.
func RenderIndex(view *resolve.View, path string) ([]byte, time.Time, error) {
	return renderIndex(view, path, nil, nil, indexKey{})
}

// renderIndex is RenderIndex with the lines of versions that have a
// revision kept in lines, and the crate's version order kept in orders
// under key.
func renderIndex(view *resolve.View, path string, lines *Lines, orders *format.Orders[indexKey], key indexKey) ([]byte, time.Time, error) {
	versions := make([]*resolve.Candidate, 0, len(view.Versions))
	size := 0
	for _, v := range view.Versions {
		if v.Status.Downloadable() && len(v.Meta.Extra) > 0 {
			versions = append(versions, v)
			size += len(v.Meta.Extra) + 16
		}
	}
	if len(versions) == 0 {
		return nil, time.Time{}, errkind.NotFoundf("Crate %s not found", view.Ref.Name)
	}
	format.SortKept(orders, key, versions, func(v *resolve.Candidate) string { return v.Version.Version }, format.CompareSemVer)
	out := make([]byte, 0, size)
	var modified time.Time
	for _, v := range versions {
		yanked := v.Status == artifact.Unlisted
		render := func() line { return renderLine(v.Meta.Extra, yanked) }
		var l line
		if v.Revision != "" {
			l = lines.Get(lineKey{view.Ref.Name, v.Version.Version, v.Revision, yanked}, render)
		} else {
			l = render()
		}
		if l.err != nil {
			return nil, time.Time{}, l.err
		}
		if strings.ToLower(l.name) != path {
			return nil, time.Time{}, errkind.NotFoundf("Crate %s not found (this repository has it as %s)", path, l.name)
		}
		out = append(append(out, l.body...), '\n')
		for _, t := range []time.Time{v.CreatedAt, v.UpdatedAt} {
			if t.After(modified) {
				modified = t
			}
		}
	}
	return out, modified, nil
}

// renderLine renders a version's stored index line with yanked set.
func renderLine(extra []byte, yanked bool) line {
	l, err := ParseIndexLine(extra)
	if err != nil {
		return line{err: err}
	}
	l.Yanked = yanked
	b, err := json.Marshal(l)
	return line{body: b, name: l.Name, err: err}
}

// download sends a version's .crate. Yanked (Unlisted) versions still
// download, for the lockfiles that name them.
func (f *Format) download(c *call) error {
	name, version := c.p.name, c.p.version
	if ValidateName(name) != nil || ValidateVersion(version) != nil {
		return errkind.NotFoundf("Crate %s version %s not found", name, version)
	}
	v, err := f.d.Resolver.SharedVersion(c.ctx(), c.req.Repository, ref(name), version)
	if err != nil {
		return err
	}
	if !v.Status.Downloadable() {
		return errkind.NotFoundf("Version %s of %s is %s: it cannot be downloaded", version, name, v.Status)
	}
	for _, a := range v.Assets {
		if strings.HasSuffix(a.Name, ".crate") {
			return assets.Serve(c.w, c.r, f.d.Blobs, a, "application/x-tar")
		}
	}
	return errkind.NotFoundf("Version %s of %s has no .crate", version, name)
}
