package npm_test

// The public:npmjs external connection end to end: the resolver over a
// real SQLite store and blob directory with this client pointed at a fake
// npm registry that counts requests (upstreamtest.NPM); the control plane
// of a full in-process server reading what was ingested; plain HTTP
// through a repository's npm endpoint (these tests skip themselves until
// internal/format/npm serves package documents); and one smoke test
// against the npm registry URL from npm's own configuration.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

const (
	owner      = servertest.AccountID
	connection = "public:npmjs"
)

// world is the read path of one domain: catalog and resolver over a store
// and blob directory, with public:npmjs pointed at url.
type world struct {
	t       *testing.T
	url     string
	timeout time.Duration
	st      store.Store
	cat     *catalog.Catalog
	blobs   *fsblob.Store
	clock   *upstreamtest.Clock
	reg     *npm.Connection
	res     *resolve.Resolver
}

// newWorld opens (or creates) the store and blob directory under data, as
// a server lays them out.
func newWorld(t *testing.T, data, url string, timeout time.Duration) *world {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(data, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := fsblob.New(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{
		t: t, url: url, timeout: timeout, st: st, blobs: blobs,
		cat:   catalog.New(st, servertest.Region, time.Now, format.NewRegistry(npm.Rules{})),
		clock: upstreamtest.NewClock(),
	}
	w.restart()
	return w
}

// restart gives the world a new registry client and resolver over the same
// store, as a restarted server has: nothing cached, nothing remembered.
func (w *world) restart() {
	w.reg = npm.NewConnection(upstream.Config{URL: w.url, Blobs: w.blobs, Now: w.clock.Now})
	w.res = resolve.New(w.st, w.cat, map[string]resolve.Connection{connection: w.reg}, w.timeout, slog.New(slog.DiscardHandler))
}

func (w *world) createDomain() {
	w.t.Helper()
	if _, err := w.cat.CreateDomain(w.t.Context(), catalog.DomainRef{Owner: owner, Name: domain}, "", nil); err != nil {
		w.t.Fatal(err)
	}
}

func repoRef(name string) catalog.RepositoryRef {
	return catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: owner, Name: domain}, Name: name}
}

