package nuget

import (
	"net/http"

	"github.com/arcahq/arca/internal/endpoint"
)

var _ endpoint.Describer = (*Format)(nil)

// Describe names the package and version a request is about, for the
// audit log: the flat container, registration and unlist/relist paths
// name them; a push names them only inside its package.
func (f *Format) Describe(r *http.Request, req *endpoint.Request) (namespace, name, version string) {
	rt := lookup(req.Rest)
	req.Parsed = rt // for Serve
	if rt == nil || rt.id == "" || ValidateID(rt.id) != nil {
		return "", "", ""
	}
	version = rt.version
	if version == "" {
		return "", NormalizeID(rt.id), ""
	}
	if v, ok := NormalizeVersion(version); ok {
		version = v
	}
	return "", NormalizeID(rt.id), version
}
