-- +goose Up
-- Package version events (docs/events.md). event_sequences numbers the
-- events of each package, keyed by the package's ARN so that the count
-- survives a repository deleted and created again under the same name.
CREATE TABLE event_sequences (
    package_arn TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL
);

-- Webhook subscriptions: owned by an account, scoped to one domain,
-- filtered by an EventBridge event pattern. The secret is sealed.
CREATE TABLE event_subscriptions (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL,
    domain_owner TEXT NOT NULL,
    domain_name  TEXT NOT NULL,
    name         TEXT NOT NULL,
    url          TEXT NOT NULL,
    pattern      TEXT NOT NULL,
    secret       TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX event_subscriptions_by_domain ON event_subscriptions (domain_owner, domain_name);

-- The outbox: one row per event and matching subscription, written in the
-- transaction of the change the event describes. Rows are claimed with a
-- lease (lease_owner, lease_until), delivered in id order per
-- subscription, and end delivered or dead.
CREATE TABLE event_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id     TEXT NOT NULL UNIQUE,
    subscription_id TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT NOT NULL,
    lease_until     INTEGER NOT NULL,
    last_status     INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX event_deliveries_by_subscription ON event_deliveries (subscription_id, state, id);
CREATE INDEX event_deliveries_by_state ON event_deliveries (state, next_attempt_at);

-- +goose Down
DROP TABLE event_deliveries;
DROP TABLE event_subscriptions;
DROP TABLE event_sequences;
