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

-- +goose Down
DROP TABLE iam_login_profiles;
