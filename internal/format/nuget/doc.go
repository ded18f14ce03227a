// Package nuget serves NuGet's V3 protocol on a repository endpoint, as
// CodeArtifact does (User Guide, "Using CodeArtifact with NuGet"), for
// nuget.exe 4.8 and later and dotnet. Clients use {endpoint}v3/index.json
// as the package source. Only V3 is served: V2 requests (nuget list, a
// source without v3/index.json) get a 404 saying so.
//
//   - v3/index.json, the service index: every resource type the public
//     NuGet gallery advertises for what is served here, since each client
//     version looks for its own (nuget.exe 5.x fails without
//     RegistrationsBaseUrl/3.0.0-beta, /3.4.0 or /Versioned);
//   - the flat container (PackageBaseAddress/3.0.0): version lists,
//     .nupkg and .nuspec under lower-cased normalized paths;
//   - registrations (RegistrationsBaseUrl): index, pages and leaves, pages
//     inlined up to InlineLimit versions; the types before 3.6.0 point at
//     registrations without SemVer 2.0.0 versions;
//   - search (SearchQueryService): q, skip, take, prerelease, semVerLevel,
//     over the repository's own packages;
//   - push (PackagePublish/2.0.0): PUT of a multipart body with one
//     .nupkg; nuget delete (DELETE) unlists, POST to the same URL
//     relists.
//
// NuGet sends no credentials until challenged: every request arrives
// anonymous first and gets 401 with a Basic challenge (the endpoint does
// it, with Challenge), then comes again with Basic aws:TOKEN.
//
// Invariants:
//
//   - Ids are case-insensitive and stored lower-cased; versions are
//     stored normalized and lower-cased (rules.go). A version is pushed
//     once: 409 for an existing one, whatever its status.
//   - A .nupkg is read once, when it arrives (nupkg.go, nuspec.go): zip
//     entries that would unpack outside the package, more than MaxEntries
//     entries or MaxUnpackedSize bytes, DTDs and entities in the .nuspec,
//     and invalid ids or versions are refused with 400, and nothing is
//     recorded. What reads need (the parsed manifest and the .nuspec's
//     bytes) is stored with the version (Entry); nothing is parsed again.
//   - Statuses: Published versions are listed; Unlisted ones are in the
//     registrations with "listed": false and in the flat container, and
//     download (so pinned versions restore); Archived, Disposed and
//     Unfinished ones are nowhere and do not download.
//
// Errors are plain text with the status, which NuGet clients report.
package nuget
