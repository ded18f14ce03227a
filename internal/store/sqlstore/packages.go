package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// --- packages ---

const packageColumns = `id, repository_id, format, namespace, name, origin_publish, origin_upstream, created_at`

func scanPackage(row interface{ Scan(...any) error }) (store.Package, error) {
	var p store.Package
	var format, publish, upstream string
	var created int64
	err := row.Scan(&p.ID, &p.RepositoryID, &format, &p.Namespace, &p.Name, &publish, &upstream, &created)
	p.Format, p.Origin = artifact.Format(format), artifact.OriginConfig{Publish: artifact.Restriction(publish), Upstream: artifact.Restriction(upstream)}
	p.CreatedAt = fromMS(created)
	return p, err
}

func (q queries) EnsurePackage(ctx context.Context, p *store.Package) (bool, error) {
	existing, err := q.GetPackage(ctx, p.RepositoryID, p.PackageRef)
	if err == nil {
		*p = existing
		return false, nil
	}
	if err != errNotFound {
		return false, err
	}
	// A concurrent writer may create the package between the look and the
	// insert: then the insert does nothing and the package is theirs.
	err = q.w.QueryRowContext(ctx, `INSERT INTO packages (repository_id, format, namespace, name, origin_publish, origin_upstream, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (repository_id, format, namespace, name) DO NOTHING RETURNING id`,
		p.RepositoryID, string(p.Format), p.Namespace, p.Name, string(p.Origin.Publish), string(p.Origin.Upstream), ms(p.CreatedAt)).Scan(&p.ID)
	if errors.Is(err, sql.ErrNoRows) {
		existing, err := q.GetPackage(ctx, p.RepositoryID, p.PackageRef)
		if err == nil {
			*p = existing
		}
		return false, err
	}
	return err == nil, q.classify(err)
}

func (q queries) GetPackage(ctx context.Context, repositoryID int64, ref artifact.PackageRef) (store.Package, error) {
	p, err := scanPackage(q.r.QueryRowContext(ctx, `SELECT `+packageColumns+` FROM packages
		WHERE repository_id = $1 AND format = $2 AND namespace = $3 AND name = $4`, repositoryID, string(ref.Format), ref.Namespace, ref.Name))
	return p, q.classify(err)
}

func (q queries) ListPackages(ctx context.Context, repositoryID int64, f store.PackageFilter, limit int) ([]store.Package, error) {
	a := f.After
	query := `SELECT ` + packageColumns + ` FROM packages WHERE repository_id = $1
		AND (format > $2 OR (format = $2 AND (namespace > $3 OR (namespace = $3 AND name > $4))))`
	args := []any{repositoryID, string(a.Format), a.Namespace, a.Name}
	if f.Format != "" {
		args = append(args, string(f.Format))
		query += fmt.Sprintf(` AND format = $%d`, len(args))
	}
	if f.HasNamespace {
		args = append(args, f.Namespace)
		query += fmt.Sprintf(` AND namespace = $%d`, len(args))
	}
	if f.Prefix != "" {
		args = append(args, f.Prefix, f.Prefix+"\U0010FFFF")
		query += fmt.Sprintf(` AND name >= $%d AND name < $%d`, len(args)-1, len(args))
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY format, namespace, name LIMIT $%d`, len(args))
	return queryAll(ctx, q.r, scanPackage, query, args...)
}

func (q queries) SetOriginConfig(ctx context.Context, packageID int64, c artifact.OriginConfig) error {
	return q.exec(ctx, true, `UPDATE packages SET origin_publish = $2, origin_upstream = $3 WHERE id = $1`, packageID, string(c.Publish), string(c.Upstream))
}

func (q queries) DeletePackage(ctx context.Context, packageID int64) error {
	ids, err := q.int64s(ctx, `SELECT id FROM package_versions WHERE package_id = $1`, packageID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := q.DeleteVersion(ctx, id); err != nil {
			return err
		}
	}
	if err := q.exec(ctx, false, `DELETE FROM package_tags WHERE package_id = $1`, packageID); err != nil {
		return err
	}
	return q.exec(ctx, true, `DELETE FROM packages WHERE id = $1`, packageID)
}

func (q queries) PackageTags(ctx context.Context, packageID int64) (map[string]string, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT tag, version FROM package_tags WHERE package_id = $1`, packageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := map[string]string{}
	for rows.Next() {
		var t, v string
		if err := rows.Scan(&t, &v); err != nil {
			return nil, err
		}
		tags[t] = v
	}
	return tags, rows.Err()
}

func (q queries) SetPackageTag(ctx context.Context, packageID int64, tag, version string) error {
	return q.exec(ctx, false, `INSERT INTO package_tags (package_id, tag, version) VALUES ($1, $2, $3)
		ON CONFLICT (package_id, tag) DO UPDATE SET version = excluded.version`, packageID, tag, version)
}

func (q queries) DeletePackageTag(ctx context.Context, packageID int64, tag string) error {
	return q.exec(ctx, true, `DELETE FROM package_tags WHERE package_id = $1 AND tag = $2`, packageID, tag)
}

func (q queries) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// --- versions ---

const versionColumns = `id, package_id, version, status, revision, origin_type, origin_repository, origin_connection,
	display_name, summary, home_page, source_code_repository, licenses, dependencies, readme, extra,
	published_at, created_at, updated_at`

func scanVersion(row interface{ Scan(...any) error }) (store.Version, error) {
	var v store.Version
	var status, originType, licenses, deps, extra string
	var published, created, updated int64
	err := row.Scan(&v.ID, &v.PackageID, &v.Version, &status, &v.Revision, &originType, &v.Origin.Repository, &v.Origin.ExternalConnection,
		&v.Meta.DisplayName, &v.Meta.Summary, &v.Meta.HomePage, &v.Meta.SourceCodeRepository, &licenses, &deps, &v.Meta.Readme, &extra,
		&published, &created, &updated)
	if err != nil {
		return v, err
	}
	v.Status, v.Origin.Type = artifact.Status(status), artifact.OriginType(originType)
	v.Meta.PublishedAt, v.CreatedAt, v.UpdatedAt = fromMS(published), fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(licenses), &v.Meta.Licenses); err != nil {
		return v, fmt.Errorf("version %d licenses: %w", v.ID, err)
	}
	if err := json.Unmarshal([]byte(deps), &v.Meta.Dependencies); err != nil {
		return v, fmt.Errorf("version %d dependencies: %w", v.ID, err)
	}
	if extra != "" {
		v.Meta.Extra = json.RawMessage(extra)
	}
	return v, nil
}

