package ruby

import (
	"context"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Deps are what the RubyGems surface needs.
type Deps = format.Deps

// Format is the RubyGems surface.
type Format struct {
	d   Deps
	mux *http.ServeMux
	now func() time.Time
	// gems are the packages' gem lists and info files, at their package
	// generation.
	gems *rendered.Cache[gemsKey, *gemList]
	// writers remembers who pushed or yanked what, so that other readers
	// are served the previous gem list while it is rebuilt.
	writers *rendered.Writers
	// extras keeps each version's decoded gems, so that a rebuild after
	// a push decodes one version's, not every version's again.
	extras *rendered.Fragments[extraKey, []Gem]
	// versionsFiles keeps each repository's own versions file (one
	// generation, 0: an entry is valid while versionsFile.madeFrom says
	// so); versionsMax is the largest file it keeps.
	versionsFiles *rendered.Cache[int64, *versionsFile]
	versionsMax   int64
}

var _ endpoint.Format = (*Format)(nil)

// New returns the RubyGems surface.
func New(d Deps) *Format {
	d = d.WithDefaults()
	f := &Format{d: d, now: time.Now}
	// A gem list grows with its package's versions (about 3 MB at 5,000):
	// one may fill half of the cache.
	gemsBytes := cachesize.Share(GemsCacheBytes, d.CacheBytes)
	f.gems = rendered.NewCacheOfLarge[gemsKey](gemsBytes, gemsBytes/2, (*gemList).size, func() time.Time { return f.now() })
	f.writers = rendered.NewWriters(f.d.Catalog, f.d.CacheBytes)
	f.extras = rendered.NewFragments[extraKey](cachesize.Share(ExtraCacheBytes, d.CacheBytes), gemsSize)
	versionsBytes := cachesize.Share(VersionsCacheBytes, d.CacheBytes)
	f.versionsFiles = rendered.NewCache[int64](versionsBytes, (*versionsFile).size, func() time.Time { return f.now() })
	f.versionsMax = versionsBytes / 8 // its plain and gzip forms within the cache's bound for one entry
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

// Challenge returns a Basic challenge: gem and Bundler send aws:TOKEN as
// Basic credentials from the source URL or Bundler's configuration, up
// front; gem push sends the key of ~/.gem/credentials ("Bearer TOKEN")
// as its Authorization header.
func (f *Format) Challenge(*endpoint.Request) string { return `Basic realm="arca"` }

// call is one request being served.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req *endpoint.Request
	err error
}

type callKey struct{}

func (c *call) ctx() context.Context { return c.r.Context() }

// WriteError writes err as plain text, which gem and Bundler print
// (format.Failure: refusals, 5xx with the request id).
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "ruby", w, r, err)
	format.WriteText(w, r, status, msg)
}

// Permissions of the writes (User Guide, "Publishing permissions").
const (
	actionPublish = "codeartifact:PublishPackageVersion"
	actionStatus  = "codeartifact:UpdatePackageVersionsStatus"
)

// authorize checks that the caller may perform action on the gem.
func (f *Format) authorize(c *call, name, action string) error {
	return f.d.AuthorizeWrite(c.ctx(), c.req, "ruby", "", name, action)
}