func (w *world) repo(name string, upstreams ...string) store.Repository {
	w.t.Helper()
	r, err := w.cat.CreateRepository(w.t.Context(), repoRef(name), owner, "", upstreams, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) connect(name string) {
	w.t.Helper()
	if _, err := w.cat.AssociateExternalConnection(w.t.Context(), repoRef(name), connection); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) get(name string) store.Repository {
	w.t.Helper()
	r, err := w.cat.Repository(w.t.Context(), repoRef(name))
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// chain creates npm-store (with the connection) and my-repo (upstream
// npm-store), and repo-a → repo-b → repo-c (with the connection).
func (w *world) chain() {
	w.repo("npm-store")
	w.connect("npm-store")
	w.repo("my-repo", "npm-store")
	w.repo("repo-c")
	w.connect("repo-c")
	w.repo("repo-b", "repo-c")
	w.repo("repo-a", "repo-b")
}

func (w *world) version(repo, pkg, version string) (store.Version, bool) {
	w.t.Helper()
	v, err := w.cat.Version(w.t.Context(), w.get(repo), pkgRef(pkg), version)
	if errors.Is(err, errkind.ErrNotFound) {
		return v, false
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return v, true
}

func (w *world) bytes(a artifact.Asset) []byte {
	w.t.Helper()
	f, err := assets.Open(w.t.Context(), w.blobs, a)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *world) blobCount() int {
	n := 0
	w.blobs.Walk(w.t.Context(), func(blob.Info) error { n++; return nil })
	return n
}

func pkgRef(name string) artifact.PackageRef {
	if scope, pkg, ok := strings.Cut(strings.TrimPrefix(name, "@"), "/"); ok && strings.HasPrefix(name, "@") {
		return artifact.PackageRef{Format: artifact.NPM, Namespace: scope, Name: pkg}
	}
	return artifact.PackageRef{Format: artifact.NPM, Name: name}
}

func fakeWorld(t *testing.T, timeout time.Duration) (*world, *upstreamtest.NPM) {
	fake := upstreamtest.NewNPM(t)
	w := newWorld(t, t.TempDir(), fake.URL, timeout)
	w.createDomain()
	w.chain()
	return w, fake
}

var external = artifact.Origin{Type: artifact.OriginExternal, ExternalConnection: connection}

// --- through the resolver ---

// The first request gets the package (no "ingestion in progress"); the
// version fetched is retained in the requesting repository and the one
// holding the connection, not in the intermediate one.
func TestFirstRequestIngestsThroughTheChain(t *testing.T) {
	w, fake := fakeWorld(t, 5*time.Second)
	fake.AddPackage("left-pad", 3)
	ctx := t.Context()
	view, err := w.res.Package(ctx, w.get("repo-a"), pkgRef("left-pad"))
	if err != nil {
		t.Fatalf("first request for the package: %v", err)
	}
	if len(view.Versions) != 3 || view.Tags["latest"] != "1.2.0" || !view.Remote {
		t.Fatalf("view: %d versions, tags %v", len(view.Versions), view.Tags)
	}
	v, err := w.res.Version(ctx, w.get("repo-a"), pkgRef("left-pad"), "1.2.0")
	if err != nil {
		t.Fatalf("first request for a version: %v", err)
	}
	if v.Origin != external || v.Status != artifact.Published || v.Meta.Summary == "" {
		t.Errorf("version %+v", v)
	}
	if got := w.bytes(v.Assets[0]); !bytes.Equal(got, fake.Tarball("left-pad", "1.2.0")) {
		t.Error("the stored tarball differs from the registry's")
	}
	inA, a := w.version("repo-a", "left-pad", "1.2.0")
	inC, c := w.version("repo-c", "left-pad", "1.2.0")
	_, b := w.version("repo-b", "left-pad", "1.2.0")
	if !a || !c || b {
		t.Errorf("retained in repo-a %v, repo-b %v, repo-c %v; want repo-a and repo-c only", a, b, c)
	}
	if inA.Origin != external || inC.Origin != external || inA.Revision != inC.Revision {
		t.Errorf("origins %+v %+v, revisions %s %s", inA.Origin, inC.Origin, inA.Revision, inC.Revision)
	}
	if p, t2 := fake.Packuments("left-pad"), fake.Tarballs("left-pad", "1.2.0"); p != 1 || t2 != 1 {
		t.Errorf("upstream requests: %d documents, %d tarballs; want 1 and 1", p, t2)
	}
}

func TestConcurrentTarballMisses(t *testing.T) {
	w, fake := fakeWorld(t, 5*time.Second)
	fake.AddPackage("lodash", 4)
	fake.SetDelay(100 * time.Millisecond) // so that the 20 requests overlap
	var wg sync.WaitGroup
	digests := make(chan string, 20)
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			v, err := w.res.Version(t.Context(), w.get("my-repo"), pkgRef("lodash"), "1.3.0")
			if err != nil {
				errs <- err
				return
			}
			digests <- v.Assets[0].SHA256
		})
	}
	wg.Wait()
	close(errs)
	close(digests)
	for err := range errs {
		t.Fatal(err)
	}
	first := ""
	for d := range digests {
		if first == "" {
			first = d
		} else if d != first {
			t.Errorf("requests got different assets: %s, %s", first, d)
		}
	}
	if p, tb := fake.Packuments("lodash"), fake.Tarballs("lodash", "1.3.0"); p != 1 || tb != 1 {
		t.Errorf("20 concurrent misses sent %d document and %d tarball requests, want 1 and 1", p, tb)
	}
}

