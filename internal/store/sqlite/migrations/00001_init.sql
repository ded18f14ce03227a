-- +goose Up
CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE access_keys (
    id            TEXT PRIMARY KEY,
    secret        TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    principal_arn TEXT NOT NULL,
    active        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE signing_keys (
    id         INTEGER PRIMARY KEY,
    secret     BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE domains (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    owner            TEXT NOT NULL,
    name             TEXT NOT NULL,
    encryption_key   TEXT NOT NULL,
    asset_size_bytes INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    UNIQUE (owner, name)
);

CREATE TABLE repositories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id     INTEGER NOT NULL REFERENCES domains (id),
    name          TEXT NOT NULL,
    administrator TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    UNIQUE (domain_id, name)
);
CREATE INDEX repositories_by_name ON repositories (name, id);
CREATE INDEX repositories_by_admin ON repositories (administrator, name, id);

CREATE TABLE upstreams (
    repository_id INTEGER NOT NULL REFERENCES repositories (id),
    position      INTEGER NOT NULL,
    upstream_id   INTEGER NOT NULL REFERENCES repositories (id),
    PRIMARY KEY (repository_id, position)
);
CREATE INDEX upstreams_by_upstream ON upstreams (upstream_id);

CREATE TABLE external_connections (
    repository_id INTEGER NOT NULL REFERENCES repositories (id),
    name          TEXT NOT NULL,
    PRIMARY KEY (repository_id, name)
);

CREATE TABLE tags (
    resource_kind TEXT NOT NULL,
    resource_id   INTEGER NOT NULL,
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (resource_kind, resource_id, key)
);

CREATE TABLE policies (
    resource_kind TEXT NOT NULL,
    resource_id   INTEGER NOT NULL,
    document      TEXT NOT NULL,
    revision      TEXT NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (resource_kind, resource_id)
);

-- +goose Down
DROP TABLE policies;
DROP TABLE tags;
DROP TABLE external_connections;
DROP TABLE upstreams;
DROP TABLE repositories;
DROP TABLE domains;
DROP TABLE signing_keys;
DROP TABLE access_keys;
DROP TABLE accounts;
