-- +goose Up
-- IAM principals besides account roots, their policies, OIDC providers and
-- STS sessions. Names are unique per account regardless of case, as in IAM:
-- name_key is the lower-cased name.

ALTER TABLE access_keys ADD COLUMN user_id TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX access_keys_by_user ON access_keys (account_id, user_id, created_at);

CREATE TABLE iam_users (
    id         TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name       TEXT COLLATE "C" NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL,
    path       TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE iam_roles (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    account_id           TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name                 TEXT COLLATE "C" NOT NULL,
    name_key             TEXT COLLATE "C" NOT NULL,
    path                 TEXT COLLATE "C" NOT NULL,
    description          TEXT COLLATE "C" NOT NULL,
    trust_policy         TEXT COLLATE "C" NOT NULL,
    max_session_duration INTEGER NOT NULL,
    created_at           BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE iam_inline_policies (
    owner_kind TEXT COLLATE "C" NOT NULL,
    owner_id   TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    document   TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, name)
);

CREATE TABLE iam_attached_policies (
    owner_kind  TEXT COLLATE "C" NOT NULL,
    owner_id    TEXT COLLATE "C" NOT NULL,
    policy_arn  TEXT COLLATE "C" NOT NULL,
    attached_at BIGINT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, policy_arn)
);

CREATE TABLE iam_oidc_providers (
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    url_key     TEXT COLLATE "C" NOT NULL,
    url         TEXT COLLATE "C" NOT NULL,
    client_ids  TEXT COLLATE "C" NOT NULL,
    thumbprints TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, url_key)
);

-- Temporary credentials. The session token is kept only as its SHA-256.
CREATE TABLE sts_sessions (
    access_key_id   TEXT COLLATE "C" PRIMARY KEY,
    secret          TEXT COLLATE "C" NOT NULL,
    token_hash      BYTEA NOT NULL,
    account_id      TEXT COLLATE "C" NOT NULL,
    role_id         TEXT COLLATE "C" NOT NULL,
    session_name    TEXT COLLATE "C" NOT NULL,
    source_identity TEXT COLLATE "C" NOT NULL,
    provider_arn    TEXT COLLATE "C" NOT NULL,
    subject         TEXT COLLATE "C" NOT NULL,
    issued_at       BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX sts_sessions_by_role ON sts_sessions (role_id);
CREATE INDEX sts_sessions_by_expiry ON sts_sessions (expires_at);

-- +goose Down
DROP TABLE sts_sessions;
DROP TABLE iam_oidc_providers;
DROP TABLE iam_attached_policies;
DROP TABLE iam_inline_policies;
DROP TABLE iam_roles;
DROP TABLE iam_users;
DROP INDEX access_keys_by_user;
ALTER TABLE access_keys DROP COLUMN user_id;
