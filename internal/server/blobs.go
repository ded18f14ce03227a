package server

import (
	"context"
	"path/filepath"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/blob/s3blob"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/store"
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

// blobHolds are the blob guard's holds and delete claims, kept in the
// metadata store under this server's name, so that servers sharing a
// blob store never delete bytes another is committing (blob.Guard).
type blobHolds struct {
	st     store.Store
	holder string
}

func (h blobHolds) Hold(ctx context.Context, d blob.Digest, now, until time.Time) (ok bool, err error) {
	err = h.st.Update(ctx, func(q store.Queries) error {
		ok, err = q.HoldBlob(ctx, d.String(), h.holder, now, until)
		return err
	})
	return ok, err
}

func (h blobHolds) Claim(ctx context.Context, d blob.Digest, now, until time.Time) (ok bool, err error) {
	err = h.st.Update(ctx, func(q store.Queries) error {
		ok, err = q.ClaimBlobDelete(ctx, d.String(), h.holder, now, until)
		return err
	})
	return ok, err
}

func (h blobHolds) Release(ctx context.Context, d blob.Digest) error {
	return h.st.ReleaseBlob(ctx, d.String(), h.holder)
}
