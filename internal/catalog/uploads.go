package catalog

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/store"
)

// Checksums of uploads in progress that a format checks later uploads
// against (Maven: a checksum uploaded before its file; the digests of an
// uploaded metadata file that is served as generated, not as uploaded).
// They are kept in the store, so that an upload whose files reach
// different servers is checked as on one; what is older than the caller's
// memory is ignored, and the sweep prunes it.

// RememberChecksums adds sums (algorithm to hex) of one kind
// (store.ChecksumsExpected or store.ChecksumsUploaded) to those
// remembered for a path of repo, as of at.
func (c *Catalog) RememberChecksums(ctx context.Context, repo store.Repository, path, kind string, sums map[string]string, at time.Time) error {
	return c.st.PutUploadChecksums(ctx, store.UploadChecksums{RepositoryID: repo.ID, Path: path, Kind: kind, Sums: sums, UpdatedAt: at})
}

// RememberedChecksums returns the sums of one kind remembered for a path
// of repo since the given time.
func (c *Catalog) RememberedChecksums(ctx context.Context, repo store.Repository, path, kind string, since time.Time) (map[string]string, error) {
	return c.st.GetUploadChecksums(ctx, repo.ID, path, kind, since)
}

// ForgetChecksums forgets the sums of one kind remembered for a path of
// repo.
func (c *Catalog) ForgetChecksums(ctx context.Context, repo store.Repository, path, kind string) error {
	return c.st.DeleteUploadChecksums(ctx, repo.ID, path, kind)
}
