// Package swift serves the Swift package registry protocol (SE-0292, the
// swift-package-manager's Documentation/PackageRegistry/Registry.md) on
// a repository endpoint, {public-url}/{domain}-{owner}/swift/{repo}/, as
// CodeArtifact does for SwiftPM 5.9 and later.
//
// What it serves (routes.go): the releases of a package (4.1), a
// release's metadata with its source archive's SHA-256 checksum (4.2), its
// Package.swift and version-specific Package@swift-X.swift manifests
// (4.3, with a 303 to Package.swift when a Swift version has none), the
// source archive (4.4, with Digest), the identifiers of the packages a
// repository URL names (4.5, from the repositoryURLs of the publish
// metadata), the synchronous publish (4.6, 201 Created) and login (4.7).
//
// The identifiers lookup reads an index, not the releases: Rules.SourceURLs
// gives each release's repositoryURLs normalised (NormalizeURL), which the
// catalog records in the store on every write of a version (publish, copy;
// deleted versions take theirs along) and the lookup joins with the
// versions' status, so it answers from the Published releases' URLs in
// time independent of how many packages and versions the repository
// holds. Releases stored before the index are indexed on the first lookup.
//
// Invariants:
//   - Every answer carries Content-Version: 1; errors are
//     application/problem+json with "detail" (format.go).
//   - Accept is negotiated (accept.go): a registry media type of another
//     API version is 400, a media type the resource is not served as is
//     415; no Accept is version 1.
//   - Scope and name follow SE-0292's grammar and are case-insensitive:
//     the scope is the package's namespace, both are stored lower case
//     (Rules.Normalize), and the identifiers served are lower case.
//     Versions are SemVer 2.0 (name.go), ordered by format.CompareSemVer.
//   - A published source archive is a zip whose members are all inside one
//     top-level directory holding Package.swift, with relative, ".."-free
//     paths and bounded member count and size (archive.go). Its manifests
//     are stored as assets beside it ({name}-{version}.zip, Package.swift,
//     Package@swift-X.swift; source-archive.sig for a signed release), so
//     the control plane lists and serves them.
//   - A signed release's signatures (cms-1.0.0) are verified at publish
//     (signature.go): a detached CMS SignedData whose signed message
//     digest is that of the archive (or metadata) and whose signature
//     verifies with the certificate it carries; trust in the signer is
//     the client's policy. A bad signature is 400 and publishes nothing.
//   - Clients see Published releases in the list; Unlisted releases are
//     still fetched by version; Archived and Disposed ones answer 410 Gone.
//   - A package's release list (4.1, and the Links of 4.2) is kept until
//     the package changes in any repository of the domain (cache.go),
//     with the listing of versions it was made from (format.Relist): a
//     rebuild places what changed by binary search, assembles the list
//     (newest first) from runs of entries kept compressed, and the
//     publisher's next read always shows its publish.
//
// Authentication is the endpoint's: Bearer TOKEN, or Basic with any user
// name and the token as password (SwiftPM on Linux sends the "login token
// password TOKEN" of ~/.netrc that `aws codeartifact login --tool swift`
// writes). A request without credentials gets 401 with a Basic challenge.
//
// No Swift toolchain runs where Arca is tested: the protocol is
// implemented from the specification and tested over HTTP.
package swift
