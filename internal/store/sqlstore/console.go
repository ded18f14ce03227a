package sqlstore

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/store"
)

// --- web console sessions ---

func (q queries) CreateConsoleSession(ctx context.Context, s store.ConsoleSession) error {
	return q.exec(ctx, false, `INSERT INTO console_sessions (id, account_id, principal_arn, user_id, csrf, reset_required, created_at, last_seen)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.ID, s.AccountID, s.PrincipalARN, s.UserID, s.CSRF, s.ResetRequired, ms(s.CreatedAt), ms(s.LastSeen))
}

func (q queries) GetConsoleSession(ctx context.Context, id string) (store.ConsoleSession, error) {
	s := store.ConsoleSession{ID: id}
	var created, seen int64
	err := q.r.QueryRowContext(ctx, `SELECT account_id, principal_arn, user_id, csrf, reset_required, created_at, last_seen
		FROM console_sessions WHERE id = $1`, id).Scan(&s.AccountID, &s.PrincipalARN, &s.UserID, &s.CSRF, &s.ResetRequired, &created, &seen)
	s.CreatedAt, s.LastSeen = fromMS(created), fromMS(seen)
	return s, q.classify(err)
}

func (q queries) TouchConsoleSession(ctx context.Context, id string, at time.Time) error {
	return q.exec(ctx, true, `UPDATE console_sessions SET last_seen = $2 WHERE id = $1`, id, ms(at))
}

func (q queries) SetConsoleSessionReset(ctx context.Context, id string, reset bool) error {
	return q.exec(ctx, true, `UPDATE console_sessions SET reset_required = $2 WHERE id = $1`, id, reset)
}

func (q queries) DeleteConsoleSession(ctx context.Context, id string) error {
	return q.exec(ctx, true, `DELETE FROM console_sessions WHERE id = $1`, id)
}

func (q queries) DeleteExpiredConsoleSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	return q.execCount(ctx, `DELETE FROM console_sessions WHERE last_seen < $1 OR created_at < $2`, ms(idleBefore), ms(createdBefore))
}
