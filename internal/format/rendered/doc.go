// Package rendered keeps the documents formats render from the catalog
// (npm package documents, PyPI pages, Maven metadata files, ...) ready to
// send: rendered once however many requests ask at the same time, kept in
// a bounded cache while the package generation they were made at holds,
// and served with an ETag and, where the client accepts it, gzip.
//
// What a format uses:
//
//   - Cache: rendered values by key and package generation (Load), none
//     larger than a quarter of its bound (NewCacheOfLarge: a given
//     allowance, for values that grow with a package's versions).
//     LoadAtLeast serves readers the previous rendering while a rebuild
//     of the document is under way, except the client that changed the
//     package, which Writers remembers (Writers.Wrote after a write,
//     Writers.Seen before a read).
//   - Doc: a body ready to send (Serve: gzip when accepted, ETag and
//     If-None-Match, Range, HEAD). NewDoc makes one from bytes, gzipped
//     whole; Assemble makes one from Parts (AssembleEach also when the
//     document is small: a list of version strings rebuilt at every
//     publish).
//   - Part: bytes compressed once as a DEFLATE segment that concatenates
//     with others (NewPart for a part kept and reused, NewPartOnce for
//     one used by a single rendering, such as a document's head). The
//     gzip form of an assembled Doc is its parts' segments between one
//     gzip header and trailer: nothing is compressed again.
//   - Runs: the long middle of a document (one entry per version) as
//     runs of entries, each a Part kept by what its entries were made
//     from (Entries: names, revisions, a renderer). Cuts between runs
//     depend on the entries' names only, so a publish or a change re-makes
//     the one run it falls in; every other run is the one the previous
//     rendering used. PartsAfter (a sequence with entries inserted) takes
//     the other entries of a run it makes again from the run it replaces,
//     and drops the replaced runs.
//   - Fragments: any per-version piece (a rendered manifest, decoded
//     files) by a key naming what it was made from.
//
// A document of thousands of versions is thus rebuilt after a publish by
// rendering one entry, compressing one run of a few dozen entries and
// joining the kept runs' compressed bytes; its plain form is joined only
// when a client asks for it without gzip. Compressors are the binary's
// bounded pools' (package deflate).
package rendered
