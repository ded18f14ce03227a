package pypi

import (
	"context"
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
)

// routes is the PyPI surface of a repository endpoint, as pip, uv and
// twine call it (docs/CLIENTS.md §4.4-§4.5), in net/http patterns matched
// against the path below the endpoint ("/" is the endpoint itself). GET
// routes also answer HEAD. Wildcards arrive unescaped.
var routes = []route{
	// twine upload: a multipart POST to the repository URL exactly.
	{"POST /{$}", (*Format).upload},
	// The simple API (the index URL pip's login configures is
	// {endpoint}simple/).
	{"GET /simple/{$}", (*Format).projectList},
	{"GET /simple", func(f *Format, c *call) error { return c.redirect("simple/") }},
	{"GET /simple/{project}/{$}", (*Format).projectPage},
	{"GET /simple/{project}", (*Format).addSlash},
	// Distribution files, and their core metadata (PEP 658) as
	// "{file}.metadata".
	{"GET /files/{project}/{version}/{file}", (*Format).download},
	// The JSON API, beyond CodeArtifact.
	{"GET /pypi/{project}/json", (*Format).projectJSON},
	{"GET /pypi/{project}/{version}/json", (*Format).releaseJSON},
	// Anything else: not found, or a hint for an upload sent to the
	// index URL instead of the repository URL.
	{"/", (*Format).notFound},
}

// route is one entry of the route table.
type route struct {
	pattern string
	handle  func(f *Format, c *call) error
}

func (f *Format) notFound(c *call) error {
	if c.r.Method == http.MethodGet || c.r.Method == http.MethodHead {
		return &format.Refusal{Status: http.StatusNotFound, Message: "Not found: " + c.r.URL.Path}
	}
	msg := c.r.Method + " is not supported on " + c.r.URL.Path
	if c.r.Method == http.MethodPost {
		msg += "; uploads go to the repository URL itself, " + c.req.BaseURL + " (twine's repository, not pip's index URL)"
	}
	return &format.Refusal{Status: http.StatusMethodNotAllowed, Message: msg, Allow: []string{http.MethodGet, http.MethodHead}}
}

// Serve routes a PyPI request through the route table. The rest of the
// path is matched as a path of its own, "/" + Rest, so the table reads as
// the layout below the repository endpoint.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	c := &call{w: w, req: req, prefix: strings.TrimSuffix(r.URL.EscapedPath(), req.Rest)}
	inner, err := format.RestRequest(context.WithValue(r.Context(), callKey{}, c), r, req.Rest)
	if err != nil {
		return err
	}
	f.mux.ServeHTTP(w, inner)
	return c.err
}
