package catalog

import (
	"context"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// VersionFromStore reads a version from the store, as Version does when
// its cache misses.
func (c *Catalog) VersionFromStore(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string) (store.Version, error) {
	return c.getVersion(ctx, c.st, repo, ref, version)
}
