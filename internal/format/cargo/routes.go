package cargo

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
)

// params are the parts of a matched path.
type params struct {
	name, version string
}

// route matches the paths of a repository endpoint cargo calls
// (docs/CLIENTS.md §4.7): config.json and the index files, then the web
// API below api/v1/crates.
func route(method, rest string) (handle func(*Format, *call) error, p params, allowed []string) {
	if rest == "config.json" {
		return getOnly(method, (*Format).config)
	}
	api, isAPI := strings.CutPrefix(rest, "api/v1/crates")
	if !isAPI {
		if name, ok := ParseIndexPath(rest); ok {
			h, _, allowed := getOnly(method, (*Format).indexFile)
			return h, params{name: name}, allowed
		}
		return nil, p, nil
	}
	if api == "" || api == "/" {
		return unsupported("search"), p, nil
	}
	segs := strings.Split(strings.TrimPrefix(api, "/"), "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, p, nil
		}
		segs[i] = u
	}
	if !strings.HasPrefix(api, "/") {
		return nil, p, nil
	}
	switch {
	case len(segs) == 1 && segs[0] == "new":
		if method != http.MethodPut {
			return nil, p, []string{http.MethodPut}
		}
		return (*Format).publish, p, nil
	case len(segs) == 2 && segs[1] == "owners":
		return unsupported("owner"), p, nil
	case len(segs) == 3:
		p = params{name: segs[0], version: segs[1]}
		switch {
		case segs[2] == "download":
			h, _, allowed := getOnly(method, (*Format).download)
			return h, p, allowed
		case segs[2] == "yank" && method == http.MethodDelete:
			return (*Format).yank, p, nil
		case segs[2] == "unyank" && method == http.MethodPut:
			return (*Format).unyank, p, nil
		case segs[2] == "yank":
			return nil, p, []string{http.MethodDelete}
		case segs[2] == "unyank":
			return nil, p, []string{http.MethodPut}
		}
	}
	return nil, p, nil
}

func getOnly(method string, h func(*Format, *call) error) (func(*Format, *call) error, params, []string) {
	if method != http.MethodGet && method != http.MethodHead {
		return nil, params{}, []string{http.MethodGet, http.MethodHead}
	}
	return h, params{}, nil
}

// Serve routes a cargo request.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	h, p, allowed := route(r.Method, req.Rest)
	if h == nil {
		if len(allowed) > 0 {
			return &format.Refusal{Status: http.StatusMethodNotAllowed, Allow: allowed,
				Message: r.Method + " is not supported on " + req.Rest}
		}
		return errkind.NotFoundf("Not found: %s", req.Rest)
	}
	return h(f, &call{w: w, r: r, req: req, p: p})
}

// unsupportedNotes say why CodeArtifact does not support a cargo command
// (User Guide, "Cargo command support").
var unsupportedNotes = map[string]string{
	"owner":  "CodeArtifact uses a permission model that is different from the public crate registry; manage access with repository and domain policies.",
	"search": "CodeArtifact supports limited search functionality with the list-packages command (aws codeartifact list-packages --format cargo).",
}

func unsupported(command string) func(*Format, *call) error {
	msg := "cargo " + command + " is not supported: " + unsupportedNotes[command]
	return func(*Format, *call) error {
		return &format.Refusal{Status: http.StatusBadRequest, Message: msg}
	}
}