func TestOutage(t *testing.T) {
	const timeout = 2 * time.Second
	w, fake := fakeWorld(t, timeout)
	fake.AddPackage("left-pad", 3)
	ctx := t.Context()
	my := w.get("my-repo")
	if _, err := w.res.Version(ctx, my, pkgRef("left-pad"), "1.0.0"); err != nil {
		t.Fatal(err)
	}
	fake.Down()

	// Past the TTL, the last document is served: every version and tag.
	w.clock.Advance(upstream.DefaultTTL + time.Second)
	view, err := w.res.Package(ctx, my, pkgRef("left-pad"))
	if err != nil || len(view.Versions) != 3 || view.Tags["latest"] != "1.2.0" {
		t.Fatalf("registry down, stale document: %v (%d versions)", err, len(view.Versions))
	}

	// After a restart nothing is cached: what was ingested is still served.
	w.restart()
	view, err = w.res.Package(ctx, my, pkgRef("left-pad"))
	if err != nil {
		t.Fatalf("registry down, cold cache: %v", err)
	}
	if c, ok := view.Versions["1.0.0"]; !ok || c.Remote != nil {
		t.Errorf("the ingested version is not served from the store: %+v", view.Versions)
	}
	for _, repo := range []string{"my-repo", "npm-store"} {
		if _, err := w.res.Version(ctx, w.get(repo), pkgRef("left-pad"), "1.0.0"); err != nil {
			t.Errorf("%s, registry down: the ingested version: %v", repo, err)
		}
	}

	start := time.Now()
	_, err = w.res.Package(ctx, my, pkgRef("never-seen"))
	took := time.Since(start)
	if !errors.Is(err, errkind.ErrUnavailable) || took > 2*timeout {
		t.Errorf("a package never ingested, registry down: %v after %v; want Unavailable within %v", err, took, 2*timeout)
	}
	t.Logf("registry down (connection refused): %q after %v", errkind.As(err).Message, took)
	start = time.Now()
	_, err = w.res.Package(ctx, my, pkgRef("never-seen-either"))
	if !errors.Is(err, errkind.ErrUnavailable) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("the next request, failure remembered: %v after %v", err, time.Since(start))
	}
	t.Logf("next request: %q after %v", errkind.As(err).Message, time.Since(start))
}

func TestSlowRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits out a 2s upstream timeout")
	}
	const timeout = 2 * time.Second
	w, fake := fakeWorld(t, timeout)
	fake.AddPackage("left-pad", 2)
	ctx := t.Context()
	my := w.get("my-repo")
	if _, err := w.res.Package(ctx, my, pkgRef("left-pad")); err != nil {
		t.Fatal(err)
	}
	fake.SetDelay(20 * time.Second)

	// An uncached document, slow: bounded, then remembered.
	start := time.Now()
	_, err := w.res.Package(ctx, my, pkgRef("other"))
	took := time.Since(start)
	if !errors.Is(err, errkind.ErrUnavailable) || took > 2*timeout {
		t.Errorf("a slow document: %v after %v; want Unavailable within %v", err, took, 2*timeout)
	}
	t.Logf("slow document: %q after %v", errkind.As(err).Message, took)
	time.Sleep(50 * time.Millisecond)
	start = time.Now()
	_, err = w.res.Package(ctx, my, pkgRef("other"))
	if !errors.Is(err, errkind.ErrUnavailable) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("the next request: %v after %v, want a remembered failure at once", err, time.Since(start))
	}
	t.Logf("next request: %q after %v", errkind.As(err).Message, time.Since(start))

	// The document is cached; the tarball is slow: ingestion is bounded.
	w.clock.Advance(upstream.DefaultFailureTTL)
	start = time.Now()
	_, err = w.res.Version(ctx, my, pkgRef("left-pad"), "1.1.0")
	took = time.Since(start)
	if !errors.Is(err, errkind.ErrUnavailable) || took > 2*timeout {
		t.Errorf("a slow tarball: %v after %v; want Unavailable within %v", err, took, 2*timeout)
	}
	t.Logf("slow tarball: %q after %v", errkind.As(err).Message, took)
	if _, ok := w.version("npm-store", "left-pad", "1.1.0"); ok {
		t.Error("a version whose tarball never came was retained")
	}
}

