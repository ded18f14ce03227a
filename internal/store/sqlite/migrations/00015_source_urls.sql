-- +goose Up
-- The source code repository URLs each version declares, as its format
-- normalises them (Swift: the repositoryURLs of the release metadata), so
-- that "which packages of this repository name this URL" (Swift's
-- identifiers lookup) reads the entries of one URL instead of every
-- version of every package. Rows go with their version (ON DELETE
-- CASCADE); whether the version is listed is read from package_versions
-- at lookup time, so status changes need no upkeep here.
CREATE TABLE source_urls (
    repository_id INTEGER NOT NULL,
    url           TEXT NOT NULL,
    package_id    INTEGER NOT NULL,
    version_id    INTEGER NOT NULL REFERENCES package_versions (id) ON DELETE CASCADE,
    PRIMARY KEY (repository_id, url, package_id, version_id)
);
CREATE INDEX source_urls_by_version ON source_urls (version_id);

-- Work a server does once after a migration because it needs Go code (a
-- format's normalisation): the versions published before source_urls
-- existed are indexed on first use, then the row is deleted. A database
-- without Swift packages has nothing to index: every later publish
-- indexes its own.
CREATE TABLE pending_backfills (
    name TEXT NOT NULL PRIMARY KEY
);
INSERT INTO pending_backfills (name) SELECT 'source_urls/swift' WHERE EXISTS (SELECT 1 FROM packages WHERE format = 'swift');

-- +goose Down
DROP TABLE pending_backfills;
DROP TABLE source_urls;
