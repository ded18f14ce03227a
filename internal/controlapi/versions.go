package controlapi

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// versionInput names a package version.
type versionInput struct {
	packageInput
	PackageVersion string `json:"packageVersion"`
}

// versionCall authorizes the call and finds the version.
func (a *API) versionCall(ctx context.Context, c *call, in versionInput) (artifact.PackageRef, store.Version, error) {
	repo, ref, err := a.packageCall(ctx, c, in.packageInput)
	if err != nil {
		return ref, store.Version{}, err
	}
	v, err := a.catalog.Version(ctx, repo, ref, a.cfg.Formats.NormalizeVersion(ref.Format, in.PackageVersion))
	return ref, v, err
}

// --- shapes ---

// domainEntryPoint is the model's DomainEntryPoint.
type domainEntryPoint struct {
	RepositoryName         string `json:"repositoryName,omitempty"`
	ExternalConnectionName string `json:"externalConnectionName,omitempty"`
}

// packageVersionOrigin is the model's PackageVersionOrigin.
type packageVersionOrigin struct {
	DomainEntryPoint *domainEntryPoint `json:"domainEntryPoint,omitempty"`
	OriginType       string            `json:"originType"`
}

func originOf(o artifact.Origin) *packageVersionOrigin {
	out := &packageVersionOrigin{OriginType: string(o.Type)}
	if o.Type == "" {
		out.OriginType = string(artifact.OriginUnknown)
	}
	if o.Repository != "" || o.ExternalConnection != "" {
		out.DomainEntryPoint = &domainEntryPoint{RepositoryName: o.Repository, ExternalConnectionName: o.ExternalConnection}
	}
	return out
}

// packageVersionSummary is the model's PackageVersionSummary.
type packageVersionSummary struct {
	Version  string                `json:"version"`
	Revision string                `json:"revision,omitempty"`
	Status   string                `json:"status"`
	Origin   *packageVersionOrigin `json:"origin"`
}

// licenseInfo is the model's LicenseInfo.
type licenseInfo struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

// packageVersionDescription is the model's PackageVersionDescription.
type packageVersionDescription struct {
	Format               string                `json:"format"`
	Namespace            string                `json:"namespace,omitempty"`
	PackageName          string                `json:"packageName"`
	DisplayName          string                `json:"displayName,omitempty"`
	Version              string                `json:"version"`
	Summary              string                `json:"summary,omitempty"`
	HomePage             string                `json:"homePage,omitempty"`
	SourceCodeRepository string                `json:"sourceCodeRepository,omitempty"`
	PublishedTime        *epoch                `json:"publishedTime,omitempty"`
	Licenses             []licenseInfo         `json:"licenses"`
	Revision             string                `json:"revision"`
	Status               string                `json:"status"`
	Origin               *packageVersionOrigin `json:"origin"`
}

// assetSummary is the model's AssetSummary; hashes are keyed by the
// model's HashAlgorithm names.
type assetSummary struct {
	Name   string            `json:"name"`
	Size   int64             `json:"size"`
	Hashes map[string]string `json:"hashes"`
}

func assetSummaryOf(as artifact.Asset) assetSummary {
	h := map[string]string{}
	for alg, v := range map[string]string{"MD5": as.MD5, "SHA-1": as.SHA1, "SHA-256": as.SHA256, "SHA-512": as.SHA512} {
		if v != "" {
			h[alg] = v
		}
	}
	return assetSummary{Name: as.Name, Size: as.Size, Hashes: h}
}

// versionHeader is the part of several outputs that names the version.
type versionHeader struct {
	Format          string `json:"format"`
	Namespace       string `json:"namespace,omitempty"`
	Package         string `json:"package"`
	Version         string `json:"version"`
	VersionRevision string `json:"versionRevision"`
}

func versionHeaderOf(ref artifact.PackageRef, v store.Version) versionHeader {
	return versionHeader{Format: string(ref.Format), Namespace: ref.Namespace, Package: ref.Name, Version: v.Version, VersionRevision: v.Revision}
}

