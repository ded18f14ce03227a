package catalog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/generation"
	"github.com/arcahq/arca/internal/policy"
	"github.com/arcahq/arca/internal/store"
)

// Limits from the User Guide's quotas.
const (
	MaxDirectUpstreams = 10
	MaxTags            = 50
)

// Catalog applies CodeArtifact's rules to the metadata store.
type Catalog struct {
	st        store.Store
	region    string
	now       func() time.Time
	gens      *generation.Counters
	repos     *cachesize.Map[RepositoryRef, cachedRepository]
	versions  *versionCache
	lists     *versionLists                              // decoded version lists, by package
	attrs     *cachesize.Map[Resource, cachedAttributes] // policies, tags and administrators, for authz
	groups    groupIndexes                               // compiled package groups per domain
	conns     Formats
	recorder  Recorder // told of every package version change; nil for none
	backfills backfills
}

// The names of the change counters the catalog's caches key on (package
// generation): what a write moves is announced in the store in its
// transaction, so that every server drops what it cached.
const attributesChange = "attributes" // any policy, tag, domain or repository

// domainChange names the counter of a domain's structure.
func domainChange(domainID int64) string { return "domain/" + strconv.FormatInt(domainID, 10) }

// packageChange names the counter of a package anywhere in a domain. Two
// packages whose names collide here share a counter, which only costs
// them some cache hits.
func packageChange(domainID int64, ref artifact.PackageRef) string {
	return "package/" + strconv.FormatInt(domainID, 10) + "/" + string(ref.Format) + "/" + ref.Namespace + "/" + ref.Name
}

// Generation returns a number that changes whenever the structure of a
// domain changes: repositories, upstreams, external connections. Caches of
// repository lookups key on it.
func (c *Catalog) Generation(domainID int64) uint64 {
	return c.gens.Load(domainChange(domainID))
}

// PackageGeneration returns a number that changes whenever anything a view
// of the package from any repository of the domain is made from changes:
// the domain's structure, or the package's versions, tags and origin
// configuration in any of its repositories. Caches of rendered package
// documents key on it; a change to one package leaves the others cached.
func (c *Catalog) PackageGeneration(domainID int64, ref artifact.PackageRef) uint64 {
	// Both counters only grow, so their sum changes when either does.
	return c.gens.Load(domainChange(domainID)) + c.gens.Load(packageChange(domainID, ref))
}

// update runs fn in a transaction that announces the changes fn adds.
func (c *Catalog) update(ctx context.Context, fn func(q store.Queries, ch *generation.Changes) error) error {
	return c.gens.Update(ctx, c.st, fn)
}

// updatePackage runs fn in a transaction that announces a change of the
// package. Every version fn creates, changes or deletes is handed to the
// recorder inside the same transaction (events.go), and its declared
// source URLs are indexed there (sourceurls.go).
func (c *Catalog) updatePackage(ctx context.Context, repo store.Repository, ref artifact.PackageRef, fn func(q store.Queries) error) error {
	recorded := false
	urls := c.sourceURLs(ref.Format)
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(packageChange(repo.DomainID, ref))
		if c.recorder == nil && urls == nil {
			return fn(q)
		}
		t := newTracker(q)
		if err := fn(t); err != nil {
			return err
		}
		if urls != nil {
			if err := t.indexSourceURLs(ctx, repo, urls); err != nil {
				return err
			}
		}
		if c.recorder == nil {
			return nil
		}
		var err error
		recorded, err = t.record(ctx, c.recorder, repo, ref)
		return err
	})
	if err == nil && recorded {
		c.recorder.Committed()
	}
	return err
}

// New returns a catalog over st. region goes into default KMS key ARNs.
// conns are the formats' rules (external connections, version order,
// package groups); nil for none. Its change counters are its own until
// UseGenerations shares some.
func New(st store.Store, region string, now func() time.Time, conns Formats) *Catalog {
	c := &Catalog{st: st, region: region, now: now, gens: &generation.Counters{}, conns: conns}
	c.SetCacheBudget(cachesize.Default)
	return c
}

// ResourceCacheBytes is the share of the cache budget (package cachesize)
// of the repositories, resource attributes and compiled package groups
// the catalog keeps, at the default budget: a quarter each for
// repositories and attributes, half for package groups.
const ResourceCacheBytes = 2 << 20

