// Package engine opens the metadata store that a --database setting
// names: empty for the embedded SQLite database in the data directory (one
// server), a postgres:// URL for a PostgreSQL database that several
// replicas share. The server and the admin commands open the store only
// through Open, so they always agree on where it is.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/postgres"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// DatabaseFile is the name of the SQLite database in the data directory.
const DatabaseFile = "arca.db"

// Shared reports whether database names a database that other replicas
// may share, rather than the embedded one.
func Shared(database string) bool { return database != "" }

// Check reports whether database is a setting Open understands, without
// connecting.
func Check(database string) error {
	if database != "" && !postgres.IsURL(database) {
		return fmt.Errorf("database %s: want a postgres://USER@HOST:PORT/DB URL, or nothing for SQLite in the data directory", postgres.Redact(database))
	}
	return nil
}

// Where says where the store is, for logs and messages: the SQLite file,
// or the database URL without its password.
func Where(database, data string) string {
	if database == "" {
		return filepath.Join(data, DatabaseFile)
	}
	return postgres.Redact(database)
}

// Open opens and migrates the store. With the embedded database, create
// says whether a missing one may be made (the server's first start); tools
// beside a server refuse, rather than make an empty database in the wrong
// directory.
func Open(ctx context.Context, database, data string, create bool) (store.Store, error) {
	if err := Check(database); err != nil {
		return nil, err
	}
	if database != "" {
		st, err := postgres.Open(ctx, database)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return st, nil
	}
	path := filepath.Join(data, DatabaseFile)
	if !create {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no Arca database at %s: start `arca serve --data %s` once, or pass the server's --data (or --database)", path, data)
		}
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return st, nil
}
