package resolve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

var ctx = context.Background()

const owner = "111122223333"

type world struct {
	t    *testing.T
	st   store.Store
	cat  *catalog.Catalog
	res  *Resolver
	fake *fakeConnection
}

func newWorld(t *testing.T) *world {
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat := catalog.New(st, "us-east-1", time.Now, testFormats{})
	if _, err := cat.CreateDomain(ctx, catalog.DomainRef{Owner: owner, Name: "d"}, "", nil); err != nil {
		t.Fatal(err)
	}
	fake := &fakeConnection{remote: &Remote{Versions: map[string]RemoteVersion{}, Tags: map[string]string{}}}
	res := New(st, cat, map[string]Connection{"public:npmjs": fake}, 2*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return &world{t: t, st: st, cat: cat, res: res, fake: fake}
}

func (w *world) repo(name string, upstreams ...string) store.Repository {
	w.t.Helper()
	r, err := w.cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: "d"}, Name: name}, owner, "", upstreams, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) connect(name string) store.Repository {
	w.t.Helper()
	r, err := w.cat.AssociateExternalConnection(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: "d"}, Name: name}, "public:npmjs")
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

var pkg = artifact.PackageRef{Format: artifact.NPM, Name: "web-helper"}

func (w *world) publish(r store.Repository, version string, tags map[string]string) store.Version {
	w.t.Helper()
	v, err := w.cat.Publish(ctx, r, catalog.Publication{
		Ref: pkg, Version: version, Tags: tags,
		Meta:   artifact.Meta{DisplayName: "web-helper", Summary: "in " + r.Name},
		Assets: []artifact.Asset{{Name: "package.tgz", Size: 3, SHA256: "sha-" + r.Name + "-" + version}},
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *world) has(r store.Repository, version string) bool {
	w.t.Helper()
	_, err := w.cat.Version(ctx, r, pkg, version)
	if err != nil && !errors.Is(err, errkind.ErrNotFound) {
		w.t.Fatal(err)
	}
	return err == nil
}

// The User Guide's simple priority order example: my_repo with upstreams
// upstream-1, upstream-2, upstream-3 is searched in that order.
func TestSimplePriorityOrder(t *testing.T) {
	w := newWorld(t)
	w.repo("upstream-1")
	w.repo("upstream-2")
	w.repo("upstream-3")
	my := w.repo("my_repo", "upstream-1", "upstream-2", "upstream-3")
	got, err := w.res.SearchOrder(ctx, my)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"my_repo", "upstream-1", "upstream-2", "upstream-3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("search order %v, want %v", got, want)
	}
}

// The User Guide's complex priority order example: my_repo → A, B;
// A → C, D; D → E. The order is my_repo, A, C, D, E, B.
func TestComplexPriorityOrder(t *testing.T) {
	w := newWorld(t)
	w.repo("E")
	w.repo("C")
	w.repo("D", "E")
	w.repo("A", "C", "D")
	w.repo("B")
	my := w.repo("my_repo", "A", "B")
	got, err := w.res.SearchOrder(ctx, my)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"my_repo", "A", "C", "D", "E", "B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("search order %v, want %v", got, want)
	}
	// The search stops where the version is found: a version in both D
	// and B comes from D.
	d, _ := w.cat.Repository(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: "d"}, Name: "D"})
	b, _ := w.cat.Repository(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: "d"}, Name: "B"})
	w.publish(b, "1.0.0", nil)
	w.publish(d, "1.0.0", nil)
	view, err := w.res.Package(ctx, my, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if from := view.Versions["1.0.0"].Repository.Name; from != "D" {
		t.Errorf("1.0.0 resolved from %s, want D (searched before B)", from)
	}
}