// SetCacheBudget sizes the catalog's caches (version lookups, version
// lists, repositories, resource attributes, package groups) as their
// shares of the server's cache budget (package cachesize). It is called
// before the catalog serves anything. Every entry of these caches is
// checked against a change counter or the store on every hit, so one
// dropped (past the share, or unused while the server is quiet) is only
// read again.
func (c *Catalog) SetCacheBudget(budget int64) {
	c.versions = newVersionCache(cachesize.Share(VersionCacheBytes, budget))
	c.lists = newVersionLists(cachesize.Share(VersionListBytes, budget))
	resources := cachesize.Share(ResourceCacheBytes, budget)
	c.repos = cachesize.NewMap[RepositoryRef, cachedRepository](resources / 4)
	c.attrs = cachesize.NewMap[Resource, cachedAttributes](resources / 4)
	c.groups.m = cachesize.NewMap[int64, *domainGroups](resources / 2)
}

// UseGenerations makes the catalog key its caches on g, the counters the
// server keeps in step with the other servers over the store. Call it
// before the catalog is used.
func (c *Catalog) UseGenerations(g *generation.Counters) { c.gens = g }

// DomainRef names a domain as the API does.
type DomainRef struct {
	Owner string
	Name  string
}

// RepositoryRef names a repository as the API does.
type RepositoryRef struct {
	DomainRef
	Name string
}

func (c *Catalog) timestamp() time.Time { return c.now().UTC().Truncate(time.Millisecond) }

// --- domains ---

// DomainInfo is a domain with its repository count.
type DomainInfo struct {
	store.Domain
	RepositoryCount int
}

// CreateDomain creates a domain owned by ref.Owner.
func (c *Catalog) CreateDomain(ctx context.Context, ref DomainRef, encryptionKey string, tags []store.Tag) (DomainInfo, error) {
	if err := checkTags(nil, tags); err != nil {
		return DomainInfo{}, err
	}
	key, err := c.kmsKeyARN(ref.Owner, encryptionKey)
	if err != nil {
		return DomainInfo{}, err
	}
	d := store.Domain{Owner: ref.Owner, Name: ref.Name, EncryptionKey: key, CreatedAt: c.timestamp()}
	err = c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		if err := q.CreateDomain(ctx, &d); err != nil {
			if errors.Is(err, errkind.ErrConflict) {
				return errkind.Conflictf("Domain %s already exists in account %s", ref.Name, ref.Owner).OnResource("domain", ref.Name)
			}
			return err
		}
		if err := ensureRoot(ctx, q, d); err != nil { // the root package group /*
			return err
		}
		return q.PutTags(ctx, domainResource(d.ID), tags)
	})
	return DomainInfo{Domain: d}, err
}

// kmsKeyARN turns the forms CreateDomain accepts (key id, key ARN, alias,
// alias ARN) into an ARN. Without a key, the domain records the account's
// default key for CodeArtifact, as AWS records its managed key.
//
// Arca stores assets through its blob store; the key is recorded, not used.
func (c *Catalog) kmsKeyARN(owner, key string) (string, error) {
	prefix := "arn:aws:kms:" + c.region + ":" + owner + ":"
	switch {
	case key == "":
		return prefix + "alias/aws/codeartifact", nil
	case strings.HasPrefix(key, "arn:aws:kms:"):
		return key, nil
	case strings.HasPrefix(key, "alias/"):
		return prefix + key, nil
	case strings.ContainsAny(key, ":/ "):
		return "", errkind.Validationf("encryptionKey %q is not a KMS key id, key ARN, alias or alias ARN", key).WithReason("ENCRYPTION_KEY_ERROR")
	}
	return prefix + "key/" + key, nil
}

// Domain returns a domain with its repository count.
func (c *Catalog) Domain(ctx context.Context, ref DomainRef) (DomainInfo, error) {
	return c.domainInfo(ctx, c.st, ref)
}

func (c *Catalog) domainInfo(ctx context.Context, q store.Queries, ref DomainRef) (DomainInfo, error) {
	d, err := getDomain(ctx, q, ref)
	if err != nil {
		return DomainInfo{}, err
	}
	n, err := q.CountRepositories(ctx, d.ID)
	return DomainInfo{Domain: d, RepositoryCount: n}, err
}

