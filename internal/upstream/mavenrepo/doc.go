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
// For the release-age gate it implements resolve.PublishTimer: the
// metadata's lastUpdated bounds every version's publish time
// (Remote.PublishedBy), and a version the bound cannot clear is dated by
// the Last-Modified of its POM, asked once (gate.go).
//
// What it shares with the other registry clients (package upstream): one
// request per artifact's metadata at a time (files are fetched once by the
// resolver's own singleflight); metadata cached per artifact for
// Config.TTL (fifteen minutes by default; CodeArtifact looks for new Maven
// versions at most every three hours), then revalidated, within
// Config.CacheBytes; failures remembered for Config.FailureTTL, per
// artifact and, for a repository that cannot be reached at all, for its
// whole host, metadata and files alike; stale metadata served when it
// cannot be refreshed. The absence of a file is remembered like the
// absence of metadata, in the same cache.
//
// Errors: an artifact, version or file the repository does not have is
// errkind.NotFound; network failures, timeouts, 5xx and invalid or
// oversized metadata are errkind.Unavailable naming the repository URL
// and the cause; a file that does not match its .sha1 is
// errkind.Validation. The client identifies itself with the User-Agent
// "arca (+maven external connection)".
package mavenrepo
