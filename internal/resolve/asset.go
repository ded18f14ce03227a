package resolve

import (
	"context"
	"fmt"
	"slices"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// AssetFetcher is the optional capability of a Connection whose versions
// are sets of files that clients ask for one at a time (Maven: the POM,
// the jar, its sources and javadoc, Gradle's module file): Ingest brings
// in what every client needs first, and FetchAsset each other file on its
// first request (User Guide, "Maven ingestion behavior").
type AssetFetcher interface {
	// FetchAsset downloads one file of a version into the blob store:
	// errkind.NotFound when the registry has no such file,
	// errkind.Unavailable when it cannot be reached in time.
	FetchAsset(ctx context.Context, ref artifact.PackageRef, version, name string) (artifact.Asset, error)
}

// Asset returns the asset name of a version available to repo, with the
// version. The version is retained (and ingested) as Version does; an
// asset that a version ingested through an external connection does not
// have yet is fetched through that connection, once however many requests
// ask at the same time, and kept in the repository holding the connection
// and in repo. Statuses are the caller's business: a version whose assets
// cannot be downloaded gets nothing fetched. The version is read-only, as
// SharedVersion's.
func (r *Resolver) Asset(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version, name string) (store.Version, artifact.Asset, error) {
	v, err := r.SharedVersion(ctx, repo, ref, version)
	if err != nil {
		return v, artifact.Asset{}, err
	}
	if a, ok := assetNamed(v.Assets, name); ok {
		return v, a, nil
	}
	missing := errkind.NotFoundf("Version %s of %s has no asset %s", version, r.cat.Display(ref), name).OnResource("asset", name)
	if v.Origin.Type != artifact.OriginExternal || !v.Status.Downloadable() {
		return v, artifact.Asset{}, missing
	}
	fetcher, ok := r.connections[v.Origin.ExternalConnection].(AssetFetcher)
	if !ok {
		return v, artifact.Asset{}, missing
	}
	order, err := r.searchOrder(ctx, repo)
	if err != nil {
		return v, artifact.Asset{}, err
	}
	var holder *store.Repository
	for _, n := range order {
		if slices.Contains(n.repo.ExternalConnections, v.Origin.ExternalConnection) {
			holder = &n.repo
			break
		}
	}
	if holder == nil {
		// The connection is no longer reachable from repo: what was
		// retained is all there is.
		return v, artifact.Asset{}, missing
	}
	a, err := r.fetchAsset(ctx, *holder, fetcher, ref, version, name, v.Origin.ExternalConnection)
	if err != nil {
		return v, artifact.Asset{}, err
	}
	if holder.ID == repo.ID {
		v.Assets = append(slices.Clip(v.Assets), a)
		return v, a, nil
	}
	if v, err = r.cat.AddIngestedAssets(ctx, repo, ref, version, []artifact.Asset{a}); err != nil {
		return v, artifact.Asset{}, err
	}
	return v, a, nil
}

// fetchAsset fetches one asset into the version held by the repository
// of the connection, once for all concurrent requests, finishing even if
// the requests that started it go away.
func (r *Resolver) fetchAsset(ctx context.Context, holder store.Repository, fetcher AssetFetcher, ref artifact.PackageRef, version, name, connection string) (artifact.Asset, error) {
	key := fmt.Sprintf("asset\x00%d\x00%s\x00%s\x00%s\x00%s\x00%s", holder.ID, ref.Format, ref.Namespace, ref.Name, version, name)
	ch := r.ingests.DoChan(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
		defer cancel()
		held, err := r.cat.Version(ctx, holder, ref, version)
		if err != nil {
			return nil, err
		}
		if a, ok := assetNamed(held.Assets, name); ok {
			return a, nil // fetched by an earlier request
		}
		a, err := fetcher.FetchAsset(ctx, ref, version, name)
		if err != nil {
			return nil, err
		}
		if _, err := r.cat.AddIngestedAssets(ctx, holder, ref, version, []artifact.Asset{a}); err != nil {
			return nil, err
		}
		return a, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return artifact.Asset{}, res.Err
		}
		return res.Val.(artifact.Asset), nil
	case <-ctx.Done():
		return artifact.Asset{}, errkind.Wrap(errkind.Unavailable, ctx.Err(), "gave up waiting for %s to fetch %s of %s %s", connection, name, r.cat.Display(ref), version)
	}
}

func assetNamed(as []artifact.Asset, name string) (artifact.Asset, bool) {
	for _, a := range as {
		if a.Name == name {
			return a, true
		}
	}
	return artifact.Asset{}, false
}
