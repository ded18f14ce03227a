package maven

import (
	"net/http"

	"github.com/arcahq/arca/internal/endpoint"
)

var _ endpoint.Describer = (*Format)(nil)

// Describe names the package (groupId and artifactId) and version a
// request is about, for the audit log.
func (f *Format) Describe(r *http.Request, req *endpoint.Request) (namespace, name, version string) {
	if req.Rest == "" {
		return "", "", ""
	}
	p, err := ParsePath(req.Rest)
	if err != nil {
		return "", "", ""
	}
	req.Parsed = p
	return p.GroupID, p.ArtifactID, p.Version
}
