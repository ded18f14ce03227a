// Package catalog holds CodeArtifact's rules for the resources of a domain:
// domains, repositories, the upstream graph, external connections, tags,
// resource policies, packages and their versions, and package groups
// (groups.go: their rules, the compiled index per domain, and CheckOrigin,
// the one place every way into a repository asks), and Arca's release-age
// gates with their break-glass entries (gates.go: stored and cached with
// the groups; ReleaseGate gives the resolver its check).
//
// Every change of a package version (publish, new asset, metadata, status,
// copy, retention from an upstream or ingestion through an external
// connection, disposal, deletion) is handed to a Recorder inside the
// transaction that makes it (events.go), so an outbox written there
// commits or rolls back with the change. In the same transaction the
// source URLs a version declares, for a format that indexes them
// (Formats.SourceURLs: Swift's repositoryURLs), are recorded in the store
// (sourceurls.go), so that PackagesWithSourceURL finds the packages
// naming a URL without reading their versions.
//
// Callers name resources as the API does (owner account, domain name,
// repository name); the catalog finds them, enforces the User Guide's
// rules, and changes the metadata store in one transaction per operation,
// so a refused request changes nothing. Errors are errkind categories with
// messages fit for the client and the resource they are about.
//
// Reads that every request makes are kept in memory, each bounded in bytes
// (its share of the server's cache budget, SetCacheBudget): version
// lookups (versioncache.go, valid while the package generation holds) and
// decoded version lists (versionlist.go: ListVersions keeps each list
// with the package's change number and asks the store only what changed
// since, so a package of thousands of versions costs one version's
// decoding per publish and nothing when nothing changed; the metadata a
// version repeats from the one before, README, summary, licenses,
// dependencies, is held once, share.go, and a version's assets are in
// an array of their number; VersionsWithStatus reads the stamps of the
// versions with one status alone). A publish drops its version from the
// version lookups (a client that looks a version up before each of its
// publishes to it leaves no stale copies).
//
// Rules kept here (User Guide, "Working with repositories", "Working with
// upstream repositories", "Domains"):
//   - domain names are unique per owner account; a domain that still holds
//     repositories cannot be deleted;
//   - a repository has at most 10 direct upstreams, all in its own domain,
//     never itself and never forming a cycle; a repository that is the
//     upstream of another cannot be deleted;
//   - a repository has at most one external connection, and has either an
//     external connection or upstreams, not both;
//   - a resource has at most 50 tags; keys starting with "aws:" are
//     reserved;
//   - a resource policy is a valid IAM resource policy; a put or delete
//     naming a revision that is not the current one is refused.
package catalog