// --- ListPackageVersions ---

type listPackageVersionsOutput struct {
	DefaultDisplayVersion string                  `json:"defaultDisplayVersion,omitempty"`
	Format                string                  `json:"format"`
	Namespace             string                  `json:"namespace,omitempty"`
	Package               string                  `json:"package"`
	Versions              []packageVersionSummary `json:"versions"`
	NextToken             string                  `json:"nextToken,omitempty"`
}

// versionKey is where a version sorts in a listing.
type versionKey struct {
	version   string
	published time.Time
}

// versionOrder returns the order of a listing: with sortBy
// PUBLISHED_TIME the most recently published first, otherwise by the
// format's version order, highest first (the User Guide's examples).
func (a *API) versionOrder(f artifact.Format, sortBy string) func(a, b versionKey) int {
	byVersion := func(x, y versionKey) int {
		if c := a.cfg.Formats.CompareVersions(f, y.version, x.version); c != 0 {
			return c
		}
		return strings.Compare(y.version, x.version)
	}
	if sortBy != "PUBLISHED_TIME" {
		return byVersion
	}
	return func(a, b versionKey) int {
		if c := b.published.Compare(a.published); c != 0 {
			return c
		}
		return byVersion(a, b)
	}
}

// listPackageVersions serves ListPackageVersions. Without a status
// filter every status is listed, as the model documents ("Package versions
// of all statuses will be returned by default").
func (a *API) listPackageVersions(ctx context.Context, c *call, in *struct {
	packageInput
	Status     string `json:"status"`
	SortBy     string `json:"sortBy"`
	OriginType string `json:"originType"`
	listInput
}) (*listPackageVersionsOutput, error) {
	repo, ref, err := a.packageCall(ctx, c, in.packageInput)
	if err != nil {
		return nil, err
	}
	filters := strings.Join([]string{repo.DomainOwner, repo.DomainName, repo.Name, string(ref.Format), ref.Namespace, ref.Name, in.Status, in.SortBy, in.OriginType}, "\x00")
	cur, err := a.openToken(c, filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	_, vs, tags, err := a.catalog.PackageVersions(ctx, repo, ref)
	if err != nil {
		return nil, err
	}
	out := &listPackageVersionsOutput{
		DefaultDisplayVersion: a.defaultDisplayVersion(ref.Format, vs, tags),
		Format:                string(ref.Format), Namespace: ref.Namespace, Package: ref.Name,
		Versions: []packageVersionSummary{},
	}
	order := a.versionOrder(ref.Format, in.SortBy)
	key := func(v store.Version) versionKey { return versionKey{v.Version, v.Meta.PublishedAt} }
	vs = slices.DeleteFunc(vs, func(v store.Version) bool {
		return (in.Status != "" && string(v.Status) != in.Status) ||
			(in.OriginType != "" && string(originOf(v.Origin).OriginType) != in.OriginType)
	})
	slices.SortFunc(vs, func(x, y store.Version) int { return order(key(x), key(y)) })
	if in.NextToken != "" {
		// Resume strictly after the last version of the previous page, by
		// its sort key, so versions deleted or added meanwhile do not shift
		// the pages.
		after := versionKey{cur.Name, time.UnixMilli(cur.ID).UTC()}
		i, _ := slices.BinarySearchFunc(vs, after, func(v store.Version, k versionKey) int { return order(key(v), k) })
		for i < len(vs) && order(key(vs[i]), after) <= 0 {
			i++
		}
		vs = vs[i:]
	}
	limit := pageSize(in.MaxResults)
	if len(vs) > limit {
		vs = vs[:limit]
		last := vs[limit-1]
		out.NextToken = a.nextToken(c, filters, cursor{Name: last.Version, ID: last.Meta.PublishedAt.UnixMilli()})
	}
	for _, v := range vs {
		out.Versions = append(out.Versions, packageVersionSummary{Version: v.Version, Revision: v.Revision, Status: string(v.Status), Origin: originOf(v.Origin)})
	}
	return out, nil
}

// defaultDisplayVersion is the User Guide's rule ("Default display
// version"): the version the format's latest tag (npm's "latest") points
// at, if set; otherwise, and for formats without tags, the most recently
// published version. Only Published versions count as published here: an
// Unfinished, Unlisted, Archived or Disposed version is not what a user
// should be shown first. With none, the member is left out.
func (a *API) defaultDisplayVersion(f artifact.Format, vs []store.Version, tags map[string]string) string {
	if tag := a.cfg.Formats.LatestTag(f); tag != "" && tags[tag] != "" {
		for _, v := range vs {
			if v.Version == tags[tag] {
				return v.Version
			}
		}
	}
	var best *store.Version
	order := a.versionOrder(f, "PUBLISHED_TIME")
	for i, v := range vs {
		if v.Status != artifact.Published {
			continue
		}
		if best == nil || order(versionKey{v.Version, v.Meta.PublishedAt}, versionKey{best.Version, best.Meta.PublishedAt}) < 0 {
			best = &vs[i]
		}
	}
	if best == nil {
		return ""
	}
	return best.Version
}

// --- DescribePackageVersion ---

type describePackageVersionOutput struct {
	PackageVersion packageVersionDescription `json:"packageVersion"`
}

// describePackageVersion serves DescribePackageVersion.
func (a *API) describePackageVersion(ctx context.Context, c *call, in *versionInput) (*describePackageVersionOutput, error) {
	ref, v, err := a.versionCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	d := packageVersionDescription{
		Format: string(ref.Format), Namespace: ref.Namespace, PackageName: ref.Name,
		DisplayName: v.Meta.DisplayName, Version: v.Version,
		Summary: v.Meta.Summary, HomePage: v.Meta.HomePage, SourceCodeRepository: v.Meta.SourceCodeRepository,
		Licenses: []licenseInfo{}, Revision: v.Revision, Status: string(v.Status), Origin: originOf(v.Origin),
	}
	if d.DisplayName == "" {
		d.DisplayName = ref.Name
	}
	if !v.Meta.PublishedAt.IsZero() {
		t := epoch(v.Meta.PublishedAt)
		d.PublishedTime = &t
	}
	for _, l := range v.Meta.Licenses {
		d.Licenses = append(d.Licenses, licenseInfo{Name: l.Name, URL: l.URL})
	}
	return &describePackageVersionOutput{d}, nil
}

// --- ListPackageVersionAssets ---

type listPackageVersionAssetsOutput struct {
	versionHeader
	Assets    []assetSummary `json:"assets"`
	NextToken string         `json:"nextToken,omitempty"`
}

// listPackageVersionAssets serves ListPackageVersionAssets, by asset name.
func (a *API) listPackageVersionAssets(ctx context.Context, c *call, in *struct {
	versionInput
	listInput
}) (*listPackageVersionAssetsOutput, error) {
	ref, v, err := a.versionCall(ctx, c, in.versionInput)
	if err != nil {
		return nil, err
	}
	rc := in.ref(c)
	filters := strings.Join([]string{rc.Owner, rc.DomainRef.Name, rc.Name, string(ref.Format), ref.Namespace, ref.Name, v.Version}, "\x00")
	cur, err := a.openToken(c, filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	as := slices.SortedFunc(slices.Values(v.Assets), func(x, y artifact.Asset) int { return cmp.Compare(x.Name, y.Name) })
	if in.NextToken != "" {
		i, found := slices.BinarySearchFunc(as, cur.Name, func(x artifact.Asset, name string) int { return cmp.Compare(x.Name, name) })
		if found {
			i++
		}
		as = as[i:]
	}
	out := &listPackageVersionAssetsOutput{versionHeader: versionHeaderOf(ref, v), Assets: []assetSummary{}}
	limit := pageSize(in.MaxResults)
	if len(as) > limit {
		as = as[:limit]
		out.NextToken = a.nextToken(c, filters, cursor{Name: as[limit-1].Name})
	}
	for _, x := range as {
		out.Assets = append(out.Assets, assetSummaryOf(x))
	}
	return out, nil
}

// --- GetPackageVersionAsset ---

// getPackageVersionAsset serves GetPackageVersionAsset: the asset's bytes
// as the body, its name, version and revision in the X-* headers the
// clients read (docs/CLIENTS.md §1.3).
//
// A revision that is not the version's current one names nothing:
// ResourceNotFoundException. Only Published and Unlisted versions
// download (User Guide, "Package version status"); for the others the
// version exists but its state forbids the download, which the model's
// ConflictException for this operation says: Unfinished (not complete),
// Archived (restorable), Disposed (assets deleted).
func (a *API) getPackageVersionAsset(w http.ResponseWriter, r *http.Request, c *call) error {
	var in struct {
		versionInput
		Asset                  string `json:"asset"`
		PackageVersionRevision string `json:"packageVersionRevision"`
	}
	if err := a.bind(c.op, r, &in); err != nil {
		return err
	}
	ref, v, err := a.versionCall(r.Context(), c, in.versionInput)
	if err != nil {
		return err
	}
	if in.PackageVersionRevision != "" && in.PackageVersionRevision != v.Revision {
		return errkind.NotFoundf("Version %s of %s has no revision %s", v.Version, a.cfg.Formats.Display(ref), in.PackageVersionRevision).OnResource("package-version", v.Version)
	}
	if !v.Status.Downloadable() {
		return errkind.Conflictf("Version %s of %s is %s; only Published and Unlisted versions can be downloaded", v.Version, a.cfg.Formats.Display(ref), v.Status).OnResource("package-version", v.Version)
	}
	i := slices.IndexFunc(v.Assets, func(x artifact.Asset) bool { return x.Name == in.Asset })
	if i < 0 {
		return errkind.NotFoundf("Version %s of %s has no asset %s", v.Version, a.cfg.Formats.Display(ref), in.Asset).OnResource("asset", in.Asset)
	}
	// Keys in canonical form, as Set would make them on every call; the
	// three values share one allocation.
	h := w.Header()
	vals := &[3]string{in.Asset, v.Version, v.Revision}
	h["X-Assetname"] = vals[0:1:1]
	h["X-Packageversion"] = vals[1:2:2]
	h["X-Packageversionrevision"] = vals[2:3:3]
	h["Content-Type"] = octetStream
	// As a package endpoint's download: small assets from memory in one
	// write, others with sendfile; Range honoured.
	return assets.Stream(w, r, a.blobs, v.Assets[i])
}

var octetStream = []string{"application/octet-stream"}

// --- GetPackageVersionReadme ---

type readmeOutput struct {
	versionHeader
	Readme string `json:"readme"`
}

// getPackageVersionReadme serves GetPackageVersionReadme.
func (a *API) getPackageVersionReadme(ctx context.Context, c *call, in *versionInput) (*readmeOutput, error) {
	ref, v, err := a.versionCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	return &readmeOutput{versionHeaderOf(ref, v), v.Meta.Readme}, nil
}

// --- ListPackageVersionDependencies ---

// packageDependency is the model's PackageDependency.
type packageDependency struct {
	Namespace          string `json:"namespace,omitempty"`
	Package            string `json:"package"`
	DependencyType     string `json:"dependencyType,omitempty"`
	VersionRequirement string `json:"versionRequirement,omitempty"`
}

type dependenciesOutput struct {
	versionHeader
	Dependencies []packageDependency `json:"dependencies"`
	NextToken    string              `json:"nextToken,omitempty"`
}

// listPackageVersionDependencies serves ListPackageVersionDependencies.
// The operation has no maxResults: every dependency comes in one page, so
// this server never hands out a nextToken (and refuses one it did not
// seal).
func (a *API) listPackageVersionDependencies(ctx context.Context, c *call, in *struct {
	versionInput
	NextToken string `json:"nextToken"`
}) (*dependenciesOutput, error) {
	if _, err := a.openToken(c, "", in.NextToken); err != nil {
		return nil, err
	}
	ref, v, err := a.versionCall(ctx, c, in.versionInput)
	if err != nil {
		return nil, err
	}
	out := &dependenciesOutput{versionHeader: versionHeaderOf(ref, v), Dependencies: []packageDependency{}}
	for _, d := range v.Meta.Dependencies {
		out.Dependencies = append(out.Dependencies, packageDependency{Namespace: d.Namespace, Package: d.Package, DependencyType: d.DependencyType, VersionRequirement: d.VersionRange})
	}
	return out, nil
}

// --- batch operations ---

// successfulVersionInfo is the model's SuccessfulPackageVersionInfo.
type successfulVersionInfo struct {
	Revision string `json:"revision,omitempty"`
	Status   string `json:"status"`
}

// packageVersionError is the model's PackageVersionError.
type packageVersionError struct {
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

// batchOutput is the output of the batch operations on versions: what
// failed is reported here, never as an error.
type batchOutput struct {
	SuccessfulVersions map[string]successfulVersionInfo `json:"successfulVersions"`
	FailedVersions     map[string]packageVersionError   `json:"failedVersions"`
}

func batchOutputOf(res catalog.BatchResult) *batchOutput {
	out := &batchOutput{SuccessfulVersions: map[string]successfulVersionInfo{}, FailedVersions: map[string]packageVersionError{}}
	for v, r := range res.Successful {
		out.SuccessfulVersions[v] = successfulVersionInfo{Revision: r.Revision, Status: string(r.Status)}
	}
	for v, e := range res.Failed {
		out.FailedVersions[v] = packageVersionError{ErrorCode: e.Code, ErrorMessage: e.Message}
	}
	return out
}

// batchInput is what UpdatePackageVersionsStatus, DeletePackageVersions
// and DisposePackageVersions share.
type batchInput struct {
	packageInput
	Versions         []string          `json:"versions"`
	VersionRevisions map[string]string `json:"versionRevisions"`
	ExpectedStatus   string            `json:"expectedStatus"`
}

func (a *API) batch(in batchInput, ref artifact.PackageRef) catalog.Batch {
	return catalog.Batch{Ref: ref, Versions: a.normalizeVersions(ref.Format, in.Versions), Revisions: a.normalizeRevisions(ref.Format, in.VersionRevisions), Expected: artifact.Status(in.ExpectedStatus)}
}

// updatePackageVersionsStatus serves UpdatePackageVersionsStatus: all or
// nothing, as the User Guide describes the current implementation.
// Unfinished and Disposed are not targets (ValidationException).
func (a *API) updatePackageVersionsStatus(ctx context.Context, c *call, in *struct {
	batchInput
	TargetStatus string `json:"targetStatus"`
}) (*batchOutput, error) {
	repo, ref, err := a.packageCall(ctx, c, in.packageInput)
	if err != nil {
		return nil, err
	}
	res, err := a.catalog.UpdateStatus(ctx, repo, a.batch(in.batchInput, ref), artifact.Status(in.TargetStatus))
	if err != nil {
		return nil, err
	}
	return batchOutputOf(res), nil
}

// deletePackageVersions serves DeletePackageVersions.
func (a *API) deletePackageVersions(ctx context.Context, c *call, in *batchInput) (*batchOutput, error) {
	repo, ref, err := a.packageCall(ctx, c, in.packageInput)
	if err != nil {
		return nil, err
	}
	res, err := a.catalog.DeleteVersions(ctx, repo, a.batch(*in, ref))
	if err != nil {
		return nil, err
	}
	return batchOutputOf(res), nil
}

// disposePackageVersions serves DisposePackageVersions: the versions
// become Disposed and their assets leave the domain (its assetSizeBytes
// drops by the bytes no other version references). The bytes themselves
// stay in the blob store until the sweep removes unreferenced blobs.
func (a *API) disposePackageVersions(ctx context.Context, c *call, in *batchInput) (*batchOutput, error) {
	repo, ref, err := a.packageCall(ctx, c, in.packageInput)
	if err != nil {
		return nil, err
	}
	res, err := a.catalog.DisposeVersions(ctx, repo, a.batch(*in, ref))
	if err != nil {
		return nil, err
	}
	return batchOutputOf(res), nil
}

// --- CopyPackageVersions ---

// copyPackageVersions serves CopyPackageVersions between two repositories
// of one domain. The caller needs ReadFromRepository on the source
// repository and CopyPackageVersions on the package in the destination
// (User Guide, "Required IAM permissions to copy packages").
func (a *API) copyPackageVersions(ctx context.Context, c *call, in *struct {
	domainInput
	SourceRepository      string            `json:"sourceRepository"`
	DestinationRepository string            `json:"destinationRepository"`
	Format                string            `json:"format"`
	Namespace             string            `json:"namespace"`
	Package               string            `json:"package"`
	Versions              []string          `json:"versions"`
	VersionRevisions      map[string]string `json:"versionRevisions"`
	AllowOverwrite        bool              `json:"allowOverwrite"`
	IncludeFromUpstream   bool              `json:"includeFromUpstream"`
}) (*batchOutput, error) {
	// Looked up as the format keys packages, like the other operations.
	ref := a.cfg.Formats.Normalize(artifact.PackageRef{Format: artifact.Format(in.Format), Namespace: in.Namespace, Name: in.Package})
	if err := a.checkNamespace(ref); err != nil {
		return nil, err
	}
	switch {
	case len(in.Versions) > 0 && len(in.VersionRevisions) > 0:
		return nil, errkind.Validationf("Specify versions or versionRevisions, not both")
	case len(in.Versions) == 0 && len(in.VersionRevisions) == 0:
		return nil, errkind.Validationf("Specify the versions to copy in versions or versionRevisions")
	}
	domain := in.domainInput.ref(c)
	srcRef := catalog.RepositoryRef{DomainRef: domain, Name: in.SourceRepository}
	dstRef := catalog.RepositoryRef{DomainRef: domain, Name: in.DestinationRepository}
	if err := a.authorize(ctx, c, "codeartifact:ReadFromRepository", a.repositoryARN(srcRef)); err != nil {
		return nil, err
	}
	if err := a.authorize(ctx, c, "codeartifact:CopyPackageVersions", a.packageARN(dstRef, ref)); err != nil {
		return nil, err
	}
	src, err := a.catalog.Repository(ctx, srcRef)
	if err != nil {
		return nil, err
	}
	dst, err := a.catalog.Repository(ctx, dstRef)
	if err != nil {
		return nil, err
	}
	if !in.IncludeFromUpstream {
		// The package itself must be in the source repository; a missing
		// version of it is a NOT_FOUND in failedVersions.
		if _, err := a.catalog.Package(ctx, src, ref); err != nil {
			return nil, err
		}
	}
	res, err := a.catalog.Copy(ctx, dst, catalog.CopyRequest{
		Ref: ref, Versions: a.normalizeVersions(ref.Format, in.Versions), Revisions: a.normalizeRevisions(ref.Format, in.VersionRevisions), AllowOverwrite: in.AllowOverwrite,
	}, a.res.CopySource(src, ref, in.IncludeFromUpstream))
	if err != nil {
		return nil, err
	}
	return batchOutputOf(res), nil
}

// normalizeVersions returns versions as format f keys them (PyPI versions
// in their PEP 440 normal form).
func (a *API) normalizeVersions(f artifact.Format, versions []string) []string {
	out := make([]string, len(versions))
	for i, v := range versions {
		out[i] = a.cfg.Formats.NormalizeVersion(f, v)
	}
	return out
}

// normalizeRevisions is normalizeVersions for a version-to-revision map.
func (a *API) normalizeRevisions(f artifact.Format, revisions map[string]string) map[string]string {
	if revisions == nil {
		return nil
	}
	out := make(map[string]string, len(revisions))
	for v, r := range revisions {
		out[a.cfg.Formats.NormalizeVersion(f, v)] = r
	}
	return out
}
