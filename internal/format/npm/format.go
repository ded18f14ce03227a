package npm

import (
	"context"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Deps are what the npm surface needs.
type Deps = format.Deps

// Format is the npm surface.
type Format struct {
	d      Deps
	docs   *rendered.Cache[docKey, *rendered.Doc]
	runs   *rendered.Runs
	sorted *sortedCache
	// writers remembers which client published what, so that it is
	// served its publish while other readers may get the previous page.
	writers *rendered.Writers
	now     func() time.Time
}

var _ endpoint.Format = (*Format)(nil)

// New returns the npm surface.
func New(d Deps) *Format {
	d = d.WithDefaults()
	f := &Format{d: d, now: time.Now}
	// Through f.now, which tests set.
	f.docs = rendered.NewCache[docKey](cachesize.Share(DocCacheBytes-RunCacheBytes, d.CacheBytes), (*rendered.Doc).Size, func() time.Time { return f.now() })
	// One package's state may fill half the share (~150 bytes a version:
	// 5,000 versions take 0.8 MB).
	states := cachesize.Share(PackageCacheBytes, d.CacheBytes)
	f.sorted = cachesize.NewMapOfLarge[sortedKey, *sorted](states, states/2)
	f.runs = rendered.NewRuns(cachesize.Share(RunCacheBytes, d.CacheBytes))
	f.writers = rendered.NewWriters(f.d.Catalog, f.d.CacheBytes)
	return f
}

// Challenge returns a Bearer challenge: npm sends its token up front and
// never retries after a 401, so this is informative only.
func (f *Format) Challenge(*endpoint.Request) string { return `Bearer realm="arca"` }

// call is one request being served.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	req  *endpoint.Request
	p    params
	name Name // the {pkg} of the route, if it has one
}

func (c *call) ctx() context.Context { return c.r.Context() }

// WriteError writes err in npm's error shape, {"error": "..."}, which npm
// prints after the status (format.Failure: refusals, 5xx with the request
// id).
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "npm", w, r, err)
	writeJSON(w, status, map[string]string{"error": msg})
}

// authorize checks that the caller may perform action on the package of
// the call (PublishPackageVersion, PutPackageMetadata).
func (f *Format) authorize(c *call, action string) error {
	return f.d.AuthorizeWrite(c.ctx(), c.req, "npm", c.name.Scope, c.name.Base, action)
}
