package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/arcahq/arca/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://).
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact returns the URL with its password replaced, for messages.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}

// Open connects to the database at rawURL
// (postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...]), migrates it to
// the latest schema and returns the store. Query parameters other than
// libpq's connection settings become session settings (search_path=SCHEMA
// keeps Arca's tables in a schema of their own).
func Open(ctx context.Context, rawURL string) (*sqlstore.Store, error) {
	if !IsURL(rawURL) {
		return nil, fmt.Errorf("database URL %s: want postgres://USER@HOST:PORT/DB", Redact(rawURL))
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx's message quotes the URL; ours does not, so that a password
		// never reaches a log.
		return nil, fmt.Errorf("database URL %s: invalid", Redact(rawURL))
	}
	db := stdlib.OpenDB(*cfg)
	conns := max(8, runtime.GOMAXPROCS(0)*4)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", Redact(rawURL), err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(db, db, dialect{}, db.Close), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	id, err := lockID(ctx, db)
	if err != nil {
		return err
	}
	// Replicas that start together take turns: the first migrates, the
	// others poll for the lock every second (goose's shortest period) for
	// up to ten minutes, then find every migration applied.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 600))
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// lockID is the advisory lock that serialises migrations: one per database
// and schema, so that two Arca installations in different schemas of one
// database do not wait for each other.
func lockID(ctx context.Context, db *sql.DB) (int64, error) {
	var database, schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&database, &schema); err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	if !schema.Valid {
		return 0, errors.New("migrations: no schema to create tables in (check search_path)")
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "arca migrations\x00%s\x00%s", database.String, schema.String)
	return int64(h.Sum64()), nil
}

// SQLSTATE codes (PostgreSQL's errcodes appendix).
const (
	uniqueViolation      = "23505"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

type dialect struct{}

func code(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func (dialect) IsUniqueViolation(err error) bool { return code(err) == uniqueViolation }

func (dialect) IsRetryable(err error) bool {
	switch code(err) {
	case serializationFailure, deadlockDetected:
		return true
	}
	return false
}

func (dialect) Isolation() sql.IsolationLevel { return sql.LevelSerializable }
