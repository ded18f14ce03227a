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
ALTER TABLE packages ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE package_versions ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 1;
CREATE INDEX package_versions_changes ON package_versions (package_id, change_seq);

CREATE TABLE version_tombstones (
    package_id INTEGER NOT NULL,
    version_id INTEGER NOT NULL,
    change_seq INTEGER NOT NULL,
    PRIMARY KEY (package_id, change_seq)
);

-- +goose StatementBegin
CREATE TRIGGER package_versions_inserted AFTER INSERT ON package_versions BEGIN
    UPDATE packages SET change_seq = change_seq + 1 WHERE id = NEW.package_id;
    UPDATE package_versions SET change_seq = (SELECT change_seq FROM packages WHERE id = NEW.package_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- The numbering's own update leaves change_seq different: it does not
-- number itself again.
-- +goose StatementBegin
CREATE TRIGGER package_versions_updated AFTER UPDATE ON package_versions WHEN NEW.change_seq = OLD.change_seq BEGIN
    UPDATE packages SET change_seq = change_seq + 1 WHERE id = NEW.package_id;
    UPDATE package_versions SET change_seq = (SELECT change_seq FROM packages WHERE id = NEW.package_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER package_versions_deleted AFTER DELETE ON package_versions BEGIN
    UPDATE packages SET change_seq = change_seq + 1 WHERE id = OLD.package_id;
    INSERT INTO version_tombstones (package_id, version_id, change_seq)
        SELECT OLD.package_id, OLD.id, change_seq FROM packages WHERE id = OLD.package_id;
END;
-- +goose StatementEnd

-- An asset added or removed is a change of its version.
-- +goose StatementBegin
CREATE TRIGGER assets_inserted AFTER INSERT ON assets BEGIN
    UPDATE package_versions SET change_seq = change_seq WHERE id = NEW.version_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER assets_deleted AFTER DELETE ON assets BEGIN
    UPDATE package_versions SET change_seq = change_seq WHERE id = OLD.version_id;
END;
-- +goose StatementEnd

-- A package deleted takes its tombstones along (a package created again
-- under the name gets a new id).
-- +goose StatementBegin
CREATE TRIGGER packages_deleted AFTER DELETE ON packages BEGIN
    DELETE FROM version_tombstones WHERE package_id = OLD.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER packages_deleted;
DROP TRIGGER assets_deleted;
DROP TRIGGER assets_inserted;
DROP TRIGGER package_versions_deleted;
DROP TRIGGER package_versions_updated;
DROP TRIGGER package_versions_inserted;
DROP TABLE version_tombstones;
DROP INDEX package_versions_changes;
ALTER TABLE package_versions DROP COLUMN change_seq;
ALTER TABLE packages DROP COLUMN change_seq;
