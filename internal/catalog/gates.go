package catalog

import (
	"context"
	"errors"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/generation"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
)

// Release-age gates (an Arca extension; see package pkggroup's
// ReleaseGate) live with the package groups: a gate write bumps the
// group generation, so the gates and the break-glass entries are part of
// the compiled index cached per domain, and a lookup costs what a group
// lookup does. A write also marks the domain changed, so that documents
// rendered under the old gate are rendered again.

// loadGates puts the stored gates on their groups and returns the
// domain's break-glass entries.
func loadGates(ctx context.Context, q store.Queries, domainID int64, byID map[int64]*pkggroup.Group) ([]pkggroup.Exemption, error) {
	gates, err := q.ListReleaseGates(ctx, domainID)
	if err != nil {
		return nil, err
	}
	for _, g := range gates {
		if grp, ok := byID[g.GroupID]; ok {
			grp.Gate = &pkggroup.ReleaseGate{MinAge: g.MinAge, Cutoff: g.Cutoff, AllowMissingTime: g.AllowMissingTime}
		}
	}
	stored, err := q.ListGateExemptions(ctx, domainID)
	if err != nil {
		return nil, err
	}
	out := make([]pkggroup.Exemption, len(stored))
	for i, e := range stored {
		out[i] = pkggroup.Exemption{Ref: e.Ref, Version: e.Version, CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy}
	}
	return out, nil
}

// HoldCheck judges a version of one package, published at published
// (zero when the registry did not say), by the release-age gate at the
// catalog's clock: a Hold and true when the gate holds it back.
type HoldCheck func(version string, published time.Time) (pkggroup.Hold, bool)

// ReleaseGate returns the check of the release-age gate that applies to
// ref in repo's domain: nil when the gate holds nothing back.
func (c *Catalog) ReleaseGate(ctx context.Context, repo store.Repository, ref artifact.PackageRef) (HoldCheck, error) {
	ix, err := c.groupIndex(ctx, store.Domain{ID: repo.DomainID, Name: repo.DomainName, Owner: repo.DomainOwner})
	if err != nil {
		return nil, err
	}
	g := ix.GateFor(ref)
	if g == nil {
		return nil, nil
	}
	now := c.now()
	return func(version string, published time.Time) (pkggroup.Hold, bool) {
		return g.Check(version, published, now)
	}, nil
}

// PutReleaseGate sets the gate of a domain's group.
func (c *Catalog) PutReleaseGate(ctx context.Context, ref DomainRef, pattern string, g pkggroup.ReleaseGate) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if _, err := c.groupIndexOf(ctx, ref); err != nil { // the root of an older domain
		return err
	}
	return c.gateWrite(ctx, ref, func(q store.Queries, d store.Domain) error {
		_, grp, err := storedGroup(ctx, q, ref, pattern)
		if err != nil {
			return err
		}
		return q.PutReleaseGate(ctx, d.ID, store.ReleaseGate{GroupID: grp.ID, MinAge: g.MinAge, Cutoff: g.Cutoff, AllowMissingTime: g.AllowMissingTime, UpdatedAt: c.timestamp()})
	})
}

// DeleteReleaseGate removes a group's own gate: it inherits again. A
// group without one is NotFound.
func (c *Catalog) DeleteReleaseGate(ctx context.Context, ref DomainRef, pattern string) error {
	return c.gateWrite(ctx, ref, func(q store.Queries, d store.Domain) error {
		_, grp, err := storedGroup(ctx, q, ref, pattern)
		if err != nil {
			return err
		}
		err = q.DeleteReleaseGate(ctx, d.ID, grp.ID)
		if errors.Is(err, errkind.ErrNotFound) {
			return errkind.NotFoundf("Package group %s of domain %s has no release-age gate of its own", pattern, ref.Name).OnResource("package-group", pattern)
		}
		return err
	})
}

// AllowHeldVersion lets one version of a package (every version when
// version is "") through the release-age gate of its domain: the
// break-glass for a fix that cannot wait. by is the ARN of the caller.
func (c *Catalog) AllowHeldVersion(ctx context.Context, ref DomainRef, pkg artifact.PackageRef, version, by string) error {
	pkg = c.groupFormats().Normalize(pkg)
	return c.gateWrite(ctx, ref, func(q store.Queries, d store.Domain) error {
		return q.PutGateExemption(ctx, store.GateExemption{DomainID: d.ID, Ref: pkg, Version: version, CreatedAt: c.timestamp(), CreatedBy: by})
	})
}

// DisallowHeldVersion removes a break-glass entry; a missing one is
// NotFound.
func (c *Catalog) DisallowHeldVersion(ctx context.Context, ref DomainRef, pkg artifact.PackageRef, version string) error {
	pkg = c.groupFormats().Normalize(pkg)
	return c.gateWrite(ctx, ref, func(q store.Queries, d store.Domain) error {
		err := q.DeleteGateExemption(ctx, store.GateExemption{DomainID: d.ID, Ref: pkg, Version: version})
		if errors.Is(err, errkind.ErrNotFound) {
			what := "every version of " + c.Display(pkg)
			if version != "" {
				what = "version " + version + " of " + c.Display(pkg)
			}
			return errkind.NotFoundf("Domain %s does not let %s through its release-age gate", ref.Name, what).OnResource("package", pkg.Name)
		}
		return err
	})
}

// gateWrite runs fn on the domain in one transaction and, once it
// commits, marks the domain changed so documents rendered under the old
// gate are rendered again.
func (c *Catalog) gateWrite(ctx context.Context, ref DomainRef, fn func(store.Queries, store.Domain) error) error {
	return c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		d, err := getDomain(ctx, q, ref)
		if err != nil {
			return err
		}
		ch.Add(domainChange(d.ID))
		return fn(q, d)
	})
}

// GateExemptions returns a domain's break-glass entries.
func (c *Catalog) GateExemptions(ctx context.Context, ref DomainRef) ([]store.GateExemption, error) {
	d, err := getDomain(ctx, c.st, ref)
	if err != nil {
		return nil, err
	}
	return c.st.ListGateExemptions(ctx, d.ID)
}
