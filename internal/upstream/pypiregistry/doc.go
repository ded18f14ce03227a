// Package pypiregistry is the client of the public Python package index
// behind the public:pypi external connection: it implements
// resolve.Connection and resolve.AssetFetcher.
//
// The configured URL is the index's base, as pip's index-url is
// ("https://<host>/simple/"). Package fetches a project's page, GET
// {URL}{normalised-name}/, asking for PEP 691 JSON first
// (Accept: application/vnd.pypi.simple.v1+json) and reading PEP 503 HTML
// when that is what comes back, and groups its files by version. Ingest
// records a version with every file the page lists (names, SHA-256,
// sizes, Requires-Python, upload times) but fetches no file: it reads
// the version's core metadata from a wheel's PEP 658 metadata file, when
// the index serves one, for DescribePackageVersion, the dependencies and
// the readme. FetchAsset downloads one file on its first request, from
// the URL the page gave (never rewritten), into the blob store, checking
// the page's SHA-256 (and any other digest it declares) and, for a wheel,
// that its METADATA is the metadata file the page declared: bytes that do
// not match are never kept. A version of a project with wheels for forty
// platforms thus costs one download per platform actually installed.
//
// Files without a SHA-256 on the page, yanked files (PEP 592) and files
// whose names are not wheels or sdists of the project are left out.
//
// What it shares with the other registry clients (package upstream): one
// fetch per project at a time; pages cached per project for Config.TTL
// (five minutes by default), then revalidated, answers that a project does
// not exist included, within Config.CacheBytes; failures remembered for
// Config.FailureTTL (30 seconds), per project and, for an index that
// cannot be reached at all, for its whole host, pages and files alike;
// stale pages served when they cannot be refreshed.
//
// Errors: a project the index does not have is errkind.NotFound; network
// failures, timeouts, 5xx, invalid or oversized pages are
// errkind.Unavailable naming the index URL; a file that does not match
// its declared digests is errkind.Validation. The client identifies itself
// with the User-Agent "arca (+pypi external connection)".
package pypiregistry
