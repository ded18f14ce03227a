// Package sqlite opens Arca's embedded metadata store: a SQLite database in
// the data directory, in WAL mode, driven by the pure-Go modernc driver so
// that `go build` alone produces a working binary.
//
// SQLite allows one writer at a time. The store therefore keeps two pools:
// a single write connection whose transactions begin IMMEDIATE (taking the
// write lock up front, so two writers never deadlock upgrading a read lock),
// and several read connections that WAL lets run beside the writer.
//
// The store also gives a mark of what the database has committed, by any
// process (store.CommitMark): the header of the WAL index (walmark.go),
// which lets the change counters skip their read when nothing changed.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"

	"github.com/pressly/goose/v3"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the database at path, migrates it to the
// latest schema and returns the store.
//
// The database holds secrets (IAM secret keys, token signing keys), so it
// is readable by its owner only (mode 0600) whatever the umask: Open
// creates it so, and tightens an existing one. SQLite creates the -wal and
// -shm files with the database's mode; Open tightens those too, for
// databases made before.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	write, err := openPool(path, true, 1)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	if err := tighten(path); err != nil {
		write.Close()
		return nil, err
	}
	read, err := openPool(path, false, max(4, runtime.GOMAXPROCS(0)*2))
	if err != nil {
		write.Close()
		return nil, err
	}
	// The WAL index's header tells the change counters when nothing was
	// committed (walmark.go). The write pool keeps its connection, so the
	// index stays initialised while the store is open; without a header
	// the counters read the store every time.
	wal, err := openWALIndex(path)
	if err == nil && !wal.mark(new(store.CommitMark)) {
		wal.close()
		err = errors.New("the WAL index is not initialised")
	}
	if err != nil {
		wal = nil
	}
	st := sqlstore.New(read, write, dialect{}, func() error {
		return errors.Join(read.Close(), write.Close(), wal.close())
	})
	if wal != nil {
		st.MarkCommits(wal.mark)
	}
	return st, nil
}

// createPrivate creates path empty with mode 0600 if it does not exist
// (SQLite takes an empty file for a new database).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}

// tighten removes the group's and others' permissions from the database
// and its -wal and -shm files.
func tighten(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&^0o077); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}

func openPool(path string, writer bool, conns int) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL: a commit survives power loss, not just a crash of the process.
	q.Add("_pragma", "synchronous(FULL)")
	// 128 KB of page cache per connection instead of SQLite's 2 MB: the hot
	// reads are cached above the store (versions, rendered documents), the
	// kernel caches the file, and five connections at 2 MB would be a third
	// of an idle server's memory.
	q.Add("_pragma", "cache_size(-128)")
	if writer {
		q.Set("_txlock", "immediate")
		// Deleted and overwritten rows are zeroed, not left in free pages:
		// a secret sealed anew, or a key deleted, leaves no old bytes in
		// the file.
		q.Add("_pragma", "secure_delete(1)")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	return db, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

type dialect struct{}

// IsRetryable is false: SQLite runs one writer at a time (the write pool
// has one connection and its transactions begin IMMEDIATE), so no
// transaction is aborted for the sake of a concurrent one.
func (dialect) IsRetryable(error) bool { return false }

// Isolation is SQLite's only one: with a single writer, every transaction
// is serialisable.
func (dialect) Isolation() sql.IsolationLevel { return sql.LevelDefault }

func (dialect) IsUniqueViolation(err error) bool {
	var e *sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3lib.SQLITE_CONSTRAINT_UNIQUE, sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}
