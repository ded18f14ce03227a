// Package resolve is the read path of a repository through its upstream
// repositories and external connection, and the upstream rule of the write
// path, exactly as the User Guide ("Working with upstream repositories")
// describes them:
//
//   - Search order: the repository itself, then each upstream in priority
//     order, depth first (an upstream's own upstreams before the next
//     upstream), each repository once, at most 25 repositories. A
//     repository's external connection is searched right after the
//     repository itself.
//   - A package whose origin configuration in a repository blocks upstream
//     versions stops the search at that repository.
//   - Package groups (catalog.CheckOrigin) gate the same ways in: a
//     repository whose group for the package does not allow
//     EXTERNAL_UPSTREAM does not ask its external connection, and a
//     requesting repository whose group does not allow INTERNAL_UPSTREAM
//     does not search its upstreams. A BLOCK from either the package's
//     origin configuration or its group wins. A package found nowhere
//     because a group refused it is AccessDenied, naming the group.
//   - Retention: a version found in an upstream is retained by reference in
//     the requesting repository; a version ingested through an external
//     connection is retained in the repository holding the connection and
//     in the requesting repository, never in intermediate repositories.
//     What was retained does not change when the upstream changes.
//   - Publishing a version that is reachable in an upstream or through an
//     external connection is refused with a Conflict.
//   - Tags merge with upstream tags winning over the downstream's, and a
//     higher-priority upstream winning over a lower one.
//   - An external connection holds packages of its own format only (the
//     format's rules name its connections; the catalog knows them): for a
//     package of another format it is skipped.
//
// Beyond the guide, the release-age gate of the package's group (package
// pkggroup, ReleaseGate) applies here, once for every format: a version a
// public registry offers that was published less than the gate's minimum
// age ago, after its cut-off, or at a time the registry does not give
// (unless the gate allows that) is left out of the view (View.Held) and
// its tags, so no document lists it, and Version refuses it with
// AccessDenied saying when it was published and when it becomes
// available. Versions stored in a repository are never held.
//
// Also beyond the guide: an external connection is asked only about packages of
// its own format, and one with no registry URL configured on this server is
// asked nothing; a not-found answer then names it, so that the missing
// configuration shows where a user looks.
//
// Views are kept per repository and package (kept.go) and extended by
// the versions a publish appends to the catalog's list; any other change
// makes a view of a new lineage from the kept one, with new candidates
// for the versions that changed alone. View.List and View.Lineage let a
// format keep what it derived from a view and extend it the same way.
//
// The package APIs of the control plane do not come here: they act on the
// repository alone, except CopyPackageVersions with includeFromUpstream.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
)

// MaxSearch is the most repositories a request looks in.
const MaxSearch = 25

// Remote is a public registry's view of a package.
type Remote struct {
	Versions map[string]RemoteVersion
	Tags     map[string]string
	// PublishedBy, when set, is a time no version was published after
	// (Maven: the metadata's lastUpdated), for versions whose own publish
	// time the registry's document does not give.
	PublishedBy time.Time
}

// RemoteVersion is a version a public registry has. Meta is what the
// registry says about it; Source is the connection's own handle for
// fetching its assets (for npm, the tarball URL).
type RemoteVersion struct {
	Version string
	Meta    artifact.Meta
	Source  any
}

// Connection is a public registry behind an external connection, for one
// package format.
type Connection interface {
	// Package returns the registry's view of the package: errkind.NotFound
	// when it has no such package, errkind.Unavailable when it cannot be
	// reached in time.
	Package(ctx context.Context, ref artifact.PackageRef) (*Remote, error)
	// Ingest downloads a version's assets into the blob store and returns
	// the version to retain (metadata and assets; status, origin and
	// revision are set by the resolver).
	Ingest(ctx context.Context, ref artifact.PackageRef, v RemoteVersion) (store.Version, error)
}

// Graph is what the resolver needs of the catalog and the store.
type Graph interface {
	GetRepositoryByID(ctx context.Context, id int64) (store.Repository, error)
	UpstreamGraph(ctx context.Context, domainID int64) (map[int64][]int64, error)
	GetPackage(ctx context.Context, repositoryID int64, ref artifact.PackageRef) (store.Package, error)
	GetVersion(ctx context.Context, packageID int64, version string) (store.Version, error)
	VersionWithPrefix(ctx context.Context, packageID int64, prefix string) (store.Version, error)
	PackageTags(ctx context.Context, packageID int64) (map[string]string, error)
}