func getDomain(ctx context.Context, q store.Queries, ref DomainRef) (store.Domain, error) {
	d, err := q.GetDomain(ctx, ref.Owner, ref.Name)
	if errors.Is(err, errkind.ErrNotFound) {
		return d, errkind.NotFoundf("Domain %s not found in account %s", ref.Name, ref.Owner).OnResource("domain", ref.Name)
	}
	return d, err
}

// ListDomains returns up to limit domains of owner after the given name.
func (c *Catalog) ListDomains(ctx context.Context, owner, after string, limit int) ([]store.Domain, error) {
	return c.st.ListDomains(ctx, owner, after, limit)
}

// DeleteDomain deletes an empty domain and returns it as it was.
func (c *Catalog) DeleteDomain(ctx context.Context, ref DomainRef) (DomainInfo, error) {
	var info DomainInfo
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		var err error
		if info, err = c.domainInfo(ctx, q, ref); err != nil {
			return err
		}
		ch.Add(domainChange(info.ID))
		if info.RepositoryCount > 0 {
			return errkind.Conflictf("Domain %s still contains %d repositories; delete them before deleting the domain", ref.Name, info.RepositoryCount).OnResource("domain", ref.Name)
		}
		return q.DeleteDomain(ctx, info.ID)
	})
	return info, err
}

// --- repositories ---

// CreateRepository creates a repository administered by admin.
func (c *Catalog) CreateRepository(ctx context.Context, ref RepositoryRef, admin, description string, upstreams []string, tags []store.Tag) (store.Repository, error) {
	if err := checkTags(nil, tags); err != nil {
		return store.Repository{}, err
	}
	var r store.Repository
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		d, err := getDomain(ctx, q, ref.DomainRef)
		if err != nil {
			return err
		}
		r = store.Repository{DomainID: d.ID, Name: ref.Name, Administrator: admin, Description: description, CreatedAt: c.timestamp()}
		if err := q.CreateRepository(ctx, &r); err != nil {
			if errors.Is(err, errkind.ErrConflict) {
				return errkind.Conflictf("Repository %s already exists in domain %s", ref.Name, ref.DomainRef.Name).OnResource("repository", ref.Name)
			}
			return err
		}
		if err := setUpstreams(ctx, q, r, upstreams); err != nil {
			return err
		}
		if err := q.PutTags(ctx, repositoryResource(r.ID), tags); err != nil {
			return err
		}
		r, err = q.GetRepositoryByID(ctx, r.ID)
		return err
	})
	return r, err
}

// Repository returns a repository with its upstreams and connections.
// Lookups are cached: package requests find their repository on every
// request. An entry is good while its domain's generation is unchanged.
func (c *Catalog) Repository(ctx context.Context, ref RepositoryRef) (store.Repository, error) {
	domainID := int64(-1)
	if e, ok := c.repos.Load(ref); ok {
		if c.Generation(e.repo.DomainID) == e.gen {
			return e.repo, nil
		}
		domainID = e.repo.DomainID
	}
	if domainID < 0 {
		// The domain's generation must be read before the lookup whose
		// result is kept under it (a change committed after the read
		// moves it past the entry's); the first lookup only names the
		// domain.
		r, err := getRepository(ctx, c.st, ref)
		if err != nil {
			return r, err
		}
		domainID = r.DomainID
	}
	gen := c.Generation(domainID)
	r, err := getRepository(ctx, c.st, ref)
	if err != nil {
		return r, err
	}
	if r.DomainID == domainID {
		c.repos.Store(ref, cachedRepository{repo: r, gen: gen}, repositoryBytes(ref, r))
	}
	return r, nil
}

type cachedRepository struct {
	repo store.Repository
	gen  uint64
}

// repositoryBytes is what a cached repository takes: its reference, the
// entry and their strings.
func repositoryBytes(ref RepositoryRef, r store.Repository) int64 {
	n := int64(unsafe.Sizeof(ref)+unsafe.Sizeof(cachedRepository{})) + int64(len(ref.Owner)+len(ref.DomainRef.Name)+len(ref.Name)+
		len(r.DomainName)+len(r.DomainOwner)+len(r.Name)+len(r.Administrator)+len(r.Description))
	for _, s := range append(r.Upstreams, r.ExternalConnections...) {
		n += cachesize.StringBytes(s)
	}
	return n
}

