package pypi

import (
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
)

var _ endpoint.Describer = (*Format)(nil)

// Describe names the project and version a request is about, for the
// audit log: simple/{project}/, files/{project}/{version}/{file} and the
// JSON API name them; an upload names them only in its body.
func (f *Format) Describe(r *http.Request, req *endpoint.Request) (namespace, name, version string) {
	segs := strings.Split(strings.TrimSuffix(req.Rest, "/"), "/")
	switch {
	case len(segs) == 2 && segs[0] == "simple":
		name = segs[1]
	case len(segs) == 4 && segs[0] == "files":
		name, version = segs[1], segs[2]
	case len(segs) == 3 && segs[0] == "pypi" && segs[2] == "json":
		name = segs[1]
	case len(segs) == 4 && segs[0] == "pypi" && segs[3] == "json":
		name, version = segs[1], segs[2]
	default:
		return "", "", ""
	}
	if ValidateName(name) != nil {
		return "", "", ""
	}
	return "", NormalizeName(name), version
}
