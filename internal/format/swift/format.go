package swift

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/cachesize"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Format is the Swift registry surface.
type Format struct {
	d format.Deps
	// lists keep each package's release list, with the listing of
	// versions it was made from: a rebuild after a publish places one
	// version, not sort every version again; runs keep the list's
	// entries in runs, compressed, so that it compresses the run of the
	// new version only.
	lists *rendered.Cache[listKey, *releaseList]
	runs  *rendered.Runs
	// writers remembers who published what, so that readers other than
	// the publisher are served the previous list while it is rebuilt.
	writers *rendered.Writers
}

var _ endpoint.Format = (*Format)(nil)

// New returns the Swift registry surface.
func New(d format.Deps) *Format {
	d = d.WithDefaults()
	return &Format{
		d:       d,
		lists:   rendered.NewCache[listKey](cachesize.Share(ReleasesCacheBytes-RunCacheBytes, d.CacheBytes), (*releaseList).size, time.Now),
		runs:    rendered.NewRuns(cachesize.Share(RunCacheBytes, d.CacheBytes)),
		writers: rendered.NewWriters(d.Catalog, d.CacheBytes),
	}
}

// Challenge returns a Basic challenge: on Linux SwiftPM reads its
// credentials from ~/.netrc, which it sends as Basic.
func (f *Format) Challenge(*endpoint.Request) string { return `Basic realm="arca"` }

// call is one request being served.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	req  *endpoint.Request
	name Name
	// version is the {version} of the route, if it has one.
	version string
}

func (c *call) ctx() context.Context { return c.r.Context() }

// url is the registry URL of a path below the repository endpoint.
func (c *call) url(path string) string { return c.req.BaseURL + path }

// releaseURL is the URL of a release of the call's package, with scope
// and name lower case as stored.
func (c *call) releaseURL(version string) string {
	ref := c.name.Ref()
	return c.url(ref.Namespace + "/" + ref.Name + "/" + version)
}

// WriteError writes err as a problem details object (RFC 7807), with
// Content-Version: 1 like every answer (SE-0292 §3.3).
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "swift", w, r, err)
	h := w.Header()
	h.Set("Content-Version", "1")
	h.Set("Content-Type", "application/problem+json")
	h.Del("Content-Disposition")
	h.Del("Digest")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		b, _ := json.Marshal(map[string]any{"detail": msg, "status": status, "title": http.StatusText(status)})
		w.Write(append(b, '\n'))
	}
}

// authorize checks that the caller may publish the call's package.
func (f *Format) authorize(c *call) error {
	ref := c.name.Ref()
	return f.d.AuthorizeWrite(c.ctx(), c.req, "swift", ref.Namespace, ref.Name, actionPublish)
}
