package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlstore"
)

// parses counts the statements SQLite was given to parse: each prepare,
// and each statement run on a connection directly (which parses it).
var parses atomic.Int64

var registerCounting sync.Once

// countingDriver is the sqlite driver, counting parses.
type countingDriver struct{ driver.Driver }

func (d countingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return countingConn{c.(sqliteConn)}, nil
}

// sqliteConn is what the sqlite driver's connections do beyond
// driver.Conn.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
}

type countingConn struct{ sqliteConn }

func (c countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	parses.Add(1)
	return c.sqliteConn.PrepareContext(ctx, query)
}

func (c countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	parses.Add(1)
	return c.sqliteConn.ExecContext(ctx, query, args)
}

func (c countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	parses.Add(1)
	return c.sqliteConn.QueryContext(ctx, query, args)
}

// countingStore is newStore's store over the counting driver, with a
// read pool of conns connections beside the one-connection write pool.
func countingStore(t *testing.T, conns int) *sqlstore.Store {
	t.Helper()
	registerCounting.Do(func() {
		db, err := sql.Open("sqlite", "")
		if err != nil {
			t.Fatal(err)
		}
		sql.Register("sqlite-counting", countingDriver{db.Driver()})
		db.Close()
	})
	path := "file:" + filepath.Join(t.TempDir(), "db")
	write, err := sql.Open("sqlite-counting", path)
	if err != nil {
		t.Fatal(err)
	}
	write.SetMaxOpenConns(1)
	if _, err := write.Exec(`CREATE TABLE accounts (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	read, err := sql.Open("sqlite-counting", path)
	if err != nil {
		t.Fatal(err)
	}
	read.SetMaxOpenConns(conns)
	s := sqlstore.New(read, write, testDialect{}, func() error { read.Close(); return write.Close() })
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStatementsPreparedOnce: a statement run again and again, in
// transactions (some of which run again) and outside them, is parsed a
// bounded number of times (once per connection it runs on, and once
// unprepared in the transaction that first ran it), and every run does
// what it says.
func TestStatementsPreparedOnce(t *testing.T) {
	s := countingStore(t, 2)
	ctx := context.Background()
	const n = 50
	parses.Store(0)
	for i := range n {
		runs := 0
		err := s.Update(ctx, func(q store.Queries) error {
			runs++
			if err := q.PutAccount(ctx, store.Account{ID: fmt.Sprintf("a%d-run%d", i, runs)}); err != nil {
				return err
			}
			if i%10 == 0 && runs == 1 {
				return errConcurrent // runs again, binding the statements anew
			}
			_, err := q.GetAccount(ctx, fmt.Sprintf("a%d-run%d", i, runs))
			return err
		})
		if err != nil {
			t.Fatalf("Update %d: %v", i, err)
		}
		if _, err := s.GetAccount(ctx, fmt.Sprintf("a%d-run%d", i, runs)); err != nil {
			t.Fatalf("account %d of run %d, read after commit: %v", i, runs, err)
		}
		if _, err := s.GetAccount(ctx, fmt.Sprintf("a%d-run1", i)); i%10 == 0 && err == nil {
			t.Fatalf("account %d of the aborted run was kept", i)
		}
	}
	accts, err := s.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != n {
		t.Errorf("%d accounts, want %d", len(accts), n)
	}
	// Three statements (insert, select, list) on three connections, and
	// the two of the transaction once unprepared: 11 at most; 2 or 3 a
	// statement per run without the cache.
	if p := parses.Load(); p > 11 {
		t.Errorf("%d parses for %d transactions and %d reads, want at most 11", p, n, 2*n+1)
	}
}

// TestStatementsUnpreparable: a statement the engine refuses still fails
// with the engine's error every time, inside a transaction and outside,
// and the store goes on working.
func TestStatementsUnpreparable(t *testing.T) {
	s := countingStore(t, 1)
	ctx := context.Background()
	for range 3 {
		// No such table: SQLite refuses to prepare the insert.
		err := s.Update(ctx, func(q store.Queries) error {
			return q.CreateSigningKey(ctx, store.SigningKey{ID: 1, Secret: []byte("k")})
		})
		if err == nil {
			t.Fatal("CreateSigningKey without its table succeeded")
		}
		if _, err := s.ListSigningKeys(ctx); err == nil {
			t.Fatal("ListSigningKeys without its table succeeded")
		}
	}
	if err := s.PutAccount(ctx, store.Account{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAccount(ctx, "a"); err != nil {
		t.Fatal(err)
	}
}
