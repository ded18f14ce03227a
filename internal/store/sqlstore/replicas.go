package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/arcahq/arca/internal/store"
)

// --- generations ---

// BumpGenerations takes the next sequence value by an upsert of the row
// with the empty name: on PostgreSQL its row lock holds concurrent bumpers back until
// the holder commits, so values commit in order; SQLite has one writer.
// It belongs inside Update, in the transaction of the change it announces.
func (q queries) BumpGenerations(ctx context.Context, names ...string) error {
	if len(names) == 0 {
		return nil
	}
	for _, n := range names {
		if n == "" {
			return errors.New("generation names must not be empty")
		}
	}
	var seq int64
	err := q.w.QueryRowContext(ctx, `INSERT INTO generations (name, value) VALUES ('', 1)
		ON CONFLICT (name) DO UPDATE SET value = generations.value + 1 RETURNING value`).Scan(&seq)
	if err != nil {
		return q.classify(err)
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if err := q.exec(ctx, false, `INSERT INTO generations (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, n, seq); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) GenerationsSince(ctx context.Context, after int64) ([]store.Generation, error) {
	return queryAll(ctx, q.r, func(row interface{ Scan(...any) error }) (store.Generation, error) {
		var g store.Generation
		err := row.Scan(&g.Name, &g.Value)
		return g, err
	}, `SELECT name, value FROM generations WHERE value > $1 ORDER BY value`, after)
}

func (q queries) LatestGeneration(ctx context.Context) (int64, error) {
	var v int64
	err := q.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(value), 0) FROM generations WHERE name = ''`).Scan(&v)
	return v, q.classify(err)
}

// --- leases ---

// TakeLease is one upsert whose update applies only to a lease that is
// expired or already the holder's: it changed a row exactly when the
// holder has the lease.
func (q queries) TakeLease(ctx context.Context, name, holder string, now, expires time.Time) (bool, error) {
	n, err := q.execCount(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder`, name, holder, ms(expires), ms(now))
	return n > 0, err
}

func (q queries) ReleaseLease(ctx context.Context, name, holder string) error {
	return q.exec(ctx, false, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder)
}

// --- blob holds ---

// HoldBlob and ClaimBlobDelete first take the digest's lock row (the row
// with the empty holder, never in force: its expires_at is 0) by an
// upsert, which on PostgreSQL holds any other transaction on the digest
// back until this one commits; then they decide and write in one
// statement. SQLite runs one writer at a time anyway.
func (q queries) HoldBlob(ctx context.Context, sha256, holder string, now, until time.Time) (bool, error) {
	return q.takeBlob(ctx, `INSERT INTO blob_holds (sha256, holder, kind, expires_at)
		SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), 'hold', CAST($3 AS BIGINT)
		WHERE NOT EXISTS (SELECT 1 FROM blob_holds WHERE sha256 = $1 AND holder <> $2 AND kind = 'delete' AND expires_at > $4)
		ON CONFLICT (sha256, holder) DO UPDATE SET kind = 'hold', expires_at = excluded.expires_at`, sha256, holder, until, now)
}

func (q queries) ClaimBlobDelete(ctx context.Context, sha256, holder string, now, until time.Time) (bool, error) {
	return q.takeBlob(ctx, `INSERT INTO blob_holds (sha256, holder, kind, expires_at)
		SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), 'delete', CAST($3 AS BIGINT)
		WHERE NOT EXISTS (SELECT 1 FROM blob_holds WHERE sha256 = $1 AND holder <> $2 AND expires_at > $4)
		ON CONFLICT (sha256, holder) DO UPDATE SET kind = 'delete', expires_at = excluded.expires_at`, sha256, holder, until, now)
}

func (q queries) takeBlob(ctx context.Context, query, sha256, holder string, until, now time.Time) (bool, error) {
	if holder == "" {
		return false, errors.New("blob holders must have a name")
	}
	if err := q.exec(ctx, false, `INSERT INTO blob_holds (sha256, holder, kind, expires_at) VALUES ($1, '', 'lock', 0)
		ON CONFLICT (sha256, holder) DO UPDATE SET expires_at = 0`, sha256); err != nil {
		return false, err
	}
	n, err := q.execCount(ctx, query, sha256, holder, ms(until), ms(now))
	return n > 0, err
}

func (q queries) ReleaseBlob(ctx context.Context, sha256, holder string) error {
	return q.exec(ctx, false, `DELETE FROM blob_holds WHERE sha256 = $1 AND holder = $2`, sha256, holder)
}

func (q queries) DeleteExpiredBlobHolds(ctx context.Context, before time.Time) (int64, error) {
	return q.execCount(ctx, `DELETE FROM blob_holds WHERE expires_at < $1`, ms(before))
}

// --- upload checksums ---

func (q queries) PutUploadChecksums(ctx context.Context, u store.UploadChecksums) error {
	for alg, sum := range u.Sums {
		if err := q.exec(ctx, false, `INSERT INTO upload_checksums (repository_id, path, kind, algorithm, value, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (repository_id, path, kind, algorithm) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			u.RepositoryID, u.Path, u.Kind, alg, sum, ms(u.UpdatedAt)); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) GetUploadChecksums(ctx context.Context, repositoryID int64, path, kind string, since time.Time) (map[string]string, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT algorithm, value FROM upload_checksums
		WHERE repository_id = $1 AND path = $2 AND kind = $3 AND updated_at >= $4`, repositoryID, path, kind, ms(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sums := map[string]string{}
	for rows.Next() {
		var alg, sum string
		if err := rows.Scan(&alg, &sum); err != nil {
			return nil, err
		}
		sums[alg] = sum
	}
	return sums, rows.Err()
}

func (q queries) DeleteUploadChecksums(ctx context.Context, repositoryID int64, path, kind string) error {
	return q.exec(ctx, false, `DELETE FROM upload_checksums WHERE repository_id = $1 AND path = $2 AND kind = $3`, repositoryID, path, kind)
}

func (q queries) DeleteExpiredUploadChecksums(ctx context.Context, before time.Time) (int64, error) {
	return q.execCount(ctx, `DELETE FROM upload_checksums WHERE updated_at < $1`, ms(before))
}
