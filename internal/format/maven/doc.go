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
//     is remembered (in memory, for an hour) and checked when the file
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
// Maven and Gradle print after the status.
package maven
