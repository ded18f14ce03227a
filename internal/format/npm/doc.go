// Package npm serves the npm registry protocol on a repository endpoint,
// for npm, yarn and pnpm (docs/CLIENTS.md §4.1-§4.3; User Guide, "Using
// CodeArtifact with npm"):
//
//   - package documents, full (application/json) and abbreviated
//     (application/vnd.npm.install-v1+json), with ETags, gzip and a cache
//     keyed on the catalog's generation, rebuilt after a publish from what
//     the previous build kept (kept.go) at the cost of the new version;
//   - tarballs, sent with sendfile, retaining versions found upstream;
//   - npm publish, npm deprecate, npm dist-tag (ls, add, rm), npm ping,
//     npm whoami, and an empty answer to npm's audit requests;
//   - the commands CodeArtifact does not support, answered with the User
//     Guide's notes.
//
// Invariants:
//
//   - Documents list Published versions only (User Guide, "Package version
//     status"): Unlisted versions are left out but their tarballs still
//     download; Archived, Disposed and Unfinished versions neither list nor
//     download. Dist-tags pointing at versions not listed are left out.
//   - Tarball URLs in documents always point at this server
//     ({endpoint}{name}/-/{name-after-scope}-{version}.tgz), whatever the
//     publishing client or a public registry wrote.
//   - A published tarball matches the manifest's dist.integrity and
//     dist.shasum and the attachment's length, and is a gzip'd tar whose
//     package/package.json names the published name and version (read
//     back from the store within bounds, tarball.go), or the publish fails
//     and nothing is recorded. A version is published once. A package has
//     at most MaxDistTags dist-tags.
//
// The metadata code (name.go, publication.go, manifest.go, document.go,
// registrydoc.go, tarball.go) is pure: bytes in, typed values out, no storage. Errors
// are npm's JSON shape, {"error": "..."}, which npm prints. Files are
// named as in every format folder (package format).
//
// # The public:npmjs external connection (connection.go)
//
// Connection is the client of the public npm registry behind public:npmjs:
// it implements resolve.Connection, built from the shared upstream.Config
// by Rules.Connect.
//
// Connection.Package fetches a package's full document (GET {URL}/{name},
// scoped names as @scope%2fname, Accept: application/json) and reads every
// version with its metadata, its manifest as the registry sent it and its
// tarball's URL and digests. Ingest downloads one tarball from the URL the
// registry gave (never rewritten) into the blob store as the asset
// package.tgz, checking dist.integrity (SHA-512) and dist.shasum (SHA-1):
// bytes that do not match are never stored.
//
// What it shares with the other registry clients (package upstream): one
// fetch per package at a time, detached from the callers until the first
// caller's deadline; documents cached per package for upstream.Config.TTL
// (five minutes by default, like CodeArtifact's "up to 10 minutes" delay
// for new npm versions), then revalidated, answers that a package does not
// exist included, within upstream.Config.CacheBytes; failures remembered
// for upstream.Config.FailureTTL (30 seconds), per package and, for a
// registry that cannot be reached at all, for its whole host, documents and
// tarballs alike; the last good document served when a stale one cannot be
// refreshed; its own http.Client with transport timeouts.
//
// Errors: a package the registry does not have (or has unpublished) is
// errkind.NotFound; network failures, timeouts, 5xx and other unexpected
// answers, invalid or oversized documents are errkind.Unavailable with a
// message naming the registry URL and the cause; a tarball that does not
// match its declared digests is errkind.Validation. Versions already
// ingested are served from the store by the resolver whatever happens here.
// The client identifies itself with the User-Agent "arca (+npm external
// connection)".
package npm
