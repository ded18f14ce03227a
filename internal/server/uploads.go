package server

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/store"
)

// settleUploads makes every request that may upload (any method but GET
// and HEAD) collect the blobs it commits, and settles them when it ends:
// a rejected upload's bytes (a conflict, a bad digest, a version the
// upstream rule refuses) are deleted then, not left on disk for the sweep
// an hour later. See blob.Guard for why this is safe against identical
// uploads running at the same time.
func settleUploads(h http.Handler, g *blob.Guard, st store.Store, log *slog.Logger) http.Handler {
	inUse := blobInUse(st)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		ctx, up := blob.WithUploads(r.Context())
		defer func() {
			if err := g.Settle(context.WithoutCancel(ctx), up, inUse); err != nil {
				log.Warn("removing a rejected upload's bytes", "error", err)
			}
		}()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// blobInUse asks the metadata store whether any domain references a blob.
func blobInUse(st store.Store) blob.InUse {
	return func(ctx context.Context, d blob.Digest) (bool, error) { return st.BlobInUse(ctx, d.String()) }
}
