package ruby

import (
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
)

var _ endpoint.Describer = (*Format)(nil)

// Describe names the gem a request is about, for the audit log: info/{name}
// names it; gems/ and quick/ files name it in a file name that only the
// catalog can split, and a push or yank only in its body.
func (f *Format) Describe(r *http.Request, req *endpoint.Request) (namespace, name, version string) {
	if n, ok := strings.CutPrefix(req.Rest, "info/"); ok && ValidateName(n) == nil {
		return "", n, ""
	}
	return "", "", ""
}