// Changes upstream show after the TTL; what was retained never changes.
func TestUpstreamChangesAfterTTL(t *testing.T) {
	w, fake := fakeWorld(t, 5*time.Second)
	fake.AddPackage("left-pad", 2)
	ctx := t.Context()
	my := w.get("my-repo")
	kept, err := w.res.Version(ctx, my, pkgRef("left-pad"), "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	fake.Publish("left-pad", upstreamtest.Version{Version: "2.0.0"})
	fake.SetTag("left-pad", "beta", "1.0.0")
	view, _ := w.res.Package(ctx, my, pkgRef("left-pad"))
	if _, ok := view.Versions["2.0.0"]; ok || view.Tags["latest"] != "1.1.0" {
		t.Errorf("within the TTL the change shows already: latest %s", view.Tags["latest"])
	}
	w.clock.Advance(upstream.DefaultTTL + time.Second)
	view, _ = w.res.Package(ctx, my, pkgRef("left-pad"))
	if _, ok := view.Versions["2.0.0"]; !ok || view.Tags["latest"] != "2.0.0" || view.Tags["beta"] != "1.0.0" {
		t.Errorf("after the TTL: versions %d, tags %v", len(view.Versions), view.Tags)
	}

	// The registry serves other bytes for 1.0.0 (the public one never
	// would): the retained version stays as it was.
	fake.Publish("left-pad", upstreamtest.Version{Version: "1.0.0", Description: "changed upstream"})
	w.clock.Advance(upstream.DefaultTTL + time.Second)
	view, _ = w.res.Package(ctx, my, pkgRef("left-pad"))
	if c := view.Versions["1.0.0"]; c.Remote != nil || c.Revision != kept.Revision || c.Meta.Summary != kept.Meta.Summary {
		t.Errorf("the view's 1.0.0 is not the retained one: %+v", c.Version)
	}
	for _, repo := range []string{"my-repo", "npm-store"} {
		v, err := w.res.Version(ctx, w.get(repo), pkgRef("left-pad"), "1.0.0")
		if err != nil || v.Assets[0].SHA256 != kept.Assets[0].SHA256 || v.Revision != kept.Revision {
			t.Errorf("%s: the retained 1.0.0 changed: %v %+v", repo, err, v)
		}
	}
	if n := fake.Tarballs("left-pad", "1.0.0"); n != 1 {
		t.Errorf("the tarball was fetched %d times", n)
	}
}

func TestBadTarballIsNotRetained(t *testing.T) {
	w, fake := fakeWorld(t, 5*time.Second)
	fake.AddPackage("left-pad", 1)
	fake.Corrupt("left-pad", "1.0.0")
	_, err := w.res.Version(t.Context(), w.get("my-repo"), pkgRef("left-pad"), "1.0.0")
	if !errors.Is(err, errkind.ErrValidation) {
		t.Fatalf("a tarball that does not match its integrity: %v, want Validation", err)
	}
	for _, repo := range []string{"my-repo", "npm-store"} {
		if _, ok := w.version(repo, "left-pad", "1.0.0"); ok {
			t.Errorf("retained in %s", repo)
		}
	}
	if n := w.blobCount(); n != 0 {
		t.Errorf("%d blobs stored", n)
	}
}

// --- through a server ---

// server is a running Arca with public:npmjs pointed at a fake, and an
// SDK client.
type server struct {
	t    *testing.T
	ctx  context.Context
	srv  *servertest.Server
	ca   *codeartifact.Client
	url  string // the registry public:npmjs points at
	tok  string
	http *http.Client
}

func startServer(t *testing.T, registryURL string, timeout time.Duration) *server {
	t.Helper()
	srv := servertest.Start(t, func(c *config.Config) {
		c.ExternalConnections[connection] = registryURL
		c.UpstreamTimeout = timeout
	})
	s := &server{
		t: t, ctx: t.Context(), srv: srv, url: registryURL,
		ca:   srv.CodeArtifact(),
		http: &http.Client{Timeout: time.Minute},
	}
	s.setup()
	return s
}

// setup creates, with the SDK, the repositories of world.chain.
func (s *server) setup() {
	s.t.Helper()
	must := func(_ any, err error) {
		s.t.Helper()
		if err != nil {
			s.t.Fatal(err)
		}
	}
	must(s.ca.CreateDomain(s.ctx, &codeartifact.CreateDomainInput{Domain: aws.String(domain)}))
	create := func(name string, upstreams ...string) {
		in := &codeartifact.CreateRepositoryInput{Domain: aws.String(domain), Repository: aws.String(name)}
		for _, u := range upstreams {
			in.Upstreams = append(in.Upstreams, types.UpstreamRepository{RepositoryName: aws.String(u)})
		}
		must(s.ca.CreateRepository(s.ctx, in))
	}
	connect := func(name string) {
		must(s.ca.AssociateExternalConnection(s.ctx, &codeartifact.AssociateExternalConnectionInput{
			Domain: aws.String(domain), Repository: aws.String(name), ExternalConnection: aws.String(connection)}))
	}
	create("npm-store")
	connect("npm-store")
	create("my-repo", "npm-store")
	create("repo-c")
	connect("repo-c")
	create("repo-b", "repo-c")
	create("repo-a", "repo-b")
	out, err := s.ca.GetAuthorizationToken(s.ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(domain)})
	must(out, err)
	s.tok = *out.AuthorizationToken
}

