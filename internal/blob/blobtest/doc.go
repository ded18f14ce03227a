// Package blobtest is the conformance suite for blob.Store: every backend's
// tests call Run, so fsblob, s3blob and any wrapper (metrics, limits) are held
// to the same contract, written once.
//
// The suite checks what package blob documents: round trips of empty, small
// and large blobs; that nothing is visible before Commit, after Cancel or
// after a digest mismatch; errkind categories (ErrNotFound, Validation);
// deduplication, also under concurrent commits; Delete and Walk; and that the
// reader from Open seeks well enough for http.ServeContent to answer range
// requests.
//
// Run calls newStore once per subtest, and each store must start empty, so a
// backend on shared infrastructure (an S3 bucket) gives every call its own
// prefix. Backend-specific behaviour (file layout, presigned URLs) is tested
// beside the backend, not here.
package blobtest
