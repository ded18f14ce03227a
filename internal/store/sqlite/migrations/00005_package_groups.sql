-- +goose Up
-- Package groups of a domain. modes is a JSON object of the origin
-- restrictions set on the group itself (restriction type to mode).
CREATE TABLE package_groups (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id    INTEGER NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    pattern      TEXT NOT NULL,
    description  TEXT NOT NULL,
    contact_info TEXT NOT NULL,
    modes        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (domain_id, pattern)
);

-- The allowed repositories of a group, per restriction type.
CREATE TABLE package_group_repositories (
    group_id      INTEGER NOT NULL REFERENCES package_groups (id) ON DELETE CASCADE,
    restriction   TEXT NOT NULL,
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, restriction, repository_id)
);
CREATE INDEX package_group_repositories_by_repository ON package_group_repositories (repository_id);

-- Bumped with every write to a domain's groups: servers cache a compiled
-- index of the groups per domain and reload it when this moves.
CREATE TABLE package_group_generations (
    domain_id  INTEGER PRIMARY KEY REFERENCES domains (id) ON DELETE CASCADE,
    generation INTEGER NOT NULL
);

-- Every domain has the root group /*, which allows every origin.
INSERT INTO package_groups (domain_id, pattern, description, contact_info, modes, created_at)
    SELECT id, '/*', '', '', '{"EXTERNAL_UPSTREAM":"ALLOW","INTERNAL_UPSTREAM":"ALLOW","PUBLISH":"ALLOW"}', created_at FROM domains;

CREATE INDEX packages_by_coordinates ON packages (format, namespace, name);

-- +goose Down
DROP INDEX packages_by_coordinates;
DROP TABLE package_group_generations;
DROP TABLE package_group_repositories;
DROP TABLE package_groups;
