package cargo

import (
	"net/http"

	"github.com/arcahq/arca/internal/endpoint"
)

var _ endpoint.Describer = (*Format)(nil)

// Describe names the crate and version a request is about, for the audit
// log: an index file names a crate; download, yank and unyank a crate
// and version. A publish names its crate only in its body.
func (f *Format) Describe(r *http.Request, req *endpoint.Request) (namespace, name, version string) {
	_, p, _ := route(r.Method, req.Rest)
	return "", p.name, p.version
}
