package maven

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
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
			return writeChecksum(c, c.p.Checksum.Of(doc.digests))
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
	v, err := f.d.Resolver.Version(ctx, repo, ref, p.Version)
	if err != nil && !(errors.Is(err, errkind.ErrNotFound) && p.Name.Build != "") {
		return artifact.Asset{}, err
	}
	if err == nil {
		if !v.Status.Downloadable() {
			return artifact.Asset{}, errkind.NotFoundf("Version %s of %s is %s: its files cannot be downloaded", p.Version, ref, v.Status)
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
		bv, err := f.d.Resolver.Version(ctx, repo, ref, BuildVersion(p.Version, p.Name.Build))
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
	return f.docs.Load(key, gen, func() (document, bool, error) {
		// The work outlives a client that goes away, for the others.
		view, err := f.d.Resolver.Package(context.WithoutCancel(c.ctx()), repo, p.Ref())
		if err != nil {
			return document{}, false, err
		}
		var m *Metadata
		if p.Kind == KindArtifactMetadata {
			m, err = artifactMetadata(view.Versions, p)
		} else {
			m, err = snapshotMetadata(view.Versions, p)
		}
		if err != nil {
			return document{}, false, err
		}
		return newDocument(m.Render()), view.Remote, nil
	})
}

// candidates are the versions of a resolved view.
type candidates = map[string]resolve.Candidate

// artifactMetadata generates the artifact-level metadata clients see: the
// Published versions of the repository, its upstreams and its external
// connection (User Guide, "Package version status": Unlisted, Unfinished,
// Archived and Disposed versions are not listed to package managers).
func artifactMetadata(versions candidates, p Path) (*Metadata, error) {
	var infos []VersionInfo
	for _, c := range versions {
		if c.Status.Listed() {
			infos = append(infos, VersionInfo{Version: c.Version.Version, Updated: c.UpdatedAt})
		}
	}
	if len(infos) == 0 {
		return nil, errkind.NotFoundf("%s has no published versions", p.Ref())
	}
	return ArtifactMetadata(p.GroupID, p.ArtifactID, infos), nil
}

// snapshotMetadata generates the metadata of a SNAPSHOT version from the
// files of its latest build.
func snapshotMetadata(versions candidates, p Path) (*Metadata, error) {
	c, ok := versions[p.Version]
	if !ok || !c.Status.Downloadable() {
		return nil, errkind.NotFoundf("Version %s of %s not found", p.Version, p.Ref())
	}
	build := LatestBuild(p.ArtifactID, p.Version, c.Assets)
	if build == "" {
		// Files without timestamps: Maven then asks for
		// demo-1.0-SNAPSHOT.jar itself.
		return nil, errkind.NotFoundf("Version %s of %s has no timestamped builds", p.Version, p.Ref())
	}
	return SnapshotMetadata(p.GroupID, p.ArtifactID, p.Version, build, BuildFiles(p.ArtifactID, p.Version, build, c.Assets)), nil
}

// --- publishing ---

func (f *Format) put(c *call) error {
	if err := f.authorize(c); err != nil {
		return err
	}
	switch {
	case c.p.Checksum != "":
		return f.putChecksum(c)
	case c.p.Kind == KindArtifactMetadata:
		return f.putArtifactMetadata(c)
	case c.p.Kind == KindVersionMetadata:
		return f.putSnapshotMetadata(c)
	}
	return f.putFile(c)
}

// uploadKey names a path of a repository for the upload memory.
func uploadKey(repo store.Repository, p Path) string {
	p.Checksum = ""
	return strconv.FormatInt(repo.ID, 10) + "/" + p.String()
}

// created answers a PUT that stored something new, ok one that changed
// nothing (the same bytes again).
func created(c *call, isNew bool) error {
	status := http.StatusCreated
	if !isNew {
		status = http.StatusOK
	}
	c.w.WriteHeader(status)
	return nil
}

// putFile stores a file of a version. A new version is Unfinished until a
// maven-metadata.xml lists it (User Guide, "Publishing with curl"); files
// added to a Published version (a classifier, a SNAPSHOT's next build)
// leave it Published. A POM also sets the version's metadata. The same
// bytes again are accepted; other bytes under an existing name are a
// Conflict. Checksums uploaded before the file are checked against it.
func (f *Format) putFile(c *call) error {
	ctx, repo, p := c.ctx(), c.req.Repository, c.p
	key := uploadKey(repo, p)
	want := f.uploads.expected(key, f.now())
	var body io.Reader = c.r.Body
	var pomBytes *bytes.Buffer
	isPOM := p.Name.Extension == "pom" && p.Name.Classifier == ""
	if isPOM {
		pomBytes = &bytes.Buffer{}
		body = io.TeeReader(body, &capped{b: pomBytes, max: MaxPOMSize + 1})
	}
	a, err := assets.Store(ctx, f.d.Blobs, p.File, body, want, assets.MaxSize)
	if err != nil {
		if errors.Is(err, errkind.ErrValidation) && want != (assets.Expect{}) {
			return errkind.Wrap(errkind.Validation, err, "Checksum mismatch for %s: %s", p, errkind.As(err).Message)
		}
		return err
	}
	f.uploads.stored(key)
	pub := catalog.Publication{Ref: p.Ref(), Version: p.Version, Assets: []artifact.Asset{a}, Unfinished: true, AddAssets: catalog.AddAlways}
	if isPOM {
		pom, err := ParsePOM(pomBytes)
		if err != nil {
			return err
		}
		if err := pom.Check(p); err != nil {
			return err
		}
		pub.Meta = pom.Meta()
	}
	existing, err := f.d.Catalog.Version(ctx, repo, pub.Ref, p.Version)
	switch {
	case err == nil:
		if old, ok := assetNamed(existing.Assets, a.Name); ok {
			if old.SHA256 == a.SHA256 {
				return created(c, false)
			}
			return errkind.Conflictf("%s already exists in repository %s with different content; delete version %s to publish it again", p, repo.Name, p.Version).OnResource("asset", a.Name)
		}
		_, err = f.d.Catalog.Publish(ctx, repo, pub)
	case errors.Is(err, errkind.ErrNotFound):
		_, err = f.d.Resolver.Publish(ctx, repo, pub)
	}
	if err != nil {
		return err
	}
	return created(c, true)
}

// capped writes to b until it holds max bytes, then drops the rest (the
// POM parser refuses what was cut).
type capped struct {
	b   *bytes.Buffer
	max int
}

func (w *capped) Write(p []byte) (int, error) {
	if room := w.max - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// putChecksum checks an uploaded checksum: against the stored file, or the
// metadata file just uploaded; a checksum of a file not uploaded yet is
// remembered and checked when the file arrives. Checksum files are not
// stored: the server computes them from every file's digests (User Guide,
// "Using Maven checksums").
func (f *Format) putChecksum(c *call) error {
	b, err := readAtMost(c.r.Body, MaxChecksumSize, "the checksum")
	if err != nil {
		return err
	}
	sum, err := ParseChecksum(c.p.Checksum, b)
	if err != nil {
		return err
	}
	ctx, repo, p := c.ctx(), c.req.Repository, c.p
	key := uploadKey(repo, p)
	mismatch := func(have string) error {
		return errkind.Validationf("Checksum mismatch for %s: the %s of the uploaded file is %s, not %s", p.File, c.p.Checksum, have, sum)
	}
	if p.Kind != KindFile {
		if d, ok := f.uploads.metadata(key, f.now()); ok && c.p.Checksum.Of(d) != sum {
			return mismatch(c.p.Checksum.Of(d))
		}
		return created(c, true)
	}
	v, err := f.d.Catalog.Version(ctx, repo, p.Ref(), p.Version)
	if err != nil && !errors.Is(err, errkind.ErrNotFound) {
		return err
	}
	if a, ok := assetNamed(v.Assets, p.File); err == nil && ok {
		if have := c.p.Checksum.Of(a); have != sum {
			return mismatch(have)
		}
		return created(c, true)
	}
	f.uploads.expect(key, c.p.Checksum, sum, f.now())
	return created(c, true)
}

// readMetadata reads and checks an uploaded metadata file.
func (f *Format) readMetadata(c *call) (*Metadata, []byte, error) {
	b, err := readAtMost(c.r.Body, MaxMetadataSize, "maven-metadata.xml")
	if err != nil {
		return nil, nil, err
	}
	m, err := ParseMetadata(bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	if err := m.Check(c.p); err != nil {
		return nil, nil, err
	}
	d := digestsOf(MetadataFile, b)
	if want := f.uploads.expected(uploadKey(c.req.Repository, c.p), f.now()); want != (assets.Expect{}) {
		for _, x := range Checksums {
			if w := expectOf(want, x); w != "" && w != x.Of(d) {
				return nil, nil, errkind.Validationf("Checksum mismatch for %s: its %s is %s, not the uploaded %s", c.p, x, x.Of(d), w)
			}
		}
		f.uploads.stored(uploadKey(c.req.Repository, c.p))
	}
	f.uploads.uploadedMetadata(uploadKey(c.req.Repository, c.p), d, f.now())
	return m, b, nil
}

func expectOf(x assets.Expect, c Checksum) string {
	switch c {
	case MD5:
		return x.MD5
	case SHA1:
		return x.SHA1
	case SHA256:
		return x.SHA256
	case SHA512:
		return x.SHA512
	}
	return ""
}

// putArtifactMetadata takes an artifact's maven-metadata.xml: the
// Unfinished versions of this repository it lists become Published, each
// keeping the file as its asset maven-metadata.xml (as the User Guide's
// asset listings show). Metadata is then served as generated from the
// repository, so that statuses, deletions and upstreams show; the file
// uploaded is kept for the record. A group's metadata (plugin prefixes)
// is accepted and not kept: prefixes resolve from plugin POMs.
func (f *Format) putArtifactMetadata(c *call) error {
	m, b, err := f.readMetadata(c)
	if err != nil {
		return err
	}
	if m.IsGroupLevel() || m.Versioning == nil {
		return created(c, true)
	}
	ctx, repo, ref := c.ctx(), c.req.Repository, c.p.Ref()
	var stored *artifact.Asset
	for _, version := range m.Versioning.Versions {
		v, err := f.d.Catalog.Version(ctx, repo, ref, version)
		if errors.Is(err, errkind.ErrNotFound) {
			continue // listed, but not published here (an upstream's)
		}
		if err != nil {
			return err
		}
		if v.Status != artifact.Unfinished {
			continue
		}
		pub := catalog.Publication{Ref: ref, Version: version, AddAssets: catalog.AddAlways}
		if _, has := assetNamed(v.Assets, MetadataFile); !has {
			if stored == nil {
				a, err := assets.Store(ctx, f.d.Blobs, MetadataFile, bytes.NewReader(b), assets.Expect{}, MaxMetadataSize)
				if err != nil {
					return err
				}
				stored = &a
			}
			pub.Assets = []artifact.Asset{*stored}
		}
		if _, err := f.d.Catalog.Publish(ctx, repo, pub); err != nil {
			return err
		}
	}
	return created(c, true)
}

// putSnapshotMetadata takes a SNAPSHOT's maven-metadata.xml, which
// publishes a build: the version becomes Published, keeps the file as its
// asset maven-metadata.xml, and the files of its earlier builds move to
// Unlisted versions named after each build (User Guide, "Use Maven
// snapshots").
func (f *Format) putSnapshotMetadata(c *call) error {
	m, b, err := f.readMetadata(c)
	if err != nil {
		return err
	}
	ctx, repo, p := c.ctx(), c.req.Repository, c.p
	v, err := f.d.Catalog.Version(ctx, repo, p.Ref(), p.Version)
	if errors.Is(err, errkind.ErrNotFound) {
		// Nothing of the version is here to publish; Maven never sends
		// the metadata first.
		return created(c, true)
	}
	if err != nil {
		return err
	}
	a, err := assets.Store(ctx, f.d.Blobs, MetadataFile, bytes.NewReader(b), assets.Expect{}, MaxMetadataSize)
	if err != nil {
		return err
	}
	split := catalog.Split{Ref: p.Ref(), Version: p.Version, MovedStatus: artifact.Unlisted, Replace: []artifact.Asset{a}, Publish: true}
	var current string
	if m.Versioning != nil {
		current = m.Versioning.Snapshot.Build()
	}
	if current != "" {
		split.Moves = map[string][]string{}
		for build, names := range Builds(p.ArtifactID, p.Version, v.Assets) {
			if CompareBuilds(build, current) < 0 {
				split.Moves[BuildVersion(p.Version, build)] = names
			}
		}
	}
	if _, err := f.d.Catalog.SplitVersion(ctx, repo, split); err != nil {
		return err
	}
	return created(c, true)
}

func assetNamed(as []artifact.Asset, name string) (artifact.Asset, bool) {
	for _, a := range as {
		if a.Name == name {
			return a, true
		}
	}
	return artifact.Asset{}, false
}
