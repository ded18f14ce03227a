// Package npmregistry is the client of a public npm registry behind the
// public:npmjs external connection. It implements resolve.Connection.
package npmregistry

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// Config configures a registry client.
type Config struct {
	URL    string // the registry's base URL, from configuration
	Blobs  blob.Store
	Client *http.Client // nil for a default client
	Log    *slog.Logger
}

// Registry is a public npm registry.
type Registry struct {
	cfg Config
}

var _ resolve.Connection = (*Registry)(nil)

// New returns a client of the registry at cfg.URL.
func New(cfg Config) *Registry { return &Registry{cfg: cfg} }

// Package fetches a package document.
func (r *Registry) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	return nil, errkind.NotFoundf("not implemented")
}

// Ingest downloads a version's tarball.
func (r *Registry) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	return store.Version{}, errkind.NotFoundf("not implemented")
}
