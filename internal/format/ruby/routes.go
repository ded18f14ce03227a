package ruby

import (
	"context"
	"net/http"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
)

// routes is the RubyGems surface of a repository endpoint, as gem and
// Bundler call it (docs/CLIENTS.md, RubyGems), in net/http patterns
// matched against the path below the endpoint. GET routes also answer
// HEAD. Wildcards arrive unescaped.
var routes = []route{
	// gem push --host {endpoint}, gem yank --host {endpoint}.
	{"POST /api/v1/gems", (*Format).push},
	{"DELETE /api/v1/gems/yank", (*Format).yank},
	// The Marshal index, which gem install --source reads.
	{"GET /specs.4.8.gz", func(f *Format, c *call) error { return f.specs(c, Released) }},
	{"GET /latest_specs.4.8.gz", func(f *Format, c *call) error { return f.specs(c, Latest) }},
	{"GET /prerelease_specs.4.8.gz", func(f *Format, c *call) error { return f.specs(c, Prereleases) }},
	{"GET /quick/Marshal.4.8/{file}", (*Format).quickSpec},
	{"GET /gems/{file}", (*Format).download},
	// The compact index, which Bundler reads, and gem install when the
	// endpoint itself answers (RubyGems 3.3 asks HEAD {source} first).
	{"GET /{$}", (*Format).root},
	{"GET /versions", (*Format).versions},
	{"GET /info/{name}", (*Format).info},
	{"GET /names", (*Format).names},
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
	return &format.Refusal{Status: http.StatusMethodNotAllowed, Message: c.r.Method + " is not supported on " + c.r.URL.Path, Allow: []string{http.MethodGet, http.MethodHead}}
}

// Serve routes a RubyGems request through the route table, the rest of
// the path matched as a path of its own, "/" + Rest.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	c := &call{w: w, req: req}
	inner, err := format.RestRequest(context.WithValue(r.Context(), callKey{}, c), r, req.Rest)
	if err != nil {
		return err
	}
	f.mux.ServeHTTP(w, inner)
	return c.err
}
