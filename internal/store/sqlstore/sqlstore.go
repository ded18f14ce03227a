// Package sqlstore is the one SQL implementation of store.Store, shared by
// every engine. It speaks the SQL that SQLite and PostgreSQL have in common
// ($1 placeholders, RETURNING, ON CONFLICT); what differs between engines
// (opening, migrations, isolation, error codes) sits behind Dialect.
//
// Reads outside a transaction go to the read pool, writes to the write pool;
// inside Update both go to the transaction. An engine with a single writer
// (SQLite) gives the write pool one connection.
//
// Update is serialisable on every engine: SQLite has one writer at a time,
// PostgreSQL runs Update's transactions at SERIALIZABLE isolation. A
// transaction the engine aborts because of a concurrent one (a
// serialisation failure or a deadlock) runs again, here and nowhere else.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// Dialect is what the shared SQL layer needs to know about an engine.
type Dialect interface {
	// IsUniqueViolation reports whether err is a unique or primary key
	// constraint failure.
	IsUniqueViolation(err error) bool
	// IsRetryable reports whether err aborted a transaction that may
	// succeed when run again: a serialisation failure or a deadlock.
	IsRetryable(err error) bool
	// Isolation is the isolation level of Update's transactions.
	Isolation() sql.IsolationLevel
}

// Store implements store.Store over database/sql.
type Store struct {
	queries
	write *prepared // the write pool, whose connection Update's transactions hold
	close func() error
	timer Timer
	mark  func(*store.CommitMark) bool
}

// MarkCommits gives the store a way to read a mark of what its database
// has committed (package sqlite: SQLite's WAL index header). Call it
// before the store is used.
func (s *Store) MarkCommits(mark func(*store.CommitMark) bool) { s.mark = mark }

// CommitMark reads a mark of what the database has committed into m, and
// reports false when the engine gives none (PostgreSQL) or the mark could
// not be read: the caller then reads the store.
func (s *Store) CommitMark(m *store.CommitMark) bool { return s.mark != nil && s.mark(m) }

// Timer receives how long a statement ("query", "exec") or a whole
// read-write transaction ("transaction", commit included) took.
type Timer func(kind string, d time.Duration)

// Time makes the store report its statements' and transactions' durations
// to t (the server's metrics). Call it before the store is used.
func (s *Store) Time(t Timer) {
	s.timer = t
	s.queries.r = timed{s.queries.r, t}
	s.queries.w = timed{s.queries.w, t}
}

var _ store.Store = (*Store)(nil)

// New returns a Store reading from read and writing to write (they may be
// the same pool). closeFn releases both.
func New(read, write *sql.DB, d Dialect, closeFn func() error) *Store {
	w, r := newPrepared(write), newPrepared(read)
	if read == write {
		r = w
	}
	return &Store{queries: queries{r: r, w: w, d: d}, write: w, close: func() error {
		return errors.Join(r.close(), w.close(), closeFn())
	}}
}

// maxAttempts bounds how often Update runs a transaction that keeps
// meeting concurrent ones.
const maxAttempts = 20

// Update runs fn in one serialisable read-write transaction. When the
// engine aborts the transaction because of a concurrent one, Update runs
// fn again in a new transaction, up to maxAttempts times in all: fn must
// have no effect outside the transaction except on variables it sets
// anew on every run.
//
// A unique violation also earns one more run: fn may have looked for the
// row first and found none because a concurrent transaction inserted it
// after this one began (PostgreSQL reports that as a unique violation, not
// always as a serialisation failure). Run again, fn sees the row and
// decides as it would have; a second violation is a real conflict.
func (s *Store) Update(ctx context.Context, fn func(q store.Queries) error) error {
	if s.timer != nil {
		defer func(start time.Time) { s.timer("transaction", time.Since(start)) }(time.Now())
	}
	uniqueRetried := false
	for attempt := 1; ; attempt++ {
		err, why, missed := s.update(ctx, fn)
		// The transaction's connection is back in the pool: prepare what
		// it ran unprepared.
		s.write.prepare(ctx, missed)
		switch {
		case why == final || attempt == maxAttempts:
			return err
		case why == unique:
			if uniqueRetried {
				return err
			}
			uniqueRetried = true
		}
		// A short random pause, growing with the attempts, so that the
		// transactions that collided do not collide again in step.
		pause := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(pause):
		}
	}
}

