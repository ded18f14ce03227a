-- +goose Up
-- A file derived from a digest's bytes when they were uploaded (a wheel's
-- METADATA, served as PEP 658 ".metadata"), kept with the digest's row so
-- that it lives as long as the domain references the bytes and is never
-- extracted again per read. NULL: none recorded.
ALTER TABLE domain_blobs ADD COLUMN derived BYTEA;

-- +goose Down
ALTER TABLE domain_blobs DROP COLUMN derived;
