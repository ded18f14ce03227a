package cargo

import (
	"context"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Deps are what the cargo surface needs.
type Deps = format.Deps

// Format is the cargo surface: a sparse index and cargo's registry web
// API.
type Format struct {
	d     Deps
	index *rendered.Cache[indexKey, *rendered.Doc]
	// kept makes a rebuild after a publish render one line and place one
	// version, not every version's again.
	kept *kept
	// writers remembers who published what, so that readers other than
	// the publisher are served the previous index file while it is
	// rebuilt.
	writers *rendered.Writers
	now     func() time.Time
}

var _ endpoint.Format = (*Format)(nil)

// New returns the cargo surface.
func New(d Deps) *Format {
	d = d.WithDefaults()
	f := &Format{d: d, now: time.Now}
	f.index = rendered.NewCache[indexKey](cachesize.Share(IndexCacheBytes, d.CacheBytes), (*rendered.Doc).Size, func() time.Time { return f.now() })
	f.kept = &kept{
		lines:  rendered.NewFragments[lineKey](cachesize.Share(LineCacheBytes, d.CacheBytes), lineSize),
		sorted: format.NewSorted[indexKey](cachesize.Share(SortedCacheBytes, d.CacheBytes), func(v string) int64 { return 16 + int64(len(v)) }),
		runs:   rendered.NewRuns(cachesize.Share(RunCacheBytes, d.CacheBytes)),
	}
	f.writers = rendered.NewWriters(f.d.Catalog, f.d.CacheBytes)
	return f
}

// Challenge returns cargo's challenge: cargo asks for config.json without
// a token first and sends its token only after a 401 (with
// "auth-required" in config.json, for every request after it).
func (f *Format) Challenge(req *endpoint.Request) string {
	return `Cargo login_url="` + req.BaseURL + `"`
}

// call is one request being served.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req *endpoint.Request
	p   params
}

func (c *call) ctx() context.Context { return c.r.Context() }

// WriteError writes err in cargo's error shape,
// {"errors":[{"detail":"..."}]}, whose details cargo prints.
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "cargo", w, r, err)
	format.WriteJSON(w, status, errorsBody(msg))
}

type errorDetail struct {
	Detail string `json:"detail"`
}

func errorsBody(msg string) map[string][]errorDetail {
	return map[string][]errorDetail{"errors": {{Detail: msg}}}
}

// authorize checks that the caller may perform action on a crate.
func (f *Format) authorize(c *call, name, action string) error {
	return f.d.AuthorizeWrite(c.ctx(), c.req, "cargo", "", name, action)
}
