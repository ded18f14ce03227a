package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/generation"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
)

// Package group rules kept here (User Guide, "Working with package
// groups", "Package group origin controls"):
//   - every domain has the root group /*, which allows every origin by
//     default; it can be updated but not deleted, and cannot inherit;
//   - a definition is unique in its domain; a malformed one is a
//     Validation error naming the reason (package pkggroup);
//   - deleting a group gives its children to its parent (the tree is
//     computed from the definitions) and never deletes packages;
//   - a repository on an allowed list must exist in the domain.
//
// A domain's groups are compiled into a pkggroup.Index, cached per domain
// under the domain's package group generation, which the store moves with
// every group write: each lookup makes sure the store's number was read
// after it arrived (one query shared by the requests waiting for it), so
// a change made through any server process is seen on the next request.

// groupIndexes caches a compiled index per domain, within a share of the
// cache budget (Catalog.SetCacheBudget). A domain's entry dropped (past
// the share, or unused while the server is quiet) is made again, empty,
// by the next request, which compiles the groups again: whoever still
// holds the old entry finishes with it, and neither is used without its
// generation check.
type groupIndexes struct {
	m *cachesize.Map[int64, *domainGroups]
}

// domainGroups is one domain's compiled groups. Like token.Revocations,
// the generation check is shared: a request that arrives while a check
// is under way waits for the next one rather than running its own, so
// under load the store sees one generation query at a time per domain.
type domainGroups struct {
	syncMu sync.Mutex
	synced time.Time // when the last completed check started
	gen    int64
	ix     *pkggroup.Index
}

func (gi *groupIndexes) domain(id int64) *domainGroups {
	e, ok := gi.m.Load(id)
	if !ok {
		// Two requests may each make one: the second replaces the first,
		// which its request still uses (and checks) as usual.
		e = &domainGroups{gen: -1}
		gi.m.Store(id, e, int64(unsafe.Sizeof(*e)))
	}
	return e
}

