package sqlstore

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/store"
)

// --- token revocations ---

func (q queries) CreateRevocation(ctx context.Context, r *store.Revocation) error {
	err := q.w.QueryRowContext(ctx, `INSERT INTO token_revocations
		(token_id, principal_arn, domain_owner, domain_name, issued_before, expires_at, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.TokenID, r.PrincipalARN, r.DomainOwner, r.Domain, ms(r.IssuedBefore), ms(r.Expires), r.Reason, ms(r.CreatedAt)).Scan(&r.ID)
	return q.classify(err)
}

func (q queries) ListRevocations(ctx context.Context, t time.Time) ([]store.Revocation, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, token_id, principal_arn, domain_owner, domain_name,
		issued_before, expires_at, reason, created_at
		FROM token_revocations WHERE expires_at > $1 ORDER BY id`, ms(t))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []store.Revocation
	for rows.Next() {
		var r store.Revocation
		var before, expires, created int64
		if err := rows.Scan(&r.ID, &r.TokenID, &r.PrincipalARN, &r.DomainOwner, &r.Domain, &before, &expires, &r.Reason, &created); err != nil {
			return nil, err
		}
		r.IssuedBefore, r.Expires, r.CreatedAt = fromMS(before), fromMS(expires), fromMS(created)
		list = append(list, r)
	}
	return list, rows.Err()
}

func (q queries) RevocationGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := q.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM token_revocations`).Scan(&gen)
	return gen, q.classify(err)
}

func (q queries) DeleteExpiredRevocations(ctx context.Context, t time.Time) (int64, error) {
	return q.execCount(ctx, `DELETE FROM token_revocations WHERE expires_at <= $1`, ms(t))
}