// Resolver resolves reads through upstreams and external connections.
type Resolver struct {
	g           Graph
	cat         *catalog.Catalog
	connections map[string]Connection // external connection name -> registry
	log         *slog.Logger
	// Timeout bounds how long a request waits for a public registry.
	timeout time.Duration
	ingests singleflight.Group
	kept    *keptViews
}

// New returns a Resolver. connections maps external connection names to
// the registries configured for them; a connection without one serves only
// what was ingested before.
func New(g Graph, cat *catalog.Catalog, connections map[string]Connection, timeout time.Duration, log *slog.Logger) *Resolver {
	return &Resolver{g: g, cat: cat, connections: connections, timeout: timeout, log: log, kept: newKeptViews(ViewCacheBytes)}
}

// SetCacheBudget sizes the resolver's kept views by the server's cache
// budget (package cachesize; 0 is the default). Call it before the
// resolver is used.
func (r *Resolver) SetCacheBudget(budget int64) {
	r.kept = newKeptViews(cachesize.Share(ViewCacheBytes, budget))
}

// node is one stop of the search.
type node struct {
	repo store.Repository
	// upstreams are the indexes in the order of this node's direct
	// upstreams, for tag merging.
	upstreams []int
}

// searchOrder returns the repositories a request to repo looks in, in
// order (repo first).
func (r *Resolver) searchOrder(ctx context.Context, repo store.Repository) ([]node, error) {
	graph, err := r.g.UpstreamGraph(ctx, repo.DomainID)
	if err != nil {
		return nil, err
	}
	var order []node
	index := map[int64]int{}
	var visit func(id int64, known *store.Repository) (int, error)
	visit = func(id int64, known *store.Repository) (int, error) {
		if i, ok := index[id]; ok {
			return i, nil
		}
		if len(order) >= MaxSearch {
			return -1, nil
		}
		var rp store.Repository
		if known != nil {
			rp = *known
		} else if rp, err = r.g.GetRepositoryByID(ctx, id); err != nil {
			return -1, err
		}
		i := len(order)
		index[id] = i
		order = append(order, node{repo: rp})
		for _, up := range graph[id] {
			j, err := visit(up, nil)
			if err != nil {
				return -1, err
			}
			if j >= 0 {
				order[i].upstreams = append(order[i].upstreams, j)
			}
		}
		return i, nil
	}
	if _, err := visit(repo.ID, &repo); err != nil {
		return nil, err
	}
	return order, nil
}

// SearchOrder returns the names of the repositories a request to repo
// looks in, in order.
func (r *Resolver) SearchOrder(ctx context.Context, repo store.Repository) ([]string, error) {
	order, err := r.searchOrder(ctx, repo)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(order))
	for i, n := range order {
		names[i] = n.repo.Name
	}
	return names, nil
}

// Candidate is a version available to a repository, and where it is.
// Version points at the version in the catalog's list (or a version made
// of what a public registry offers) and Repository is shared by the
// view's candidates: both are read-only.
type Candidate struct {
	*store.Version
	// Repository is where the version is stored, or the repository holding
	// the external connection it would be ingested through.
	Repository *store.Repository
	// Remote is set when the version is only in the public registry.
	Remote *RemoteVersion
}

// View is a package as a repository's clients see it: its versions from
// the repository, its upstreams and its external connection, and the
// merged tags.
type View struct {
	Ref artifact.PackageRef
	// Versions are the candidates by version string. They point into
	// arrays shared by the view's readers: they must not be modified.
	Versions map[string]*Candidate
	Tags     map[string]string
	// List holds the same candidates as Versions in the order their
	// repository's store numbered them (publication order) when they all
	// come from one repository (nothing from an upstream or a public
	// registry besides); nil otherwise. It must not be modified.
	List []*Candidate
	// Lineage, when not zero, says how List grew: of two views of the
	// package with the same Lineage, the one with the longer List holds
	// the other's candidates first, the same ones, and after them the
	// versions published since. Any other change (a status, a deletion, an
	// asset added to a version, another repository's versions) starts a
	// new Lineage. A format may keep what it derived from a view with its
	// Lineage and length, and extend it by the candidates added; Tags are
	// not part of it.
	Lineage uint64
	// Remote reports whether part of the view came from a public registry,
	// or should have but the registry could not be reached (such views go
	// stale when the registry changes or comes back, not just when the
	// domain does).
	Remote bool
	// Unavailable is the error of a public registry that could not be
	// reached while building the view: a version missing from the view may
	// be missing only because of it.
	Unavailable error
	// Unconfigured names the external connections of the package's format
	// the search passed that have no registry URL configured on this
	// server: nothing was asked of them.
	Unconfigured []string
	// Held are the versions a public registry has that the release-age
	// gate of the package's group holds back: they are in neither
	// Versions nor Tags.
	Held map[string]Held
}

