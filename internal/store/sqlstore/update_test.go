package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlstore"
)

// Errors a test engine reports.
var (
	errConcurrent = errors.New("aborted for a concurrent transaction")
	errDuplicate  = errors.New("duplicate key")
)

type testDialect struct{}

func (testDialect) IsUniqueViolation(err error) bool { return errors.Is(err, errDuplicate) }
func (testDialect) IsRetryable(err error) bool {
	// A statement's failure the engine calls retryable: here, a second
	// signing key of the same id.
	return errors.Is(err, errConcurrent) || err != nil && strings.Contains(err.Error(), "signing_keys.id")
}
func (testDialect) Isolation() sql.IsolationLevel { return sql.LevelDefault }

func newStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, table := range []string{
		`CREATE TABLE accounts (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)`,
		`CREATE TABLE signing_keys (id INTEGER PRIMARY KEY, secret BLOB NOT NULL, created_at INTEGER NOT NULL)`,
	} {
		if _, err := db.Exec(table); err != nil {
			t.Fatal(err)
		}
	}
	s := sqlstore.New(db, db, testDialect{}, db.Close)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestUpdateRunsAgain: a transaction the engine aborts for a concurrent
// one runs again, until it commits; what a failed run wrote is gone.
func TestUpdateRunsAgain(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	runs := 0
	err := s.Update(ctx, func(q store.Queries) error {
		runs++
		if err := q.PutAccount(ctx, store.Account{ID: fmt.Sprintf("run-%d", runs)}); err != nil {
			return err
		}
		if runs < 3 {
			return fmt.Errorf("while writing: %w", errConcurrent)
		}
		return nil
	})
	if err != nil || runs != 3 {
		t.Fatalf("Update = %v after %d runs, want success on the third", err, runs)
	}
	accts, err := s.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].ID != "run-3" {
		t.Errorf("accounts %+v, want only the committed run's", accts)
	}
}

// TestUpdateRunsAgainWhatTheCallerRenamed: the statement that failed says
// the run is worth another, even when the caller swallowed its error and
// returned one of its own.
func TestUpdateRunsAgainWhatTheCallerRenamed(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	runs := 0
	err := s.Update(ctx, func(q store.Queries) error {
		runs++
		if err := q.CreateSigningKey(ctx, store.SigningKey{ID: 1, Secret: []byte("k")}); err != nil {
			return err
		}
		if runs == 1 {
			if err := q.CreateSigningKey(ctx, store.SigningKey{ID: 1, Secret: []byte("k")}); err != nil {
				return errors.New("the caller's own words")
			}
		}
		return nil
	})
	if err != nil || runs != 2 {
		t.Errorf("Update = %v after %d runs, want success on the second", err, runs)
	}
}

// TestUpdateGivesUp: a transaction that keeps being aborted fails with the
// engine's error after a bounded number of runs.
func TestUpdateGivesUp(t *testing.T) {
	s := newStore(t)
	runs := 0
	err := s.Update(context.Background(), func(store.Queries) error {
		runs++
		return errConcurrent
	})
	if !errors.Is(err, errConcurrent) || runs < 2 || runs > 50 {
		t.Errorf("Update = %v after %d runs, want the engine's error after a few", err, runs)
	}
}

// TestUpdateUniqueViolationOnce: a unique violation earns exactly one more
// run (the row may have been inserted by a transaction that began after
// this one looked for it); a second one is the caller's conflict.
func TestUpdateUniqueViolationOnce(t *testing.T) {
	s := newStore(t)
	runs := 0
	err := s.Update(context.Background(), func(store.Queries) error {
		runs++
		return errDuplicate
	})
	if !errors.Is(err, errDuplicate) || runs != 2 {
		t.Errorf("Update = %v after %d runs, want the violation after two", err, runs)
	}
	// Any other error is final at once.
	runs = 0
	boom := errors.New("boom")
	if err := s.Update(context.Background(), func(store.Queries) error { runs++; return boom }); !errors.Is(err, boom) || runs != 1 {
		t.Errorf("Update = %v after %d runs, want fn's own error after one", err, runs)
	}
}
