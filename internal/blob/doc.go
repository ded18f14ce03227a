// Package blob defines Arca's content-addressed byte store: the contract that
// every backend implements (Store, Writer and the optional Redirector), the
// Digest that keys it, Put, a helper built only on the contract, and Spool,
// the hashed temporary file on which backends that stage bytes locally
// (fsblob, s3blob) build their Writers (it writes a MiB at a time, so that
// the kernel caches a large blob's pages in large folios, cheaper to send).
//
// Package bytes (npm tarballs, wheels, jars, crates) live in a Store keyed by
// the SHA-256 of their content; what they mean (which package version, which
// asset name) lives in the metadata store. The write order is always blob
// first, then the metadata transaction. Because blobs are shared by every
// asset with the same bytes, code that undoes a failed ingest must not Delete
// the blob itself: Commit succeeds without writing anything when the bytes are
// already stored for someone else. Deleting goes through Guard, which the
// server wraps around its store: its Sweep deletes blobs nothing references
// whose last commit is older than a grace period, and its Settle, at the end
// of each request that may upload (WithUploads), deletes the blobs the
// request committed and nothing references (a rejected upload), both
// serialised per digest with Commit so that an identical upload running at
// the same time never loses its bytes.
//
// Invariants every implementation keeps, checked by the conformance suite in
// package blobtest:
//
//   - Writes happen in two phases. Bytes given to a Writer are hashed as they
//     arrive and are invisible to Open, Stat and Walk until Commit publishes
//     them, so no reader ever sees a partial blob.
//   - Commit publishes only if the computed digest equals the expected one; a
//     mismatch is an errkind.Validation error and publishes nothing.
//   - The same bytes are stored once: committing content that is already
//     stored succeeds and leaves one copy, also when several writers commit it
//     at the same time.
//   - A missing blob is an error matching errkind.ErrNotFound; deleting a
//     missing blob is not an error.
//   - Stores are safe for concurrent use; a single Writer is not.
//
// Backends: blob/fsblob (a local directory, for one machine) and
// blob/s3blob (an S3-compatible bucket, for replicas). Metrics, tracing and limits wrap a Store from outside rather
// than branching inside a backend.
package blob
