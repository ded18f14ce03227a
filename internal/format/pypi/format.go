package pypi

import (
	"context"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Deps are what the PyPI surface needs.
type Deps = format.Deps

// Format is the PyPI surface.
type Format struct {
	d     Deps
	mux   *http.ServeMux
	pages *rendered.Cache[pageKey, *rendered.Doc]
	// fragments keeps the files of releases of views not kept.
	fragments *Fragments
	// runs keeps runs of releases' entries of pages, compressed.
	runs *rendered.Runs
	// writers remembers which client published what, so that it is
	// served its publish while other readers may get the previous page.
	writers *rendered.Writers
	// orders keeps each project's versions in the order last sorted.
	orders *rendered.Cache[orderKey, []string]
	// projects keeps each project's releases as last made from a view
	// of one repository's versions.
	projects *cachesize.Map[projectKey, *keptProject]
	now      func() time.Time
}

var _ endpoint.Format = (*Format)(nil)

// New returns the PyPI surface.
func New(d Deps) *Format {
	d = d.WithDefaults()
	f := &Format{d: d, now: time.Now}
	// Through f.now, which tests set.
	f.pages = rendered.NewCache[pageKey](cachesize.Share(PageCacheBytes-RunCacheBytes, d.CacheBytes), (*rendered.Doc).Size, func() time.Time { return f.now() })
	f.fragments = NewFragments(cachesize.Share(FragmentCacheBytes, d.CacheBytes))
	f.runs = rendered.NewRuns(cachesize.Share(RunCacheBytes, d.CacheBytes))
	f.writers = rendered.NewWriters(f.d.Catalog, f.d.CacheBytes)
	f.orders = rendered.NewCache[orderKey](cachesize.Share(OrderCacheBytes, d.CacheBytes), rendered.StringsSize, func() time.Time { return f.now() })
	projects := cachesize.Share(ProjectCacheBytes, d.CacheBytes)
	f.projects = cachesize.NewMapOfLarge[projectKey, *keptProject](projects, projects/2)
	f.mux = http.NewServeMux()
	for _, rt := range routes {
		handle := rt.handle
		f.mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			c := r.Context().Value(callKey{}).(*call)
			c.r = r
			c.err = handle(f, c)
		})
	}
	return f
}

// Challenge returns a Basic challenge: pip and twine send aws:TOKEN as
// Basic credentials, up front, and pip asks its keyring after a 401.
func (f *Format) Challenge(*endpoint.Request) string { return `Basic realm="arca"` }

// call is one request being served.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req *endpoint.Request
	// prefix is the escaped path of the repository endpoint, ending in
	// "/" (redirects are made from it).
	prefix string
	err    error
}

type callKey struct{}

func (c *call) ctx() context.Context { return c.r.Context() }

// WriteError writes err as plain text, which pip and twine print
// (format.Failure: refusals, 5xx with the request id).
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "pypi", w, r, err)
	format.WriteText(w, r, status, msg)
}

// actionPublish is the permission an upload needs (User Guide,
// "Publishing permissions").
const actionPublish = "codeartifact:PublishPackageVersion"

// authorize checks that the caller may perform action on the project.
func (f *Format) authorize(c *call, project, action string) error {
	return f.d.AuthorizeWrite(c.ctx(), c.req, "pypi", "", project, action)
}