// Why a transaction failed, as far as running it again goes.
type failure int

const (
	final      failure = iota // running it again would fail the same way
	concurrent                // a concurrent transaction aborted it
	unique                    // a unique violation, maybe a concurrent insert
)

// update runs fn once in a transaction, and returns the statements it ran
// unprepared.
func (s *Store) update(ctx context.Context, fn func(q store.Queries) error) (err error, why failure, missed []string) {
	sqlTx, err := s.write.db.BeginTx(ctx, &sql.TxOptions{Isolation: s.d.Isolation()})
	if err != nil {
		return fmt.Errorf("begin: %w", err), tx{d: s.d}.why(err), nil
	}
	tx := &tx{Tx: sqlTx, d: s.d, stmts: s.write}
	defer func() { missed = tx.missed }()
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	// fn may have turned the engine's error into one of its own: the
	// statements that failed still say why.
	var in dbtx = tx
	if s.timer != nil {
		in = timed{tx, s.timer}
	}
	if err = fn(queries{r: in, w: in, d: s.d}); err != nil {
		return err, tx.why(err), nil
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err), tx.why(err), nil
	}
	return nil, final, nil
}

// tx is a transaction that remembers how its statements failed, and runs
// them prepared when they are (see prepared.go).
type tx struct {
	*sql.Tx
	d                   Dialect
	retryable, violated bool
	stmts               *prepared
	missed              []string // statements run unprepared
}

func (t *tx) note(err error) {
	switch {
	case err == nil:
	case t.d.IsRetryable(err):
		t.retryable = true
	case t.d.IsUniqueViolation(err):
		t.violated = true
	}
}

// why classifies the failure of a run that ended with err.
func (t tx) why(err error) failure {
	t.note(err)
	switch {
	case t.retryable:
		return concurrent
	case t.violated:
		return unique
	}
	return final
}

func (t *tx) ExecContext(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	if st := t.stmts.inTx(ctx, t.Tx, query, &t.missed); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = t.Tx.ExecContext(ctx, query, args...)
	}
	t.note(err)
	return res, err
}

func (t *tx) QueryContext(ctx context.Context, query string, args ...any) (rows *sql.Rows, err error) {
	if st := t.stmts.inTx(ctx, t.Tx, query, &t.missed); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = t.Tx.QueryContext(ctx, query, args...)
	}
	t.note(err)
	return rows, err
}

func (t *tx) QueryRowContext(ctx context.Context, query string, args ...any) (row *sql.Row) {
	if st := t.stmts.inTx(ctx, t.Tx, query, &t.missed); st != nil {
		row = st.QueryRowContext(ctx, args...)
	} else {
		row = t.Tx.QueryRowContext(ctx, query, args...)
	}
	t.note(row.Err())
	return row
}

// Close releases the connections.
func (s *Store) Close() error { return s.close() }

// dbtx is what *sql.DB and *sql.Tx have in common.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// timed reports each statement's duration to a Timer. A query's time is
// until its first row is ready (database/sql runs it then); reading the
// rows is the caller's.
type timed struct {
	db dbtx
	t  Timer
}

func (x timed) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	start := time.Now()
	res, err := x.db.ExecContext(ctx, query, args...)
	x.t("exec", time.Since(start))
	return res, err
}

func (x timed) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	start := time.Now()
	rows, err := x.db.QueryContext(ctx, query, args...)
	x.t("query", time.Since(start))
	return rows, err
}

func (x timed) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	start := time.Now()
	row := x.db.QueryRowContext(ctx, query, args...)
	x.t("query", time.Since(start))
	return row
}