func (s *server) endpoint(repo string) string {
	s.t.Helper()
	out, err := s.ca.GetRepositoryEndpoint(s.ctx, &codeartifact.GetRepositoryEndpointInput{
		Domain: aws.String(domain), Repository: aws.String(repo), Format: types.PackageFormatNpm})
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.TrimSuffix(*out.RepositoryEndpoint, "/") + "/"
}

type timedResponse struct {
	status int
	body   []byte
	took   time.Duration
}

// get sends GET url as npm does, with the token.
func (s *server) get(url string) timedResponse {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, url, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.tok)
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return timedResponse{status: resp.StatusCode, body: b, took: time.Since(start)}
}

// packument is the part of a package document the tests read.
type packument struct {
	DistTags map[string]string `json:"dist-tags"`
	Versions map[string]struct {
		Dist struct {
			Tarball string `json:"tarball"`
		} `json:"dist"`
	} `json:"versions"`
}

// document fetches a package document through repo's npm endpoint. It
// skips the test while the npm endpoint does not serve package documents
// (internal/format/npm answers 404 without asking anyone): upstreamTotal
// reports how many requests the registry has seen.
func (s *server) document(repo, name string, upstreamTotal func() int64) packument {
	s.t.Helper()
	before := upstreamTotal()
	r := s.get(s.endpoint(repo) + strings.Replace(name, "/", "%2f", 1))
	if r.status == http.StatusNotFound && upstreamTotal() == before && !bytes.Contains(r.body, []byte(name)) {
		s.t.Skipf("the npm endpoint does not serve package documents yet (GET %s: %d %s)", name, r.status, r.body)
	}
	if r.status != http.StatusOK {
		s.t.Fatalf("GET %s through %s: %d %s", name, repo, r.status, r.body)
	}
	if bytes.Contains(r.body, []byte("in progress")) {
		s.t.Errorf("GET %s: %s", name, r.body)
	}
	var doc packument
	if err := json.Unmarshal(r.body, &doc); err != nil {
		s.t.Fatalf("GET %s: %v", name, err)
	}
	return doc
}

// tarball fetches a version's tarball by the URL its document gives.
func (s *server) tarball(doc packument, version string) timedResponse {
	s.t.Helper()
	u := doc.Versions[version].Dist.Tarball
	if !strings.HasPrefix(u, s.srv.URL+"/") {
		s.t.Fatalf("the tarball URL of %s is %q, not on this server", version, u)
	}
	return s.get(u)
}

