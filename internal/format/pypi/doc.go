// Package pypi serves the Python package index protocols on a repository
// endpoint, for pip, uv and twine (docs/CLIENTS.md §4.4-§4.5; User Guide,
// "Using CodeArtifact with Python"). Below {endpoint} =
// /{domain}-{owner}/pypi/{repository}/:
//
//	POST {endpoint}                          twine upload (legacy upload API, multipart)
//	GET  {endpoint}simple/                   the project list (PEP 503 HTML / PEP 691 JSON)
//	GET  {endpoint}simple/{project}/         a project's page, JSON or HTML by Accept
//	GET  {endpoint}files/{project}/{version}/{file}           a distribution file
//	GET  {endpoint}files/{project}/{version}/{file}.metadata  a wheel's METADATA (PEP 658)
//	GET  {endpoint}pypi/{project}/json       the JSON API (beyond CodeArtifact)
//	GET  {endpoint}pypi/{project}/{version}/json
//
// Invariants:
//
//   - Projects are stored under their normalised name (PEP 503) and
//     versions under their PEP 440 normal form; the names and versions the
//     metadata wrote are kept for display (DescribePackageVersion's
//     displayName, the JSON API). A project page asked for by another form
//     of the name is redirected to the normal one.
//   - Pages list Published versions only (User Guide, "Package version
//     status"): an Unlisted version's files are left out but still
//     download by URL; Archived, Disposed and Unfinished versions neither
//     list nor download.
//   - File URLs on pages are relative ("../../files/..."), so they always
//     point back at this server, under whatever host name the client
//     used, and pip sends them the index URL's credentials. Hashes are the
//     stored bytes' SHA-256.
//   - A version holds several files (wheels and an sdist), added one
//     upload at a time; a file name holds one content: other bytes are
//     refused with 409, the same bytes again succeed. The version's
//     metadata is its first file's; each file's own attributes
//     (Requires-Python, its METADATA's hash) are recorded in Meta.Extra.
//   - An upload is checked before its bytes are stored (permission,
//     project, version, file name), its declared SHA-256 and MD5 against
//     the bytes, and its core metadata (read from the stored file) against
//     the form.
//   - A version ingested through public:pypi records every file the
//     index listed; each file is fetched on its first download and then
//     served from the store, also when the index is unreachable.
//
// The metadata code (name.go, filename.go, metadata.go, archive.go,
// upload.go, index.go, simple.go, jsonapi.go) is pure: bytes in, typed
// values out, no storage except archive.go's FileMetadata. Errors are
// plain text, which pip and twine print.
package pypi
