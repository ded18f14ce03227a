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
// What it shares with the other registry clients (package upstream): one
// fetch per package at a time, detached from the callers until the first
// caller's deadline; documents cached per package for Config.TTL (five
// minutes by default, like CodeArtifact's "up to 10 minutes" delay for new
// npm versions), then revalidated, answers that a package does not exist
// included, within Config.CacheBytes; failures remembered for
// Config.FailureTTL (30 seconds), per package and, for a registry that
// cannot be reached at all, for its whole host, documents and tarballs
// alike; the last good document served when a stale one cannot be
// refreshed; its own http.Client with transport timeouts.
//
// Errors: a package the registry does not have (or has unpublished) is
// errkind.NotFound; network failures, timeouts, 5xx and other unexpected
// answers, invalid or oversized documents are errkind.Unavailable with a
// message naming the registry URL and the cause; a tarball that does not
// match its declared digests is errkind.Validation. Versions already
// ingested are served from the store by the resolver whatever happens
// here. The client identifies itself with the User-Agent
// "arca (+npm external connection)".
package npmregistry
