package sqlstore

import (
	"context"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// --- source URLs (migration 00015) ---

func (q queries) SetSourceURLs(ctx context.Context, repositoryID, packageID, versionID int64, urls []string) error {
	if err := q.exec(ctx, false, `DELETE FROM source_urls WHERE version_id = $1`, versionID); err != nil {
		return err
	}
	for _, u := range urls {
		if err := q.exec(ctx, false, `INSERT INTO source_urls (repository_id, url, package_id, version_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, repositoryID, u, packageID, versionID); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) PackagesWithSourceURL(ctx context.Context, repositoryID int64, f artifact.Format, url string, status artifact.Status, limit int) ([]artifact.PackageRef, error) {
	// The packages among the URL's entries in the repository, found by
	// a skip scan of the primary key (repository_id, url, package_id,
	// version_id): the recursive query seeks the smallest package ID
	// above the last one found, so a package with thousands of releases
	// naming the URL costs one index seek, not a pass over its entries.
	// Each package is kept when one of its versions there has the status:
	// that probe stops at the first such version, so it costs a range of
	// small index entries and about one version row, not every version
	// row.
	return queryAll(ctx, q.r, func(row interface{ Scan(...any) error }) (artifact.PackageRef, error) {
		r := artifact.PackageRef{Format: f}
		err := row.Scan(&r.Namespace, &r.Name)
		return r, err
	}, `WITH RECURSIVE s(package_id) AS (
			SELECT (SELECT MIN(package_id) FROM source_urls WHERE repository_id = $1 AND url = $2)
			UNION ALL
			SELECT (SELECT MIN(u.package_id) FROM source_urls u WHERE u.repository_id = $1 AND u.url = $2 AND u.package_id > s.package_id)
			FROM s WHERE s.package_id IS NOT NULL)
		SELECT p.namespace, p.name
		FROM s JOIN packages p ON p.id = s.package_id
		WHERE p.format = $3 AND EXISTS (SELECT 1 FROM source_urls u JOIN package_versions v ON v.id = u.version_id
			WHERE u.repository_id = $1 AND u.url = $2 AND u.package_id = p.id AND v.status = $4)
		ORDER BY p.namespace, p.name LIMIT $5`, repositoryID, url, string(f), string(status), limit)
}

func (q queries) FormatVersions(ctx context.Context, f artifact.Format, afterID int64, limit int) ([]store.RepositoryVersion, error) {
	return queryAll(ctx, q.r, func(row interface{ Scan(...any) error }) (store.RepositoryVersion, error) {
		var rv store.RepositoryVersion
		var err error
		rv.Version, err = scanVersion(prefixed{row, []any{&rv.RepositoryID}})
		return rv, err
	}, `SELECT (SELECT p.repository_id FROM packages p WHERE p.id = package_versions.package_id), `+versionColumns+`
		FROM package_versions WHERE package_id IN (SELECT id FROM packages WHERE format = $1) AND id > $2
		ORDER BY id LIMIT $3`, string(f), afterID, limit)
}

// prefixed scans the columns of dest before those its caller scans.
type prefixed struct {
	row  interface{ Scan(...any) error }
	dest []any
}

func (p prefixed) Scan(dest ...any) error { return p.row.Scan(append(p.dest, dest...)...) }

func (q queries) PendingBackfill(ctx context.Context, name string) (bool, error) {
	var n int
	err := q.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM pending_backfills WHERE name = $1`, name).Scan(&n)
	return n > 0, err
}

func (q queries) FinishBackfill(ctx context.Context, name string) error {
	return q.exec(ctx, false, `DELETE FROM pending_backfills WHERE name = $1`, name)
}