// Held is a version held back by the release-age gate, and where it
// would have come from.
type Held struct {
	pkggroup.Hold
	Connection string
	Repository store.Repository
}

// Package returns the view of a package from repo. A package found
// nowhere is errkind.NotFound; a package found nowhere while a public
// registry that might have it could not be reached is errkind.Unavailable.
func (r *Resolver) Package(ctx context.Context, repo store.Repository, ref artifact.PackageRef) (*View, error) {
	return r.view(ctx, repo, ref, nil)
}

// Selection narrows a view to the versions a check needs: each
// repository is asked for those alone (an indexed row each, however many
// versions the package has).
type Selection struct {
	// Version selects the version of exactly that string, if set.
	Version string
	// Prefixes select, of each repository, the first version (in byte
	// order) beginning with each prefix ("": any one version), and of a
	// public registry's, every version beginning with one.
	Prefixes []string
}

// selects reports whether a public registry's version belongs to the
// view.
func (s *Selection) selects(version string) bool {
	if s == nil || (s.Version != "" && version == s.Version) {
		return true
	}
	for _, p := range s.Prefixes {
		if strings.HasPrefix(version, p) {
			return true
		}
	}
	return false
}

// Select returns the view of a package from repo narrowed to sel, without
// tags; errors are Package's.
func (r *Resolver) Select(ctx context.Context, repo store.Repository, ref artifact.PackageRef, sel Selection) (*View, error) {
	return r.view(ctx, repo, ref, &sel)
}

// only selects one version.
func only(version string) *Selection { return &Selection{Version: version} }

