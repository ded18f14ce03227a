-- +goose Up
-- The release-age gate of a package group (an Arca extension): versions
-- entering through an external connection must be at least min_age_ms
-- old and, when cutoff_ms is set, published no later than it. A group
-- without a row inherits its nearest ancestor's gate.
CREATE TABLE package_group_gates (
    group_id           BIGINT PRIMARY KEY REFERENCES package_groups (id) ON DELETE CASCADE,
    min_age_ms         BIGINT NOT NULL,
    cutoff_ms          BIGINT,
    allow_missing_time BOOLEAN NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- Break-glass entries: one version of a package (version '' for every
-- version) let through the release-age gate of its domain. Packages are
-- keyed in the package group normal form.
CREATE TABLE release_gate_exemptions (
    domain_id  BIGINT NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    format     TEXT COLLATE "C" NOT NULL,
    namespace  TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    version    TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (domain_id, format, namespace, name, version)
);

-- +goose Down
DROP TABLE release_gate_exemptions;
DROP TABLE package_group_gates;