// versions lists a package's versions in repo with the SDK (nil when the
// repository does not have the package).
func (s *server) versions(repo, name string) []types.PackageVersionSummary {
	s.t.Helper()
	ref := pkgRef(name)
	in := &codeartifact.ListPackageVersionsInput{Domain: aws.String(domain), Repository: aws.String(repo),
		Format: types.PackageFormatNpm, Package: aws.String(ref.Name)}
	if ref.Namespace != "" {
		in.Namespace = aws.String(ref.Namespace)
	}
	out, err := s.ca.ListPackageVersions(s.ctx, in)
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return out.Versions
}

// wantIngested asserts with the SDK that repo holds version as ingested
// through public:npmjs.
func (s *server) wantIngested(repo, name, version string) {
	s.t.Helper()
	found := false
	for _, v := range s.versions(repo, name) {
		if aws.ToString(v.Version) == version {
			found = true
			if v.Status != types.PackageVersionStatusPublished || v.Origin == nil || v.Origin.OriginType != types.PackageVersionOriginTypeExternal {
				s.t.Errorf("%s: list-package-versions shows %s as %+v", repo, version, v)
			}
		}
	}
	if !found {
		s.t.Fatalf("%s: list-package-versions does not show %s %s", repo, name, version)
	}
	ref := pkgRef(name)
	in := &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain), Repository: aws.String(repo),
		Format: types.PackageFormatNpm, Package: aws.String(ref.Name), PackageVersion: aws.String(version)}
	if ref.Namespace != "" {
		in.Namespace = aws.String(ref.Namespace)
	}
	out, err := s.ca.DescribePackageVersion(s.ctx, in)
	if err != nil {
		s.t.Fatal(err)
	}
	pv := out.PackageVersion
	if pv.Origin == nil || pv.Origin.OriginType != types.PackageVersionOriginTypeExternal ||
		pv.Origin.DomainEntryPoint == nil || aws.ToString(pv.Origin.DomainEntryPoint.ExternalConnectionName) != connection {
		s.t.Errorf("%s: describe-package-version origin %+v, want EXTERNAL through %s", repo, pv.Origin, connection)
	}
	if aws.ToString(pv.DisplayName) != name || aws.ToString(pv.Summary) == "" || len(pv.Licenses) == 0 || pv.PublishedTime == nil {
		s.t.Errorf("%s: describe-package-version %+v", repo, pv)
	}
}

