package maven

import (
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
)

// Serve answers a request for a path of the repository layout, Maven's
// whole route table: GET and HEAD of a file read (read.go), PUT of a file
// publishes (publish.go). Nothing else is served. The path is parsed by
// hand (ParsePath): the layout's grammar, not a pattern, says which
// segments are the group, the artifact, the version and the file.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if !read && r.Method != http.MethodPut {
		return &format.Refusal{Status: http.StatusMethodNotAllowed, Allow: []string{http.MethodGet, http.MethodHead, http.MethodPut},
			Message: r.Method + " is not supported by a Maven repository; use GET to download and PUT to publish"}
	}
	if req.Rest == "" || strings.HasSuffix(req.Rest, "/") {
		return errkind.NotFoundf("Not found: a Maven repository serves files, not directory listings")
	}
	p, parsed := req.Parsed.(Path) // by Describe, for the audit record
	var err error
	if !parsed {
		p, err = ParsePath(req.Rest)
	}
	if err != nil {
		if read {
			// No artifact can have that path, so none is here.
			return errkind.NotFoundf("Not found: %s", errkind.As(err).Message)
		}
		return err
	}
	c := &call{w: w, r: r, req: req, p: p}
	if read {
		return f.get(c)
	}
	return f.put(c)
}