// groupIndex returns the compiled groups of a domain, as recent as the
// moment it was called, creating the domain's root group if it has none.
func (c *Catalog) groupIndex(ctx context.Context, d store.Domain) (*pkggroup.Index, error) {
	arrived := time.Now()
	e := c.groups.domain(d.ID)
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	if e.ix != nil && e.synced.After(arrived) {
		return e.ix, nil
	}
	started := time.Now()
	gen, err := c.st.PackageGroupGeneration(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if e.ix == nil || gen != e.gen {
		ix, size, err := c.loadGroups(ctx, c.st, d)
		if err != nil {
			return nil, err
		}
		if _, ok := ix.Group(pkggroup.Root); !ok {
			// d may carry only the id (CheckOrigin): the root is dated
			// with the domain's creation.
			if err := c.st.Update(ctx, func(q store.Queries) error {
				full, err := q.GetDomainByID(ctx, d.ID)
				if err != nil {
					return err
				}
				return ensureRoot(ctx, q, full)
			}); err != nil {
				return nil, err
			}
			if gen, err = c.st.PackageGroupGeneration(ctx, d.ID); err != nil {
				return nil, err
			}
			if ix, size, err = c.loadGroups(ctx, c.st, d); err != nil {
				return nil, err
			}
		}
		// Kept under the generation read before loading: a write
		// committed meanwhile makes it stale at the next check.
		e.gen, e.ix = gen, ix
		c.groups.m.Store(d.ID, e, int64(unsafe.Sizeof(*e))+size)
	}
	e.synced = started
	return e.ix, nil
}

// ensureRoot creates the root group of a domain that has none (domains
// created before package groups existed get it on first use).
func ensureRoot(ctx context.Context, q store.Queries, d store.Domain) error {
	list, err := q.ListPackageGroups(ctx, d.ID)
	if err != nil {
		return err
	}
	for _, g := range list {
		if g.Pattern == pkggroup.Root {
			return nil
		}
	}
	root := store.PackageGroup{DomainID: d.ID, Pattern: pkggroup.Root, CreatedAt: d.CreatedAt, Modes: map[string]string{}}
	for _, r := range pkggroup.Restrictions {
		root.Modes[string(r)] = string(pkggroup.Allow)
	}
	return q.CreatePackageGroup(ctx, &root)
}

// loadGroups compiles a domain's package groups and estimates the bytes
// the index takes: each group's node with its pattern (parsed, and kept
// under several keys), modes, texts and allowed repositories.
func (c *Catalog) loadGroups(ctx context.Context, q store.Queries, d store.Domain) (*pkggroup.Index, int64, error) {
	stored, err := q.ListPackageGroups(ctx, d.ID)
	if err != nil {
		return nil, 0, err
	}
	allowed, err := q.ListAllowedRepositories(ctx, d.ID)
	if err != nil {
		return nil, 0, err
	}
	size := int64(512)
	for _, g := range stored {
		size += 1024 + 4*int64(len(g.Pattern)) + int64(len(g.Description)+len(g.ContactInfo)) + 64*int64(len(g.Modes))
	}
	for _, a := range allowed {
		size += 96 + int64(len(a.RepositoryName))
	}
	byID := map[int64]*pkggroup.Group{}
	groups := make([]pkggroup.Group, 0, len(stored))
	for _, g := range stored {
		p, err := pkggroup.Parse(c.groupFormats(), g.Pattern)
		if err != nil {
			return nil, 0, fmt.Errorf("stored package group %q: %w", g.Pattern, err)
		}
		pg := pkggroup.Group{ID: g.ID, Pattern: p, Description: g.Description, ContactInfo: g.ContactInfo, CreatedAt: g.CreatedAt,
			Modes: map[pkggroup.Restriction]pkggroup.Mode{}, Allowed: map[pkggroup.Restriction]map[int64]string{}}
		for k, v := range g.Modes {
			pg.Modes[pkggroup.Restriction(k)] = pkggroup.Mode(v)
		}
		groups = append(groups, pg)
	}
	for i := range groups {
		byID[groups[i].ID] = &groups[i]
	}
	for _, a := range allowed {
		g := byID[a.GroupID]
		r := pkggroup.Restriction(a.Restriction)
		if g.Allowed[r] == nil {
			g.Allowed[r] = map[int64]string{}
		}
		g.Allowed[r][a.RepositoryID] = a.RepositoryName
	}
	exemptions, err := loadGates(ctx, q, d.ID, byID)
	if err != nil {
		return nil, 0, err
	}
	size += 128 * int64(len(exemptions))
	ix := pkggroup.NewIndex(c.groupFormats(), groups)
	ix.SetExemptions(exemptions)
	return ix, size, nil
}

// PackageGroups returns a domain and its compiled package groups.
func (c *Catalog) PackageGroups(ctx context.Context, ref DomainRef) (store.Domain, *pkggroup.Index, error) {
	d, err := getDomain(ctx, c.st, ref)
	if err != nil {
		return d, nil, err
	}
	ix, err := c.groupIndex(ctx, d)
	return d, ix, err
}

// PackageGroup returns a domain's group with a definition, and the index
// it is in. A definition that is not a group is NotFound.
func (c *Catalog) PackageGroup(ctx context.Context, ref DomainRef, pattern string) (store.Domain, *pkggroup.Index, *pkggroup.Node, error) {
	d, ix, err := c.PackageGroups(ctx, ref)
	if err != nil {
		return d, nil, nil, err
	}
	n, ok := ix.Group(pattern)
	if !ok {
		return d, ix, nil, groupNotFound(ref, pattern)
	}
	return d, ix, n, nil
}

func groupNotFound(ref DomainRef, pattern string) error {
	return errkind.NotFoundf("Package group %s not found in domain %s", pattern, ref.Name).OnResource("package-group", pattern)
}

// CreatePackageGroup creates a group.
func (c *Catalog) CreatePackageGroup(ctx context.Context, ref DomainRef, pattern, description, contactInfo string, tags []store.Tag) error {
	p, err := pkggroup.Parse(c.groupFormats(), pattern)
	if err != nil {
		return err
	}
	if err := checkTags(nil, tags); err != nil {
		return err
	}
	return c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		d, err := getDomain(ctx, q, ref)
		if err != nil {
			return err
		}
		if err := ensureRoot(ctx, q, d); err != nil {
			return err
		}
		g := store.PackageGroup{DomainID: d.ID, Pattern: p.Text, Description: description, ContactInfo: contactInfo, Modes: map[string]string{}, CreatedAt: c.timestamp()}
		if err := q.CreatePackageGroup(ctx, &g); err != nil {
			if errors.Is(err, errkind.ErrConflict) {
				return errkind.Conflictf("Package group %s already exists in domain %s", p.Text, ref.Name).OnResource("package-group", p.Text)
			}
			return err
		}
		return q.PutTags(ctx, groupResource(g.ID), tags)
	})
}

// storedGroup finds a group in a transaction.
func storedGroup(ctx context.Context, q store.Queries, ref DomainRef, pattern string) (store.Domain, store.PackageGroup, error) {
	d, err := getDomain(ctx, q, ref)
	if err != nil {
		return d, store.PackageGroup{}, err
	}
	list, err := q.ListPackageGroups(ctx, d.ID)
	if err != nil {
		return d, store.PackageGroup{}, err
	}
	for _, g := range list {
		if g.Pattern == pattern {
			return d, g, nil
		}
	}
	return d, store.PackageGroup{}, groupNotFound(ref, pattern)
}

// UpdatePackageGroup changes a group's description and contact
// information; nil leaves one as it is.
func (c *Catalog) UpdatePackageGroup(ctx context.Context, ref DomainRef, pattern string, description, contactInfo *string) error {
	if _, err := c.groupIndexOf(ctx, ref); err != nil { // the root of an older domain
		return err
	}
	return c.st.Update(ctx, func(q store.Queries) error {
		_, g, err := storedGroup(ctx, q, ref, pattern)
		if err != nil {
			return err
		}
		if description != nil {
			g.Description = *description
		}
		if contactInfo != nil {
			g.ContactInfo = *contactInfo
		}
		return q.UpdatePackageGroup(ctx, g)
	})
}

