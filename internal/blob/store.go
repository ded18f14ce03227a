package blob

import (
	"context"
	"io"
	"time"
)

// Info describes a committed blob.
type Info struct {
	// Digest is the SHA-256 of the blob's bytes.
	Digest Digest
	// Size is the blob's length in bytes.
	Size int64
	// ModTime is when the blob was last committed (a Commit that deduplicates
	// refreshes it), or the zero time if the backend does not know. The sweep
	// that deletes unreferenced blobs uses it as a grace period, so that a
	// blob committed just before its metadata transaction is not taken for an
	// orphan; handlers may pass it to http.ServeContent.
	ModTime time.Time
}

// Store is a content-addressed byte store. Implementations: fsblob (local
// directory) and s3blob (an S3-compatible bucket). A Store is safe for concurrent use.
//
// Every method takes ctx first; errors carry an errkind category (I/O failures
// are left uncategorised, which errkind treats as Internal).
type Store interface {
	// Create starts writing a new blob. Bytes written are hashed as they
	// arrive and are invisible to readers until Commit. The ctx governs the
	// writes: once it is done, Write fails. The caller must end the Writer
	// with Commit or Cancel (defer w.Cancel(ctx) right after Create).
	Create(ctx context.Context) (Writer, error)

	// Open returns the committed blob's bytes. Implementations return a
	// blob kept in a file as an *os.File, so http.ServeContent can use
	// sendfile, and one they hold in memory with a Bytes() []byte method. A missing blob is an error matching
	// errkind.ErrNotFound. The caller closes the reader.
	Open(ctx context.Context, d Digest) (io.ReadSeekCloser, Info, error)

	// Stat describes a committed blob; a missing blob is an error matching
	// errkind.ErrNotFound.
	Stat(ctx context.Context, d Digest) (Info, error)

	// Delete removes a blob; deleting a missing blob is not an error.
	// Readers that opened the blob before may or may not be able to finish.
	Delete(ctx context.Context, d Digest) error

	// Walk calls fn for every committed blob, in no particular order, until
	// fn returns an error, which Walk then returns unchanged. Blobs committed
	// or deleted while Walk runs may or may not be seen.
	Walk(ctx context.Context, fn func(Info) error) error
}

// Writer receives a blob's bytes; exactly one of Commit or Cancel ends it.
// A Writer is not safe for concurrent use.
//
// After the Writer has ended, Write and Commit fail with an error matching
// ErrWriterClosed, and Cancel is a no-op.
type Writer interface {
	io.Writer

	// Size returns the number of bytes written so far.
	Size() int64

	// Digest returns the SHA-256 of the bytes written so far.
	Digest() Digest

	// Commit publishes the bytes under their digest if it equals expected; a
	// mismatch is an errkind Validation error and nothing is published.
	// Committing bytes that are already stored succeeds (deduplication) and
	// leaves one copy. If ctx is done before the bytes are published, Commit
	// publishes nothing and returns an error matching ctx.Err().
	//
	// Commit ends the Writer whether it succeeds or not: on failure the
	// bytes are discarded, and the caller starts again with Create.
	Commit(ctx context.Context, expected Digest) (Info, error)

	// Cancel discards the bytes. Calling Cancel after Commit is a no-op (so
	// `defer w.Cancel(ctx)` is safe). Cancel releases what the Writer holds
	// even if ctx is already done, since it is the cleanup path.
	Cancel(ctx context.Context) error
}

// Redirector is an optional capability (found by type assertion): a store that
// can hand clients a time-limited URL to fetch the bytes directly (S3
// presigned GET). Handlers that find it redirect instead of streaming, and
// wrappers of a Store (caches, guards) forward it when the store they wrap
// has it.
type Redirector interface {
	// RedirectURL returns a URL from which the blob d of size bytes can be
	// fetched with GET, without credentials, for ttl; or "" when the store
	// would rather stream this blob (redirects are off, or the blob is
	// under the store's size threshold). It need not check that the blob
	// exists.
	RedirectURL(ctx context.Context, d Digest, size int64, ttl time.Duration) (string, error)
}

// RedirectURL asks s for a redirect to blob d if s is a Redirector, and
// returns "" (stream it) if not. Wrappers of a Store forward the capability
// with it.
func RedirectURL(ctx context.Context, s Store, d Digest, size int64, ttl time.Duration) (string, error) {
	if rd, ok := s.(Redirector); ok {
		return rd.RedirectURL(ctx, d, size, ttl)
	}
	return "", nil
}
