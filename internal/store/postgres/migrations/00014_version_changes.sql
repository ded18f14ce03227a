-- +goose Up
-- What changed in a package since a reader last looked (store.VersionChanges):
-- every write of a package's versions (insert, update, delete, an asset
-- added or removed) takes the next number of the package's change counter
-- (packages.change_seq) and leaves it on the version row (a deleted version
-- leaves it in version_tombstones). A reader that kept the package's
-- versions as of number S reads the rows and tombstones numbered above S:
-- what changed, not every version. Triggers do the numbering, so that no
-- write path can forget it. Rows that exist when this runs get number 1
-- (the column's default: nothing is rewritten); a package's counter starts
-- at 1 and the first write takes 2.
--
-- Taking a number updates the package's row: writers of one package take
-- its numbers one transaction after the other (a concurrent one waits for
-- the row, or fails to serialise and runs again), so a reader that sees
-- number N sees every write numbered below it.
ALTER TABLE packages ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 1;
ALTER TABLE package_versions ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 1;
CREATE INDEX package_versions_changes ON package_versions (package_id, change_seq);

CREATE TABLE version_tombstones (
    package_id BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    change_seq BIGINT NOT NULL,
    PRIMARY KEY (package_id, change_seq)
);

-- +goose StatementBegin
CREATE FUNCTION package_versions_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE packages SET change_seq = change_seq + 1 WHERE id = NEW.package_id RETURNING change_seq INTO NEW.change_seq;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER package_versions_number BEFORE INSERT OR UPDATE ON package_versions
    FOR EACH ROW EXECUTE FUNCTION package_versions_number();

-- +goose StatementBegin
CREATE FUNCTION package_versions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    seq BIGINT;
BEGIN
    UPDATE packages SET change_seq = change_seq + 1 WHERE id = OLD.package_id RETURNING change_seq INTO seq;
    INSERT INTO version_tombstones (package_id, version_id, change_seq) VALUES (OLD.package_id, OLD.id, seq);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER package_versions_deleted AFTER DELETE ON package_versions
    FOR EACH ROW EXECUTE FUNCTION package_versions_deleted();

-- An asset added or removed is a change of its version: the update takes
-- a number through package_versions_number.
-- +goose StatementBegin
CREATE FUNCTION assets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE package_versions SET change_seq = change_seq WHERE id = OLD.version_id;
    ELSE
        UPDATE package_versions SET change_seq = change_seq WHERE id = NEW.version_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER assets_changed AFTER INSERT OR DELETE ON assets
    FOR EACH ROW EXECUTE FUNCTION assets_changed();

-- A package deleted takes its tombstones along (a package created again
-- under the name gets a new id).
-- +goose StatementBegin
CREATE FUNCTION packages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM version_tombstones WHERE package_id = OLD.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER packages_deleted AFTER DELETE ON packages
    FOR EACH ROW EXECUTE FUNCTION packages_deleted();

-- +goose Down
DROP TRIGGER packages_deleted ON packages;
DROP FUNCTION packages_deleted();
DROP TRIGGER assets_changed ON assets;
DROP FUNCTION assets_changed();
DROP TRIGGER package_versions_deleted ON package_versions;
DROP FUNCTION package_versions_deleted();
DROP TRIGGER package_versions_number ON package_versions;
DROP FUNCTION package_versions_number();
DROP TABLE version_tombstones;
DROP INDEX package_versions_changes;
ALTER TABLE package_versions DROP COLUMN change_seq;
ALTER TABLE packages DROP COLUMN change_seq;
