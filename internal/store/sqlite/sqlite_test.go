package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "arca.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	d := store.Domain{Owner: "111122223333", Name: "kept"}
	if err := s.CreateDomain(ctx, &d); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Opening again runs the migrations again: they must be a no-op.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetDomain(ctx, "111122223333", "kept"); err != nil {
		t.Fatalf("domain lost across reopen: %v", err)
	}
}

// The stamps of a package's versions are read at every rebuild of its
// documents, and those of its Unfinished versions at every Maven metadata
// upload: SQLite must answer from a covering index alone, never visiting
// the rows that carry each version's metadata, and the second without
// reading every version's entry.
func TestVersionStampsFromTheIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := openPool(path, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const stamps = `SELECT id, version, status, revision, updated_at FROM package_versions WHERE package_id = 1`
	for _, tc := range []struct{ query, want string }{
		{stamps, "COVERING INDEX package_versions_stamps (package_id=?)"},
		// Maven's metadata upload: a few Unfinished versions among thousands.
		{stamps + ` AND status = 'Unfinished'`, "COVERING INDEX package_versions_by_status (status=? AND package_id=?)"},
	} {
		if plan := queryPlan(t, db, tc.query); len(plan) != 1 || !strings.Contains(plan[0], tc.want) {
			t.Errorf("query plan of %s: %q, want %q", tc.query, plan, tc.want)
		}
	}
}

func queryPlan(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(`EXPLAIN QUERY PLAN ` + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}
