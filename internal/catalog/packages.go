package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
)

// Package rules kept here (User Guide, "Working with packages"):
//   - a version's revision is a digest of its assets and metadata: it
//     changes whenever either does, and a version copied or retained into
//     another repository keeps it;
//   - status changes follow the guide: Unfinished is never a target,
//     Disposed is final (only deletion follows) and drops the assets;
//   - batch status changes, deletions and disposals are all or nothing:
//     when one version fails, the others are SKIPPED;
//   - an asset name of a version holds one content: the same bytes again
//     succeed, other bytes are a Conflict;
//   - a package's origin configuration defaults by how its first version
//     arrived (artifact.DefaultOriginConfig), and publishing to a package
//     whose publish restriction is BLOCK is refused;
//   - publishing and copying also need the package's package group to
//     allow PUBLISH into the repository (CheckOrigin); a BLOCK from either
//     the package or its group wins.
//
// None of these functions look at upstream repositories; package resolve
// does, and calls them.

// MaxAssetsPerVersion is the User Guide's quota.
const MaxAssetsPerVersion = 100

// Revision returns the revision of a version with the given metadata and
// assets: a digest of both, in the shape of CodeArtifact's revisions.
func Revision(meta artifact.Meta, assets []artifact.Asset) string {
	sorted := append([]artifact.Asset(nil), assets...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	h := sha256.New()
	doc := struct {
		Assets []artifact.Asset
		Meta   artifact.Meta
	}{sorted, meta}
	json.NewEncoder(h).Encode(doc)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// packageNotFound is the error for a package missing from a repository.
func (c *Catalog) packageNotFound(repo store.Repository, ref artifact.PackageRef) error {
	return errkind.NotFoundf("Package %s not found in repository %s", c.Display(ref), repo.Name).OnResource("package", ref.Name)
}

func (c *Catalog) versionNotFound(repo store.Repository, ref artifact.PackageRef, version string) error {
	return errkind.NotFoundf("Package version %s of %s not found in repository %s", version, c.Display(ref), repo.Name).OnResource("package-version", version)
}

// getPackage finds a package in a repository.
func (c *Catalog) getPackage(ctx context.Context, q store.Queries, repo store.Repository, ref artifact.PackageRef) (store.Package, error) {
	p, err := q.GetPackage(ctx, repo.ID, ref)
	if errors.Is(err, errkind.ErrNotFound) {
		return p, c.packageNotFound(repo, ref)
	}
	return p, err
}

// Package returns a package of a repository.
func (c *Catalog) Package(ctx context.Context, repo store.Repository, ref artifact.PackageRef) (store.Package, error) {
	return c.getPackage(ctx, c.st, repo, ref)
}

// PackageVersions returns a package with all its versions (with assets)
// and tags.
func (c *Catalog) PackageVersions(ctx context.Context, repo store.Repository, ref artifact.PackageRef) (store.Package, []store.Version, map[string]string, error) {
	p, err := c.getPackage(ctx, c.st, repo, ref)
	if err != nil {
		return p, nil, nil, err
	}
	vs, err := c.st.ListVersions(ctx, p.ID, true)
	if err != nil {
		return p, nil, nil, err
	}
	tags, err := c.st.PackageTags(ctx, p.ID)
	return p, vs, tags, err
}

// Version returns a version of a package in a repository.
//
// Versions found are cached (every download asks) until the package's
// generation changes.
func (c *Catalog) Version(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string) (store.Version, error) {
	return c.version(ctx, repo, ref, version, false)
}

// SharedVersion is Version for a caller that only reads the version (a
// download looking for its asset): a cached version comes without a copy
// of its assets and metadata, which it shares with the cache and which
// must not be modified.
func (c *Catalog) SharedVersion(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string) (store.Version, error) {
	return c.version(ctx, repo, ref, version, true)
}

func (c *Catalog) version(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string, shared bool) (store.Version, error) {
	key := versionKey{repository: repo.ID, ref: ref, version: version}
	// The generation is read before the store: a change committed while
	// the version is read leaves it under the old generation, stale.
	gen := c.PackageGeneration(repo.DomainID, ref)
	if v, ok := c.versions.get(key, gen, shared); ok {
		return v, nil
	}
	v, err := c.getVersion(ctx, c.st, repo, ref, version)
	if err == nil {
		c.versions.put(key, gen, v)
	}
	return v, err
}

func (c *Catalog) getVersion(ctx context.Context, q store.Queries, repo store.Repository, ref artifact.PackageRef, version string) (store.Version, error) {
	p, err := c.getPackage(ctx, q, repo, ref)
	if err != nil {
		return store.Version{}, err
	}
	v, err := q.GetVersion(ctx, p.ID, version)
	if errors.Is(err, errkind.ErrNotFound) {
		return v, c.versionNotFound(repo, ref, version)
	}
	return v, err
}

// PackagePage is a page of ListPackages.
type PackagePage struct {
	Packages []store.Package
	More     bool
}

// ListPackages lists a repository's packages.
func (c *Catalog) ListPackages(ctx context.Context, repo store.Repository, f store.PackageFilter, limit int) (PackagePage, error) {
	ps, err := c.st.ListPackages(ctx, repo.ID, f, limit+1)
	if err != nil {
		return PackagePage{}, err
	}
	page := PackagePage{Packages: ps}
	if len(ps) > limit {
		page.Packages, page.More = ps[:limit], true
	}
	return page, nil
}

// DeletePackage deletes a package with all its versions and returns it as
// it was.
func (c *Catalog) DeletePackage(ctx context.Context, repo store.Repository, ref artifact.PackageRef) (store.Package, error) {
	var p store.Package
	err := c.updatePackage(ctx, repo, ref, func(q store.Queries) error {
		var err error
		if p, err = c.getPackage(ctx, q, repo, ref); err != nil {
			return err
		}
		return q.DeletePackage(ctx, p.ID)
	})
	return p, err
}

// PutOriginConfiguration sets a package's origin restrictions, creating
// the package (with no versions) if it does not exist, as CodeArtifact
// lets a repository block a name before anything arrives under it.
func (c *Catalog) PutOriginConfiguration(ctx context.Context, repo store.Repository, ref artifact.PackageRef, cfg artifact.OriginConfig) (store.Package, error) {
	p := store.Package{RepositoryID: repo.ID, PackageRef: ref, Origin: cfg, CreatedAt: c.timestamp()}
	err := c.updatePackage(ctx, repo, ref, func(q store.Queries) error {
		if _, err := q.EnsurePackage(ctx, &p); err != nil {
			return err
		}
		p.Origin = cfg
		return q.SetOriginConfig(ctx, p.ID, cfg)
	})
	return p, err
}

// --- publishing ---

// Publication is a version being published to a repository.
type Publication struct {
	Ref     artifact.PackageRef
	Version string
	Meta    artifact.Meta
	Assets  []artifact.Asset
	// Unfinished publishes the version as Unfinished (Maven before its
	// metadata, or PublishPackageVersion with unfinished=true).
	Unfinished bool
	// AddAssets says whether a publication may add assets to an existing
	// version of the package.
	AddAssets AddRule
	// Tags are package tags to set (npm dist-tags) in the same transaction.
	Tags map[string]string
	// MergeMeta, when set, makes the metadata of an existing version that
	// the publication adds assets to, from the version's metadata, inside
	// the transaction (PyPI keeps the first file's metadata and records
	// each file's own attributes in Extra). Without it, a publication
	// with a DisplayName or Extra replaces the metadata.
	MergeMeta func(existing artifact.Meta) (artifact.Meta, error)
}

// AddRule says when assets may be added to an existing version.
type AddRule int

// The rules, by format.
const (
	// AddNever: a version is published once, whole (npm); publishing it
	// again is a Conflict.
	AddNever AddRule = iota
	// AddWhileUnfinished: assets are added while the version is Unfinished;
	// once Published it is closed (generic packages).
	AddWhileUnfinished
	// AddAlways: assets may be added to a Published version too (PyPI
	// wheels after the sdist, Maven classifiers).
	AddAlways
)

// Derived returns the file a format derived from an asset's bytes when
// they were stored in the repository's domain (a wheel's METADATA), or nil
// if none was recorded (store.Versions.SetDerived).
func (c *Catalog) Derived(ctx context.Context, repo store.Repository, a artifact.Asset) ([]byte, error) {
	return c.st.Derived(ctx, repo.DomainID, a.SHA256)
}

// SetDerived records the file derived from an asset's bytes, kept as long
// as the repository's domain stores them.
func (c *Catalog) SetDerived(ctx context.Context, repo store.Repository, a artifact.Asset, b []byte) error {
	return c.st.SetDerived(ctx, repo.DomainID, a.SHA256, b)
}

// Publish records a publication in repo. The asset bytes must already be
// in the blob store. It does not look at upstreams: the caller checks
// that the version is not reachable there first.
func (c *Catalog) Publish(ctx context.Context, repo store.Repository, pub Publication) (store.Version, error) {
	if len(pub.Assets) > MaxAssetsPerVersion {
		return store.Version{}, errkind.Quotaf("A package version can have at most %d assets", MaxAssetsPerVersion)
	}
	if err := c.CheckOrigin(ctx, repo, pub.Ref, pkggroup.Publish); err != nil {
		return store.Version{}, err
	}
	now := c.timestamp()
	if pub.Meta.PublishedAt.IsZero() {
		pub.Meta.PublishedAt = now
	}
	status := artifact.Published
	if pub.Unfinished {
		status = artifact.Unfinished
	}
	var out store.Version
	err := c.updatePackage(ctx, repo, pub.Ref, func(q store.Queries) error {
		p := store.Package{RepositoryID: repo.ID, PackageRef: pub.Ref, Origin: artifact.DefaultOriginConfig(true), CreatedAt: now}
		if _, err := q.EnsurePackage(ctx, &p); err != nil {
			return err
		}
		if p.Origin.Publish == artifact.Block {
			return errkind.Deniedf("Publishing %s to repository %s is blocked by the package's origin configuration (publish=BLOCK)", c.Display(pub.Ref), repo.Name)
		}
		existing, err := q.GetVersion(ctx, p.ID, pub.Version)
		switch {
		case errors.Is(err, errkind.ErrNotFound):
			out = store.Version{
				PackageID: p.ID, Version: pub.Version, Status: status,
				Revision: Revision(pub.Meta, pub.Assets),
				Origin:   artifact.Origin{Type: artifact.OriginInternal, Repository: repo.Name},
				Meta:     pub.Meta, Assets: pub.Assets, CreatedAt: now, UpdatedAt: now,
			}
			if err := q.CreateVersion(ctx, repo.DomainID, &out); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if out, err = c.addToVersion(ctx, q, repo, existing, pub, now); err != nil {
				return err
			}
		}
		for tag, version := range pub.Tags {
			if err := q.SetPackageTag(ctx, p.ID, tag, version); err != nil {
				return err
			}
		}
		return nil
	})
	// A version looked up before it is published to (a Maven deploy looks
	// its version up at each of its three steps) is stale now: dropped
	// rather than left to take the cache's room until evicted.
	c.versions.l.drop(versionKey{repository: repo.ID, ref: pub.Ref, version: pub.Version})
	return out, err
}

// addToVersion adds a publication's assets to an existing version.
func (c *Catalog) addToVersion(ctx context.Context, q store.Queries, repo store.Repository, v store.Version, pub Publication, now time.Time) (store.Version, error) {
	if pub.AddAssets == AddNever {
		return v, errkind.Conflictf("Version %s of %s already exists in repository %s; delete it before publishing it again", pub.Version, c.Display(pub.Ref), repo.Name).OnResource("package-version", pub.Version)
	}
	if v.Status != artifact.Published && v.Status != artifact.Unfinished {
		return v, errkind.Conflictf("Version %s of %s is %s; assets can only be added to Published or Unfinished versions", pub.Version, c.Display(pub.Ref), v.Status).OnResource("package-version", pub.Version)
	}
	have := map[string]artifact.Asset{}
	for _, a := range v.Assets {
		have[a.Name] = a
	}
	before := v
	for _, a := range pub.Assets {
		old, ok := have[a.Name]
		switch {
		case ok && old.SHA256 == a.SHA256:
			continue // the same bytes again: idempotent
		case ok:
			return v, errkind.Conflictf("Asset %s of version %s of %s already exists with different content", a.Name, pub.Version, c.Display(pub.Ref)).OnResource("asset", a.Name)
		case pub.AddAssets == AddWhileUnfinished && v.Status != artifact.Unfinished:
			return v, errkind.Conflictf("Version %s of %s is %s; assets can be added only while it is Unfinished (publish with unfinished until the last asset)", pub.Version, c.Display(pub.Ref), v.Status).OnResource("package-version", pub.Version)
		}
		if len(have) >= MaxAssetsPerVersion {
			return v, errkind.Quotaf("A package version can have at most %d assets", MaxAssetsPerVersion)
		}
		if err := q.AddAsset(ctx, repo.DomainID, v.ID, a); err != nil {
			return v, err
		}
		have[a.Name] = a
		v.Assets = append(v.Assets, a)
	}
	if !pub.Unfinished && v.Status == artifact.Unfinished {
		v.Status = artifact.Published
	}
	switch {
	case pub.MergeMeta != nil:
		published := v.Meta.PublishedAt
		m, err := pub.MergeMeta(v.Meta)
		if err != nil {
			return v, err
		}
		v.Meta = m
		v.Meta.PublishedAt = published
	case pub.Meta.DisplayName != "" || len(pub.Meta.Extra) > 0:
		published := v.Meta.PublishedAt
		v.Meta = pub.Meta
		v.Meta.PublishedAt = published
	}
	v.Revision = Revision(v.Meta, v.Assets)
	// (Compared recomputed: a stored revision may have been computed
	// before the metadata's round trip through the store.)
	if v.Status == before.Status && v.Revision == Revision(before.Meta, before.Assets) {
		return before, nil // the same assets and metadata again: idempotent, nothing is written
	}
	v.UpdatedAt = now
	return v, q.UpdateVersion(ctx, v)
}

// Retain keeps, in repo, a version found in an upstream repository or
// through an external connection: a copy of its record that references
// the same assets, unaffected by later changes where it was found. A
// version repo already has is left alone.
func (c *Catalog) Retain(ctx context.Context, repo store.Repository, ref artifact.PackageRef, v store.Version) (store.Version, error) {
	now := c.timestamp()
	var out store.Version
	err := c.updatePackage(ctx, repo, ref, func(q store.Queries) error {
		p := store.Package{RepositoryID: repo.ID, PackageRef: ref, Origin: artifact.DefaultOriginConfig(false), CreatedAt: now}
		if _, err := q.EnsurePackage(ctx, &p); err != nil {
			return err
		}
		existing, err := q.GetVersion(ctx, p.ID, v.Version)
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, errkind.ErrNotFound) {
			return err
		}
		out = v
		out.ID, out.PackageID, out.CreatedAt, out.UpdatedAt = 0, p.ID, now, now
		return q.CreateVersion(ctx, repo.DomainID, &out)
	})
	return out, err
}

// UpdateMeta changes the metadata of a version of a package in repo (npm
// deprecate rewrites the version manifest): update edits it inside the
// transaction, so concurrent changes do not overwrite each other. The
// revision follows the new metadata; the publish time never changes.
func (c *Catalog) UpdateMeta(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string, update func(*artifact.Meta) error) (store.Version, error) {
	now := c.timestamp()
	var out store.Version
	err := c.updatePackage(ctx, repo, ref, func(q store.Queries) error {
		v, err := c.getVersion(ctx, q, repo, ref, version)
		if err != nil {
			return err
		}
		published := v.Meta.PublishedAt
		if err := update(&v.Meta); err != nil {
			return err
		}
		v.Meta.PublishedAt = published
		v.Revision = Revision(v.Meta, v.Assets)
		v.UpdatedAt = now
		out = v
		return q.UpdateVersion(ctx, v)
	})
	return out, err
}

// --- tags ---

// SetTag points a package tag (an npm dist-tag) at a version of the
// package in repo.
func (c *Catalog) SetTag(ctx context.Context, repo store.Repository, ref artifact.PackageRef, tag, version string) error {
	return c.updatePackage(ctx, repo, ref, func(q store.Queries) error {
		v, err := c.getVersion(ctx, q, repo, ref, version)
		if err != nil {
			return err
		}
		return q.SetPackageTag(ctx, v.PackageID, tag, version)
	})
}

// DeleteTag removes a package tag.
func (c *Catalog) DeleteTag(ctx context.Context, repo store.Repository, ref artifact.PackageRef, tag string) error {
	return c.updatePackage(ctx, repo, ref, func(q store.Queries) error {
		p, err := c.getPackage(ctx, q, repo, ref)
		if err != nil {
			return err
		}
		if err := q.DeletePackageTag(ctx, p.ID, tag); errors.Is(err, errkind.ErrNotFound) {
			return errkind.NotFoundf("Tag %s is not set on %s", tag, c.Display(ref))
		} else if err != nil {
			return err
		}
		return nil
	})
}

// --- batch operations on versions ---

// Error codes of the model's PackageVersionErrorCode.
const (
	ErrCodeAlreadyExists      = "ALREADY_EXISTS"
	ErrCodeMismatchedRevision = "MISMATCHED_REVISION"
	ErrCodeMismatchedStatus   = "MISMATCHED_STATUS"
	ErrCodeNotAllowed         = "NOT_ALLOWED"
	ErrCodeNotFound           = "NOT_FOUND"
	ErrCodeSkipped            = "SKIPPED"
)

// VersionResult is the outcome of a batch for one successful version.
type VersionResult struct {
	Revision string
	Status   artifact.Status
}

// VersionError is the outcome of a batch for one failed version.
type VersionError struct {
	Code    string
	Message string
}

// BatchResult is the outcome of a batch operation on versions.
type BatchResult struct {
	Successful map[string]VersionResult
	Failed     map[string]VersionError
}

// Batch names the versions a batch operation acts on, with optional
// expectations that must all hold for any of them to change.
type Batch struct {
	Ref       artifact.PackageRef
	Versions  []string
	Revisions map[string]string // version -> revision it must have
	Expected  artifact.Status   // "" for no expectation
}

// all returns the versions named by b: Versions, plus the keys of
// Revisions not among them.
func (b Batch) all() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range b.Versions {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	keys := make([]string, 0, len(b.Revisions))
	for v := range b.Revisions {
		keys = append(keys, v)
	}
	sort.Strings(keys)
	for _, v := range keys {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// runBatch finds each version of b in repo and checks it with check; if
// every version passes, apply runs on each in one transaction. Otherwise
// nothing changes: the failing versions report why and the others SKIPPED.
func (c *Catalog) runBatch(ctx context.Context, repo store.Repository, b Batch,
	check func(v store.Version) *VersionError,
	apply func(q store.Queries, v *store.Version) error) (BatchResult, error) {
	var res BatchResult
	err := c.updatePackage(ctx, repo, b.Ref, func(q store.Queries) error {
		// Anew if the store runs this again (store.Store.Update).
		res = BatchResult{Successful: map[string]VersionResult{}, Failed: map[string]VersionError{}}
		p, err := c.getPackage(ctx, q, repo, b.Ref)
		if err != nil {
			return err
		}
		names := b.all()
		found := make([]store.Version, 0, len(names))
		for _, name := range names {
			v, err := q.GetVersion(ctx, p.ID, name)
			if errors.Is(err, errkind.ErrNotFound) {
				res.Failed[name] = VersionError{ErrCodeNotFound, fmt.Sprintf("Could not find version %s", name)}
				continue
			}
			if err != nil {
				return err
			}
			if rev, ok := b.Revisions[name]; ok && rev != v.Revision {
				res.Failed[name] = VersionError{ErrCodeMismatchedRevision, fmt.Sprintf("current revision: %s, expected revision: %s", v.Revision, rev)}
				continue
			}
			if b.Expected != "" && v.Status != b.Expected {
				res.Failed[name] = VersionError{ErrCodeMismatchedStatus, fmt.Sprintf("current status: %s, expected status: %s", v.Status, b.Expected)}
				continue
			}
			if e := check(v); e != nil {
				res.Failed[name] = *e
				continue
			}
			found = append(found, v)
		}
		if len(res.Failed) > 0 {
			for _, v := range found {
				res.Failed[v.Version] = VersionError{ErrCodeSkipped, fmt.Sprintf("Version %s was skipped", v.Version)}
			}
			return nil
		}
		for i := range found {
			if err := apply(q, &found[i]); err != nil {
				return err
			}
			res.Successful[found[i].Version] = VersionResult{Revision: found[i].Revision, Status: found[i].Status}
		}
		return nil
	})
	return res, err
}

// UpdateStatus sets the status of versions to target: Published, Unlisted
// or Archived.
func (c *Catalog) UpdateStatus(ctx context.Context, repo store.Repository, b Batch, target artifact.Status) (BatchResult, error) {
	switch target {
	case artifact.Published, artifact.Unlisted, artifact.Archived:
	case artifact.Unfinished:
		return BatchResult{}, errkind.Validationf("Unfinished is not a valid target status: a version cannot return to Unfinished")
	case artifact.Disposed:
		return BatchResult{}, errkind.Validationf("Use DisposePackageVersions to dispose of package versions")
	default:
		return BatchResult{}, errkind.Validationf("%s is not a valid target status", target)
	}
	now := c.timestamp()
	return c.runBatch(ctx, repo, b, func(v store.Version) *VersionError {
		if v.Status == artifact.Disposed {
			return &VersionError{ErrCodeNotAllowed, fmt.Sprintf("Version %s is Disposed; a disposed version can only be deleted", v.Version)}
		}
		return nil
	}, func(q store.Queries, v *store.Version) error {
		v.Status, v.UpdatedAt = target, now
		return q.UpdateVersion(ctx, *v)
	})
}

// DisposeVersions marks versions Disposed and deletes their assets.
func (c *Catalog) DisposeVersions(ctx context.Context, repo store.Repository, b Batch) (BatchResult, error) {
	now := c.timestamp()
	return c.runBatch(ctx, repo, b, func(store.Version) *VersionError { return nil },
		func(q store.Queries, v *store.Version) error {
			if err := q.RemoveAssets(ctx, v.ID); err != nil {
				return err
			}
			v.Status, v.UpdatedAt, v.Assets = artifact.Disposed, now, nil
			return q.UpdateVersion(ctx, *v)
		})
}

// DeleteVersions deletes versions, and the tags that pointed at them.
func (c *Catalog) DeleteVersions(ctx context.Context, repo store.Repository, b Batch) (BatchResult, error) {
	return c.runBatch(ctx, repo, b, func(store.Version) *VersionError { return nil },
		func(q store.Queries, v *store.Version) error {
			if err := q.DeleteVersion(ctx, v.ID); err != nil {
				return err
			}
			if err := dropTagsOf(ctx, q, v.PackageID, v.Version); err != nil {
				return err
			}
			v.Status = artifact.Deleted
			return nil
		})
}

func dropTagsOf(ctx context.Context, q store.Queries, packageID int64, version string) error {
	tags, err := q.PackageTags(ctx, packageID)
	if err != nil {
		return err
	}
	for tag, v := range tags {
		if v == version {
			if err := q.DeletePackageTag(ctx, packageID, tag); err != nil {
				return err
			}
		}
	}
	return nil
}

// --- copying ---

// CopySource is where CopyPackageVersions finds versions: the source
// repository only, or (includeFromUpstream) its upstreams too.
type CopySource func(ctx context.Context, version string) (store.Version, map[string]string, bool, error)

// CopyRequest is a CopyPackageVersions call, resolved to repositories.
type CopyRequest struct {
	Ref            artifact.PackageRef
	Versions       []string
	Revisions      map[string]string
	AllowOverwrite bool
}

// Copy copies versions into dst, all or nothing. find looks a version up
// in the source (and its upstreams when asked) and returns it with the
// source package's tags. A version dst already has with the same revision
// is left alone and not reported; with another revision it fails with
// ALREADY_EXISTS unless AllowOverwrite. Tags that alias a copied version in
// the source are set in dst.
func (c *Catalog) Copy(ctx context.Context, dst store.Repository, req CopyRequest, find CopySource) (BatchResult, error) {
	res := BatchResult{Successful: map[string]VersionResult{}, Failed: map[string]VersionError{}}
	// A copy puts versions straight into dst, as a publish does: dst's
	// package group must allow publishing there.
	if err := c.CheckOrigin(ctx, dst, req.Ref, pkggroup.Publish); err != nil {
		return res, err
	}
	names := Batch{Versions: req.Versions, Revisions: req.Revisions}.all()
	type item struct {
		v    store.Version
		tags map[string]string
	}
	var found []item
	for _, name := range names {
		v, tags, ok, err := find(ctx, name)
		if err != nil {
			return res, err
		}
		switch {
		case !ok:
			res.Failed[name] = VersionError{ErrCodeNotFound, fmt.Sprintf("Could not find version %s", name)}
		case req.Revisions[name] != "" && req.Revisions[name] != v.Revision:
			res.Failed[name] = VersionError{ErrCodeMismatchedRevision, fmt.Sprintf("current revision: %s, expected revision: %s", v.Revision, req.Revisions[name])}
		case !v.Status.Downloadable():
			res.Failed[name] = VersionError{ErrCodeNotAllowed, fmt.Sprintf("Version %s is %s and cannot be copied", name, v.Status)}
		default:
			found = append(found, item{v, tags})
		}
	}
	skipRest := func() {
		for _, it := range found {
			if _, failed := res.Failed[it.v.Version]; !failed {
				res.Failed[it.v.Version] = VersionError{ErrCodeSkipped, fmt.Sprintf("Version %s was skipped", it.v.Version)}
			}
		}
	}
	if len(res.Failed) > 0 {
		skipRest()
		return res, nil
	}
	now := c.timestamp()
	err := c.updatePackage(ctx, dst, req.Ref, func(q store.Queries) error {
		// Anew if the store runs this again (store.Store.Update); nothing
		// had failed before it.
		res = BatchResult{Successful: map[string]VersionResult{}, Failed: map[string]VersionError{}}
		p := store.Package{RepositoryID: dst.ID, PackageRef: req.Ref, Origin: artifact.DefaultOriginConfig(true), CreatedAt: now}
		if _, err := q.EnsurePackage(ctx, &p); err != nil {
			return err
		}
		var todo []item
		for _, it := range found {
			cur, err := q.GetVersion(ctx, p.ID, it.v.Version)
			switch {
			case errors.Is(err, errkind.ErrNotFound):
				todo = append(todo, it)
			case err != nil:
				return err
			case cur.Revision == it.v.Revision:
				// Identical: nothing to do, and not reported (idempotent).
			case req.AllowOverwrite:
				if err := q.DeleteVersion(ctx, cur.ID); err != nil {
					return err
				}
				todo = append(todo, it)
			default:
				res.Failed[it.v.Version] = VersionError{ErrCodeAlreadyExists, fmt.Sprintf("Version %s already exists", it.v.Version)}
			}
		}
		if len(res.Failed) > 0 {
			skipRest()
			return errRollback // undo creating the package
		}
		for _, it := range todo {
			v := it.v
			v.ID, v.PackageID, v.CreatedAt, v.UpdatedAt = 0, p.ID, now, now
			if err := q.CreateVersion(ctx, dst.DomainID, &v); err != nil {
				return err
			}
			res.Successful[v.Version] = VersionResult{Revision: v.Revision, Status: v.Status}
		}
		// Tags follow every copied or already identical version.
		for _, it := range found {
			for tag, version := range it.tags {
				if version == it.v.Version {
					if err := q.SetPackageTag(ctx, p.ID, tag, version); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil && err != errRollback {
		return BatchResult{}, err
	}
	return res, nil
}

// errRollback ends a transaction that found nothing to do after writing.
var errRollback = errors.New("rollback")
