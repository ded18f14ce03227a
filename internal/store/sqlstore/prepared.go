package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Prepared statements. Each statement's text is prepared once per pool
// and kept (database/sql prepares it again on each connection the first
// time it runs there): preparing, SQLite's parser above all, was a third
// of a publish's CPU when every statement was prepared anew.
//
// Outside a transaction a statement missing from the cache is prepared
// on the spot. Inside one it is not: preparing on the pool takes a
// connection, and the transaction holds one (SQLite's write pool has only
// that one), so the statement runs unprepared and is prepared once the
// transaction has ended (Store.Update). In a transaction a cached
// statement is bound to the transaction's connection (sql.Tx.StmtContext),
// which reuses what was prepared there; a transaction that runs again
// binds again. A prepared statement is the statement as written: same
// text, same arguments, same results.

// maxPrepared bounds the statements one pool keeps; beyond it statements
// run unprepared. The store's statements are a fixed set of texts (the
// few built from filters have a handful of variants each), well under it.
const maxPrepared = 512

// prepared is a pool with its cache of prepared statements, keyed by
// their text.
type prepared struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
	// failed holds the texts the engine would not prepare: they run
	// unprepared without asking again.
	failed map[string]bool
}

func newPrepared(db *sql.DB) *prepared {
	return &prepared{db: db, m: map[string]*sql.Stmt{}, failed: map[string]bool{}}
}

// cached returns the statement of query if it is prepared.
func (p *prepared) cached(query string) *sql.Stmt {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.m[query]
}

// stmt returns the statement of query, preparing it when it is not yet:
// nil when it cannot be (the cache is full, or preparing failed: then
// running the query unprepared reports why). Never call it while holding
// one of the pool's connections.
func (p *prepared) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := p.cached(query); st != nil {
		return st
	}
	p.mu.RLock()
	skip := len(p.m)+len(p.failed) >= maxPrepared || p.failed[query]
	p.mu.RUnlock()
	if skip {
		return nil
	}
	st, err := p.db.PrepareContext(ctx, query)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil && len(p.m)+len(p.failed) < maxPrepared {
			p.failed[query] = true
		}
		return nil
	}
	if kept := p.m[query]; kept != nil {
		st.Close() // prepared meanwhile by another caller
		return kept
	}
	if len(p.m)+len(p.failed) >= maxPrepared {
		st.Close()
		return nil
	}
	p.m[query] = st
	return st
}

// close closes every kept statement.
func (p *prepared) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for q, st := range p.m {
		errs = append(errs, st.Close())
		delete(p.m, q)
	}
	return errors.Join(errs...)
}

func (p *prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

func (p *prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p *prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// inTx returns the statement of query bound to the transaction, or nil
// when it is not prepared yet: then it is noted in *missed, to be
// prepared after the transaction.
func (p *prepared) inTx(ctx context.Context, t *sql.Tx, query string, missed *[]string) *sql.Stmt {
	if st := p.cached(query); st != nil {
		return t.StmtContext(ctx, st)
	}
	*missed = append(*missed, query)
	return nil
}

// prepare prepares the statements a transaction ran unprepared.
func (p *prepared) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		p.stmt(ctx, q)
	}
}
