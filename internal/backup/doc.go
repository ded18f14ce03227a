// Package backup copies the state of a single-machine Arca (a SQLite
// database and the blob directory inside the data directory) out of a
// running server, and back into a new data directory.
//
// A backup is a directory:
//
//	manifest.json            what the backup holds; written last, so a
//	                         directory without it is no backup
//	arca.db                  a consistent snapshot of the database
//	blobs/pack.db            every blob the snapshot references: the small
//	blobs/sha256/ab/cd/...   ones in the pack, the others as files (the
//	                         layout of package fsblob); the pack closed,
//	                         without -wal or -shm
//	root-credentials.json    the generated root credentials, when the
//	                         data directory has them
//	master.key               only with IncludeMasterKey
//
// Consistency: the database is snapshotted first (SQLite's VACUUM INTO,
// one read transaction beside the server's writes), then the blobs the
// snapshot references are copied. The server writes a blob before the
// metadata transaction that references it, and deletes a blob only once
// nothing references it, so every blob of the snapshot is there to copy,
// unless a version deleted after the snapshot let its blob be removed
// meanwhile: then Backup takes a new snapshot and copies what is missing,
// a few times before it gives up. Each blob is copied through the blob
// store's writer, which checks its SHA-256, so a backup never holds a
// damaged blob under a good name.
//
// The master key: the secrets in the database (IAM secret keys, token
// signing keys) are sealed with it (package sealed). A backup leaves it
// out by default, so that a stolen backup opens nothing; the operator
// keeps the key apart (it rarely changes) and gives it to the restored
// server (--master-key-file or ARCA_MASTER_KEY). IncludeMasterKey puts
// <data>/master.key into the backup for those who store the backup as
// safely as the server.
//
// Restore refuses a data directory that holds anything, writes files
// 0600 in directories 0700 as the server does, checks the database's
// integrity and every blob's digest, and on failure removes what it
// wrote.
package backup
