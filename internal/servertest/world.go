package servertest

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// World is the read path of one domain for a format's connection
// scenarios (connection_scenario_test.go): catalog and resolver over a
// real SQLite store and blob directory, laid out as a server lays them
// out, with the format's external connection served by its client
// (format.Connector) pointed at URL.
type World struct {
	T       testing.TB
	Domain  string
	URL     string
	Timeout time.Duration
	Store   store.Store
	Catalog *catalog.Catalog
	Blobs   *fsblob.Store
	Clock   *upstreamtest.Clock
	// Resolver is new after each Restart, over a new client.
	Resolver *resolve.Resolver
	// Connection is the name of the format's external connection.
	Connection string
	rules      format.Rules
}

// NewWorld opens (or creates) the store and blob directory under data
// for the format of rules, whose first external connection is pointed at
// url; the domain is not created yet (CreateDomain).
func NewWorld(t testing.TB, data string, rules format.Rules, domain, url string, timeout time.Duration) *World {
	t.Helper()
	if _, ok := rules.(format.Connector); !ok || len(rules.Connections()) == 0 {
		t.Fatalf("format %s has no external connection client", rules.Format())
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(data, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := fsblob.New(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	w := &World{
		T: t, Domain: domain, URL: url, Timeout: timeout, Store: st, Blobs: blobs,
		Catalog:    catalog.New(st, Region, time.Now, format.NewRegistry(rules)),
		Clock:      upstreamtest.NewClock(),
		Connection: rules.Connections()[0],
		rules:      rules,
	}
	w.Restart()
	return w
}

// Restart gives the world a new registry client and resolver over the
// same store, as a restarted server has: nothing cached, nothing
// remembered.
func (w *World) Restart() {
	conn := w.rules.(format.Connector).Connect(upstream.Config{URL: w.URL, Connection: w.Connection, Blobs: w.Blobs, Now: w.Clock.Now})
	w.Resolver = resolve.New(w.Store, w.Catalog, map[string]resolve.Connection{w.Connection: conn}, w.Timeout, slog.New(slog.DiscardHandler))
}

// CreateDomain creates the world's domain.
func (w *World) CreateDomain() {
	w.T.Helper()
	if _, err := w.Catalog.CreateDomain(w.T.Context(), catalog.DomainRef{Owner: AccountID, Name: w.Domain}, "", nil); err != nil {
		w.T.Fatal(err)
	}
}

// RepositoryRef names a repository of the world's domain.
func (w *World) RepositoryRef(name string) catalog.RepositoryRef {
	return catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: AccountID, Name: w.Domain}, Name: name}
}

// Repo creates a repository with upstreams.
func (w *World) Repo(name string, upstreams ...string) store.Repository {
	w.T.Helper()
	r, err := w.Catalog.CreateRepository(w.T.Context(), w.RepositoryRef(name), AccountID, "", upstreams, nil)
	if err != nil {
		w.T.Fatal(err)
	}
	return r
}

// Connect associates the external connection with a repository.
func (w *World) Connect(name string) {
	w.T.Helper()
	if _, err := w.Catalog.AssociateExternalConnection(w.T.Context(), w.RepositoryRef(name), w.Connection); err != nil {
		w.T.Fatal(err)
	}
}

// Get returns a repository.
func (w *World) Get(name string) store.Repository {
	w.T.Helper()
	r, err := w.Catalog.Repository(w.T.Context(), w.RepositoryRef(name))
	if err != nil {
		w.T.Fatal(err)
	}
	return r
}

// Chain creates <format>-store (with the connection) and my-repo
// (upstream <format>-store), and repo-a → repo-b → repo-c (with the
// connection).
func (w *World) Chain() {
	shared := string(w.rules.Format()) + "-store"
	w.Repo(shared)
	w.Connect(shared)
	w.Repo("my-repo", shared)
	w.Repo("repo-c")
	w.Connect("repo-c")
	w.Repo("repo-b", "repo-c")
	w.Repo("repo-a", "repo-b")
}
