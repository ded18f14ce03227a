package postgres_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/postgres"
	"github.com/arcahq/arca/internal/store/postgres/pgtest"
	"github.com/arcahq/arca/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestMigrationsMatchSQLite checks that every SQLite migration has its
// PostgreSQL twin with the same number, and the other way round: the two
// engines' schemas move in step.
func TestMigrationsMatchSQLite(t *testing.T) {
	numbers := func(dir string) []string {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if n, _, ok := strings.Cut(e.Name(), "_"); ok && strings.HasSuffix(e.Name(), ".sql") {
				out = append(out, n)
			}
		}
		return out
	}
	lite, pg := numbers("../sqlite/migrations"), numbers("migrations")
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Errorf("migration numbers differ:\nsqlite     %v\npostgresql %v\nport each SQLite migration to internal/store/postgres/migrations under the same number", lite, pg)
	}
}

// TestTextColumnsCompareBytes checks that every text column of the schema
// is COLLATE "C", the order keyset paging relies on.
func TestTextColumnsCompareBytes(t *testing.T) {
	u := pgtest.URL(t)
	s, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	rows, err := pgtest.Open(t, u).Query(`SELECT table_name, column_name, COALESCE(collation_name, '(default)')
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')
			AND table_name <> 'goose_db_version' AND collation_name IS DISTINCT FROM 'C'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, column, collation string
		if err := rows.Scan(&table, &column, &collation); err != nil {
			t.Fatal(err)
		}
		t.Errorf(`%s.%s has collation %s: declare it TEXT COLLATE "C"`, table, column, collation)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestReplicasMigrateTogether opens one empty database from three stores
// at once, as three replicas starting together do: each opens, and each
// migration is applied exactly once.
func TestReplicasMigrateTogether(t *testing.T) {
	u := pgtest.URL(t)
	const replicas = 3
	errs := make(chan error, replicas)
	for range replicas {
		go func() {
			s, err := postgres.Open(context.Background(), u)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range replicas {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	rows, err := pgtest.Open(t, u).Query(`SELECT version_id, COUNT(*) FROM goose_db_version WHERE version_id > 0 GROUP BY version_id ORDER BY version_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	entries, _ := os.ReadDir("migrations")
	applied := 0
	for rows.Next() {
		var version, n int64
		if err := rows.Scan(&version, &n); err != nil {
			t.Fatal(err)
		}
		applied++
		if n != 1 {
			t.Errorf("migration %d applied %d times", version, n)
		}
	}
	if applied != len(entries) {
		t.Errorf("%d migrations applied, want %d", applied, len(entries))
	}
}

func TestOpenRefusesOtherURLs(t *testing.T) {
	for _, u := range []string{"", "sqlite:///tmp/x.db", "/var/lib/arca/arca.db", "mysql://u@h/db"} {
		if _, err := postgres.Open(context.Background(), u); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
	// A password never appears in an error.
	_, err := postgres.Open(context.Background(), "postgres://arca:hunter2@127.0.0.1:1/arca?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open of an unreachable server = %v, want an error without the password", err)
	}
}

// BenchmarkRevocationGeneration is what a request pays on a shared
// database for noticing revocations made elsewhere: one query.
func BenchmarkRevocationGeneration(b *testing.B) {
	s, err := postgres.Open(context.Background(), pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.RevocationGeneration(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
