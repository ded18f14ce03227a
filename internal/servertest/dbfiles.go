package servertest

import (
	"database/sql"
	"os"
	"testing"

	_ "github.com/arcahq/arca/internal/store/sqlite" // the "sqlite" driver
)

// DatabaseFiles checkpoints the SQLite database at path (while a server
// may hold it open) and returns the bytes of the database file followed
// by those of its write-ahead log: everything of it on disk, for tests
// that search it for what must not be there.
func DatabaseFiles(t testing.TB, path string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
