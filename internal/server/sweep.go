package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"

	"github.com/arcahq/arca/internal/format/maven"
)

// sweepLease is the store lease the sweep of unreferenced blobs runs
// under, so that servers sharing a blob store take turns rather than all
// walking it at once. It lasts a sweep interval: a server that dies while
// sweeping holds it back for that long at most.
const sweepLease = "blob-sweep"

// newHolder names this server in leases: host and a random part, so two
// servers never share a name.
func newHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return host + "/" + hex.EncodeToString(b)
}

// sweepBlobs sweeps every sweepInterval until ctx ends.
func (s *Server) sweepBlobs(ctx context.Context) {
	every(ctx, sweepInterval, func() {
		if _, err := s.sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("blob sweep", "error", err)
		}
	})
}

// sweep removes unreferenced blobs, lapsed blob holds and expired upload
// checksums if this server can take the sweep lease, and reports whether
// it swept.
func (s *Server) sweep(ctx context.Context) (bool, error) {
	now := s.now()
	ok, err := s.store.TakeLease(ctx, sweepLease, s.holder, now, now.Add(sweepInterval))
	if err != nil || !ok {
		return false, err
	}
	defer s.store.ReleaseLease(context.WithoutCancel(ctx), sweepLease, s.holder)
	n, err := s.blobs.Sweep(ctx, blobInUse(s.store))
	if n > 0 {
		s.log.Info("blob sweep", "removed", n)
	}
	if err != nil {
		return true, err
	}
	if _, err := s.store.DeleteExpiredBlobHolds(ctx, now); err != nil {
		return true, err
	}
	_, err = s.store.DeleteExpiredUploadChecksums(ctx, now.Add(-maven.UploadMemory))
	return true, err
}