func (c *Catalog) groupIndexOf(ctx context.Context, ref DomainRef) (*pkggroup.Index, error) {
	_, ix, err := c.PackageGroups(ctx, ref)
	return ix, err
}

// DeletePackageGroup deletes a group; its children fall to its parent.
func (c *Catalog) DeletePackageGroup(ctx context.Context, ref DomainRef, pattern string) error {
	if pattern == pkggroup.Root {
		return errkind.Validationf("The root package group %s of domain %s cannot be deleted", pattern, ref.Name)
	}
	return c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		_, g, err := storedGroup(ctx, q, ref, pattern)
		if err != nil {
			return err
		}
		return q.DeletePackageGroup(ctx, g.ID)
	})
}

// AllowedRepositoryChange puts a repository on, or takes it off, a
// group's allowed list for one restriction.
type AllowedRepositoryChange struct {
	Restriction pkggroup.Restriction
	Repository  string
}

// AllowedRepositoryUpdates are the changes made to allowed lists:
// restriction to "ADDED" or "REMOVED" to repository names.
type AllowedRepositoryUpdates map[pkggroup.Restriction]map[string][]string

// UpdateOriginConfiguration sets a group's restriction modes and changes
// its allowed repository lists, all at once or not at all.
func (c *Catalog) UpdateOriginConfiguration(ctx context.Context, ref DomainRef, pattern string, modes map[pkggroup.Restriction]pkggroup.Mode, add, remove []AllowedRepositoryChange) (AllowedRepositoryUpdates, error) {
	if pattern == pkggroup.Root {
		for r, m := range modes {
			if m == pkggroup.Inherit {
				return nil, errkind.Validationf("The root package group %s has no parent to inherit %s from; set ALLOW, BLOCK or ALLOW_SPECIFIC_REPOSITORIES", pattern, r)
			}
		}
	}
	if _, err := c.groupIndexOf(ctx, ref); err != nil {
		return nil, err
	}
	var updates AllowedRepositoryUpdates
	err := c.st.Update(ctx, func(q store.Queries) error {
		updates = AllowedRepositoryUpdates{} // anew if the store runs this again
		d, g, err := storedGroup(ctx, q, ref, pattern)
		if err != nil {
			return err
		}
		if len(modes) > 0 {
			if g.Modes == nil {
				g.Modes = map[string]string{}
			}
			for r, m := range modes {
				g.Modes[string(r)] = string(m)
			}
			if err := q.UpdatePackageGroup(ctx, g); err != nil {
				return err
			}
		}
		apply := func(list []AllowedRepositoryChange, kind string, fn func(context.Context, int64, store.AllowedRepository) error) error {
			for _, ch := range list {
				r, err := q.GetRepository(ctx, d.ID, ch.Repository)
				if errors.Is(err, errkind.ErrNotFound) {
					return errkind.NotFoundf("Repository %s not found in domain %s", ch.Repository, ref.Name).OnResource("repository", ch.Repository)
				}
				if err != nil {
					return err
				}
				if err := fn(ctx, d.ID, store.AllowedRepository{GroupID: g.ID, Restriction: string(ch.Restriction), RepositoryID: r.ID}); err != nil {
					return err
				}
				if updates[ch.Restriction] == nil {
					updates[ch.Restriction] = map[string][]string{}
				}
				updates[ch.Restriction][kind] = append(updates[ch.Restriction][kind], ch.Repository)
			}
			return nil
		}
		if err := apply(add, "ADDED", q.AddAllowedRepository); err != nil {
			return err
		}
		return apply(remove, "REMOVED", q.RemoveAllowedRepository)
	})
	for _, m := range updates {
		for _, names := range m {
			sort.Strings(names)
		}
	}
	return updates, err
}

// ListDomainPackages returns packages held anywhere in a domain.
func (c *Catalog) ListDomainPackages(ctx context.Context, d store.Domain, after artifact.PackageRef, limit int) ([]artifact.PackageRef, error) {
	return c.st.ListDomainPackages(ctx, d.ID, after, limit)
}

func groupResource(id int64) store.Resource { return store.Resource{Kind: "package-group", ID: id} }

// CheckOrigin says whether a version of ref may enter repo through r, by
// the package groups of repo's domain: nil, or an AccessDenied error
// naming the group that refuses it. This is the one place every way in
// asks (publishing in every format and PublishPackageVersion, copying,
// retaining from an upstream, ingesting from an external connection);
// the package's own origin configuration is checked beside it, and a
// BLOCK from either wins.
func (c *Catalog) CheckOrigin(ctx context.Context, repo store.Repository, ref artifact.PackageRef, r pkggroup.Restriction) error {
	d := store.Domain{ID: repo.DomainID, Name: repo.DomainName, Owner: repo.DomainOwner}
	ix, err := c.groupIndex(ctx, d)
	if err != nil {
		return err
	}
	dec := ix.Decide(c.groupFormats().Normalize(ref), r, repo.ID, repo.Name)
	if !dec.Allowed {
		return errkind.Deniedf("%s", dec.Reason).OnResource("package-group", dec.Group)
	}
	return nil
}
