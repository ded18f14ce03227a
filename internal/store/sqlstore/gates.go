package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// --- release-age gates ---

func (q queries) PutReleaseGate(ctx context.Context, domainID int64, g store.ReleaseGate) error {
	var cutoff sql.NullInt64
	if !g.Cutoff.IsZero() {
		cutoff = sql.NullInt64{Int64: ms(g.Cutoff), Valid: true}
	}
	if err := q.exec(ctx, false, `INSERT INTO package_group_gates (group_id, min_age_ms, cutoff_ms, allow_missing_time, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (group_id) DO UPDATE SET min_age_ms = excluded.min_age_ms, cutoff_ms = excluded.cutoff_ms,
			allow_missing_time = excluded.allow_missing_time, updated_at = excluded.updated_at`,
		g.GroupID, g.MinAge.Milliseconds(), cutoff, g.AllowMissingTime, ms(g.UpdatedAt)); err != nil {
		return err
	}
	return q.bumpGroups(ctx, domainID)
}

func (q queries) DeleteReleaseGate(ctx context.Context, domainID, groupID int64) error {
	if err := q.exec(ctx, true, `DELETE FROM package_group_gates WHERE group_id = $1`, groupID); err != nil {
		return err
	}
	return q.bumpGroups(ctx, domainID)
}

func (q queries) ListReleaseGates(ctx context.Context, domainID int64) ([]store.ReleaseGate, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT g.group_id, g.min_age_ms, g.cutoff_ms, g.allow_missing_time, g.updated_at
		FROM package_group_gates g JOIN package_groups p ON p.id = g.group_id
		WHERE p.domain_id = $1 ORDER BY p.pattern`, domainID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ReleaseGate
	for rows.Next() {
		var g store.ReleaseGate
		var age, updated int64
		var cutoff sql.NullInt64
		if err := rows.Scan(&g.GroupID, &age, &cutoff, &g.AllowMissingTime, &updated); err != nil {
			return nil, err
		}
		g.MinAge, g.UpdatedAt = time.Duration(age)*time.Millisecond, fromMS(updated)
		if cutoff.Valid {
			g.Cutoff = fromMS(cutoff.Int64)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (q queries) PutGateExemption(ctx context.Context, e store.GateExemption) error {
	if err := q.exec(ctx, false, `INSERT INTO release_gate_exemptions (domain_id, format, namespace, name, version, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		e.DomainID, string(e.Ref.Format), e.Ref.Namespace, e.Ref.Name, e.Version, ms(e.CreatedAt), e.CreatedBy); err != nil {
		return err
	}
	return q.bumpGroups(ctx, e.DomainID)
}

func (q queries) DeleteGateExemption(ctx context.Context, e store.GateExemption) error {
	if err := q.exec(ctx, true, `DELETE FROM release_gate_exemptions
		WHERE domain_id = $1 AND format = $2 AND namespace = $3 AND name = $4 AND version = $5`,
		e.DomainID, string(e.Ref.Format), e.Ref.Namespace, e.Ref.Name, e.Version); err != nil {
		return err
	}
	return q.bumpGroups(ctx, e.DomainID)
}

func (q queries) ListGateExemptions(ctx context.Context, domainID int64) ([]store.GateExemption, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT format, namespace, name, version, created_at, created_by
		FROM release_gate_exemptions WHERE domain_id = $1 ORDER BY format, namespace, name, version`, domainID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.GateExemption
	for rows.Next() {
		e := store.GateExemption{DomainID: domainID}
		var f string
		var created int64
		if err := rows.Scan(&f, &e.Ref.Namespace, &e.Ref.Name, &e.Version, &created, &e.CreatedBy); err != nil {
			return nil, err
		}
		e.Ref.Format, e.CreatedAt = artifact.Format(f), fromMS(created)
		out = append(out, e)
	}
	return out, rows.Err()
}
