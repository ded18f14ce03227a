// Package fsblob is the blob.Store for one machine: blobs in a local
// directory, the large ones as files served to clients with sendfile, the
// small ones packed into a SQLite database.
//
// Layout under the root directory given to New:
//
//	root/pack.db              blobs of at most PackMax (64 KiB) bytes, one row
//	                          each in the table blobs (digest as 32 bytes,
//	                          size, mtime in Unix nanoseconds, data), SQLite in
//	                          WAL mode (with pack.db-wal and pack.db-shm while
//	                          open)
//	root/sha256/ab/cd/abcd…   larger blobs, one file each, named by its 64-hex
//	                          digest under two levels of fan-out (the first two
//	                          byte pairs of the hex), at most 65,536 directories
//	root/tmp/upload-*         blobs being written, not yet committed
//
// Why a pack: a file costs at least one 4 KiB block, and a fan-out
// directory another 4 KiB per blob until the directories fill up, so
// 100,000 blobs of 455 bytes took 6.2 KB each on disk as files, and take
// 560 bytes each in the pack. Blobs up to 64 KiB are served from memory
// by the cache in front of the store (blobcache), not with sendfile, so
// packing them costs downloads nothing once cached; a packed blob read
// from the pack costs some 17 µs of CPU more than a file. Stores written
// before the pack keep their small blobs as files, which are found,
// walked, deduplicated against and deleted where they are; nothing is
// moved. docs/PERFORMANCE.md ("Blob layout") has the measurements.
//
// Invariants:
//
//   - A packed blob is one row, inserted by one statement: SQLite's commit
//     (the WAL fsynced, synchronous=FULL) makes it durable before Commit
//     returns, and a crash never leaves part of it. A deduplicating Commit
//     updates the row's mtime; Delete deletes the row, whose pages SQLite
//     reuses (the file does not shrink). Several processes over one
//     directory share the pack as SQLite allows (WAL, a busy timeout).
//   - A digest is stored in one place: a small blob's Commit first looks
//     for a file of the older layout and refreshes it if it is intact
//     (a damaged one is replaced by a row and removed); Open and Stat look
//     for the file first (a miss costs one system call), then the pack;
//     Delete removes both.
//   - A file under root/sha256 is always complete: bytes are written and
//     hashed into a temporary file in root/tmp (the same file system), which
//     Commit fsyncs, then renames into place atomically, then fsyncs the
//     target directory (and any directory it created), so a committed blob
//     survives a crash and a crash never leaves a partial one.
//   - A committed file's content matches its name. If the target exists
//     already with the same size, Commit removes its temporary file and
//     succeeds (deduplication), refreshing the file's modification time (a
//     file of another size is damaged and is replaced); concurrent commits of the same content may each rename, which replaces
//     the file with identical bytes and never exposes a partial one.
//   - Temporary files left by a crash are removed by New when they are older
//     than an hour. Nothing else deletes them, so every Writer must be ended
//     with Commit or Cancel.
//   - Open returns a file's *os.File itself, never a wrapper, so that
//     http.ServeContent reaches io.Copy's sendfile path; a packed blob
//     comes in memory, with a Bytes method (sent in one write). On POSIX systems a
//     reader that opened a blob can finish reading it after Delete.
//   - Delete leaves the fan-out directories in place: removing an empty one
//     would race with a Commit that has just created it.
//
// Permissions: committed files and pack.db (and so its -wal and -shm,
// which SQLite creates with its mode) are 0600 and directories are created
// 0700 (less if the umask says so): private packages live here, beside
// the server's secrets in the same data directory, which is private too. A
// backup agent runs as the server's user (or as root).
//
// The package targets Linux and other POSIX systems, where rename replaces a
// file atomically and a directory can be fsynced.
package fsblob