func (s *server) asset(repo, name, version string) []byte {
	s.t.Helper()
	out, err := s.ca.GetPackageVersionAsset(s.ctx, &codeartifact.GetPackageVersionAssetInput{Domain: aws.String(domain), Repository: aws.String(repo),
		Format: types.PackageFormatNpm, Package: aws.String(name), PackageVersion: aws.String(version), Asset: aws.String(npm.AssetName)})
	if err != nil {
		s.t.Fatal(err)
	}
	defer out.Asset.Close()
	b, err := io.ReadAll(out.Asset)
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// The control plane shows what the read path ingested. The versions are
// ingested by a resolver opened on the server's own store and blob
// directory, so this runs before the npm endpoint serves packages.
func TestControlPlaneShowsIngestedVersions(t *testing.T) {
	fake := upstreamtest.NewNPM(t)
	fake.AddPackage("left-pad", 3)
	fake.Publish("@acme/util", upstreamtest.Version{Version: "1.0.0", Dependencies: map[string]string{"left-pad": "^1.0.0"}})
	s := startServer(t, fake.URL, 5*time.Second)
	w := newWorld(t, s.srv.Data, fake.URL, 5*time.Second)
	for _, req := range []struct{ repo, name, version string }{
		{"my-repo", "left-pad", "1.1.0"}, {"my-repo", "@acme/util", "1.0.0"}, {"repo-a", "left-pad", "1.0.0"},
	} {
		if _, err := w.res.Version(t.Context(), w.get(req.repo), pkgRef(req.name), req.version); err != nil {
			t.Fatal(err)
		}
	}
	s.wantIngested("my-repo", "left-pad", "1.1.0")
	s.wantIngested("npm-store", "left-pad", "1.1.0")
	s.wantIngested("npm-store", "@acme/util", "1.0.0")
	s.wantIngested("repo-a", "left-pad", "1.0.0")
	s.wantIngested("repo-c", "left-pad", "1.0.0")
	if vs := s.versions("repo-b", "left-pad"); vs != nil {
		t.Errorf("the intermediate repo-b holds %+v", vs)
	}
	if len(s.versions("my-repo", "left-pad")) != 1 {
		t.Error("my-repo holds versions nobody asked for")
	}
	if got := s.asset("my-repo", "left-pad", "1.1.0"); !bytes.Equal(got, fake.Tarball("left-pad", "1.1.0")) {
		t.Error("get-package-version-asset returns other bytes than the registry's tarball")
	}
}

// Plain HTTP through a repository's npm endpoint, the way npm asks.
func TestNPMEndpointThroughTheConnection(t *testing.T) {
	const timeout = 2 * time.Second
	fake := upstreamtest.NewNPM(t)
	fake.AddPackage("left-pad", 3)
	s := startServer(t, fake.URL, timeout)

	doc := s.document("my-repo", "left-pad", fake.Total)
	if len(doc.Versions) != 3 || doc.DistTags["latest"] != "1.2.0" {
		t.Fatalf("document: %d versions, tags %v", len(doc.Versions), doc.DistTags)
	}
	r := s.tarball(doc, "1.2.0")
	if r.status != http.StatusOK || !bytes.Equal(r.body, fake.Tarball("left-pad", "1.2.0")) {
		t.Fatalf("tarball: %d, %d bytes", r.status, len(r.body))
	}
	s.wantIngested("my-repo", "left-pad", "1.2.0")
	s.wantIngested("npm-store", "left-pad", "1.2.0")

	// Three repositories: retained in repo-a and repo-c, not repo-b.
	docA := s.document("repo-a", "left-pad", fake.Total)
	if r := s.tarball(docA, "1.0.0"); r.status != http.StatusOK {
		t.Fatalf("tarball through repo-a: %d %s", r.status, r.body)
	}
	s.wantIngested("repo-a", "left-pad", "1.0.0")
	s.wantIngested("repo-c", "left-pad", "1.0.0")
	if vs := s.versions("repo-b", "left-pad"); vs != nil {
		t.Errorf("the intermediate repo-b holds %+v", vs)
	}

	// Twenty concurrent misses: one document and one tarball upstream.
	fake.Publish("@acme/util", upstreamtest.Version{Version: "3.1.4"})
	docU := s.document("my-repo", "@acme/util", fake.Total)
	var wg sync.WaitGroup
	results := make(chan timedResponse, 20)
	for range 20 {
		wg.Go(func() { results <- s.tarball(docU, "3.1.4") })
	}
	wg.Wait()
	close(results)
	for r := range results {
		if r.status != http.StatusOK || !bytes.Equal(r.body, fake.Tarball("@acme/util", "3.1.4")) {
			t.Errorf("a concurrent tarball request: %d %s", r.status, r.body)
		}
	}
	if p, tb := fake.Packuments("@acme/util"), fake.Tarballs("@acme/util", "3.1.4"); p != 1 || tb != 1 {
		t.Errorf("20 concurrent tarball misses: %d document and %d tarball requests upstream, want 1 and 1", p, tb)
	}

	// Outage: what was ingested is served; the rest fails in bounded time.
	fake.Down()
	doc = s.document("my-repo", "left-pad", fake.Total)
	if _, ok := doc.Versions["1.2.0"]; !ok {
		t.Error("registry down: the ingested version is not in the document")
	}
	if r := s.tarball(doc, "1.2.0"); r.status != http.StatusOK {
		t.Errorf("registry down: the ingested tarball: %d %s", r.status, r.body)
	}
	s.wantIngested("my-repo", "left-pad", "1.2.0")
	r = s.get(s.endpoint("my-repo") + "never-seen")
	if (r.status != http.StatusBadGateway && r.status != http.StatusGatewayTimeout) || r.took > 2*timeout {
		t.Errorf("registry down, a package never ingested: %d %s after %v", r.status, r.body, r.took)
	}
	t.Logf("registry down: %d %s after %v", r.status, bytes.TrimSpace(r.body), r.took)
	r = s.get(s.endpoint("my-repo") + "never-seen")
	if r.status != http.StatusBadGateway && r.status != http.StatusGatewayTimeout || r.took > 500*time.Millisecond {
		t.Errorf("registry down, the next request: %d after %v", r.status, r.took)
	}
	t.Logf("next request: %d after %v", r.status, r.took)
}

func TestNPMEndpointSlowRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits out a 2s upstream timeout")
	}
	const timeout = 2 * time.Second
	fake := upstreamtest.NewNPM(t)
	fake.AddPackage("left-pad", 1)
	s := startServer(t, fake.URL, timeout)
	s.document("my-repo", "left-pad", fake.Total) // skips until the npm endpoint serves documents
	fake.SetDelay(30 * time.Second)
	r := s.get(s.endpoint("my-repo") + "slow-package")
	if (r.status != http.StatusBadGateway && r.status != http.StatusGatewayTimeout) || r.took > 2*timeout {
		t.Errorf("a slow registry: %d %s after %v; want 502/504 within %v", r.status, r.body, r.took, 2*timeout)
	}
	t.Logf("slow registry: %d %s after %v", r.status, bytes.TrimSpace(r.body), r.took)
}

