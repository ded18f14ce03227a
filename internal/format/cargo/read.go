package cargo

import (
	"context"
	"encoding/json"
	"slices"
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
		doc, err := f.kept.render(view, key)
		if err != nil {
			return nil, false, err
		}
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
// path (the lower-cased name of the index path), is NotFound. Nothing is
// kept: it renders what the server's cached rendering must equal.
func RenderIndex(view *resolve.View, path string) ([]byte, time.Time, error) {
	doc, err := (&kept{}).render(view, indexKey{name: path})
	if err != nil {
		return nil, time.Time{}, err
	}
	return doc.Bytes(), doc.Modified, nil
}

// kept is what index files are rendered from beside the views: any of
// it may be nil (nothing kept).
type kept struct {
	// lines keeps versions' rendered lines, by revision.
	lines *Lines
	// sorted keeps crates' listed versions in order: a rebuild after a
	// publish checks and places the versions added, one after another
	// change keeps the places of the versions kept. It keeps their
	// strings, not their candidates (which would keep the views they are
	// of alive).
	sorted *format.Sorted[indexKey, string]
	// runs keeps runs of lines made into parts: a rebuild after a
	// publish renders and compresses the run of the new version.
	runs *rendered.Runs
}

// render renders the index file of view at key (key.name is the
// lower-cased name of its path), as RenderIndex describes.
func (k *kept) render(view *resolve.View, key indexKey) (*rendered.Doc, error) {
	path := key.name
	line := func(v *resolve.Candidate) line {
		yanked := v.Status == artifact.Unlisted
		render := func() line { return renderLine(v.Meta.Extra, yanked) }
		if v.Revision == "" {
			return render()
		}
		return k.lines.Get(lineKey{view.Ref.Name, v.Version.Version, v.Revision, yanked}, render)
	}
	listed := func(v *resolve.Candidate) (string, bool, error) {
		if !v.Status.Downloadable() || len(v.Meta.Extra) == 0 {
			return "", false, nil
		}
		l := line(v)
		if l.err != nil {
			return "", false, l.err
		}
		if strings.ToLower(l.name) != path {
			return "", false, errkind.NotFoundf("Crate %s not found (this repository has it as %s)", path, l.name)
		}
		return v.Version.Version, true, nil
	}
	names, err := k.sorted.Items(key, view, listed, func(v string) string { return v }, format.CompareSemVer)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errkind.NotFoundf("Crate %s not found", view.Ref.Name)
	}
	var modified time.Time
	versions := make([]*resolve.Candidate, len(names))
	for i, name := range names {
		v := view.Versions[name]
		versions[i] = v
		for _, t := range []time.Time{v.CreatedAt, v.UpdatedAt} {
			if t.After(modified) {
				modified = t
			}
		}
	}
	parts := k.runs.Parts(rendered.Entries{
		Scope: "cargo index " + view.Ref.Name,
		Len:   len(versions),
		Name:  func(i int) string { return versions[i].Version.Version },
		Revision: func(i int) string {
			// A line is made from the version's index line (its revision,
			// base64, without spaces) and whether it is yanked.
			if v := versions[i]; v.Revision != "" && v.Status == artifact.Unlisted {
				return v.Revision + " yanked"
			}
			return versions[i].Revision
		},
		Render: func(i int) []byte { return append(slices.Clip(line(versions[i]).body), '\n') },
	})
	doc := rendered.Assemble("text/plain; charset=utf-8", parts...)
	doc.Modified = modified
	return doc, nil
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