func getRepository(ctx context.Context, q store.Queries, ref RepositoryRef) (store.Repository, error) {
	d, err := getDomain(ctx, q, ref.DomainRef)
	if err != nil {
		return store.Repository{}, err
	}
	r, err := q.GetRepository(ctx, d.ID, ref.Name)
	if errors.Is(err, errkind.ErrNotFound) {
		return r, errkind.NotFoundf("Repository %s not found in domain %s", ref.Name, ref.DomainRef.Name).OnResource("repository", ref.Name)
	}
	return r, err
}

// UpdateRepository changes a repository's description and, when upstreams
// is not nil, replaces its upstreams.
func (c *Catalog) UpdateRepository(ctx context.Context, ref RepositoryRef, description *string, upstreams *[]string) (store.Repository, error) {
	var r store.Repository
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		var err error
		if r, err = getRepository(ctx, q, ref); err != nil {
			return err
		}
		ch.Add(domainChange(r.DomainID))
		if description != nil {
			if err := q.SetRepositoryDescription(ctx, r.ID, *description); err != nil {
				return err
			}
		}
		if upstreams != nil {
			if err := setUpstreams(ctx, q, r, *upstreams); err != nil {
				return err
			}
		}
		r, err = q.GetRepositoryByID(ctx, r.ID)
		return err
	})
	return r, err
}

// setUpstreams checks names against the upstream rules and replaces r's
// upstreams with them.
func setUpstreams(ctx context.Context, q store.Queries, r store.Repository, names []string) error {
	if len(names) > MaxDirectUpstreams {
		return errkind.Quotaf("A repository can have at most %d direct upstream repositories; %d were given", MaxDirectUpstreams, len(names)).OnResource("repository", r.Name)
	}
	if len(names) > 0 && len(r.ExternalConnections) > 0 {
		return errkind.Conflictf("Repository %s has the external connection %s; a repository can have an external connection or upstream repositories, but not both", r.Name, r.ExternalConnections[0]).OnResource("repository", r.Name)
	}
	ids := make([]int64, 0, len(names))
	seen := map[string]bool{}
	for _, name := range names {
		if name == r.Name {
			return errkind.Validationf("Repository %s cannot be its own upstream", r.Name)
		}
		if seen[name] {
			return errkind.Validationf("Upstream repository %s is listed more than once", name)
		}
		seen[name] = true
		u, err := q.GetRepository(ctx, r.DomainID, name)
		if errors.Is(err, errkind.ErrNotFound) {
			return errkind.NotFoundf("Upstream repository %s not found in domain %s", name, r.DomainName).OnResource("repository", name)
		}
		if err != nil {
			return err
		}
		ids = append(ids, u.ID)
	}
	graph, err := q.UpstreamGraph(ctx, r.DomainID)
	if err != nil {
		return err
	}
	graph[r.ID] = ids
	if reaches(graph, ids, r.ID) {
		return errkind.Validationf("Setting these upstreams on %s would create a cycle: %s is reachable from its own upstreams", r.Name, r.Name)
	}
	return q.SetUpstreams(ctx, r.ID, ids)
}

// reaches reports whether target is reachable from any of starts.
func reaches(graph map[int64][]int64, starts []int64, target int64) bool {
	seen := map[int64]bool{}
	stack := append([]int64(nil), starts...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == target {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		stack = append(stack, graph[n]...)
	}
	return false
}

// DeleteRepository deletes a repository that no other repository uses as
// an upstream, and returns it as it was.
func (c *Catalog) DeleteRepository(ctx context.Context, ref RepositoryRef) (store.Repository, error) {
	var r store.Repository
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		var err error
		if r, err = getRepository(ctx, q, ref); err != nil {
			return err
		}
		ch.Add(domainChange(r.DomainID))
		graph, err := q.UpstreamGraph(ctx, r.DomainID)
		if err != nil {
			return err
		}
		for from, ups := range graph {
			for _, u := range ups {
				if u == r.ID {
					down, err := q.GetRepositoryByID(ctx, from)
					if err != nil {
						return err
					}
					return errkind.Conflictf("Repository %s is an upstream repository of %s; remove it from the upstreams of %s first", r.Name, down.Name, down.Name).OnResource("repository", r.Name)
				}
			}
		}
		return q.DeleteRepository(ctx, r.ID)
	})
	return r, err
}

// RepositoryPage is a page of ListRepositories.
type RepositoryPage struct {
	Repositories []store.Repository
	More         bool
}

