// Package s3blob is the blob.Store for replicas: blobs are objects in a
// bucket of any S3-compatible object store (AWS S3, MinIO, versitygw, Ceph
// RGW...), so every replica reads what any replica wrote. The sweep deletes
// what the metadata store does not reference, so a bucket prefix belongs to
// the servers of one metadata store.
//
// Layout in the bucket, under an optional prefix:
//
//	PREFIX/sha256/ab/cd/abcd…   one object per blob, named by its 64-hex
//	                            digest under the same fan-out as fsblob's
//	                            directories (operators can copy one into
//	                            the other)
//
// Invariants:
//
//   - An object under PREFIX/sha256 is always complete. A Writer spools the
//     bytes to a local temporary file (in SpoolDir, never in the data
//     directory) while hashing them; Commit then uploads the file with one
//     PutObject, or with a multipart upload above MultipartThreshold. S3
//     makes an object visible only when PutObject or
//     CompleteMultipartUpload returns, so no reader sees a partial blob; a
//     failed multipart upload is aborted.
//   - Commit deduplicates: if the object exists with the right size
//     (HeadObject), it is copied onto itself with its metadata replaced,
//     which on AWS S3 gives it a new LastModified, so that the sweep's grace
//     period (blob.Info.ModTime is LastModified) starts again. Where the copy
//     fails or leaves LastModified as it was (versitygw), the bytes are
//     uploaded again, replacing the object with identical bytes: one object
//     per blob either way.
//   - LastModified is set by the object store's clock when the upload
//     starts (for a multipart upload, when it was created), which the sweep
//     compares with the server's clock: the grace period must exceed both
//     the clock skew and the longest upload, which an hour does.
//   - Open sends one HeadObject and returns a reader that knows the size,
//     so the Seek to the end that http.ServeContent makes costs nothing; it
//     fetches bytes with a ranged GetObject from the current offset on the
//     first Read after a Seek.
//   - Spool files (arca-upload-* in SpoolDir) are removed by Commit and
//     Cancel; New removes those older than an hour that a crash left.
//   - Walk lists PREFIX/sha256/ with ListObjectsV2, page by page, and
//     reports only keys of the layout above.
//
// The client is built for S3-compatible servers: path-style addressing when
// an endpoint is given, and request checksums and response checksum
// validation only when an operation requires them (the SDK's default CRC
// checksums are refused by many S3-compatible servers). Credentials come
// from the AWS SDK's default chain of the server process: AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared config files, web
// identity, container and instance roles.
//
// Optional capability: Store implements blob.Redirector. With a redirect
// threshold set (the URL parameter redirect=SIZE), assets of at least that
// size are served by a redirect to a presigned GET on the object store, so
// the bytes bypass the replica; the object store's endpoint must then be
// reachable by the clients.
package s3blob
