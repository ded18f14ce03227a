// Package cargo serves Cargo's sparse registry protocol on a repository
// endpoint, {public-url}/{domain}-{owner}/cargo/{repo}/, which users
// configure as a registry's index ("sparse+{endpoint}") with a credential
// provider (`arca login --tool cargo` writes one).
//
// What it serves (docs/CLIENTS.md §4.7 has what cargo 1.95 sends):
//
//   - config.json: dl ({endpoint}api/v1/crates, to which cargo appends
//     /{crate}/{version}/download), api (the endpoint) and
//     "auth-required": true, without which cargo sends no token for index
//     files. cargo first asks without a token; the endpoint answers 401
//     with the Cargo challenge, and cargo sends its token raw in
//     Authorization.
//   - Index files at 1/{n}, 2/{n}, 3/{c}/{n}, {ab}/{cd}/{n} of the
//     lower-cased name: one JSON line per Published or Unlisted version,
//     in version order. Each line is rendered once, at publish, and
//     stored as the version's Meta.Extra; only "yanked" is set when the
//     file is served. Files are cached by package generation, with a weak
//     ETag (If-None-Match answered with 304) and, as Last-Modified, the
//     newest publish or status change of the versions listed (cargo
//     revalidates with the ETag, which every change alters).
//   - PUT api/v1/crates/new: the publish body (u32 LE length, JSON, u32 LE
//     length, .crate) is parsed, the .crate checked (a gzipped tar of
//     plain files under {name}-{vers}/ with a Cargo.toml, bounded in
//     entries and size) and its sha256 computed here before anything is
//     stored. The JSON's dependencies become the index's (version_req as
//     req; a renamed dependency listed under its alias with package
//     naming the crate).
//   - DELETE api/v1/crates/{n}/{v}/yank and PUT .../unyank answer
//     {"ok":true}. A yank makes the version Unlisted: still downloadable
//     for the lockfiles that name it, listed with "yanked": true so new
//     resolutions skip it; unyank makes it Published. The control plane's
//     UpdatePackageVersionsStatus changes the same status, and so the
//     index.
//   - GET api/v1/crates/{n}/{v}/download: the .crate, the version's one
//     asset, {name}-{version}.crate.
//   - cargo search and cargo owner are not supported (400 saying so).
//
// Errors are {"errors":[{"detail":"..."}]}, which cargo prints.
//
// Names: crates are keyed by their lower-cased name, the name of their
// index file (and what a public registry's index is asked for); the
// spelling published is each version's DisplayName and the index's
// "name". A publish under another spelling of an existing crate, in case
// or in '-' and '_' (CollisionName), is refused. Versions are semantic versions; two that differ only in build
// metadata are one version to cargo, and the second is refused.
//
// The external connection public:crates-io (connection.go) is configured
// with the public registry's sparse index URL: index files come from
// there, and each .crate from the dl template of that index's
// config.json (the public registry serves downloads from another host),
// checked against the cksum of its index line. Yanked versions of the
// public registry are not offered (nor ingested).
//
// Specs: The Cargo Book, "Registries" (sparse protocol, index format,
// web API) and "Registry Authentication".
package cargo
