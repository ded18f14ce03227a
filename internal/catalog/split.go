package catalog

import (
	"context"
	"errors"
	"slices"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// AddIngestedAssets adds assets fetched through an external connection to
// a version of repo that was ingested (or retained) before: formats whose
// clients ask for a version's files one at a time (Maven) ingest each file
// on its first request. Unlike a publication it ignores the package's
// publish restriction, since nothing is published. An asset the version
// has with the same bytes is skipped; with other bytes it is a Conflict.
func (c *Catalog) AddIngestedAssets(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string, add []artifact.Asset) (store.Version, error) {
	now := c.timestamp()
	var out store.Version
	err := c.updatePackage(ctx, repo, ref, func(q store.Queries) error {
		v, err := c.getVersion(ctx, q, repo, ref, version)
		if err != nil {
			return err
		}
		changed := false
		for _, a := range add {
			i := slices.IndexFunc(v.Assets, func(x artifact.Asset) bool { return x.Name == a.Name })
			switch {
			case i >= 0 && v.Assets[i].SHA256 == a.SHA256:
				continue
			case i >= 0:
				return errkind.Conflictf("Asset %s of version %s of %s already exists with different content", a.Name, version, c.Display(ref)).OnResource("asset", a.Name)
			case len(v.Assets) >= MaxAssetsPerVersion:
				return errkind.Quotaf("A package version can have at most %d assets", MaxAssetsPerVersion)
			}
			if err := q.AddAsset(ctx, repo.DomainID, v.ID, a); err != nil {
				return err
			}
			v.Assets = append(v.Assets, a)
			changed = true
		}
		out = v
		if !changed {
			return nil
		}
		out.Revision = Revision(v.Meta, v.Assets)
		out.UpdatedAt = now
		return q.UpdateVersion(ctx, out)
	})
	return out, err
}

// Split moves some assets of a version into versions of their own, in one
// transaction: Maven keeps each earlier build of a SNAPSHOT as a version
// named after the build once a later build is published (User Guide, "Use
// Maven snapshots").
type Split struct {
	Ref     artifact.PackageRef
	Version string
	// Moves maps a version to the names of the assets of Version that move
	// into it. A version that does not exist yet is created with
	// MovedStatus and Version's metadata and origin; an existing one gets
	// the assets it does not have.
	Moves       map[string][]string
	MovedStatus artifact.Status
	// Replace are assets set on Version whatever it had under their names
	// (a SNAPSHOT's metadata file, which every build rewrites).
	Replace []artifact.Asset
	// Publish turns an Unfinished Version Published.
	Publish bool
}

// SplitVersion applies s to a version of repo and returns the version as it
// is after.
func (c *Catalog) SplitVersion(ctx context.Context, repo store.Repository, s Split) (store.Version, error) {
	now := c.timestamp()
	var out store.Version
	err := c.updatePackage(ctx, repo, s.Ref, func(q store.Queries) error {
		v, err := c.getVersion(ctx, q, repo, s.Ref, s.Version)
		if err != nil {
			return err
		}
		moving := map[string]bool{}
		for target, names := range s.Moves {
			if target == s.Version {
				continue
			}
			var moved []artifact.Asset
			for _, a := range v.Assets {
				if slices.Contains(names, a.Name) {
					moved = append(moved, a)
					moving[a.Name] = true
				}
			}
			if len(moved) == 0 {
				continue
			}
			if err := c.moveInto(ctx, q, repo, v, target, moved, s.MovedStatus); err != nil {
				return err
			}
		}
		replaced := map[string]bool{}
		for _, a := range s.Replace {
			replaced[a.Name] = true
		}
		var keep []artifact.Asset
		for _, a := range v.Assets {
			if !moving[a.Name] && !replaced[a.Name] {
				keep = append(keep, a)
			}
		}
		keep = append(keep, s.Replace...)
		if len(keep) > MaxAssetsPerVersion {
			return errkind.Quotaf("A package version can have at most %d assets", MaxAssetsPerVersion)
		}
		// The moved assets were added to their versions above, so their
		// digests stay counted in the domain while this version lets go.
		if err := q.RemoveAssets(ctx, v.ID); err != nil {
			return err
		}
		for _, a := range keep {
			if err := q.AddAsset(ctx, repo.DomainID, v.ID, a); err != nil {
				return err
			}
		}
		v.Assets = keep
		if s.Publish && v.Status == artifact.Unfinished {
			v.Status = artifact.Published
		}
		v.Revision = Revision(v.Meta, v.Assets)
		v.UpdatedAt = now
		out = v
		return q.UpdateVersion(ctx, v)
	})
	return out, err
}

// moveInto gives target (created if missing) the moved assets of from.
func (c *Catalog) moveInto(ctx context.Context, q store.Queries, repo store.Repository, from store.Version, target string, moved []artifact.Asset, status artifact.Status) error {
	now := c.timestamp()
	existing, err := q.GetVersion(ctx, from.PackageID, target)
	switch {
	case errors.Is(err, errkind.ErrNotFound):
		meta := from.Meta
		meta.PublishedAt = now
		nv := store.Version{
			PackageID: from.PackageID, Version: target, Status: status,
			Revision: Revision(meta, moved), Origin: from.Origin, Meta: meta,
			Assets: moved, CreatedAt: now, UpdatedAt: now,
		}
		return q.CreateVersion(ctx, repo.DomainID, &nv)
	case err != nil:
		return err
	}
	for _, a := range moved {
		if slices.ContainsFunc(existing.Assets, func(x artifact.Asset) bool { return x.Name == a.Name }) {
			continue
		}
		if err := q.AddAsset(ctx, repo.DomainID, existing.ID, a); err != nil {
			return err
		}
		existing.Assets = append(existing.Assets, a)
	}
	existing.Revision = Revision(existing.Meta, existing.Assets)
	existing.UpdatedAt = now
	return q.UpdateVersion(ctx, existing)
}
