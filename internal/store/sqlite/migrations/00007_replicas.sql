-- +goose Up
-- Named change counters shared by every server over this database. A
-- write that makes cached state stale (a policy, a repository, a
-- package's versions, IAM state, a revocation) bumps the counters it
-- touches in its own transaction: the row named '' is the sequence, and
-- each named row takes the sequence's new value. A server asks for the
-- rows above the last value it saw (an indexed range read, empty when
-- nothing changed) and drops what it cached under the names returned.
CREATE TABLE generations (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE INDEX generations_by_value ON generations (value);

-- Leases on jobs that one server at a time runs (the sweep of
-- unreferenced blobs): a lease is held by holder until expires_at.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Checksums of uploads in progress at a path of a repository that the
-- catalog cannot tell (Maven): kind 'expected' holds checksums uploaded
-- before their file, kind 'uploaded' the digests of an uploaded metadata
-- file. Kept in the store so that a deploy whose files reach different
-- servers is checked the same; rows older than an hour are ignored and
-- pruned.
CREATE TABLE upload_checksums (
    repository_id BIGINT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    path          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    value         TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (repository_id, path, kind, algorithm)
);
CREATE INDEX upload_checksums_by_time ON upload_checksums (updated_at);

-- Holds on blobs, so that servers sharing a blob store never delete a
-- blob another is committing: kind 'hold' is a server's upload of the
-- digest (from before its commit until its metadata is written or given
-- up), kind 'delete' a server's claim to delete it. A claim is taken only
-- while no other server holds or claims the digest, and a hold only while
-- no other server claims it. Rows lapse at expires_at (a server that
-- died) and are pruned.
CREATE TABLE blob_holds (
    sha256     TEXT NOT NULL,
    holder     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (sha256, holder)
);
CREATE INDEX blob_holds_by_expiry ON blob_holds (expires_at);

-- +goose Down
DROP TABLE blob_holds;
DROP TABLE upload_checksums;
DROP TABLE leases;
DROP TABLE generations;
