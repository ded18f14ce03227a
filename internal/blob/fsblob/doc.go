// Package fsblob is the blob.Store for one machine: blobs are files in a local
// directory, served to clients with sendfile.
//
// Layout under the root directory given to New:
//
//	root/sha256/ab/cd/abcd…   one committed blob per file, named by its 64-hex
//	                          digest under two levels of fan-out (the first two
//	                          byte pairs of the hex), at most 65,536 directories
//	root/tmp/upload-*         blobs being written, not yet committed
//
// Invariants:
//
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
//   - Open returns the *os.File itself, never a wrapper, so that
//     http.ServeContent reaches io.Copy's sendfile path. On POSIX systems a
//     reader that opened a blob can finish reading it after Delete.
//   - Delete leaves the fan-out directories in place: removing an empty one
//     would race with a Commit that has just created it.
//
// Permissions: committed files are set to 0600 and directories are created
// 0700 (less if the umask says so): private packages live here, beside
// the server's secrets in the same data directory, which is private too. A
// backup agent runs as the server's user (or as root).
//
// The package targets Linux and other POSIX systems, where rename replaces a
// file atomically and a directory can be fsynced.
package fsblob
