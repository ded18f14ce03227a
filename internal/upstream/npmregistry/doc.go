// Package npmregistry is the client of the public npm registry behind the
// public:npmjs external connection: it implements resolve.Connection.
//
// Package fetches a package's full document (GET {URL}/{name}, scoped
// names as @scope%2fname, Accept: application/json) and reads every version
// with its metadata, its manifest as the registry sent it and its tarball's
// URL and digests. Ingest downloads one tarball from the URL the registry
// gave (never rewritten) into the blob store as the asset package.tgz,
// checking dist.integrity (SHA-512) and dist.shasum (SHA-1): bytes that do
// not match are never stored.
//
// Invariants and behaviour:
//
//   - One request per package at a time: concurrent Package calls for the
//     same package share one fetch (singleflight), which runs detached from
//     the callers (a client going away does not waste it) until the first
//     caller's deadline. Each caller still waits no longer than its own
//     context allows.
//   - Documents are cached in memory per package for Config.TTL (five
//     minutes by default, like CodeArtifact's "up to 10 minutes" delay for
//     new npm versions), then revalidated with If-None-Match. Answers that
//     the package does not exist are cached the same way. The cache is
//     bounded by Config.CacheBytes, least recently used first out.
//   - Failure memory: after a failed fetch of a package, Package answers
//     errkind.Unavailable at once for Config.FailureTTL (30 seconds)
//     instead of sending another request; after a failure to reach the
//     registry at all (connection refused, DNS, TLS, no response headers
//     in time), the whole host is remembered as down for that long, for
//     documents and tarballs alike, so that during an outage no request
//     waits for a timeout that is known to come.
//   - Stale-if-error: when a document past its TTL cannot be refreshed,
//     the last good one is served (however old), so clients keep seeing
//     the versions and tags during an outage. Versions already ingested
//     are served from the store by the resolver whatever happens here.
//   - Errors: a package the registry does not have is errkind.NotFound;
//     network failures, timeouts, 5xx and other unexpected answers, invalid
//     or oversized documents are errkind.Unavailable with a message naming
//     the registry URL and the cause; a tarball that does not match its
//     declared digests is errkind.Validation.
//
// The client uses its own http.Client with dial, TLS handshake and
// response header timeouts besides the callers' deadlines, and identifies
// itself with the User-Agent "arca (+npm external connection)".
package npmregistry