// versionArgs returns the column values of v after id and package_id.
func versionArgs(v *store.Version) []any {
	licenses, _ := json.Marshal(orEmpty(v.Meta.Licenses))
	deps, _ := json.Marshal(orEmpty(v.Meta.Dependencies))
	return []any{v.Version, string(v.Status), v.Revision, string(v.Origin.Type), v.Origin.Repository, v.Origin.ExternalConnection,
		v.Meta.DisplayName, v.Meta.Summary, v.Meta.HomePage, v.Meta.SourceCodeRepository, string(licenses), string(deps), v.Meta.Readme, string(v.Meta.Extra),
		ms(v.Meta.PublishedAt), ms(v.CreatedAt), ms(v.UpdatedAt)}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (q queries) CreateVersion(ctx context.Context, domainID int64, v *store.Version) error {
	args := append([]any{v.PackageID}, versionArgs(v)...)
	err := q.w.QueryRowContext(ctx, `INSERT INTO package_versions (package_id, version, status, revision, origin_type, origin_repository, origin_connection,
		display_name, summary, home_page, source_code_repository, licenses, dependencies, readme, extra, published_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`, args...).Scan(&v.ID)
	if err != nil {
		return q.classify(err)
	}
	for _, a := range v.Assets {
		if err := q.AddAsset(ctx, domainID, v.ID, a); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) GetVersion(ctx context.Context, packageID int64, version string) (store.Version, error) {
	return q.version(ctx, `package_id = $1 AND version = $2`, packageID, version)
}

func (q queries) VersionWithPrefix(ctx context.Context, packageID int64, prefix string) (store.Version, error) {
	// A range on (package_id, version), the unique index, rather than LIKE,
	// which would need escaping and does not use the index everywhere;
	// versions compare byte by byte (PostgreSQL: COLLATE "C").
	return q.version(ctx, `package_id = $1 AND version >= $2 AND version < $3 ORDER BY version LIMIT 1`,
		packageID, prefix, prefix+"\U0010FFFF")
}

func (q queries) GetVersionByID(ctx context.Context, id int64) (store.Version, error) {
	return q.version(ctx, `id = $1`, id)
}

// version reads the one version that where selects, with its assets.
func (q queries) version(ctx context.Context, where string, args ...any) (store.Version, error) {
	v, err := scanVersion(q.r.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM package_versions WHERE `+where, args...))
	if err != nil {
		return v, q.classify(err)
	}
	v.Assets, err = q.assets(ctx, `a.version_id = $1`, v.ID)
	return v, err
}

func (q queries) ListVersions(ctx context.Context, packageID int64, withAssets bool) ([]store.Version, error) {
	return q.listVersions(ctx, withAssets, `package_id = $1`, packageID)
}

func (q queries) VersionChanges(ctx context.Context, packageID, since int64) (store.VersionChanges, error) {
	// The package's number first: every write numbered up to it has
	// committed (writers of a package take numbers one after the other),
	// so the reads below, which begin later, see them all.
	var c store.VersionChanges
	if err := q.r.QueryRowContext(ctx, `SELECT change_seq FROM packages WHERE id = $1`, packageID).Scan(&c.Seq); err != nil {
		return c, q.classify(err)
	}
	if c.Seq == since {
		return c, nil
	}
	if since <= 0 || since > c.Seq {
		since, c.All = 0, true
	}
	var err error
	if c.Changed, err = q.listVersions(ctx, true, `package_id = $1 AND change_seq > $2`, packageID, since); err != nil || c.All {
		return c, err
	}
	c.Deleted, err = q.int64s(ctx, `SELECT version_id FROM version_tombstones WHERE package_id = $1 AND change_seq > $2`, packageID, since)
	return c, err
}

// listVersions returns the versions that where selects, by ID.
func (q queries) listVersions(ctx context.Context, withAssets bool, where string, args ...any) ([]store.Version, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+versionColumns+` FROM package_versions WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	var out []store.Version
	byID := map[int64]int{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[v.ID] = len(out)
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil || !withAssets || len(out) == 0 {
		return out, err
	}
	// One query for the assets of every version, not one per version. A
	// version changed since the query above may have more or fewer: it
	// has a later change number, and is read again by the next reader.
	rows, err = q.r.QueryContext(ctx, `SELECT a.version_id, a.name, b.sha256, b.size, b.sha1, b.md5, b.sha512
		FROM assets a JOIN domain_blobs b ON b.domain_id = a.domain_id AND b.sha256 = a.sha256
		WHERE a.version_id IN (SELECT id FROM package_versions WHERE `+where+`) ORDER BY a.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a artifact.Asset
		if err := rows.Scan(&id, &a.Name, &a.SHA256, &a.Size, &a.SHA1, &a.MD5, &a.SHA512); err != nil {
			return nil, err
		}
		if i, ok := byID[id]; ok {
			out[i].Assets = append(out[i].Assets, a)
		}
	}
	return out, rows.Err()
}

func (q queries) VersionStampsWithStatus(ctx context.Context, packageID int64, status artifact.Status) ([]store.VersionStamp, error) {
	return q.versionStamps(ctx, `WHERE package_id = $1 AND status = $2`, packageID, string(status))
}

func (q queries) versionStamps(ctx context.Context, where string, args ...any) ([]store.VersionStamp, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, version, status, revision, updated_at FROM package_versions `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.VersionStamp
	for rows.Next() {
		var s store.VersionStamp
		var status string
		var updated int64
		if err := rows.Scan(&s.ID, &s.Version, &status, &s.Revision, &updated); err != nil {
			return nil, err
		}
		s.Status, s.UpdatedAt = artifact.Status(status), fromMS(updated)
		out = append(out, s)
	}
	return out, rows.Err()
}

func (q queries) assets(ctx context.Context, where string, args ...any) ([]artifact.Asset, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT a.name, b.sha256, b.size, b.sha1, b.md5, b.sha512
		FROM assets a JOIN domain_blobs b ON b.domain_id = a.domain_id AND b.sha256 = a.sha256
		WHERE `+where+` ORDER BY a.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []artifact.Asset{}
	for rows.Next() {
		var a artifact.Asset
		if err := rows.Scan(&a.Name, &a.SHA256, &a.Size, &a.SHA1, &a.MD5, &a.SHA512); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (q queries) UpdateVersion(ctx context.Context, v store.Version) error {
	args := append([]any{v.ID}, versionArgs(&v)[1:]...)
	return q.exec(ctx, true, `UPDATE package_versions SET status = $2, revision = $3, origin_type = $4, origin_repository = $5, origin_connection = $6,
		display_name = $7, summary = $8, home_page = $9, source_code_repository = $10, licenses = $11, dependencies = $12, readme = $13, extra = $14,
		published_at = $15, created_at = $16, updated_at = $17 WHERE id = $1`, args...)
}

func (q queries) AddAsset(ctx context.Context, domainID, versionID int64, a artifact.Asset) error {
	if err := q.exec(ctx, false, `INSERT INTO assets (version_id, name, domain_id, sha256) VALUES ($1, $2, $3, $4)`, versionID, a.Name, domainID, a.SHA256); err != nil {
		return err
	}
	return q.refBlob(ctx, domainID, a)
}

// refBlob counts one more use of a digest in a domain; the first use adds
// its size to the domain's assetSizeBytes.
func (q queries) refBlob(ctx context.Context, domainID int64, a artifact.Asset) error {
	var refs int64
	err := q.w.QueryRowContext(ctx, `INSERT INTO domain_blobs (domain_id, sha256, size, sha1, md5, sha512, refs) VALUES ($1, $2, $3, $4, $5, $6, 1)
		ON CONFLICT (domain_id, sha256) DO UPDATE SET refs = domain_blobs.refs + 1 RETURNING refs`,
		domainID, a.SHA256, a.Size, a.SHA1, a.MD5, a.SHA512).Scan(&refs)
	if err != nil || refs > 1 {
		return err
	}
	return q.exec(ctx, true, `UPDATE domains SET asset_size_bytes = asset_size_bytes + $2 WHERE id = $1`, domainID, a.Size)
}

// unrefAssets drops the assets that match where, releasing their digests.
func (q queries) unrefAssets(ctx context.Context, where string, arg int64) error {
	rows, err := q.w.QueryContext(ctx, `SELECT domain_id, sha256 FROM assets WHERE `+where, arg)
	if err != nil {
		return err
	}
	type ref struct {
		domain int64
		sha256 string
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.domain, &r.sha256); err != nil {
			rows.Close()
			return err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := q.exec(ctx, false, `DELETE FROM assets WHERE `+where, arg); err != nil {
		return err
	}
	for _, r := range refs {
		var left, size int64
		err := q.w.QueryRowContext(ctx, `UPDATE domain_blobs SET refs = refs - 1 WHERE domain_id = $1 AND sha256 = $2 RETURNING refs, size`, r.domain, r.sha256).Scan(&left, &size)
		if err != nil {
			return q.classify(err)
		}
		if left > 0 {
			continue
		}
		if err := q.exec(ctx, true, `DELETE FROM domain_blobs WHERE domain_id = $1 AND sha256 = $2`, r.domain, r.sha256); err != nil {
			return err
		}
		if err := q.exec(ctx, true, `UPDATE domains SET asset_size_bytes = asset_size_bytes - $2 WHERE id = $1`, r.domain, size); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) RemoveAssets(ctx context.Context, versionID int64) error {
	return q.unrefAssets(ctx, `version_id = $1`, versionID)
}

func (q queries) DeleteVersion(ctx context.Context, versionID int64) error {
	if err := q.unrefAssets(ctx, `version_id = $1`, versionID); err != nil {
		return err
	}
	return q.exec(ctx, true, `DELETE FROM package_versions WHERE id = $1`, versionID)
}

func (q queries) DomainAsset(ctx context.Context, domainID int64, sha256 string) (artifact.Asset, error) {
	a := artifact.Asset{SHA256: sha256}
	err := q.r.QueryRowContext(ctx, `SELECT size, sha1, md5, sha512 FROM domain_blobs WHERE domain_id = $1 AND sha256 = $2`, domainID, sha256).
		Scan(&a.Size, &a.SHA1, &a.MD5, &a.SHA512)
	return a, q.classify(err)
}

func (q queries) SetDerived(ctx context.Context, domainID int64, sha256 string, b []byte) error {
	if b == nil {
		b = []byte{}
	}
	return q.exec(ctx, true, `UPDATE domain_blobs SET derived = $3 WHERE domain_id = $1 AND sha256 = $2`, domainID, sha256, b)
}

func (q queries) Derived(ctx context.Context, domainID int64, sha256 string) ([]byte, error) {
	var b []byte
	err := q.r.QueryRowContext(ctx, `SELECT derived FROM domain_blobs WHERE domain_id = $1 AND sha256 = $2`, domainID, sha256).Scan(&b)
	return b, q.classify(err)
}

func (q queries) BlobInUse(ctx context.Context, sha256 string) (bool, error) {
	var n int
	err := q.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM domain_blobs WHERE sha256 = $1`, sha256).Scan(&n)
	return n > 0, err
}
