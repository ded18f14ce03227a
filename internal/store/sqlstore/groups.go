package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// --- package groups ---

// bumpGroups moves the domain's package group generation; every group
// write calls it in its own transaction.
func (q queries) bumpGroups(ctx context.Context, domainID int64) error {
	return q.exec(ctx, false, `INSERT INTO package_group_generations (domain_id, generation) VALUES ($1, 1)
		ON CONFLICT (domain_id) DO UPDATE SET generation = package_group_generations.generation + 1`, domainID)
}

func modesJSON(m map[string]string) string {
	if m == nil {
		m = map[string]string{}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func (q queries) CreatePackageGroup(ctx context.Context, g *store.PackageGroup) error {
	err := q.w.QueryRowContext(ctx, `INSERT INTO package_groups (domain_id, pattern, description, contact_info, modes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		g.DomainID, g.Pattern, g.Description, g.ContactInfo, modesJSON(g.Modes), ms(g.CreatedAt)).Scan(&g.ID)
	if err != nil {
		return q.classify(err)
	}
	return q.bumpGroups(ctx, g.DomainID)
}

func (q queries) UpdatePackageGroup(ctx context.Context, g store.PackageGroup) error {
	var domainID int64
	err := q.w.QueryRowContext(ctx, `UPDATE package_groups SET description = $1, contact_info = $2, modes = $3
		WHERE id = $4 RETURNING domain_id`, g.Description, g.ContactInfo, modesJSON(g.Modes), g.ID).Scan(&domainID)
	if err != nil {
		return q.classify(err)
	}
	return q.bumpGroups(ctx, domainID)
}

func (q queries) DeletePackageGroup(ctx context.Context, id int64) error {
	var domainID int64
	if err := q.w.QueryRowContext(ctx, `SELECT domain_id FROM package_groups WHERE id = $1`, id).Scan(&domainID); err != nil {
		return q.classify(err)
	}
	if err := q.deleteResourceData(ctx, store.Resource{Kind: "package-group", ID: id}); err != nil {
		return err
	}
	if err := q.exec(ctx, false, `DELETE FROM package_group_repositories WHERE group_id = $1`, id); err != nil {
		return err
	}
	if err := q.exec(ctx, true, `DELETE FROM package_groups WHERE id = $1`, id); err != nil {
		return err
	}
	return q.bumpGroups(ctx, domainID)
}

func (q queries) ListPackageGroups(ctx context.Context, domainID int64) ([]store.PackageGroup, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, domain_id, pattern, description, contact_info, modes, created_at
		FROM package_groups WHERE domain_id = $1 ORDER BY pattern`, domainID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PackageGroup
	for rows.Next() {
		var g store.PackageGroup
		var modes string
		var created int64
		if err := rows.Scan(&g.ID, &g.DomainID, &g.Pattern, &g.Description, &g.ContactInfo, &modes, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(modes), &g.Modes); err != nil {
			return nil, err
		}
		g.CreatedAt = fromMS(created)
		out = append(out, g)
	}
	return out, rows.Err()
}

func (q queries) ListAllowedRepositories(ctx context.Context, domainID int64) ([]store.AllowedRepository, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT a.group_id, a.restriction, a.repository_id, r.name
		FROM package_group_repositories a
		JOIN package_groups g ON g.id = a.group_id
		JOIN repositories r ON r.id = a.repository_id
		WHERE g.domain_id = $1 ORDER BY a.group_id, a.restriction, r.name`, domainID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AllowedRepository
	for rows.Next() {
		var a store.AllowedRepository
		if err := rows.Scan(&a.GroupID, &a.Restriction, &a.RepositoryID, &a.RepositoryName); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (q queries) AddAllowedRepository(ctx context.Context, domainID int64, a store.AllowedRepository) error {
	if err := q.exec(ctx, false, `INSERT INTO package_group_repositories (group_id, restriction, repository_id)
		VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, a.GroupID, a.Restriction, a.RepositoryID); err != nil {
		return err
	}
	return q.bumpGroups(ctx, domainID)
}

func (q queries) RemoveAllowedRepository(ctx context.Context, domainID int64, a store.AllowedRepository) error {
	if err := q.exec(ctx, false, `DELETE FROM package_group_repositories
		WHERE group_id = $1 AND restriction = $2 AND repository_id = $3`, a.GroupID, a.Restriction, a.RepositoryID); err != nil {
		return err
	}
	return q.bumpGroups(ctx, domainID)
}

func (q queries) PackageGroupGeneration(ctx context.Context, domainID int64) (int64, error) {
	var gen int64
	err := q.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(generation), 0) FROM package_group_generations WHERE domain_id = $1`, domainID).Scan(&gen)
	return gen, q.classify(err)
}

func (q queries) ListDomainPackages(ctx context.Context, domainID int64, after artifact.PackageRef, limit int) ([]artifact.PackageRef, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT DISTINCT p.format, p.namespace, p.name
		FROM packages p JOIN repositories r ON r.id = p.repository_id
		WHERE r.domain_id = $1 AND (p.format > $2 OR (p.format = $2 AND (p.namespace > $3 OR (p.namespace = $3 AND p.name > $4))))
		ORDER BY p.format, p.namespace, p.name LIMIT $5`,
		domainID, string(after.Format), after.Namespace, after.Name, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []artifact.PackageRef
	for rows.Next() {
		var r artifact.PackageRef
		var f string
		if err := rows.Scan(&f, &r.Namespace, &r.Name); err != nil {
			return nil, err
		}
		r.Format = artifact.Format(f)
		out = append(out, r)
	}
	return out, rows.Err()
}

// deleteDomainGroups removes a domain's groups with their tags and lists
// (DeleteDomain).
func (q queries) deleteDomainGroups(ctx context.Context, domainID int64) error {
	ids, err := q.int64s(ctx, `SELECT id FROM package_groups WHERE domain_id = $1`, domainID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := q.DeletePackageGroup(ctx, id); err != nil {
			return err
		}
	}
	if err := q.exec(ctx, false, `DELETE FROM release_gate_exemptions WHERE domain_id = $1`, domainID); err != nil {
		return err
	}
	return q.exec(ctx, false, `DELETE FROM package_group_generations WHERE domain_id = $1`, domainID)
}