func TestSearchStopsAt25Repositories(t *testing.T) {
	w := newWorld(t)
	// A chain of 30 repositories: r29 → r28 → ... → r0.
	prev := ""
	var last store.Repository
	for i := 0; i < 30; i++ {
		name := "r" + string(rune('a'+i/10)) + string(rune('0'+i%10))
		if prev == "" {
			last = w.repo(name)
		} else {
			last = w.repo(name, prev)
		}
		prev = name
	}
	got, err := w.res.SearchOrder(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxSearch {
		t.Errorf("searched %d repositories, want at most %d", len(got), MaxSearch)
	}
}

// Retention: a version found upstream is retained in the requesting
// repository only, not in intermediate ones, and later changes upstream do
// not affect it.
func TestRetentionInIntermediateRepositories(t *testing.T) {
	w := newWorld(t)
	c := w.repo("repo-C")
	b := w.repo("repo-B", "repo-C")
	a := w.repo("repo-A", "repo-B")
	w.publish(c, "4.17.20", map[string]string{"latest": "4.17.20"})
	v, err := w.res.Version(ctx, a, pkg, "4.17.20")
	if err != nil {
		t.Fatal(err)
	}
	if !w.has(a, "4.17.20") || w.has(b, "4.17.20") {
		t.Errorf("retained in A=%v B=%v; want A only", w.has(a, "4.17.20"), w.has(b, "4.17.20"))
	}
	upstreamV, _ := w.cat.Version(ctx, c, pkg, "4.17.20")
	if v.Revision != upstreamV.Revision || v.Origin != upstreamV.Origin {
		t.Errorf("retained version %+v differs from the upstream's %+v", v, upstreamV)
	}
	// Deleting it upstream, and then the upstream itself, leaves A's copy.
	if _, err := w.cat.DeleteVersions(ctx, c, catalog.Batch{Ref: pkg, Versions: []string{"4.17.20"}}); err != nil {
		t.Fatal(err)
	}
	if !w.has(a, "4.17.20") {
		t.Error("deleting the upstream's version removed the retained one")
	}
}

// Retention from an external connection: in the requesting repository and
// the one holding the connection, not in between.
func TestRetentionThroughExternalConnection(t *testing.T) {
	w := newWorld(t)
	w.repo("repo-C")
	c := w.connect("repo-C")
	b := w.repo("repo-B", "repo-C")
	a := w.repo("repo-A", "repo-B")
	w.fake.add("4.17.20")
	if _, err := w.res.Version(ctx, a, pkg, "4.17.20"); err != nil {
		t.Fatal(err)
	}
	if !w.has(a, "4.17.20") || w.has(b, "4.17.20") || !w.has(c, "4.17.20") {
		t.Errorf("retained in A=%v B=%v C=%v; want A and C", w.has(a, "4.17.20"), w.has(b, "4.17.20"), w.has(c, "4.17.20"))
	}
	v, _ := w.cat.Version(ctx, a, pkg, "4.17.20")
	if v.Origin.Type != artifact.OriginExternal || v.Origin.ExternalConnection != "public:npmjs" {
		t.Errorf("origin %+v, want EXTERNAL public:npmjs", v.Origin)
	}
	if n := w.fake.ingests.Load(); n != 1 {
		t.Errorf("%d ingests, want 1", n)
	}
	// A second request is served from what was retained: no new ingest.
	if _, err := w.res.Version(ctx, a, pkg, "4.17.20"); err != nil {
		t.Fatal(err)
	}
	if n := w.fake.ingests.Load(); n != 1 {
		t.Errorf("%d ingests after a second request, want 1", n)
	}
}

func TestTagMergeUpstreamWins(t *testing.T) {
	w := newWorld(t)
	u := w.repo("U")
	r := w.repo("R", "U")
	w.publish(u, "1.0.1", map[string]string{"alpha": "1.0.1"})
	// R's package exists by publishing; allow upstream versions into it as
	// the guide's example has both.
	w.publish(r, "1.0.0", map[string]string{"latest": "1.0.0"})
	p, _ := w.cat.Package(ctx, r, pkg)
	w.cat.PutOriginConfiguration(ctx, r, pkg, artifact.OriginConfig{Publish: p.Origin.Publish, Upstream: artifact.Allow})
	view, err := w.res.Package(ctx, r, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"latest": "1.0.0", "alpha": "1.0.1"}; !reflect.DeepEqual(view.Tags, want) {
		t.Errorf("merged tags %v, want %v", view.Tags, want)
	}
	// The same tag in both: the upstream's wins.
	w.cat.SetTag(ctx, u, pkg, "latest", "1.0.1")
	view, _ = w.res.Package(ctx, r, pkg)
	if view.Tags["latest"] != "1.0.1" {
		t.Errorf("latest = %s, want the upstream's 1.0.1", view.Tags["latest"])
	}
}

func TestOriginBlockStopsUpstreamVersions(t *testing.T) {
	w := newWorld(t)
	u := w.repo("U")
	r := w.repo("R", "U")
	w.publish(u, "2.0.0", nil)
	w.publish(r, "1.0.0", nil) // published first: upstream=BLOCK by default
	view, err := w.res.Package(ctx, r, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := view.Versions["2.0.0"]; ok {
		t.Error("an upstream version is visible through a package that blocks upstreams")
	}
	if _, err := w.res.Version(ctx, r, pkg, "2.0.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("fetching a blocked upstream version: %v, want NotFound", err)
	}
}

func TestPublishRefusedWhenReachableUpstream(t *testing.T) {
	w := newWorld(t)
	u := w.repo("U")
	r := w.repo("R", "U")
	w.publish(u, "1.0.0", nil)
	_, err := w.res.Publish(ctx, r, catalog.Publication{Ref: pkg, Version: "1.0.0", Assets: []artifact.Asset{{Name: "package.tgz", SHA256: "x"}}})
	if !errors.Is(err, errkind.ErrConflict) {
		t.Fatalf("publishing a version present upstream: %v, want Conflict", err)
	}
	if w.has(r, "1.0.0") {
		t.Error("the refused version was stored")
	}
	// Another version of the same package may be published.
	if _, err := w.res.Publish(ctx, r, catalog.Publication{Ref: pkg, Version: "1.1.0", Assets: []artifact.Asset{{Name: "package.tgz", SHA256: "y"}}}); err != nil {
		t.Errorf("publishing a new version: %v", err)
	}
	// And a version the public registry has is refused too.
	w.repo("S")
	s := w.connect("S")
	w.fake.add("3.0.0")
	_, err = w.res.Publish(ctx, s, catalog.Publication{Ref: pkg, Version: "3.0.0", Assets: []artifact.Asset{{Name: "package.tgz", SHA256: "z"}}})
	if !errors.Is(err, errkind.ErrConflict) {
		t.Errorf("publishing a version the external connection has: %v, want Conflict", err)
	}
}

func TestUnavailableRegistry(t *testing.T) {
	w := newWorld(t)
	w.repo("S")
	s := w.connect("S")
	w.fake.add("1.0.0")
	if _, err := w.res.Version(ctx, s, pkg, "1.0.0"); err != nil {
		t.Fatal(err)
	}
	w.fake.down.Store(true)
	view, err := w.res.Package(ctx, s, pkg)
	if err != nil {
		t.Fatalf("with the registry down, the ingested version is gone: %v", err)
	}
	if _, ok := view.Versions["1.0.0"]; !ok {
		t.Error("ingested version missing from the view during the outage")
	}
	// A version never ingested is not "not found" while the registry that
	// may have it is down.
	if _, err := w.res.Version(ctx, s, pkg, "2.0.0"); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("a version never ingested, registry down: %v, want Unavailable", err)
	}
	other := artifact.PackageRef{Format: artifact.NPM, Name: "never-seen"}
	if _, err := w.res.Package(ctx, s, other); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("a package never ingested, registry down: %v, want Unavailable", err)
	}
}

