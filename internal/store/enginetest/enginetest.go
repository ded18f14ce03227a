// Package enginetest runs a test of code above the store on every engine:
// a fresh SQLite database, and a fresh schema of the test PostgreSQL
// server (see package pgtest: skipped without one, unless required).
// Services whose invariants span rows (identity, catalog) use it to race
// their own code on the engine where the races are real.
package enginetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/postgres"
	"github.com/arcahq/arca/internal/store/postgres/pgtest"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// Each runs fn as a subtest per engine, with an empty store it closes
// afterwards.
func Each(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "arca.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
}
