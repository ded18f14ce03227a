-- +goose Up
-- Revoked authorization tokens: one token by its id, or every token of a
-- principal issued up to a time, optionally in one domain. Rows are pruned
-- once every token they revoke has expired (expires_at). AUTOINCREMENT
-- keeps ids growing even after pruning, so MAX(id) is a generation that
-- servers poll to notice revocations written by another process.
CREATE TABLE token_revocations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    token_id      TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    domain_owner  TEXT NOT NULL,
    domain_name   TEXT NOT NULL,
    issued_before INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX token_revocations_by_token ON token_revocations (token_id) WHERE token_id <> '';
CREATE INDEX token_revocations_by_expiry ON token_revocations (expires_at);

-- +goose Down
DROP TABLE token_revocations;
