package controlapi

import (
	"net/http"
	"strings"
	"unicode"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// publishOutput is PublishPackageVersion's output.
type publishOutput struct {
	Format          string       `json:"format"`
	Namespace       string       `json:"namespace,omitempty"`
	Package         string       `json:"package"`
	Version         string       `json:"version"`
	VersionRevision string       `json:"versionRevision"`
	Status          string       `json:"status"`
	Asset           assetSummary `json:"asset"`
}

// publishPackageVersion serves PublishPackageVersion, which publishes one
// asset of a generic package version per call (the model: "Only generic
// packages can be published using this API").
//
// The asset streams from the request body into the blob store while every
// digest is computed; the body must hash to x-amz-content-sha256 (the
// authenticator fails the read at its end otherwise, and assets.Store
// checks it again), or nothing is stored. Then the version is recorded
// through the resolver, which refuses a version reachable upstream (409).
//
// Publishing another asset to an Unfinished version adds it; once the
// version is Published (a publish without unfinished), no asset can be
// added. The same name with the same bytes again succeeds and changes
// nothing; the same name with other bytes is a Conflict (User Guide,
// "Overwriting package assets").
func (a *API) publishPackageVersion(w http.ResponseWriter, r *http.Request, c *call) error {
	var in struct {
		versionInput
		AssetName   string `json:"assetName"`
		AssetSHA256 string `json:"assetSHA256"`
		Unfinished  bool   `json:"unfinished"`
	}
	if err := a.bind(c.op, r, &in); err != nil {
		return err
	}
	if !a.cfg.Formats.PublishedByAPI(artifact.Format(in.Format)) {
		return errkind.Validationf("PublishPackageVersion publishes generic packages only, not %s; publish %s packages with the package manager", in.Format, in.Format)
	}
	if err := checkAssetName(in.AssetName); err != nil {
		return err
	}
	ctx := r.Context()
	repo, ref, err := a.packageCall(ctx, c, in.packageInput)
	if err != nil {
		return err
	}
	if r.ContentLength > assets.MaxSize {
		return errkind.Quotaf("Asset %s is %d bytes; an asset can be at most %d bytes", in.AssetName, r.ContentLength, int64(assets.MaxSize))
	}
	// Refuse what can be refused before reading the bytes: a package
	// blocking publication, a version reachable upstream. Publish checks
	// both again once the bytes are stored.
	if p, err := a.catalog.Package(ctx, repo, ref); err == nil && p.Origin.Publish == artifact.Block {
		return errkind.Deniedf("Publishing %s to repository %s is blocked by the package's origin configuration (publish=BLOCK)", ref, repo.Name)
	}
	if err := a.res.CheckPublish(ctx, repo, ref, in.PackageVersion); err != nil {
		return err
	}
	asset, err := assets.Store(ctx, a.blobs, in.AssetName, r.Body, assets.Expect{SHA256: in.AssetSHA256, Size: r.ContentLength}, 0)
	if err != nil {
		return err
	}
	v, err := a.res.Publish(ctx, repo, catalog.Publication{
		Ref: ref, Version: in.PackageVersion, Assets: []artifact.Asset{asset},
		Unfinished: in.Unfinished, AddAssets: catalog.AddWhileUnfinished,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &publishOutput{
		Format: string(ref.Format), Namespace: ref.Namespace, Package: ref.Name,
		Version: v.Version, VersionRevision: v.Revision, Status: string(v.Status),
		Asset: assetSummaryOf(asset),
	})
}

// assetNamePunctuation is what an asset name may hold besides Unicode
// letters and numbers (the model's AssetName documentation: "~ ! @ ^ & ( )
// - ` _ + [ ] { } ; , .").
const assetNamePunctuation = "~!@^&()-`_+[]{};,."

// checkAssetName applies the model's documented asset name rule, which is
// stricter than the pattern it declares (\P{C}+, checked by bind): no
// spaces, slashes or other punctuation.
func checkAssetName(name string) error {
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune(assetNamePunctuation, r) {
			return errkind.Validationf("Asset name %q has the character %q; asset names can hold Unicode letters and numbers and %s", name, r, assetNamePunctuation)
		}
	}
	return nil
}
