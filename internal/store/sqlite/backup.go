package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
)

// Snapshot writes a consistent copy of the database at path into the new
// file out (SQLite's VACUUM INTO: one read transaction, so it sees one
// committed state while the server goes on writing beside it in WAL
// mode). out is made readable by its owner only. The database is not
// migrated: the copy has the schema of the server that wrote it.
func Snapshot(ctx context.Context, path, out string) error {
	db, err := openRaw(path, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, out); err != nil {
		return fmt.Errorf("snapshot of %s: %w", path, err)
	}
	return os.Chmod(out, 0o600)
}

// Digests returns the SHA-256 digests (hex) of every blob the database at
// path references: those its server must find in the blob store.
func Digests(ctx context.Context, path string) ([]string, error) {
	db, err := openRaw(path, true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT sha256 FROM domain_blobs ORDER BY sha256`)
	if err != nil {
		return nil, fmt.Errorf("blobs of %s: %w", path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SchemaVersion returns the number of the last migration applied to the
// database at path.
func SchemaVersion(ctx context.Context, path string) (int64, error) {
	db, err := openRaw(path, true)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version of %s: %w", path, err)
	}
	return v.Int64, nil
}

// LatestSchema returns the number of the last migration this build knows.
func LatestSchema() (int64, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	var last int64
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > last {
			last = n
		}
	}
	return last, nil
}

// Verify runs SQLite's integrity check on the database at path.
func Verify(ctx context.Context, path string) error {
	db, err := openRaw(path, true)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if res != "ok" {
		return errors.New("integrity check of " + path + ": " + res)
	}
	return nil
}

// openRaw opens the database at path, which must exist, without
// migrating it; readOnly opens it so.
func openRaw(path string, readOnly bool) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Set("mode", "ro")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}