// ListRepositories lists repositories matching f, limit at a time. A zero
// f.DomainID with a non-empty domain ref restricts to that domain.
func (c *Catalog) ListRepositories(ctx context.Context, domain *DomainRef, f store.RepositoryFilter, limit int) (RepositoryPage, error) {
	if domain != nil {
		d, err := getDomain(ctx, c.st, *domain)
		if err != nil {
			return RepositoryPage{}, err
		}
		f.DomainID = d.ID
	}
	rs, err := c.st.ListRepositories(ctx, f, limit+1)
	if err != nil {
		return RepositoryPage{}, err
	}
	page := RepositoryPage{Repositories: rs}
	if len(rs) > limit {
		page.Repositories, page.More = rs[:limit], true
	}
	return page, nil
}

// AssociateExternalConnection connects a repository to a public registry.
func (c *Catalog) AssociateExternalConnection(ctx context.Context, ref RepositoryRef, name string) (store.Repository, error) {
	if _, ok := c.ExternalConnectionFormat(name); !ok {
		return store.Repository{}, errkind.Validationf("Unknown external connection %s; supported: %s", name, strings.Join(c.connectionNames(), ", "))
	}
	var r store.Repository
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		var err error
		if r, err = getRepository(ctx, q, ref); err != nil {
			return err
		}
		ch.Add(domainChange(r.DomainID))
		switch {
		case len(r.ExternalConnections) > 0:
			return errkind.Conflictf("Repository %s already has the external connection %s; a repository can have only one", r.Name, r.ExternalConnections[0]).OnResource("repository", r.Name)
		case len(r.Upstreams) > 0:
			return errkind.Conflictf("Repository %s has upstream repositories; a repository can have an external connection or upstream repositories, but not both", r.Name).OnResource("repository", r.Name)
		}
		if err := q.AddExternalConnection(ctx, r.ID, name); err != nil {
			return err
		}
		r, err = q.GetRepositoryByID(ctx, r.ID)
		return err
	})
	return r, err
}

// DisassociateExternalConnection removes a repository's connection.
func (c *Catalog) DisassociateExternalConnection(ctx context.Context, ref RepositoryRef, name string) (store.Repository, error) {
	var r store.Repository
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		var err error
		if r, err = getRepository(ctx, q, ref); err != nil {
			return err
		}
		ch.Add(domainChange(r.DomainID))
		if err := q.RemoveExternalConnection(ctx, r.ID, name); err != nil {
			if errors.Is(err, errkind.ErrNotFound) {
				return errkind.NotFoundf("Repository %s has no external connection %s", r.Name, name).OnResource("repository", r.Name)
			}
			return err
		}
		r, err = q.GetRepositoryByID(ctx, r.ID)
		return err
	})
	return r, err
}

// --- tags ---

// Resource is a taggable, policy-bearing resource found by its names.
type Resource struct {
	Kind         string // "domain", "repository" or "package-group"
	Domain       DomainRef
	Repository   string // repositories only
	PackageGroup string // package groups only: the definition
}

func (c *Catalog) resolve(ctx context.Context, q store.Queries, res Resource) (store.Resource, error) {
	if res.Kind == "package-group" {
		_, g, err := storedGroup(ctx, q, res.Domain, res.PackageGroup)
		return groupResource(g.ID), err
	}
	if res.Kind == "domain" {
		d, err := getDomain(ctx, q, res.Domain)
		return domainResource(d.ID), err
	}
	r, err := getRepository(ctx, q, RepositoryRef{DomainRef: res.Domain, Name: res.Repository})
	return repositoryResource(r.ID), err
}

func domainResource(id int64) store.Resource     { return store.Resource{Kind: "domain", ID: id} }
func repositoryResource(id int64) store.Resource { return store.Resource{Kind: "repository", ID: id} }

// Tags returns a resource's tags.
func (c *Catalog) Tags(ctx context.Context, res Resource) ([]store.Tag, error) {
	sr, err := c.resolve(ctx, c.st, res)
	if err != nil {
		return nil, err
	}
	return c.st.ListTags(ctx, sr)
}

// TagResource adds or updates tags.
func (c *Catalog) TagResource(ctx context.Context, res Resource, tags []store.Tag) error {
	return c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		sr, err := c.resolve(ctx, q, res)
		if err != nil {
			return err
		}
		existing, err := q.ListTags(ctx, sr)
		if err != nil {
			return err
		}
		if err := checkTags(existing, tags); err != nil {
			return err
		}
		return q.PutTags(ctx, sr, tags)
	})
}

