-- +goose Up
-- Maven's metadata upload asks for a package's Unfinished versions
-- (store.VersionStampsWithStatus): a few among thousands. With this index
-- it reads those few entries (covering: nothing from the rows). Status
-- comes first so that the stamps of all of a package's versions keep
-- being read from package_versions_stamps, in its order.
CREATE INDEX package_versions_by_status ON package_versions (status, package_id, id, version, revision, updated_at);

-- +goose Down
DROP INDEX package_versions_by_status;
