package blob

import (
	"context"
	"errors"
	"io"
)

// ErrWriterClosed is returned by Write and Commit on a Writer that Commit or
// Cancel has already ended. It is a programming error, so it carries no
// errkind category (errkind treats it as Internal).
var ErrWriterClosed = errors.New("blob: writer already committed or cancelled")

// Put stores everything read from r as one blob and returns its Info. It
// commits the bytes under their own digest, so it cannot fail on a mismatch;
// on any error (reading r, writing, a done ctx) the bytes are discarded and
// nothing is published.
//
// Callers that know the digest the content must have (a client's declared
// assetSHA256, a registry's checksum) should use Create and Commit with that
// digest instead, so that wrong bytes are never published.
func Put(ctx context.Context, s Store, r io.Reader) (Info, error) {
	w, err := s.Create(ctx)
	if err != nil {
		return Info{}, err
	}
	defer func() { _ = w.Cancel(ctx) }() // a no-op once Commit has run
	if _, err := io.Copy(w, r); err != nil {
		return Info{}, err
	}
	return w.Commit(ctx, w.Digest())
}