// view builds the view of a package from repo. With sel set, the view
// holds only the versions it selects, and no tags: which is all a publish
// check needs.
func (r *Resolver) view(ctx context.Context, repo store.Repository, ref artifact.PackageRef, sel *Selection) (*View, error) {
	order, err := r.searchOrder(ctx, repo)
	if err != nil {
		return nil, err
	}
	view := &View{Ref: ref, Versions: map[string]*Candidate{}}
	// shared: view.Versions and view.List are a kept view's, which other
	// views hold too; own makes them the view's own before it adds to them.
	shared := false
	own := func() {
		if shared {
			view.Versions, view.List, view.Lineage, shared = maps.Clone(view.Versions), nil, 0, false
		}
	}
	gate := &groupGate{r: r, ref: ref}
	release := &releaseGate{r: r, repo: repo, ref: ref}
	tags := make([]map[string]string, len(order))
	reached := make([]bool, len(order))
	var unavailable error
	found := false
	var walk func(i int) error
	walk = func(i int) error {
		if reached[i] {
			return nil
		}
		reached[i] = true
		n := order[i]
		blocked := false
		p, err := r.g.GetPackage(ctx, n.repo.ID, ref)
		switch {
		case err == nil:
			found = true
			vs, err := r.versions(ctx, p.ID, sel)
			if err != nil {
				return err
			}
			if sel == nil && len(view.Versions) == 0 {
				// The first repository with versions: its candidates are
				// kept between views (only new versions are made anew).
				kv := r.kept.view(n.repo, p.ID, vs)
				view.Versions, view.List, view.Lineage, shared = kv.byVersion, kv.list, kv.lineage, true
			} else {
				if len(view.Versions) == 0 {
					// Sized once: growing a map of thousands of candidates
					// moves them all at each step.
					view.Versions = make(map[string]*Candidate, len(vs))
				}
				// The candidates in one array (one allocation, not one per
				// version), the map holding pointers into it.
				cands := make([]Candidate, 0, len(vs))
				for k := range vs {
					v := &vs[k]
					if _, seen := view.Versions[v.Version]; !seen {
						own()
						cands = append(cands, Candidate{Version: v, Repository: &n.repo})
						view.Versions[v.Version] = &cands[len(cands)-1]
					}
				}
			}
			if sel == nil {
				if tags[i], err = r.g.PackageTags(ctx, p.ID); err != nil {
					return err
				}
			}
			blocked = p.Origin.Upstream == artifact.Block
		case !errors.Is(err, errkind.ErrNotFound):
			return err
		}
		if blocked {
			return nil
		}
		for _, name := range n.repo.ExternalConnections {
			if !r.serves(name, ref.Format) {
				continue // another format's registry does not hold the package
			}
			if ok, err := gate.allows(ctx, n.repo, pkggroup.ExternalUpstream); err != nil {
				return err
			} else if !ok {
				continue
			}
			if _, ok := r.connections[name]; !ok {
				if !slices.Contains(view.Unconfigured, name) {
					view.Unconfigured = append(view.Unconfigured, name)
				}
				continue
			}
			remote, err := r.remote(ctx, name, ref)
			switch {
			case err == nil:
				found, view.Remote = true, true
				for ver, rv := range remote.Versions {
					if !sel.selects(ver) {
						continue
					}
					if _, seen := view.Versions[ver]; !seen {
						if held, err := release.holds(ctx, view, remote, rv, name, n.repo); err != nil {
							return err
						} else if held {
							continue
						}
						rv := rv
						own()
						view.Versions[ver] = &Candidate{
							Version:    &store.Version{Version: ver, Status: artifact.Published, Meta: rv.Meta, Origin: artifact.Origin{Type: artifact.OriginExternal, ExternalConnection: name}},
							Repository: &n.repo, Remote: &rv,
						}
					}
				}
				if sel == nil {
					tags[i] = overlay(tags[i], remote.Tags)
				}
			case errors.Is(err, errkind.ErrUnavailable):
				unavailable, view.Remote = err, true
				r.log.Warn("external connection unavailable", "connection", name, "package", r.cat.Display(ref), "error", err)
			case !errors.Is(err, errkind.ErrNotFound):
				return err
			}
		}
		if i == 0 && len(n.upstreams) > 0 {
			if ok, err := gate.allows(ctx, n.repo, pkggroup.InternalUpstream); err != nil || !ok {
				return err
			}
		}
		for _, j := range n.upstreams {
			if err := walk(j); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(0); err != nil {
		return nil, err
	}
	if !found {
		if gate.refused != nil {
			return nil, gate.refused
		}
		if unavailable != nil {
			return nil, unavailable
		}
		return nil, errkind.NotFoundf("Package %s not found in repository %s or its upstreams%s", r.cat.Display(ref), repo.Name, UnconfiguredHint(view.Unconfigured)).OnResource("package", ref.Name)
	}
	view.Tags = mergeTags(order, tags, reached, 0, map[int]bool{})
	view.Unavailable = unavailable
	release.settle(view)
	return view, nil
}

// versions returns the versions of a package with their assets: every
// one, or those sel selects.
func (r *Resolver) versions(ctx context.Context, packageID int64, sel *Selection) ([]store.Version, error) {
	if sel == nil {
		return r.cat.ListVersions(ctx, packageID)
	}
	var out []store.Version
	add := func(v store.Version, err error) error {
		if err == nil {
			out = append(out, v)
		} else if !errors.Is(err, errkind.ErrNotFound) {
			return err
		}
		return nil
	}
	if sel.Version != "" {
		if err := add(r.g.GetVersion(ctx, packageID, sel.Version)); err != nil {
			return nil, err
		}
	}
	for _, p := range sel.Prefixes {
		if err := add(r.g.VersionWithPrefix(ctx, packageID, p)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// overlay returns base with top's entries written over it.
func overlay(base, top map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(top))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range top {
		out[k] = v
	}
	return out
}

// mergeTags merges the tags of node i with its upstreams': an upstream's
// tag wins over its downstream's, and among upstreams the one with higher
// priority wins.
func mergeTags(order []node, tags []map[string]string, reached []bool, i int, seen map[int]bool) map[string]string {
	out := tags[i]
	seen[i] = true
	ups := order[i].upstreams
	for k := len(ups) - 1; k >= 0; k-- { // lowest priority first, so higher ones overwrite
		j := ups[k]
		if seen[j] || !reached[j] {
			continue
		}
		out = overlay(out, mergeTags(order, tags, reached, j, seen))
	}
	return out
}

// serves reports whether the external connection name serves packages of
// format f. A connection of another format simply does not hold the
// package: it is skipped for reads, for the publish check and for
// ingestion alike.
func (r *Resolver) serves(name string, f artifact.Format) bool {
	cf, ok := r.cat.ExternalConnectionFormat(name)
	return ok && cf == f
}

// Connected reports whether the external connection name has a public
// registry configured on this server to fetch from.
func (r *Resolver) Connected(name string) bool {
	_, ok := r.connections[name]
	return ok
}

// Connection returns the client of the external connection name, for a
// format's surface that needs more of its own registry than the views
// (RubyGems: the registry's versions file).
func (r *Resolver) Connection(name string) (Connection, bool) {
	c, ok := r.connections[name]
	return c, ok
}

// UnconfiguredHint is what a not-found message adds when the search passed
// external connections that have no registry URL configured: "" when
// there are none.
func UnconfiguredHint(names []string) string {
	if len(names) == 0 {
		return ""
	}
	subject := "external connection " + names[0] + " has"
	if len(names) > 1 {
		subject = "external connections " + strings.Join(names, ", ") + " have"
	}
	return fmt.Sprintf("; %s no registry URL configured on this server, so nothing was fetched through it (start arca with --external-connection %s=URL)", subject, names[0])
}

// remote asks an external connection about a package, bounded in time.
func (r *Resolver) remote(ctx context.Context, name string, ref artifact.PackageRef) (*Remote, error) {
	conn, ok := r.connections[name]
	if !ok {
		return nil, errkind.NotFoundf("external connection %s has no registry configured", name)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return conn.Package(ctx, ref)
}

// Version returns a version of a package available to repo, retaining it
// in repo (and, when ingested, in the repository holding the external
// connection) if it was found elsewhere. Retention happens only for
// versions whose assets can be downloaded.
func (r *Resolver) Version(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string) (store.Version, error) {
	return r.version(ctx, repo, ref, version, false)
}

// SharedVersion is Version for a caller that only reads the version (a
// download looking for its asset): what it returns may share its assets
// and metadata with the catalog's cache (catalog.Catalog.SharedVersion)
// and must not be modified.
func (r *Resolver) SharedVersion(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string) (store.Version, error) {
	return r.version(ctx, repo, ref, version, true)
}

func (r *Resolver) version(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string, shared bool) (store.Version, error) {
	get := r.cat.Version
	if shared {
		get = r.cat.SharedVersion
	}
	if v, err := get(ctx, repo, ref, version); err == nil || !errors.Is(err, errkind.ErrNotFound) {
		return v, err
	}
	view, err := r.view(ctx, repo, ref, only(version))
	if err != nil {
		return store.Version{}, err
	}
	c, ok := view.Versions[version]
	if h, held := view.Held[version]; !ok && held {
		return store.Version{}, errkind.Deniedf("%s", h.Reason).OnResource("package-version", version)
	}
	if !ok && view.Unavailable != nil {
		return store.Version{}, view.Unavailable
	}
	if !ok {
		return store.Version{}, errkind.NotFoundf("Version %s of %s not found in repository %s or its upstreams%s", version, r.cat.Display(ref), repo.Name, UnconfiguredHint(view.Unconfigured)).OnResource("package-version", version)
	}
	if !c.Status.Downloadable() {
		return *c.Version, nil // nothing to retain: its assets cannot be fetched
	}
	found := *c.Version
	if c.Remote != nil {
		if found, err = r.ingest(ctx, *c.Repository, ref, *c.Remote, c.Origin.ExternalConnection); err != nil {
			return store.Version{}, err
		}
	}
	if c.Repository.ID == repo.ID {
		return found, nil
	}
	return r.cat.Retain(ctx, repo, ref, found)
}

// ingest fetches a version through an external connection once, however
// many requests ask for it at the same time, and retains it in the
// repository holding the connection. The work finishes even if the
// requests that started it go away.
func (r *Resolver) ingest(ctx context.Context, holder store.Repository, ref artifact.PackageRef, rv RemoteVersion, connection string) (store.Version, error) {
	key := fmt.Sprintf("%d\x00%s\x00%s\x00%s\x00%s", holder.ID, ref.Format, ref.Namespace, ref.Name, rv.Version)
	ch := r.ingests.DoChan(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
		defer cancel()
		if v, err := r.cat.Version(ctx, holder, ref, rv.Version); err == nil {
			return v, nil // ingested by an earlier request
		}
		conn, ok := r.connections[connection]
		if !ok {
			return nil, errkind.NotFoundf("external connection %s has no registry configured", connection)
		}
		v, err := conn.Ingest(ctx, ref, rv)
		if err != nil {
			return nil, err
		}
		v.Version, v.Status = rv.Version, artifact.Published
		v.Origin = artifact.Origin{Type: artifact.OriginExternal, ExternalConnection: connection}
		v.Revision = catalog.Revision(v.Meta, v.Assets)
		return r.cat.Retain(ctx, holder, ref, v)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return store.Version{}, res.Err
		}
		return res.Val.(store.Version), nil
	case <-ctx.Done():
		return store.Version{}, errkind.Wrap(errkind.Unavailable, ctx.Err(), "gave up waiting for %s to ingest %s %s", connection, r.cat.Display(ref), rv.Version)
	}
}

// CheckPublish refuses publishing version if it is reachable from repo in
// an upstream repository or through an external connection. A registry
// that cannot be reached does not block publishing (User Guide,
// "CodeArtifact behavior when an external repository is not available").
func (r *Resolver) CheckPublish(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string) error {
	// The package group first, so a refused publish reads no bytes
	// (catalog.Publish asks again).
	if err := r.cat.CheckOrigin(ctx, repo, ref, pkggroup.Publish); err != nil {
		return err
	}
	view, err := r.view(ctx, repo, ref, only(version))
	// Not reachable: found nowhere, a registry down, or kept out by a
	// package group (which governs taking versions, not publishing them).
	if errors.Is(err, errkind.ErrNotFound) || errors.Is(err, errkind.ErrUnavailable) || errors.Is(err, errkind.ErrAccessDenied) {
		return nil
	}
	if err != nil {
		return err
	}
	if c, ok := view.Versions[version]; ok && (c.Remote != nil || c.Repository.ID != repo.ID) {
		where := "upstream repository " + c.Repository.Name
		if c.Remote != nil {
			where = "external connection " + c.Origin.ExternalConnection
		}
		return errkind.Conflictf("Version %s of %s is already available from %s; it cannot be published to %s", version, r.cat.Display(ref), where, repo.Name).OnResource("package-version", version)
	}
	if h, ok := view.Held[version]; ok {
		// Held back for now, but the registry has it: a local version of
		// the same number would shadow it.
		return errkind.Conflictf("Version %s of %s is in external connection %s (held back by the release-age gate for now); it cannot be published to %s", version, r.cat.Display(ref), h.Connection, repo.Name).OnResource("package-version", version)
	}
	return nil
}

// Publish publishes a version to repo after checking the upstream rule.
func (r *Resolver) Publish(ctx context.Context, repo store.Repository, pub catalog.Publication) (store.Version, error) {
	if err := r.CheckPublish(ctx, repo, pub.Ref, pub.Version); err != nil {
		return store.Version{}, err
	}
	return r.cat.Publish(ctx, repo, pub)
}

// CopySource returns where CopyPackageVersions looks for versions: the
// source repository, and its upstreams when includeFromUpstream is set
// (versions stored in repositories only; nothing is ingested to copy it).
func (r *Resolver) CopySource(src store.Repository, ref artifact.PackageRef, includeFromUpstream bool) catalog.CopySource {
	return func(ctx context.Context, version string) (store.Version, map[string]string, bool, error) {
		order := []node{{repo: src}}
		if includeFromUpstream {
			var err error
			if order, err = r.searchOrder(ctx, src); err != nil {
				return store.Version{}, nil, false, err
			}
		}
		for _, n := range order {
			p, err := r.g.GetPackage(ctx, n.repo.ID, ref)
			if errors.Is(err, errkind.ErrNotFound) {
				continue
			}
			if err != nil {
				return store.Version{}, nil, false, err
			}
			v, err := r.g.GetVersion(ctx, p.ID, version)
			if errors.Is(err, errkind.ErrNotFound) {
				continue
			}
			if err != nil {
				return store.Version{}, nil, false, err
			}
			tags, err := r.g.PackageTags(ctx, p.ID)
			return v, tags, err == nil, err
		}
		return store.Version{}, nil, false, nil
	}
}
