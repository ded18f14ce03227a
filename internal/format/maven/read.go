package maven

import (
	"context"
	"errors"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/respond"
	"github.com/arcahq/arca/internal/store"
)

// --- reading ---

func (f *Format) get(c *call) error {
	switch c.p.Kind {
	case KindArtifactMetadata, KindVersionMetadata:
		doc, err := f.metadata(c)
		if err != nil {
			return err
		}
		if c.p.Checksum != "" {
			return writeChecksum(c, doc.checksum(c.p.Checksum))
		}
		doc.Serve(c.w, c.r)
		return nil
	}
	a, err := f.file(c.ctx(), c.req.Repository, c.p)
	if err != nil {
		return err
	}
	if c.p.Checksum != "" {
		return writeChecksum(c, c.p.Checksum.Of(a))
	}
	return assets.Serve(c.w, c.r, f.d.Blobs, a, ContentType(c.p.Name.Extension))
}

// writeChecksum answers a checksum file: the hex digest alone, as Maven
// repositories serve it.
func writeChecksum(c *call, sum string) error {
	if sum == "" {
		return errkind.NotFoundf("No %s checksum is known for %s", c.p.Checksum, c.p.File)
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/plain")
	h.Set("ETag", `"`+sum+`"`)
	respond.Bytes(c.w, c.r, time.Time{}, []byte(sum))
	return nil
}

// file finds the asset a file path names, through the repository's
// upstreams and external connection (retaining and ingesting as a
// download does):
//
//   - the version directory's own file of that name;
//   - for demo-1.0-SNAPSHOT.jar, the file of the latest build
//     (demo-1.0-20261123.191446-2.jar);
//   - for a file of an earlier build, the version that build is kept
//     under (1.0-20261123.191446-1);
//   - for a version ingested through an external connection, the file
//     fetched through it on its first request.
//
// Files of versions whose status forbids downloads (Unfinished, Archived,
// Disposed) are not found.
func (f *Format) file(ctx context.Context, repo store.Repository, p Path) (artifact.Asset, error) {
	ref := p.Ref()
	v, err := f.d.Resolver.SharedVersion(ctx, repo, ref, p.Version)
	if err != nil && !(errors.Is(err, errkind.ErrNotFound) && p.Name.Build != "") {
		return artifact.Asset{}, err
	}
	if err == nil {
		if !v.Status.Downloadable() {
			return artifact.Asset{}, errkind.NotFoundf("Version %s of %s is %s: its files cannot be downloaded", p.Version, Rules{}.Display(ref), v.Status)
		}
		if a, ok := assetNamed(v.Assets, p.File); ok {
			return a, nil
		}
		if IsSnapshot(p.Version) && p.Name.Build == "" {
			if b := LatestBuild(p.ArtifactID, p.Version, v.Assets); b != "" {
				n := p.Name
				n.Build = b
				if a, ok := assetNamed(v.Assets, FileNameOf(p.ArtifactID, p.Version, n)); ok {
					return a, nil
				}
			}
		}
	}
	if p.Name.Build != "" {
		bv, err := f.d.Resolver.SharedVersion(ctx, repo, ref, BuildVersion(p.Version, p.Name.Build))
		if err == nil && bv.Status.Downloadable() {
			if a, ok := assetNamed(bv.Assets, p.File); ok {
				return a, nil
			}
		} else if err != nil && !errors.Is(err, errkind.ErrNotFound) {
			return artifact.Asset{}, err
		}
	}
	if err == nil && v.Origin.Type == artifact.OriginExternal {
		_, a, err := f.d.Resolver.Asset(ctx, repo, ref, p.Version, p.File)
		return a, err
	}
	return artifact.Asset{}, errkind.NotFoundf("%s not found in repository %s", p, repo.Name)
}

// metadata returns a generated metadata file from the cache, or
// generates it once however many requests ask at the same time.
func (f *Format) metadata(c *call) (document, error) {
	repo := c.req.Repository
	p := c.p
	p.Checksum = ""
	key := docKey{repository: repo.ID, path: p.String()}
	// The generation is read before resolving: a write that lands while
	// the file is generated leaves it under the old generation, stale.
	gen := f.d.Catalog.PackageGeneration(repo.DomainID, p.Ref())
	atLeast := f.writers.Seen(repo.DomainID, p.Ref(), c.req.Claims.ID)
	return f.docs.LoadAtLeast(key, gen, atLeast, func() (document, bool, error) {
		// The work outlives a client that goes away, for the others.
		view, err := f.d.Resolver.Package(context.WithoutCancel(c.ctx()), repo, p.Ref())
		if err != nil {
			return document{}, false, err
		}
		if p.Kind == KindArtifactMetadata {
			d, err := f.artifactMetadata(key, view, p)
			return d, view.Remote, err
		}
		m, err := snapshotMetadata(view.Versions, p)
		if err != nil {
			return document{}, false, err
		}
		return newDocument(rendered.Assemble("text/xml", m.Parts(f.runs)...), nil), view.Remote, nil
	})
}

// notePublish records that the request's client (its token) changed the
// artifact, so that its next read of the metadata shows the change.
func (f *Format) notePublish(c *call) {
	f.writers.Wrote(c.req.Repository.DomainID, c.p.Ref(), c.req.Claims.ID)
}

// candidates are the versions of a resolved view.
type candidates = map[string]*resolve.Candidate

// artifactMetadata generates the artifact-level metadata clients see: the
// Published versions of the repository, its upstreams and its external
// connection (User Guide, "Package version status": Unlisted, Unfinished,
// Archived and Disposed versions are not listed to package managers).
// The versions are listed from the listing of the file kept under key
// (format.Relist): a publish places its version, and a change that lists
// nothing new (a deploy's jar and POM, before its maven-metadata.xml)
// serves the kept file again.
func (f *Format) artifactMetadata(key docKey, view *resolve.View, p Path) (document, error) {
	prev, _ := f.docs.Last(key)
	l := format.Relist(prev.listing, view, Rules{}.CompareVersions)
	if len(l.Versions) == 0 {
		return document{}, errkind.NotFoundf("%s has no published versions", Rules{}.Display(p.Ref()))
	}
	if prev.listing != nil && prev.listing.Stamp == l.Stamp {
		return document{prev.Doc, prev.sums, l}, nil
	}
	m := sortedArtifactMetadata(p.GroupID, p.ArtifactID, l.Versions, l.Updated)
	return newDocument(rendered.Assemble("text/xml", m.Parts(f.runs)...), l), nil
}

// snapshotMetadata generates the metadata of a SNAPSHOT version from the
// files of its latest build.
func snapshotMetadata(versions candidates, p Path) (*Metadata, error) {
	c, ok := versions[p.Version]
	if !ok || !c.Status.Downloadable() {
		return nil, errkind.NotFoundf("Version %s of %s not found", p.Version, Rules{}.Display(p.Ref()))
	}
	build := LatestBuild(p.ArtifactID, p.Version, c.Assets)
	if build == "" {
		// Files without timestamps: Maven then asks for
		// demo-1.0-SNAPSHOT.jar itself.
		return nil, errkind.NotFoundf("Version %s of %s has no timestamped builds", p.Version, Rules{}.Display(p.Ref()))
	}
	return SnapshotMetadata(p.GroupID, p.ArtifactID, p.Version, build, BuildFiles(p.ArtifactID, p.Version, build, c.Assets)), nil
}

// --- publishing ---

func assetNamed(as []artifact.Asset, name string) (artifact.Asset, bool) {
	for _, a := range as {
		if a.Name == name {
			return a, true
		}
	}
	return artifact.Asset{}, false
}
