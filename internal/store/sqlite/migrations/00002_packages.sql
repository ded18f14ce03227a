-- +goose Up
CREATE TABLE packages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    repository_id   INTEGER NOT NULL REFERENCES repositories (id),
    format          TEXT NOT NULL,
    namespace       TEXT NOT NULL,
    name            TEXT NOT NULL,
    origin_publish  TEXT NOT NULL,
    origin_upstream TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (repository_id, format, namespace, name)
);

CREATE TABLE package_versions (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    package_id             INTEGER NOT NULL REFERENCES packages (id),
    version                TEXT NOT NULL,
    status                 TEXT NOT NULL,
    revision               TEXT NOT NULL,
    origin_type            TEXT NOT NULL,
    origin_repository      TEXT NOT NULL,
    origin_connection      TEXT NOT NULL,
    display_name           TEXT NOT NULL,
    summary                TEXT NOT NULL,
    home_page              TEXT NOT NULL,
    source_code_repository TEXT NOT NULL,
    licenses               TEXT NOT NULL,
    dependencies           TEXT NOT NULL,
    readme                 TEXT NOT NULL,
    extra                  TEXT NOT NULL,
    published_at           INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    UNIQUE (package_id, version)
);

-- The bytes a domain stores, once per digest, with how many assets use them.
CREATE TABLE domain_blobs (
    domain_id INTEGER NOT NULL REFERENCES domains (id),
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    sha1      TEXT NOT NULL,
    md5       TEXT NOT NULL,
    sha512    TEXT NOT NULL,
    refs      INTEGER NOT NULL,
    PRIMARY KEY (domain_id, sha256)
);
CREATE INDEX domain_blobs_by_digest ON domain_blobs (sha256);

CREATE TABLE assets (
    version_id INTEGER NOT NULL REFERENCES package_versions (id),
    name       TEXT NOT NULL,
    domain_id  INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    PRIMARY KEY (version_id, name)
);

CREATE TABLE package_tags (
    package_id INTEGER NOT NULL REFERENCES packages (id),
    tag        TEXT NOT NULL,
    version    TEXT NOT NULL,
    PRIMARY KEY (package_id, tag)
);

-- +goose Down
DROP TABLE package_tags;
DROP TABLE assets;
DROP TABLE domain_blobs;
DROP TABLE package_versions;
DROP TABLE packages;
