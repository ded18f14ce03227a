package nuget

import (
	"context"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Deps are what the NuGet surface needs.
type Deps = format.Deps

// Format is the NuGet surface.
type Format struct {
	d    Deps
	docs *rendered.Cache[docKey, *rendered.Doc]
	// briefs keeps what version lists need of versions' entries, so that
	// a rebuild after a publish decodes one version's, not every
	// version's again; entries keeps the whole entries that registration
	// leaves show.
	briefs  *rendered.Fragments[entryKey, brief]
	entries *rendered.Fragments[entryKey, decoded]
	// sorted keeps packages' versions in order by view lineage: a
	// rebuild after a publish places the versions published since.
	sorted *format.Sorted[orderKey, *version]
	// runs keeps runs of the flat container's version lists made into
	// parts: a rebuild after a publish compresses one run again; flats
	// keeps how each list was cut, so that the rebuild takes the other
	// runs as they were (flatParts).
	runs  *rendered.Runs
	flats *rendered.Cache[docKey, *flatLayout]
	// writers remembers who changed what, so that other readers are
	// served the previous rendering while a document is rebuilt.
	writers *rendered.Writers
}

var _ endpoint.Format = (*Format)(nil)

// New returns the NuGet surface.
func New(d Deps) *Format {
	return &Format{
		d:       d.WithDefaults(),
		docs:    rendered.NewCache[docKey](cachesize.Share(DocCacheBytes, d.CacheBytes), (*rendered.Doc).Size, time.Now),
		sorted:  format.NewSorted[orderKey](cachesize.Share(SortedCacheBytes, d.CacheBytes), versionSize),
		runs:    rendered.NewRuns(cachesize.Share(RunCacheBytes-FlatLayoutCacheBytes, d.CacheBytes)),
		flats:   newFlats(cachesize.Share(FlatLayoutCacheBytes, d.CacheBytes)),
		briefs:  rendered.NewFragments[entryKey](cachesize.Share(BriefCacheBytes, d.CacheBytes), briefSize),
		entries: rendered.NewFragments[entryKey](cachesize.Share(EntryCacheBytes, d.CacheBytes), decodedSize),
		writers: rendered.NewWriters(d.Catalog, d.CacheBytes),
	}
}

// Challenge returns a Basic challenge: NuGet sends no credentials until
// a request is refused with one, and then sends aws:TOKEN.
func (f *Format) Challenge(*endpoint.Request) string { return `Basic realm="arca"` }

// call is one request being served.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req *endpoint.Request
	rt  *route
}

func (c *call) ctx() context.Context { return c.r.Context() }

// Serve routes a NuGet request.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	rt, parsed := req.Parsed.(*route) // by Describe, for the audit record
	if !parsed {
		rt = lookup(req.Rest)
	}
	if rt == nil {
		return notV3(req.Rest)
	}
	if !rt.allows(r.Method) {
		return &format.Refusal{Status: http.StatusMethodNotAllowed, Allow: rt.methods,
			Message: r.Method + " is not supported on /" + req.Rest}
	}
	return rt.handle(f, &call{w: w, r: r, req: req, rt: rt})
}

// WriteError writes err as plain text with its status (format.Failure:
// refusals, 5xx with the request id). NuGet clients show only the status
// line; the text is for people reading the response.
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "nuget", w, r, err)
	format.WriteText(w, r, status, msg)
}
