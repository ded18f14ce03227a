package maven

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// --- reading ---

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
	want, err := f.uploads.expected(ctx, repo, p)
	if err != nil {
		return err
	}
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
	if err := f.uploads.stored(ctx, repo, p); err != nil {
		return err
	}
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
	f.notePublish(c)
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
	mismatch := func(have string) error {
		return errkind.Validationf("Checksum mismatch for %s: the %s of the uploaded file is %s, not %s", p.File, c.p.Checksum, have, sum)
	}
	if p.Kind != KindFile {
		d, ok, err := f.uploads.metadata(ctx, repo, p)
		if err != nil {
			return err
		}
		if ok && c.p.Checksum.Of(d) != sum {
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
	if err := f.uploads.expect(ctx, repo, p, c.p.Checksum, sum); err != nil {
		return err
	}
	return created(c, true)
}

// readMetadata reads and checks an uploaded metadata file, and remembers
// its digests for the checksum files uploaded after it.
func (f *Format) readMetadata(c *call) (*Metadata, []byte, error) {
	b, err := readAtMost(c.r.Body, MaxMetadataSize, "maven-metadata.xml")
	if err != nil {
		return nil, nil, err
	}
	m, err := parseMetadata(b)
	if err != nil {
		return nil, nil, err
	}
	if err := m.Check(c.p); err != nil {
		return nil, nil, err
	}
	d := digestsOf(MetadataFile, b)
	ctx, repo := c.ctx(), c.req.Repository
	want, err := f.uploads.expected(ctx, repo, c.p)
	if err != nil {
		return nil, nil, err
	}
	if want != (assets.Expect{}) {
		for _, x := range Checksums {
			if w := expectOf(want, x); w != "" && w != x.Of(d) {
				return nil, nil, errkind.Validationf("Checksum mismatch for %s: its %s is %s, not the uploaded %s", c.p, x, x.Of(d), w)
			}
		}
		if err := f.uploads.stored(ctx, repo, c.p); err != nil {
			return nil, nil, err
		}
	}
	if err := f.uploads.uploadedMetadata(ctx, repo, c.p, d); err != nil {
		return nil, nil, err
	}
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
// with the asset maven-metadata.xml (as the User Guide's asset listings
// show) that lists it alone. Metadata is then served as generated from
// the repository, so that statuses, deletions and upstreams show. The
// file uploaded is not kept: mvn lists every version in it (150 KB at
// 5,000), and keeping it with each version would store the whole list
// again at every deploy. A group's metadata (plugin prefixes) is
// accepted and not kept: prefixes resolve from plugin POMs.
func (f *Format) putArtifactMetadata(c *call) error {
	m, _, err := f.readMetadata(c)
	if err != nil {
		return err
	}
	if m.IsGroupLevel() || m.Versioning == nil {
		return created(c, true)
	}
	ctx, repo, ref := c.ctx(), c.req.Repository, c.p.Ref()
	// mvn lists every version: only this repository's Unfinished ones
	// (a few) are read, and published in the order the file lists them.
	unfinished, err := f.d.Catalog.VersionsWithStatus(ctx, repo, ref, artifact.Unfinished)
	if errors.Is(err, errkind.ErrNotFound) {
		return created(c, true) // nothing published here (an upstream's)
	}
	if err != nil {
		return err
	}
	if len(unfinished) == 0 {
		return created(c, true)
	}
	isUnfinished := make(map[string]bool, len(unfinished))
	for _, v := range unfinished {
		isUnfinished[v] = true
	}
	for _, version := range m.Versioning.Versions {
		if !isUnfinished[version] {
			continue
		}
		delete(isUnfinished, version) // listed twice: published once
		v, err := f.d.Catalog.Version(ctx, repo, ref, version)
		if errors.Is(err, errkind.ErrNotFound) {
			continue // deleted since
		}
		if err != nil {
			return err
		}
		if v.Status != artifact.Unfinished {
			continue
		}
		pub := catalog.Publication{Ref: ref, Version: version, AddAssets: catalog.AddAlways}
		if _, has := assetNamed(v.Assets, MetadataFile); !has {
			own := ArtifactMetadata(c.p.GroupID, c.p.ArtifactID, []VersionInfo{{Version: version, Updated: f.now()}}).Render()
			a, err := assets.Store(ctx, f.d.Blobs, MetadataFile, bytes.NewReader(own), assets.Expect{}, MaxMetadataSize)
			if err != nil {
				return err
			}
			pub.Assets = []artifact.Asset{a}
		}
		if _, err := f.d.Catalog.Publish(ctx, repo, pub); err != nil {
			return err
		}
		f.notePublish(c)
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
	f.notePublish(c)
	return created(c, true)
}
