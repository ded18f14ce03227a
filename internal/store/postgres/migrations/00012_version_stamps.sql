-- +goose Up
-- Every rebuild of a package's documents reads its versions' stamps
-- (store.VersionStamps: id, version, status, revision, update time). From
-- the table that meant one lookup per version into rows that carry the
-- whole metadata (1-2 KB each, so a 5,000-version package touched some 8 MB
-- of pages); from this index it is one range of small entries.
CREATE INDEX package_versions_stamps ON package_versions (package_id, id, version, status, revision, updated_at);

-- +goose Down
DROP INDEX package_versions_stamps;
