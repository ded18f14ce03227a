// Package pgtest gives tests a real, empty PostgreSQL database. The server
// is named by ARCA_TEST_DATABASE (a postgres:// URL of a role that may
// create schemas); scripts/postgres.sh starts a throwaway one and
// scripts/test.sh exports its URL. Each call makes a new schema and returns
// a URL whose search_path points at it, so tests share the server but
// never each other's tables.
//
// Tests skip when ARCA_TEST_DATABASE is unset, unless ARCA_REQUIRE_POSTGRES=1
// (as in scripts/test.sh), where they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Environment variables.
const (
	EnvDatabase = "ARCA_TEST_DATABASE"
	EnvRequire  = "ARCA_REQUIRE_POSTGRES"
)

// Server returns the URL of the test server, skipping the test (or failing
// it when EnvRequire is 1) if there is none.
func Server(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvDatabase)
	if u == "" {
		msg := EnvDatabase + " is not set: start a server with `scripts/postgres.sh start DIR` and export the URL it prints"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s (%s=1)", msg, EnvRequire)
		}
		t.Skip(msg)
	}
	return u
}

// URL creates an empty schema on the test server, dropped when the test
// ends, and returns a URL that puts Arca's tables in it.
func URL(t testing.TB) string {
	t.Helper()
	server := Server(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "arca_test_" + hex.EncodeToString(b)
	admin := open(t, server)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema on %s: %v", EnvDatabase, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabase, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open connects to a URL made by URL (or any other), for a test to look
// at the tables behind the store's back. The test closes it.
func Open(t testing.TB, rawURL string) *sql.DB {
	t.Helper()
	db := open(t, rawURL)
	t.Cleanup(func() { db.Close() })
	return db
}

func open(t testing.TB, rawURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
