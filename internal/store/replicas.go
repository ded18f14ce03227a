package store

import (
	"context"
	"time"
)

// Generation is a named change counter as the store keeps it: Value is
// the sequence number of the last change made under Name.
type Generation struct {
	Name  string
	Value int64
}

// CommitMark is a mark of everything a database has committed, read
// without a query (package sqlite reads SQLite's WAL index header): two
// equal marks read one after the other mean that no transaction committed
// between the two reads, by this process or any other. It lets a server
// skip reading the counters when nothing at all changed (package
// generation); an engine without one (PostgreSQL) is always read.
type CommitMark [96]byte

// Generations are named change counters shared by every server over one
// store, so that what a server caches is dropped when another changes it
// (package generation). Counters are bumped in the transaction of the
// change they announce.
type Generations interface {
	// BumpGenerations moves the sequence on and gives each name its new
	// value. Names must not be empty; duplicates count once. Changes
	// committed later always get higher values, so a reader that saw
	// every value up to v has seen every change up to v.
	BumpGenerations(ctx context.Context, names ...string) error
	// GenerationsSince returns the counters changed after sequence value
	// after, the sequence itself (named "") included when it moved.
	GenerationsSince(ctx context.Context, after int64) ([]Generation, error)
	// LatestGeneration returns the sequence's value (0 before any bump).
	LatestGeneration(ctx context.Context) (int64, error)
}

// Leases are named jobs that one server at a time runs.
type Leases interface {
	// TakeLease gives the lease name to holder until expires, if it is
	// free, expired at now, or already holder's (renewing it), and
	// reports whether holder has it.
	TakeLease(ctx context.Context, name, holder string, now, expires time.Time) (bool, error)
	// ReleaseLease frees the lease if holder has it.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// BlobHolds keep servers that share a blob store from deleting a blob
// another is committing: a server holds a digest from before it commits
// the bytes until its metadata is written (or given up), and claims a
// digest before it deletes the bytes. Holds and claims are per holder (a
// server) and lapse at their expiry.
// HoldBlob and ClaimBlobDelete belong inside Update: each decides under
// a lock on the digest that holds the other writers of the digest back
// until its transaction ends.
type BlobHolds interface {
	// HoldBlob gives holder a hold on the digest until `until` (renewing
	// one it has), unless another holder's claim to delete it is in force
	// at now: then it reports false, and the caller tries again once the
	// delete is done.
	HoldBlob(ctx context.Context, sha256, holder string, now, until time.Time) (bool, error)
	// ClaimBlobDelete gives holder the claim to delete the digest until
	// `until`, unless another holder's hold or claim is in force at now
	// (false).
	ClaimBlobDelete(ctx context.Context, sha256, holder string, now, until time.Time) (bool, error)
	// ReleaseBlob drops holder's hold or claim on the digest.
	ReleaseBlob(ctx context.Context, sha256, holder string) error
	// DeleteExpiredBlobHolds removes holds and claims that lapsed before
	// t and returns how many.
	DeleteExpiredBlobHolds(ctx context.Context, before time.Time) (int64, error)
}

// Kinds of upload checksums.
const (
	// ChecksumsExpected are checksums uploaded before their file.
	ChecksumsExpected = "expected"
	// ChecksumsUploaded are the digests of a file the catalog does not
	// keep as uploaded (Maven metadata).
	ChecksumsUploaded = "uploaded"
)

// UploadChecksums are checksums of one kind remembered for a path of a
// repository while an upload is in progress: algorithm ("md5", "sha1",
// "sha256", "sha512") to lower-case hex.
type UploadChecksums struct {
	RepositoryID int64
	Path         string
	Kind         string
	Sums         map[string]string
	UpdatedAt    time.Time
}

// Uploads stores checksums of uploads in progress, so that an upload
// whose files reach different servers is checked as on one.
type Uploads interface {
	// PutUploadChecksums adds u's sums to those of its path and kind,
	// replacing the value of an algorithm already there.
	PutUploadChecksums(ctx context.Context, u UploadChecksums) error
	// GetUploadChecksums returns the sums of a path and kind updated at
	// or after since (an empty map for none).
	GetUploadChecksums(ctx context.Context, repositoryID int64, path, kind string, since time.Time) (map[string]string, error)
	// DeleteUploadChecksums forgets the sums of a path and kind.
	DeleteUploadChecksums(ctx context.Context, repositoryID int64, path, kind string) error
	// DeleteExpiredUploadChecksums removes sums updated before t and
	// returns how many.
	DeleteExpiredUploadChecksums(ctx context.Context, before time.Time) (int64, error)
}