// --- the public registry ---

// registryFromNPM returns the registry URL npm is configured with.
func registryFromNPM(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("reaches the public npm registry")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed")
	}
	out, err := exec.CommandContext(t.Context(), "npm", "config", "get", "registry").Output()
	if err != nil {
		t.Fatalf("npm config get registry: %v", err)
	}
	u := strings.TrimSpace(string(out))
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		t.Fatalf("npm config get registry printed %q", u)
	}
	return u
}

// A smoke test against the registry npm is configured with (read at run
// time; its address is written nowhere).
func TestSmokePublicRegistry(t *testing.T) {
	url := registryFromNPM(t)
	w := newWorld(t, t.TempDir(), url, 30*time.Second)
	w.createDomain()
	w.chain()
	ctx := t.Context()
	my := w.get("my-repo")
	start := time.Now()
	view, err := w.res.Package(ctx, my, pkgRef("is-number"))
	if err != nil {
		t.Fatal(err)
	}
	latest := view.Tags["latest"]
	if latest == "" || len(view.Versions) < 5 {
		t.Fatalf("is-number: %d versions, tags %v", len(view.Versions), view.Tags)
	}
	t.Logf("is-number document: %d versions, latest %s, in %v", len(view.Versions), latest, time.Since(start))
	start = time.Now()
	v, err := w.res.Version(ctx, my, pkgRef("is-number"), latest)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("is-number %s tarball: %d bytes, sha512 %s…, ingested in %v", latest, v.Assets[0].Size, v.Assets[0].SHA512[:16], time.Since(start))
	if v.Origin != external || v.Meta.Summary == "" || len(v.Meta.Licenses) == 0 {
		t.Errorf("is-number %s: %+v", latest, v.Meta)
	}
	if tb := view.Versions[latest].Remote.Source.(npm.Tarball); tb.SHA512 == "" && tb.SHA1 == "" {
		t.Error("the registry declared no digest to check")
	}
	if _, ok := w.version("npm-store", "is-number", latest); !ok {
		t.Error("not retained in npm-store")
	}

	// Through a server's npm endpoint, once it serves packages.
	s := startServer(t, url, 30*time.Second)
	doc := s.document("my-repo", "is-number", func() int64 { return -1 })
	if r := s.tarball(doc, doc.DistTags["latest"]); r.status != http.StatusOK || len(r.body) == 0 {
		t.Fatalf("is-number tarball through Arca: %d", r.status)
	}
	s.wantIngested("my-repo", "is-number", doc.DistTags["latest"])
}
