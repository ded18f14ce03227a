// Package mavenrepo is the client of a remote Maven repository behind the
// Maven external connections (public:maven-central,
// public:maven-googleandroid, public:maven-gradleplugins,
// public:maven-commonsware, public:maven-clojars): it implements
// resolve.Connection and resolve.AssetFetcher.
//
// Package fetches an artifact's maven-metadata.xml
// ({URL}/{group/path}/{artifactId}/maven-metadata.xml) and lists its
// versions. Ingest downloads a version's POM into the blob store as the
// asset {artifactId}-{version}.pom and reads the version's metadata and
// dependencies from it; FetchAsset downloads any other file of the version
// (the jar, sources, javadoc, a Gradle module file) on its first request.
// So a version's POM and the files clients ask for are ingested, and its
// dependencies only when a client asks for them (User Guide, "Maven
// ingestion behavior"). Each file is checked against the .sha1 the
// repository publishes beside it when there is one: bytes that do not
// match are never stored.
//
// Invariants and behaviour, as for the npm connection:
//
//   - One request per artifact's metadata at a time: concurrent Package
//     calls share one fetch (singleflight), detached from the callers until
//     the first caller's deadline; each caller waits no longer than its own
//     context allows. Files are fetched once by the resolver's own
//     singleflight.
//   - Metadata is cached in memory per artifact for Config.TTL (fifteen
//     minutes by default; CodeArtifact looks for new Maven versions at most
//     every three hours), then revalidated with If-None-Match and
//     If-Modified-Since. Answers that an artifact or a file does not exist
//     are cached the same way. The cache is bounded by Config.CacheBytes.
//   - Failure memory: after a failed fetch of an artifact's metadata,
//     Package answers errkind.Unavailable at once for Config.FailureTTL;
//     after a failure to reach the repository at all, the whole host is
//     remembered as down for that long, for metadata and files alike.
//   - Stale-if-error: metadata past its TTL that cannot be refreshed is
//     served as last fetched. Files already ingested are served from the
//     store by the resolver whatever happens here.
//   - Errors: an artifact, version or file the repository does not have is
//     errkind.NotFound; network failures, timeouts, 5xx and invalid or
//     oversized metadata are errkind.Unavailable naming the repository URL
//     and the cause; a file that does not match its .sha1 is
//     errkind.Validation.
//
// The client identifies itself with the User-Agent
// "arca (+maven external connection)".
package mavenrepo
