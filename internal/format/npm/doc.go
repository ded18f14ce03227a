// Package npm serves the npm registry protocol on a repository endpoint,
// for npm, yarn and pnpm (docs/CLIENTS.md §4.1-§4.3; User Guide, "Using
// CodeArtifact with npm"):
//
//   - package documents, full (application/json) and abbreviated
//     (application/vnd.npm.install-v1+json), with ETags, gzip and a cache
//     keyed on the catalog's generation;
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
//     dist.shasum, or the publish fails and nothing is recorded. A version
//     is published once.
//
// The metadata code (name.go, publish.go, manifest.go, document.go) is
// pure: bytes in, typed values out, no storage. Errors are npm's JSON
// shape, {"error": "..."}, which npm prints.
package npm
