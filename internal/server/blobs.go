package server

import (
	"context"
	"path/filepath"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/blob/s3blob"
	"github.com/arcahq/arca/internal/config"
)

// openBlobs opens the blob store the configuration names: the
// S3-compatible bucket of --blobs (uploads are spooled in the system's
// temporary directory, never in the data directory), or the directory
// blobs/ in the data directory. It returns where the blobs are, for the log.
func openBlobs(ctx context.Context, cfg config.Config) (blob.Store, string, error) {
	if b := cfg.S3; b != nil {
		st, err := s3blob.New(ctx, s3blob.Config{
			Bucket: b.Bucket, Prefix: b.Prefix, Endpoint: b.Endpoint, Region: b.Region, RedirectMin: b.RedirectMin,
		})
		if err != nil {
			return nil, "", err
		}
		return st, "s3://" + b.Bucket + "/" + b.Prefix, nil
	}
	dir := filepath.Join(cfg.Data, "blobs")
	st, err := fsblob.New(dir)
	return st, dir, err
}
