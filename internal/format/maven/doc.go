// Package maven serves the Maven 2 repository layout on a repository
// endpoint, for mvn, Gradle and curl (docs/CLIENTS.md §4.6; User Guide, "Using
// CodeArtifact with Maven"):
//
//   - GET and HEAD of any group/path/artifact/version/file, classifiers
//     and extensions included, with sendfile; .md5, .sha1, .sha256 and
//     .sha512 of every file, computed from the digests stored with it;
//   - PUT of files, one at a time as Maven deploys them, with the checksum
//     files Maven uploads beside each checked against the file;
//   - maven-metadata.xml at the artifact level and at the level of a
//     SNAPSHOT version, generated from the repository, its upstreams and
//     its external connection, cached per package generation with an
//     ETag; uploaded ones are validated and publish what they list.
//
// Costs that would grow with an artifact's versions (mvn uploads a
// maven-metadata.xml listing every version at every deploy, 150 KB at
// 5,000): the uploaded file's version list is scanned once, its digests
// computed once (for the checksum files uploaded after it) and the file
// then dropped; the version it publishes keeps as its asset
// maven-metadata.xml a file listing that version alone. Generated
// metadata is kept with the listing of versions it was made from
// (format.Relist): a rebuild compares the view's versions with it and
// places what changed by binary search, and serves the kept file again
// when nothing listed changed (a deploy's jar and POM, before its
// maven-metadata.xml). It is assembled from runs of <version> elements
// kept compressed (rendered.Runs), so a rebuild after a deploy
// compresses the new version's run only, and its checksums are computed
// when a client first asks for one (Maven asks for the .sha1).
//
// Rules kept here:
//
//   - Status (User Guide, "Package version status", "Publishing with
//     curl"): a version is Unfinished from its first file until a
//     maven-metadata.xml lists it (or UpdatePackageVersionsStatus publishes
//     it); files of Unfinished, Archived and Disposed versions do not
//     download, and generated metadata lists Published versions only.
//   - SNAPSHOTs (User Guide, "Use Maven snapshots"): the files of every
//     timestamped build go to the version 1.0-SNAPSHOT; its
//     maven-metadata.xml publishes the build it names and moves the files
//     of earlier builds to Unlisted versions named after each build
//     (1.0-20261123.191446-1). A request for proj-1.0-SNAPSHOT.jar gets the
//     latest build's jar, and a request for an earlier build's file finds
//     it in the build's version.
//   - Uploads: a file name of a version holds one content; the same bytes
//     again answer 200, other bytes 409. A checksum upload that does not
//     match its file is refused with 400; one that arrives before its file
//     is remembered (in the store, for an hour) and checked when the file
//     arrives. A POM must be the POM of its path (groupId, artifactId,
//     version, after inheriting from its parent); it sets the version's
//     metadata and dependencies.
//   - Permissions: every PUT needs PublishPackageVersion and
//     PutPackageMetadata on the package (User Guide, "Publishing
//     permissions"). Anonymous requests are answered 401 with a Basic
//     challenge by the endpoint, since Maven sends credentials only then.
//
// The metadata code (path.go, pom.go, metadata.go, snapshot.go) is pure:
// bytes in, typed values out, no storage. Errors are plain text, which
// Maven and Gradle print after the status. Files are named as in every
// format folder (package format).
//
// # The Maven external connections (connection.go)
//
// Connection is the client of a remote Maven repository behind the Maven
// external connections (public:maven-central, public:maven-googleandroid,
// public:maven-gradleplugins, public:maven-commonsware,
// public:maven-clojars): it implements resolve.Connection and
// resolve.AssetFetcher, built from the shared upstream.Config by
// Rules.Connect, and names its connection (upstream.Config.Connection) in
// messages.
//
// Connection.Package fetches an artifact's maven-metadata.xml
// ({URL}/{group/path}/{artifactId}/maven-metadata.xml) and lists its
// versions. Ingest downloads a version's POM into the blob store as the
// asset {artifactId}-{version}.pom and reads the version's metadata and
// dependencies from it; FetchAsset downloads any other file of the version
// (the jar, sources, javadoc, a Gradle module file) on its first request.
// So a version's POM and the files clients ask for are ingested, and its
// dependencies only when a client asks for them (User Guide, "Maven
// ingestion behavior"). Each file is checked against the .sha1 the
// repository publishes beside it when there is one: bytes that do not match
// are never stored.
//
// For the release-age gate it implements resolve.PublishTimer: the
// metadata's lastUpdated bounds every version's publish time
// (Remote.PublishedBy), and a version the bound cannot clear is dated by
// the Last-Modified of its POM, asked once (gate.go).
//
// What it shares with the other registry clients (package upstream): one
// request per artifact's metadata at a time (files are fetched once by the
// resolver's own singleflight); metadata cached per artifact for
// upstream.Config.TTL (fifteen minutes by default; CodeArtifact looks for
// new Maven versions at most every three hours), then revalidated, within
// upstream.Config.CacheBytes; failures remembered for
// upstream.Config.FailureTTL, per artifact and, for a repository that
// cannot be reached at all, for its whole host, metadata and files alike;
// stale metadata served when it cannot be refreshed. The absence of a file
// is remembered like the absence of metadata, in the same cache.
//
// Errors: an artifact, version or file the repository does not have is
// errkind.NotFound; network failures, timeouts, 5xx and invalid or
// oversized metadata are errkind.Unavailable naming the repository URL and
// the cause; a file that does not match its .sha1 is errkind.Validation.
// The client identifies itself with the User-Agent "arca (+maven external
// connection)".
package maven
