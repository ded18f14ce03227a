package store

import (
	"context"

	"github.com/arcahq/arca/internal/artifact"
)

// RepositoryVersion is a version with the repository its package is in.
type RepositoryVersion struct {
	RepositoryID int64
	Version
}

// SourceURLs stores the source code repository URLs each version declares,
// as its format normalises them, so that the packages naming a URL are
// found without reading every version. Deleting a version deletes its
// URLs; a version's status is read at lookup time.
type SourceURLs interface {
	// SetSourceURLs replaces the URLs of a version of a package of a
	// repository (none: the version declares none).
	SetSourceURLs(ctx context.Context, repositoryID, packageID, versionID int64, urls []string) error
	// PackagesWithSourceURL returns, by namespace and name, at most limit
	// packages of format f in the repository with a version of that
	// status declaring url.
	PackagesWithSourceURL(ctx context.Context, repositoryID int64, f artifact.Format, url string, status artifact.Status, limit int) ([]artifact.PackageRef, error)
	// FormatVersions returns at most limit versions, without assets, of
	// packages of format f in every repository whose ids are above
	// afterID, by id: a backfill's pages.
	FormatVersions(ctx context.Context, f artifact.Format, afterID int64, limit int) ([]RepositoryVersion, error)
	// PendingBackfill reports whether the named backfill (a migration's
	// work that needs Go code) is still to be done; FinishBackfill records
	// it done.
	PendingBackfill(ctx context.Context, name string) (bool, error)
	FinishBackfill(ctx context.Context, name string) error
}
