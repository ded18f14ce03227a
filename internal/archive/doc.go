// Package archive opens the zip and tar archives clients upload (wheels
// and sdists, .nupkg, .gem, .crate, npm tarballs, Swift source archives)
// within bounds checked before the work they would cost: how many entries
// an archive may have, how many bytes it may unpack to, and how many
// unpacked bytes it may yield per byte of input (its compression ratio).
//
// A zip's central directory is counted record by record, allocating
// nothing, before archive/zip parses it (which allocates a *zip.File per
// record: 1.5 million records are gigabytes); its entries' declared sizes
// are then summed (archive/zip refuses an entry that unpacks to more than
// it declares). A tar stream is counted as it is read: entries by Next,
// unpacked bytes and the ratio by the reader under it.
//
// Every refusal is an errkind.Validation error naming the archive as the
// caller calls it ("The wheel", "The .crate"), which each format renders
// in its own error shape. The package is pure: readers in, readers out.
package archive
