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
//     the form. The permission is checked as the name field arrives; the
//     form (field names and part headers included) is bounded by
//     MaxFormBytes and MaxFormParts, each part's header by MaxPartHeader
//     as it arrives; a file name with path parts is
//     refused, not cut to its last part.
//   - Archives are read within bounds checked before the work (package
//     archive: entries, unpacked bytes, compression ratio). A wheel's
//     METADATA is read once, at upload, and recorded with its bytes
//     (catalog.SetDerived): "{file}.metadata" never opens the wheel (one
//     fetched from a public index is read on the first such request).
//   - A version ingested through public:pypi records every file the
//     index listed; each file is fetched on its first download and then
//     served from the store, also when the index is unreachable.
//   - Pages are byte for byte what rendering them from scratch gives,
//     however they were assembled: from releases kept per repository and
//     project between rebuilds (kept.go; an upload makes and places only
//     its release; releases of other views keep their files per
//     revision), and runs of entries kept compressed (package
//     rendered), cut where the previous
//     rendering of the page cut them: a rebuild makes again only the runs
//     holding a release added, changed or removed, from those releases'
//     files.
//
// The metadata code (name.go, filename.go, metadata.go, archive.go,
// upload.go, index.go, simple.go, jsonapi.go) is pure: bytes in, typed
// values out, no storage except archive.go's FileMetadata. Errors are
// plain text, which pip and twine print. Files are named as in every
// format folder (package format).
//
// # The public:pypi external connection (connection.go)
//
// Connection is the client of the Python package index behind public:pypi:
// it implements resolve.Connection and resolve.AssetFetcher, built from the
// shared upstream.Config by Rules.Connect.
//
// The configured URL is the index's base, as pip's index-url is
// ("https://<host>/simple/"). Connection.Package fetches a project's page,
// GET {URL}{normalised-name}/, asking for PEP 691 JSON first (Accept:
// application/vnd.pypi.simple.v1+json) and reading PEP 503 HTML when that
// is what comes back, and groups its files by version. Ingest records a
// version with every file the page lists (names, SHA-256, sizes,
// Requires-Python, upload times) but fetches no file: it reads the
// version's core metadata from a wheel's PEP 658 metadata file, when the
// index serves one, for DescribePackageVersion, the dependencies and the
// readme. FetchAsset downloads one file on its first request, from the URL
// the page gave (never rewritten), into the blob store, checking the page's
// SHA-256 (and any other digest it declares) and, for a wheel, that its
// METADATA is the metadata file the page declared: bytes that do not match
// are never kept. A version of a project with wheels for forty platforms
// thus costs one download per platform actually installed.
//
// Files without a SHA-256 on the page, yanked files (PEP 592) and files
// whose names are not wheels or sdists of the project are left out.
//
// What it shares with the other registry clients (package upstream): one
// fetch per project at a time; pages cached per project for
// upstream.Config.TTL (five minutes by default), then revalidated, answers
// that a project does not exist included, within
// upstream.Config.CacheBytes; failures remembered for
// upstream.Config.FailureTTL (30 seconds), per project and, for an index
// that cannot be reached at all, for its whole host, pages and files alike;
// stale pages served when they cannot be refreshed.
//
// Errors: a project the index does not have is errkind.NotFound; network
// failures, timeouts, 5xx, invalid or oversized pages are
// errkind.Unavailable naming the index URL; a file that does not match its
// declared digests is errkind.Validation. The client identifies itself with
// the User-Agent "arca (+pypi external connection)".
package pypi
