// Package format is what the package formats share, and the contract a
// format fulfils. A format is one folder, internal/format/<fmt>, and one
// line in the list of formats (internal/server's formats()); nothing
// outside its folder decides anything by the format's name.
//
// # The contract
//
// Rules (rules.go) are what the rest of Arca needs to know of a format:
// how it keys package names and versions (Normalize, NormalizeVersion),
// how its versions order (CompareVersions), whether its packages can have
// and must have a namespace (HasNamespace, NamespaceRequired), which tag names the default display
// version (LatestTag), whether the control plane's PublishPackageVersion
// publishes it (PublishedByAPI), and which external connections serve it
// (Connections). Two optional capabilities, found by type assertion:
//
//   - Surface: Surface(Deps) endpoint.Format builds the format's handler
//     of its repository endpoint paths (/{domain}-{owner}/{format}/{repo}/).
//     A format without it answers 404 there (Plain).
//   - Connector: Connect(upstream.Config) resolve.Connection builds the
//     client of the public registry behind one of its external
//     connections, from the shared upstream.Config (URL and Connection
//     filled in). A format without it accepts its connections, whose
//     repositories then serve only what they already hold.
//
// A format's rules are a stateless value type, <fmt>.Rules{}, and its
// methods are pure. Every format of the model has its folder; a format
// without one would be listed as a Basic (name, namespace rule, version
// order, connection names): its repositories, packages and external
// connections accepted while its endpoints answer 404, until a folder
// replaces its Basic line with <fmt>.Rules{}.
//
// The Registry (registry.go) is built once from the list. The catalog
// (which connections exist, version order, package groups), the resolver
// (through the catalog: which format a connection serves, version order),
// the control plane (names, versions, order, namespaces, tags, publishing)
// and, through the catalog and the control plane, the package groups
// (internal/pkggroup: known formats, namespaces, names' normal form) each
// declare the few Registry
// methods they use; the server asks it for the endpoint surfaces
// (Surfaces) and the connection clients (Connect).
//
// # What formats share
//
//   - Deps (deps.go): what a surface is built from (catalog, resolver,
//     blobs, log, authorizer, region), and AuthorizeWrite, the package
//     authorization of a publish.
//   - Errors (errors.go): every format renders its errors from Failure,
//     one table (errkind category -> status, Status) plus Refusal for
//     answers that are no category's (405 with Allow, npm's unsupported
//     commands); a 5xx is logged with the request id, which its message
//     names, and never shows internals. WriteText is the plain-text shape
//     (PyPI, Maven, Plain); npm writes {"error": ...}.
//   - PackageNames (names.go): the package names of a format in a
//     repository and its upstreams (PyPI's project list, RubyGems'
//     indexes).
//   - Version orders: CompareSemVer, CompareParsed (a format's own parser
//     and comparison, with unparsable versions first), CompareNatural,
//     SortParsed. A package's kept order takes the versions added since
//     by one Merge (merge.go: sorted additions placed by binary search,
//     after the kept versions equal to them), wherever it is kept:
//     Orders and SortKept keep a package's order between sorts,
//     SortParsedAfter sorts with an order the caller keeps (npm, PyPI),
//     Sorted (sorted.go) extends items derived from a view along its
//     Lineage (NuGet, cargo), and Relist (listing.go) derives a
//     document's listed versions from the previous document's and the
//     view's List (Maven, Swift).
//
// # The files of a format's folder
//
// The same file name does the same job in every format:
//
//	doc.go         what the format serves, its invariants, the specs it follows
//	rules.go       its Rules (and Surface, Connect)
//	format.go      the surface: Format, New, Challenge, WriteError, authorize
//	routes.go      the route table and Serve, which dispatches through it
//	read.go        handlers that read (GET, HEAD)
//	publish.go     handlers that write (publish, tags, deprecate, metadata)
//	describe.go    Describe: package and version of a request, for the audit log
//	cache.go       keys of its rendered-document cache
//	pending.go     state kept between requests (Maven: checksums sent before their file)
//	connection.go  the client of the public registry behind its external
//	               connections (resolve.Connection)
//	<thing>.go     pure code named for what it parses or renders: bytes in,
//	               typed values out, size-bounded, no storage, fuzzed where it
//	               reads client input (npm name.go, manifest.go,
//	               publication.go, document.go, registrydoc.go; pypi name.go,
//	               filename.go, metadata.go, upload.go, index.go, archive.go,
//	               simple.go, jsonapi.go; maven path.go, pom.go, metadata.go;
//	               ruby version.go, gem.go, marshal.go, index.go, info.go;
//	               swift name.go, archive.go, metadata.go, accept.go,
//	               signature.go)
//
// Tests sit beside what they test (<file>_test.go); scenario_test.go
// holds the in-process scenarios on the shared harness
// (servertest.Scenario), connection_test.go the client against a fake
// public registry (upstream/upstreamtest), connection_scenario_test.go the
// client through the resolver (servertest.World) and the endpoint. The fakes of the public
// registries stay in upstream/upstreamtest: the upstream package's own
// tests use them too.
package format