// fakeConnection is a public registry holding web-helper.
// testFormats knows the external connections public:npmjs (npm) and
// public:pypi (PyPI), as the formats' rules do, and npm's package groups
// (an optional namespace, names as given).
type testFormats struct{}

func (testFormats) Known(f artifact.Format) bool                          { return f == artifact.NPM || f == artifact.PyPI }
func (testFormats) HasNamespace(f artifact.Format) bool                   { return f == artifact.NPM }
func (testFormats) NamespaceRequired(artifact.Format) bool                { return false }
func (testFormats) Normalize(ref artifact.PackageRef) artifact.PackageRef { return ref }
func (testFormats) Display(ref artifact.PackageRef) string                { return ref.String() }

var testConnections = map[string]artifact.Format{"public:npmjs": artifact.NPM, "public:pypi": artifact.PyPI}

func (testFormats) ConnectionFormat(name string) (artifact.Format, bool) {
	f, ok := testConnections[name]
	return f, ok
}
func (testFormats) ConnectionNames() []string                               { return []string{"public:npmjs", "public:pypi"} }
func (testFormats) SourceURLs(artifact.Format) func(artifact.Meta) []string { return nil }

// CompareVersions orders versions by semver, as npm does (the tests'
// versions are all semver).
func (testFormats) CompareVersions(f artifact.Format, a, b string) int {
	va, ea := semver.StrictNewVersion(a)
	vb, eb := semver.StrictNewVersion(b)
	if ea != nil || eb != nil {
		return strings.Compare(a, b)
	}
	if c := va.Compare(vb); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

type fakeConnection struct {
	remote  *Remote
	down    atomic.Bool
	asked   atomic.Int64
	ingests atomic.Int64
	// times are what PublishTime answers; timed counts its calls.
	times map[string]time.Time
	timed atomic.Int64
}

func (f *fakeConnection) PublishTime(ctx context.Context, ref artifact.PackageRef, version string) (time.Time, error) {
	f.timed.Add(1)
	return f.times[version], nil
}

func (f *fakeConnection) add(version string) {
	f.remote.Versions[version] = RemoteVersion{Version: version, Meta: artifact.Meta{DisplayName: "web-helper", Summary: "public"}}
}

func (f *fakeConnection) Package(ctx context.Context, ref artifact.PackageRef) (*Remote, error) {
	f.asked.Add(1)
	if f.down.Load() {
		return nil, errkind.New(errkind.Unavailable, "registry down")
	}
	if ref != pkg {
		return nil, errkind.NotFoundf("no such package")
	}
	return f.remote, nil
}

func (f *fakeConnection) Ingest(ctx context.Context, ref artifact.PackageRef, v RemoteVersion) (store.Version, error) {
	f.ingests.Add(1)
	return store.Version{Meta: v.Meta, Assets: []artifact.Asset{{Name: "package.tgz", Size: 3, SHA256: "public-" + v.Version}}}, nil
}

// An external connection of another format does not hold the package: a
// PyPI package read, published or looked up through a chain whose only
// connection is npm's is simply not found there, and the npm registry is
// never asked.
func TestConnectionOfAnotherFormatIsNotAsked(t *testing.T) {
	w := newWorld(t)
	w.repo("npm-store")
	w.connect("npm-store")
	my := w.repo("my-repo", "npm-store")
	w.fake.add("1.0.0")
	w.fake.down.Store(true) // any question to it would be Unavailable
	py := artifact.PackageRef{Format: artifact.PyPI, Name: "web-helper"}
	if _, err := w.res.Package(ctx, my, py); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("pypi package through an npm connection: %v, want NotFound", err)
	}
	if _, err := w.res.Version(ctx, my, py, "1.0.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("pypi version through an npm connection: %v, want NotFound", err)
	}
	if err := w.res.CheckPublish(ctx, my, py, "1.0.0"); err != nil {
		t.Errorf("publishing pypi 1.0.0 next to an npm connection: %v", err)
	}
	if n := w.fake.asked.Load(); n != 0 {
		t.Errorf("the npm registry was asked %d times about a pypi package", n)
	}
}

