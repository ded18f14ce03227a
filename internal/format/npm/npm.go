// Package npm serves the npm registry protocol on a repository endpoint,
// for npm, yarn and pnpm.
//
// Served so far: "npm ping" (GET -/ping) and "npm whoami" (GET -/whoami).
// Errors are npm's JSON shape, {"error": "..."}, which npm prints.
package npm

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
)

// Deps are what the npm surface needs.
type Deps struct {
	Catalog  *catalog.Catalog
	Resolver *resolve.Resolver
	Blobs    blob.Store
	Log      *slog.Logger
}

// Format is the npm surface.
type Format struct {
	d Deps
}

var _ endpoint.Format = (*Format)(nil)

// New returns the npm surface.
func New(d Deps) *Format { return &Format{d: d} }

// Challenge returns a Bearer challenge: npm sends its token up front and
// never retries after a 401, so this is informative only.
func (f *Format) Challenge(*endpoint.Request) string { return `Bearer realm="arca"` }

// Serve routes an npm request.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	switch {
	case r.Method == http.MethodGet && req.Rest == "-/ping":
		return writeJSON(w, http.StatusOK, struct{}{})
	case r.Method == http.MethodGet && req.Rest == "-/whoami":
		// CodeArtifact answers every token holder as "aws", the user name
		// in every client's configuration.
		return writeJSON(w, http.StatusOK, map[string]string{"username": "aws"})
	}
	return errkind.NotFoundf("Not found")
}

// WriteError writes err in npm's error shape.
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeJSON(w, endpoint.Status(err), map[string]string{"error": errkind.As(err).Message})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
