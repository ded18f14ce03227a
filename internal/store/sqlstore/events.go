package sqlstore

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/store"
)

// --- events: subscriptions and the outbox of deliveries ---

func (q queries) NextEventSequence(ctx context.Context, key string) (int64, error) {
	// The upsert takes the row's lock: two transactions numbering events
	// of one package get their numbers in the order they commit.
	var n int64
	err := q.w.QueryRowContext(ctx, `INSERT INTO event_sequences (package_arn, seq) VALUES ($1, 1)
		ON CONFLICT (package_arn) DO UPDATE SET seq = event_sequences.seq + 1 RETURNING seq`, key).Scan(&n)
	return n, q.classify(err)
}

const subscriptionColumns = `id, account_id, domain_owner, domain_name, name, url, pattern, secret, created_at`

func scanSubscription(row interface{ Scan(...any) error }) (store.EventSubscription, error) {
	var s store.EventSubscription
	var created int64
	err := row.Scan(&s.ID, &s.AccountID, &s.DomainOwner, &s.DomainName, &s.Name, &s.URL, &s.Pattern, &s.Secret, &created)
	s.CreatedAt = fromMS(created)
	return s, err
}

func (q queries) CreateEventSubscription(ctx context.Context, s store.EventSubscription) error {
	return q.exec(ctx, false, `INSERT INTO event_subscriptions (`+subscriptionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.AccountID, s.DomainOwner, s.DomainName, s.Name, s.URL, s.Pattern, s.Secret, ms(s.CreatedAt))
}

func (q queries) GetEventSubscription(ctx context.Context, id string) (store.EventSubscription, error) {
	s, err := scanSubscription(q.r.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM event_subscriptions WHERE id = $1`, id))
	return s, q.classify(err)
}

func (q queries) ListEventSubscriptions(ctx context.Context, domainOwner, domainName string) ([]store.EventSubscription, error) {
	return queryAll(ctx, q.r, scanSubscription, `SELECT `+subscriptionColumns+` FROM event_subscriptions
		WHERE domain_owner = $1 AND domain_name = $2 ORDER BY created_at, id`, domainOwner, domainName)
}

func (q queries) ListAllEventSubscriptions(ctx context.Context) ([]store.EventSubscription, error) {
	return queryAll(ctx, q.r, scanSubscription, `SELECT `+subscriptionColumns+` FROM event_subscriptions ORDER BY id`)
}

func (q queries) SetEventSubscriptionSecret(ctx context.Context, id, secret string) error {
	return q.exec(ctx, true, `UPDATE event_subscriptions SET secret = $2 WHERE id = $1`, id, secret)
}

func (q queries) DeleteEventSubscription(ctx context.Context, id string) error {
	if err := q.exec(ctx, false, `DELETE FROM event_deliveries WHERE subscription_id = $1`, id); err != nil {
		return err
	}
	return q.exec(ctx, true, `DELETE FROM event_subscriptions WHERE id = $1`, id)
}

const deliveryColumns = `id, delivery_id, subscription_id, event_id, body, state, attempts, next_attempt_at,
	last_status, last_error, created_at, updated_at`

func scanDelivery(row interface{ Scan(...any) error }) (store.EventDelivery, error) {
	var d store.EventDelivery
	var body string
	var next, created, updated int64
	err := row.Scan(&d.Seq, &d.ID, &d.SubscriptionID, &d.EventID, &body, &d.State, &d.Attempts, &next,
		&d.LastStatus, &d.LastError, &created, &updated)
	d.Body = []byte(body)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
	return d, err
}

func (q queries) CreateEventDelivery(ctx context.Context, d *store.EventDelivery) error {
	d.State = store.DeliveryPending
	err := q.w.QueryRowContext(ctx, `INSERT INTO event_deliveries (delivery_id, subscription_id, event_id, body, state, attempts,
		next_attempt_at, lease_owner, lease_until, last_status, last_error, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '', 0, $8, $9, $10, $11) RETURNING id`,
		d.ID, d.SubscriptionID, d.EventID, string(d.Body), d.State, d.Attempts, ms(d.NextAttemptAt),
		d.LastStatus, d.LastError, ms(d.CreatedAt), ms(d.UpdatedAt)).Scan(&d.Seq)
	return q.classify(err)
}

func (q queries) ClaimEventDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]store.EventDelivery, error) {
	// The head of each subscription's queue: pending, and no older pending
	// delivery of the same subscription.
	heads, err := queryAll(ctx, q.w, scanDelivery, `SELECT `+deliveryColumns+` FROM event_deliveries d
		WHERE d.state = $1 AND d.next_attempt_at <= $2 AND d.lease_until <= $2
		AND NOT EXISTS (SELECT 1 FROM event_deliveries e WHERE e.subscription_id = d.subscription_id AND e.state = $1 AND e.id < d.id)
		ORDER BY d.id LIMIT $3`, store.DeliveryPending, ms(now), limit)
	if err != nil {
		return nil, err
	}
	// Each lease is taken by a conditional update: of several claimants
	// that saw the same head, the one whose update touches the row has it.
	claimed := heads[:0]
	for _, d := range heads {
		res, err := q.w.ExecContext(ctx, `UPDATE event_deliveries SET lease_owner = $2, lease_until = $3
			WHERE id = $1 AND state = $4 AND lease_until <= $5`, d.Seq, owner, ms(leaseUntil), store.DeliveryPending, ms(now))
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 1 {
			claimed = append(claimed, d)
		}
	}
	return claimed, nil
}

func (q queries) FinishEventDelivery(ctx context.Context, owner string, d store.EventDelivery) error {
	return q.exec(ctx, true, `UPDATE event_deliveries SET state = $3, attempts = $4, next_attempt_at = $5, last_status = $6,
		last_error = $7, updated_at = $8, lease_owner = '', lease_until = 0 WHERE id = $1 AND lease_owner = $2`,
		d.Seq, owner, d.State, d.Attempts, ms(d.NextAttemptAt), d.LastStatus, d.LastError, ms(d.UpdatedAt))
}

func (q queries) ListEventDeliveries(ctx context.Context, subscriptionID, state string, before int64, limit int) ([]store.EventDelivery, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	return queryAll(ctx, q.r, scanDelivery, `SELECT `+deliveryColumns+` FROM event_deliveries
		WHERE subscription_id = $1 AND ($2 = '' OR state = $2) AND id < $3 ORDER BY id DESC LIMIT $4`,
		subscriptionID, state, before, limit)
}

func (q queries) RedriveEventDeliveries(ctx context.Context, subscriptionID string, now time.Time) (int64, error) {
	return q.execCount(ctx, `UPDATE event_deliveries SET state = $1, attempts = 0, next_attempt_at = $2, updated_at = $2,
		lease_owner = '', lease_until = 0 WHERE subscription_id = $3 AND state = $4`, store.DeliveryPending, ms(now), subscriptionID, store.DeliveryDead)
}

func (q queries) CountEventDeliveries(ctx context.Context, state string) (int64, error) {
	var n int64
	err := q.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_deliveries WHERE state = $1`, state).Scan(&n)
	return n, err
}

func (q queries) DeleteDeliveredEvents(ctx context.Context, before time.Time) (int64, error) {
	return q.execCount(ctx, `DELETE FROM event_deliveries WHERE state = $1 AND updated_at < $2`, store.DeliveryDelivered, ms(before))
}