// A connection with no registry URL configured is not asked, and the
// not-found answers say so, naming it (and only connections of the
// package's format).
func TestUnconfiguredConnectionIsNamed(t *testing.T) {
	w := newWorld(t)
	ref := catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: "d"}, Name: "pypi-store"}
	w.repo("pypi-store")
	if _, err := w.cat.AssociateExternalConnection(ctx, ref, "public:pypi"); err != nil {
		t.Fatal(err)
	}
	w.repo("npm-store")
	w.connect("npm-store")
	my := w.repo("my-repo", "npm-store", "pypi-store")
	if w.res.Connected("public:pypi") || !w.res.Connected("public:npmjs") {
		t.Errorf("Connected: public:pypi %v, public:npmjs %v; want false, true", w.res.Connected("public:pypi"), w.res.Connected("public:npmjs"))
	}
	py := artifact.PackageRef{Format: artifact.PyPI, Name: "tiny-lib"}
	hint := "external connection public:pypi has no registry URL configured on this server"
	_, err := w.res.Package(ctx, my, py)
	if !errors.Is(err, errkind.ErrNotFound) || !strings.Contains(err.Error(), hint) {
		t.Errorf("pypi package: %v, want NotFound saying %q", err, hint)
	}
	if _, err := w.res.Version(ctx, my, py, "1.0"); !errors.Is(err, errkind.ErrNotFound) || !strings.Contains(err.Error(), hint) {
		t.Errorf("pypi version: %v, want NotFound saying %q", err, hint)
	}
	// An npm package: the npm connection is configured, the PyPI one is
	// of another format; nothing to hint at.
	if v, err := w.res.Package(ctx, my, pkg); err != nil || len(v.Unconfigured) != 0 {
		t.Errorf("npm package: %v, unconfigured %v; want the (empty) registry's view and none", err, v)
	}
}