// queries runs every statement; r serves reads and w writes.
type queries struct {
	r, w dbtx
	d    Dialect
}

var errNotFound = errkind.NotFoundf("not found")

// classify turns engine errors into store categories.
func (q queries) classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return errNotFound
	case q.d.IsUniqueViolation(err):
		return errkind.Wrap(errkind.Conflict, err, "already exists")
	}
	return err
}

func ms(t time.Time) int64     { return t.UnixMilli() }
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// exec runs a write and fails with NotFound when it touched no row and
// mustTouch is set.
func (q queries) exec(ctx context.Context, mustTouch bool, query string, args ...any) error {
	res, err := q.w.ExecContext(ctx, query, args...)
	if err != nil {
		return q.classify(err)
	}
	if mustTouch {
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errNotFound
		}
	}
	return nil
}

// execCount runs a write and returns how many rows it touched.
func (q queries) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.w.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, q.classify(err)
	}
	return res.RowsAffected()
}

// --- accounts and access keys ---

func (q queries) PutAccount(ctx context.Context, a store.Account) error {
	return q.exec(ctx, false, `INSERT INTO accounts (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, a.ID, ms(a.CreatedAt))
}

func (q queries) GetAccount(ctx context.Context, id string) (store.Account, error) {
	a := store.Account{ID: id}
	var created int64
	err := q.r.QueryRowContext(ctx, `SELECT created_at FROM accounts WHERE id = $1`, id).Scan(&created)
	a.CreatedAt = fromMS(created)
	return a, q.classify(err)
}

func (q queries) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	return q.exec(ctx, false, `INSERT INTO access_keys (id, secret, account_id, principal_arn, user_id, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, account_id = excluded.account_id,
			principal_arn = excluded.principal_arn, user_id = excluded.user_id, active = excluded.active`,
		k.ID, k.Secret, k.AccountID, k.PrincipalARN, k.UserID, k.Active, ms(k.CreatedAt))
}

const accessKeyColumns = `id, secret, account_id, principal_arn, user_id, active, created_at`

func scanAccessKey(row interface{ Scan(...any) error }) (store.AccessKey, error) {
	var k store.AccessKey
	var created int64
	err := row.Scan(&k.ID, &k.Secret, &k.AccountID, &k.PrincipalARN, &k.UserID, &k.Active, &created)
	k.CreatedAt = fromMS(created)
	return k, err
}

func (q queries) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanAccessKey(q.r.QueryRowContext(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = $1`, id))
	return k, q.classify(err)
}

func (q queries) ListAccessKeys(ctx context.Context, accountID, userID string) ([]store.AccessKey, error) {
	return queryAll(ctx, q.r, scanAccessKey, `SELECT `+accessKeyColumns+` FROM access_keys
		WHERE account_id = $1 AND user_id = $2 ORDER BY created_at, id`, accountID, userID)
}

func (q queries) ListAllAccessKeys(ctx context.Context) ([]store.AccessKey, error) {
	return queryAll(ctx, q.r, scanAccessKey, `SELECT `+accessKeyColumns+` FROM access_keys ORDER BY id`)
}

func (q queries) DeleteAccessKey(ctx context.Context, id string) error {
	return q.exec(ctx, true, `DELETE FROM access_keys WHERE id = $1`, id)
}

