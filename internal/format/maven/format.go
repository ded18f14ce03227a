package maven

import (
	"context"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Deps are what the Maven surface needs.
type Deps = format.Deps

// Format is the Maven surface.
type Format struct {
	d    Deps
	docs *rendered.Cache[docKey, document]
	// runs keeps the metadata files' version lists in runs, compressed,
	// so that a rebuild compresses the run of a new version only.
	runs *rendered.Runs
	// writers remembers who published what, so that readers other than
	// the publisher are served the previous metadata while it is rebuilt.
	writers *rendered.Writers
	uploads *uploads
	now     func() time.Time
}

var _ endpoint.Format = (*Format)(nil)

// New returns the Maven surface.
func New(d Deps) *Format {
	d = d.WithDefaults()
	f := &Format{d: d, now: time.Now}
	f.uploads = &uploads{cat: d.Catalog, now: func() time.Time { return f.now() }}
	// Through f.now, which tests set.
	f.docs = rendered.NewCache[docKey](cachesize.Share(DocCacheBytes-RunCacheBytes, d.CacheBytes), document.size, func() time.Time { return f.now() })
	f.runs = rendered.NewRuns(cachesize.Share(RunCacheBytes, d.CacheBytes))
	f.writers = rendered.NewWriters(f.d.Catalog, f.d.CacheBytes)
	return f
}

// Challenge returns a Basic challenge: Maven sends a GET without
// credentials and retries with Basic aws:TOKEN only after a 401 carrying
// this (docs/CLIENTS.md §4.6).
func (f *Format) Challenge(*endpoint.Request) string { return `Basic realm="arca"` }

// call is one request being served.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req *endpoint.Request
	p   Path
}

func (c *call) ctx() context.Context { return c.r.Context() }

// WriteError writes err as plain text with its status, which Maven and
// Gradle print (format.Failure: refusals, 5xx with the request id).
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "maven", w, r, err)
	format.WriteText(w, r, status, msg)
}

// Permissions of a Maven publish: both, for every file (User Guide,
// "Publishing permissions").
const (
	actionPublish  = "codeartifact:PublishPackageVersion"
	actionMetadata = "codeartifact:PutPackageMetadata"
)

// authorize checks that the caller may publish to the package of the call.
func (f *Format) authorize(c *call) error {
	return f.d.AuthorizeWrite(c.ctx(), c.req, "maven", c.p.GroupID, c.p.ArtifactID, actionPublish, actionMetadata)
}
