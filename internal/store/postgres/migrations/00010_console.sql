-- +goose Up
-- IAM login profiles: the console password of a user, kept only as an
-- argon2id hash (encoded by package identity, which documents the
-- parameters), and whether the user must change it at the next sign-in.

CREATE TABLE iam_login_profiles (
    user_id                 TEXT COLLATE "C" PRIMARY KEY,
    password_hash           TEXT COLLATE "C" NOT NULL,
    password_reset_required BOOLEAN NOT NULL,
    created_at              BIGINT NOT NULL
);

-- The web console's sessions, shared by every replica. id is the SHA-256
-- (hex) of the token in the browser's cookie, never the token.
CREATE TABLE console_sessions (
    id             TEXT COLLATE "C" PRIMARY KEY,
    account_id     TEXT COLLATE "C" NOT NULL,
    principal_arn  TEXT COLLATE "C" NOT NULL,
    user_id        TEXT COLLATE "C" NOT NULL,
    csrf           TEXT COLLATE "C" NOT NULL,
    reset_required BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen      BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen);
CREATE INDEX console_sessions_by_created ON console_sessions (created_at);

-- +goose Down
DROP TABLE console_sessions;
DROP TABLE iam_login_profiles;