func (q queries) ListAccounts(ctx context.Context) ([]store.Account, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, created_at FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Account{}
	for rows.Next() {
		var a store.Account
		var created int64
		if err := rows.Scan(&a.ID, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMS(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// --- signing keys ---

func (q queries) CreateSigningKey(ctx context.Context, k store.SigningKey) error {
	return q.exec(ctx, false, `INSERT INTO signing_keys (id, secret, created_at) VALUES ($1, $2, $3)`, int64(k.ID), k.Secret, ms(k.CreatedAt))
}

func (q queries) SetSigningKeySecret(ctx context.Context, id uint32, secret []byte) error {
	return q.exec(ctx, true, `UPDATE signing_keys SET secret = $1 WHERE id = $2`, secret, int64(id))
}

func (q queries) DeleteSigningKey(ctx context.Context, id uint32) error {
	return q.exec(ctx, true, `DELETE FROM signing_keys WHERE id = $1`, int64(id))
}

func (q queries) ListSigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, secret, created_at FROM signing_keys ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []store.SigningKey
	for rows.Next() {
		var k store.SigningKey
		var id, created int64
		if err := rows.Scan(&id, &k.Secret, &created); err != nil {
			return nil, err
		}
		k.ID, k.CreatedAt = uint32(id), fromMS(created)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// --- domains ---

const domainColumns = `id, owner, name, encryption_key, asset_size_bytes, created_at`

func scanDomain(row interface{ Scan(...any) error }) (store.Domain, error) {
	var d store.Domain
	var created int64
	err := row.Scan(&d.ID, &d.Owner, &d.Name, &d.EncryptionKey, &d.AssetSizeBytes, &created)
	d.CreatedAt = fromMS(created)
	return d, err
}

func (q queries) CreateDomain(ctx context.Context, d *store.Domain) error {
	err := q.w.QueryRowContext(ctx, `INSERT INTO domains (owner, name, encryption_key, asset_size_bytes, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, d.Owner, d.Name, d.EncryptionKey, d.AssetSizeBytes, ms(d.CreatedAt)).Scan(&d.ID)
	return q.classify(err)
}

func (q queries) GetDomain(ctx context.Context, owner, name string) (store.Domain, error) {
	d, err := scanDomain(q.r.QueryRowContext(ctx, `SELECT `+domainColumns+` FROM domains WHERE owner = $1 AND name = $2`, owner, name))
	return d, q.classify(err)
}

func (q queries) GetDomainByID(ctx context.Context, id int64) (store.Domain, error) {
	d, err := scanDomain(q.r.QueryRowContext(ctx, `SELECT `+domainColumns+` FROM domains WHERE id = $1`, id))
	return d, q.classify(err)
}

func (q queries) ListDomains(ctx context.Context, owner, after string, limit int) ([]store.Domain, error) {
	return queryAll(ctx, q.r, scanDomain, `SELECT `+domainColumns+` FROM domains WHERE owner = $1 AND name > $2 ORDER BY name LIMIT $3`, owner, after, limit)
}

func (q queries) DeleteDomain(ctx context.Context, id int64) error {
	if err := q.deleteResourceData(ctx, store.Resource{Kind: "domain", ID: id}); err != nil {
		return err
	}
	if err := q.deleteDomainGroups(ctx, id); err != nil {
		return err
	}
	return q.exec(ctx, true, `DELETE FROM domains WHERE id = $1`, id)
}

func (q queries) CountRepositories(ctx context.Context, domainID int64) (int, error) {
	var n int
	err := q.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM repositories WHERE domain_id = $1`, domainID).Scan(&n)
	return n, err
}

// --- repositories ---

const repoColumns = `r.id, r.domain_id, d.name, d.owner, r.name, r.administrator, r.description, r.created_at`

func scanRepo(row interface{ Scan(...any) error }) (store.Repository, error) {
	var r store.Repository
	var created int64
	err := row.Scan(&r.ID, &r.DomainID, &r.DomainName, &r.DomainOwner, &r.Name, &r.Administrator, &r.Description, &created)
	r.CreatedAt = fromMS(created)
	return r, err
}

func (q queries) CreateRepository(ctx context.Context, r *store.Repository) error {
	err := q.w.QueryRowContext(ctx, `INSERT INTO repositories (domain_id, name, administrator, description, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, r.DomainID, r.Name, r.Administrator, r.Description, ms(r.CreatedAt)).Scan(&r.ID)
	return q.classify(err)
}

func (q queries) GetRepository(ctx context.Context, domainID int64, name string) (store.Repository, error) {
	return q.getRepository(ctx, `r.domain_id = $1 AND r.name = $2`, domainID, name)
}

func (q queries) GetRepositoryByID(ctx context.Context, id int64) (store.Repository, error) {
	return q.getRepository(ctx, `r.id = $1`, id)
}

func (q queries) getRepository(ctx context.Context, where string, args ...any) (store.Repository, error) {
	r, err := scanRepo(q.r.QueryRowContext(ctx, `SELECT `+repoColumns+` FROM repositories r JOIN domains d ON d.id = r.domain_id WHERE `+where, args...))
	if err != nil {
		return r, q.classify(err)
	}
	if r.Upstreams, err = q.strings(ctx, `SELECT u.name FROM upstreams x JOIN repositories u ON u.id = x.upstream_id
		WHERE x.repository_id = $1 ORDER BY x.position`, r.ID); err != nil {
		return r, err
	}
	r.ExternalConnections, err = q.strings(ctx, `SELECT name FROM external_connections WHERE repository_id = $1 ORDER BY name`, r.ID)
	return r, err
}

func (q queries) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := q.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (q queries) ListRepositories(ctx context.Context, f store.RepositoryFilter, limit int) ([]store.Repository, error) {
	query := `SELECT ` + repoColumns + ` FROM repositories r JOIN domains d ON d.id = r.domain_id
		WHERE (r.name > $1 OR (r.name = $1 AND r.id > $2))`
	args := []any{f.AfterName, f.AfterID}
	if f.DomainID != 0 {
		args = append(args, f.DomainID)
		query += fmt.Sprintf(` AND r.domain_id = $%d`, len(args))
	}
	if f.Administrator != "" {
		args = append(args, f.Administrator)
		query += fmt.Sprintf(` AND r.administrator = $%d`, len(args))
	}
	if f.Prefix != "" {
		// A range instead of LIKE: names may hold '_' and '%', and the
		// range uses the (name, id) index on both engines.
		args = append(args, f.Prefix, f.Prefix+"\U0010FFFF")
		query += fmt.Sprintf(` AND r.name >= $%d AND r.name < $%d`, len(args)-1, len(args))
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY r.name, r.id LIMIT $%d`, len(args))
	return queryAll(ctx, q.r, scanRepo, query, args...)
}

func (q queries) SetRepositoryDescription(ctx context.Context, id int64, description string) error {
	return q.exec(ctx, true, `UPDATE repositories SET description = $2 WHERE id = $1`, id, description)
}

func (q queries) SetUpstreams(ctx context.Context, id int64, upstreamIDs []int64) error {
	if err := q.exec(ctx, false, `DELETE FROM upstreams WHERE repository_id = $1`, id); err != nil {
		return err
	}
	for i, u := range upstreamIDs {
		if err := q.exec(ctx, false, `INSERT INTO upstreams (repository_id, position, upstream_id) VALUES ($1, $2, $3)`, id, i, u); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) UpstreamGraph(ctx context.Context, domainID int64) (map[int64][]int64, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT x.repository_id, x.upstream_id FROM upstreams x
		JOIN repositories r ON r.id = x.repository_id WHERE r.domain_id = $1 ORDER BY x.repository_id, x.position`, domainID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	g := map[int64][]int64{}
	for rows.Next() {
		var from, to int64
		if err := rows.Scan(&from, &to); err != nil {
			return nil, err
		}
		g[from] = append(g[from], to)
	}
	return g, rows.Err()
}

func (q queries) AddExternalConnection(ctx context.Context, id int64, name string) error {
	return q.exec(ctx, false, `INSERT INTO external_connections (repository_id, name) VALUES ($1, $2)`, id, name)
}

func (q queries) AssociatedExternalConnections(ctx context.Context) ([]string, error) {
	return q.strings(ctx, `SELECT DISTINCT name FROM external_connections ORDER BY name`)
}

func (q queries) RemoveExternalConnection(ctx context.Context, id int64, name string) error {
	return q.exec(ctx, true, `DELETE FROM external_connections WHERE repository_id = $1 AND name = $2`, id, name)
}

func (q queries) DeleteRepository(ctx context.Context, id int64) error {
	pkgs, err := q.int64s(ctx, `SELECT id FROM packages WHERE repository_id = $1`, id)
	if err != nil {
		return err
	}
	for _, p := range pkgs {
		if err := q.DeletePackage(ctx, p); err != nil {
			return err
		}
	}
	for _, stmt := range []string{
		`DELETE FROM upstreams WHERE repository_id = $1`,
		`DELETE FROM external_connections WHERE repository_id = $1`,
	} {
		if err := q.exec(ctx, false, stmt, id); err != nil {
			return err
		}
	}
	if err := q.deleteResourceData(ctx, store.Resource{Kind: "repository", ID: id}); err != nil {
		return err
	}
	return q.exec(ctx, true, `DELETE FROM repositories WHERE id = $1`, id)
}

// deleteResourceData removes the tags and policy of a resource that is
// being deleted.
func (q queries) deleteResourceData(ctx context.Context, r store.Resource) error {
	if err := q.DeleteTags(ctx, r, nil); err != nil {
		return err
	}
	return q.exec(ctx, false, `DELETE FROM policies WHERE resource_kind = $1 AND resource_id = $2`, r.Kind, r.ID)
}

// --- tags ---

func (q queries) ListTags(ctx context.Context, r store.Resource) ([]store.Tag, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT key, value FROM tags WHERE resource_kind = $1 AND resource_id = $2 ORDER BY key`, r.Kind, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Tag{}
	for rows.Next() {
		var t store.Tag
		if err := rows.Scan(&t.Key, &t.Value); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (q queries) PutTags(ctx context.Context, r store.Resource, tags []store.Tag) error {
	for _, t := range tags {
		if err := q.exec(ctx, false, `INSERT INTO tags (resource_kind, resource_id, key, value) VALUES ($1, $2, $3, $4)
			ON CONFLICT (resource_kind, resource_id, key) DO UPDATE SET value = excluded.value`, r.Kind, r.ID, t.Key, t.Value); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) DeleteTags(ctx context.Context, r store.Resource, keys []string) error {
	if len(keys) == 0 {
		return q.exec(ctx, false, `DELETE FROM tags WHERE resource_kind = $1 AND resource_id = $2`, r.Kind, r.ID)
	}
	for _, k := range keys {
		if err := q.exec(ctx, false, `DELETE FROM tags WHERE resource_kind = $1 AND resource_id = $2 AND key = $3`, r.Kind, r.ID, k); err != nil {
			return err
		}
	}
	return nil
}

// --- policies ---

func (q queries) GetPolicy(ctx context.Context, r store.Resource) (store.Policy, error) {
	p := store.Policy{Resource: r}
	var updated int64
	err := q.r.QueryRowContext(ctx, `SELECT document, revision, updated_at FROM policies WHERE resource_kind = $1 AND resource_id = $2`, r.Kind, r.ID).
		Scan(&p.Document, &p.Revision, &updated)
	p.UpdatedAt = fromMS(updated)
	return p, q.classify(err)
}

func (q queries) PutPolicy(ctx context.Context, p store.Policy) error {
	return q.exec(ctx, false, `INSERT INTO policies (resource_kind, resource_id, document, revision, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (resource_kind, resource_id) DO UPDATE SET document = excluded.document, revision = excluded.revision, updated_at = excluded.updated_at`,
		p.Resource.Kind, p.Resource.ID, p.Document, p.Revision, ms(p.UpdatedAt))
}

func (q queries) DeletePolicy(ctx context.Context, r store.Resource) error {
	return q.exec(ctx, true, `DELETE FROM policies WHERE resource_kind = $1 AND resource_id = $2`, r.Kind, r.ID)
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, db dbtx, scan func(row interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
