// Package ruby serves the RubyGems protocols on a repository endpoint, for
// gem and Bundler (docs/CLIENTS.md §4.9; User Guide, "Using CodeArtifact
// with Ruby"). Below {endpoint} = /{domain}-{owner}/ruby/{repository}/:
//
//	POST   {endpoint}api/v1/gems                  gem push: the raw .gem, Bearer TOKEN
//	DELETE {endpoint}api/v1/gems/yank             gem yank: form gem_name, version, platform
//	GET    {endpoint}                             200: gem install then reads the compact index
//	GET    {endpoint}specs.4.8.gz                 the Marshal index (gem list --remote)
//	GET    {endpoint}latest_specs.4.8.gz
//	GET    {endpoint}prerelease_specs.4.8.gz
//	GET    {endpoint}quick/Marshal.4.8/{gem}.gemspec.rz
//	GET    {endpoint}gems/{gem}.gem               {gem} = name-version[-platform]
//	GET    {endpoint}versions                     the compact index (Bundler, gem install)
//	GET    {endpoint}info/{name}
//	GET    {endpoint}names
//
// Invariants:
//
//   - Gems are keyed by their names as given (case-sensitive) and their
//     versions as given, ordered as Gem::Version orders them (version.go).
//     A version holds one .gem per platform; each push adds its file,
//     whose Gem (the gemspec fields the indexes and quick gemspecs need,
//     and the file's SHA-256 and push time) is recorded in Meta.Extra
//     (extra.go) once, at upload: reads never open a .gem.
//   - A push stores the body, reads its gemspec from the stored bytes
//     (gem.go: YAML nodes with the Ruby tags dropped, nothing executed,
//     aliases refused, sizes bounded, tar members plain names only), then
//     authorizes the named gem: a refused push records nothing. The same
//     file with the same bytes again succeeds and changes nothing; with
//     other bytes it is a Conflict.
//   - The indexes list Published versions of the repository and its
//     upstream repositories; Unlisted (yanked) versions still download
//     by file name; Archived, Disposed and Unfinished ones do neither.
//   - The quick gemspec is the Marshal (marshal.go) of a
//     Gem::Specification as its _dump writes it: the Marshal of an array
//     of its fields in the order Gem::Specification._load reads them
//     (index.go).
//   - The compact index's info file lists a gem's files in push order, so
//     a push appends a line; documents are served with the quoted MD5 of
//     their bytes as ETag and honour Range (Bundler appends a range and
//     checks the MD5 of the result), so a changed document that is not an
//     extension makes Bundler fetch it whole. A gem's info file and a
//     repository's own versions file are kept with that ETag and their
//     gzip form (document.go), sent to clients accepting gzip except in
//     answer to a Range request, which gets the plain bytes. A push
//     extends a gem's kept list (grow.go): its info file's new lines are
//     compressed after the parts compressed before them, its MD5 goes on
//     from the kept hash state, its versions lines are appended; the
//     result is byte for byte a build from every version, which anything
//     but versions published after the last line (resolve.View.Lineage)
//     makes instead.
//   - A version's gems are decoded from its Extra once and kept by its
//     revision (Format.extras); the gems decoded for one list share the
//     strings, slices and maps equal to the gem before's (share.go), and
//     a kept list holds of each gem only what the Marshal index lists.
//   - Errors are plain text (format.WriteText), which gem prints.
//
// The external connection public:ruby-gems-org (connection.go) reads a
// gem registry's compact index: info/{name} gives a gem's versions (the
// info line of each platform's file, info.go), a version is ingested on
// its first download, checked against its line's SHA-256, and the
// registry's versions file comes first in the versions file of a
// repository whose search reaches the connection, followed by the
// repository's own lines (Bundler fetches only the info files of gems
// the versions file lists). The Marshal index lists only what
// repositories hold.
//
// The versions file is append-only (index.go, History): a line per push
// in push order and a line removing a version when it stops being
// listed, each with the MD5 of the gem's info file after it, so a push
// or a yank appends; a deleted or relisted version rewrites earlier
// lines, and Bundler then fetches the file whole (as it does when the
// registry's versions file, ahead of a connected repository's lines,
// has grown). gem yank --undo does not exist in RubyGems 3.3.
//
// Specs: RubyGems' Gem::Version, Gem::Package, Gem::Specification and
// Gem::Indexer; Ruby's doc/marshal.rdoc; the compact index
// (rubygems/compact_index).
package ruby