// UntagResource removes tags by key; absent keys are ignored.
func (c *Catalog) UntagResource(ctx context.Context, res Resource, keys []string) error {
	return c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		sr, err := c.resolve(ctx, q, res)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return nil // an empty key list removes nothing, not everything
		}
		return q.DeleteTags(ctx, sr, keys)
	})
}

// checkTags checks adding tags to a resource that has existing ones.
func checkTags(existing, tags []store.Tag) error {
	keys := map[string]bool{}
	for _, t := range existing {
		keys[t.Key] = true
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errkind.Validationf("Tag keys starting with aws: are reserved: %s", t.Key)
		}
		if seen[t.Key] {
			return errkind.Validationf("Tag key %s is given more than once", t.Key)
		}
		seen[t.Key] = true
		keys[t.Key] = true
	}
	if len(keys) > MaxTags {
		return errkind.Quotaf("A resource can have at most %d tags; this would make %d", MaxTags, len(keys))
	}
	return nil
}

// --- resource policies ---

// Policy returns a resource's policy.
func (c *Catalog) Policy(ctx context.Context, res Resource) (store.Policy, error) {
	sr, err := c.resolve(ctx, c.st, res)
	if err != nil {
		return store.Policy{}, err
	}
	p, err := c.st.GetPolicy(ctx, sr)
	if errors.Is(err, errkind.ErrNotFound) {
		return p, errkind.NotFoundf("No resource policy is set on %s %s", res.Kind, res.name()).OnResource(res.Kind, res.name())
	}
	return p, err
}

func (r Resource) name() string {
	if r.Kind == "domain" {
		return r.Domain.Name
	}
	return r.Repository
}

// PutPolicy sets a resource's policy. A non-nil revision must be the
// current policy's revision.
func (c *Catalog) PutPolicy(ctx context.Context, res Resource, document string, revision *string) (store.Policy, error) {
	p, err := policy.Parse([]byte(document))
	if err != nil {
		return store.Policy{}, err
	}
	if err := p.Validate(policy.ResourcePolicy); err != nil {
		return store.Policy{}, err
	}
	var out store.Policy
	err = c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		sr, err := c.resolve(ctx, q, res)
		if err != nil {
			return err
		}
		if err := checkRevision(ctx, q, sr, res, revision); err != nil {
			return err
		}
		out = store.Policy{Resource: sr, Document: document, Revision: newRevision(document), UpdatedAt: c.timestamp()}
		return q.PutPolicy(ctx, out)
	})
	return out, err
}

// DeletePolicy removes a resource's policy and returns it as it was.
func (c *Catalog) DeletePolicy(ctx context.Context, res Resource, revision *string) (store.Policy, error) {
	var old store.Policy
	err := c.update(ctx, func(q store.Queries, ch *generation.Changes) error {
		ch.Add(attributesChange)
		sr, err := c.resolve(ctx, q, res)
		if err != nil {
			return err
		}
		if old, err = q.GetPolicy(ctx, sr); err != nil {
			if errors.Is(err, errkind.ErrNotFound) {
				return errkind.NotFoundf("No resource policy is set on %s %s", res.Kind, res.name()).OnResource(res.Kind, res.name())
			}
			return err
		}
		if err := checkRevision(ctx, q, sr, res, revision); err != nil {
			return err
		}
		return q.DeletePolicy(ctx, sr)
	})
	return old, err
}

// checkRevision refuses a change that names a revision other than the
// current one (optimistic locking).
func checkRevision(ctx context.Context, q store.Queries, sr store.Resource, res Resource, revision *string) error {
	if revision == nil {
		return nil
	}
	cur, err := q.GetPolicy(ctx, sr)
	switch {
	case errors.Is(err, errkind.ErrNotFound):
		return errkind.Conflictf("Policy revision %s is not the current revision: %s %s has no resource policy", *revision, res.Kind, res.name()).OnResource(res.Kind, res.name())
	case err != nil:
		return err
	case cur.Revision != *revision:
		return errkind.Conflictf("Policy revision %s is not the current revision of the resource policy of %s %s", *revision, res.Kind, res.name()).OnResource(res.Kind, res.name())
	}
	return nil
}

// newRevision returns an unpredictable revision id, so a writer cannot
// guess the next one and every put yields a new one.
func newRevision(document string) string {
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		panic(err)
	}
	h := sha256.New()
	h.Write(salt[:])
	h.Write([]byte(document))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
