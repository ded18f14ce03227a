package server

import (
	"net/http"
	"path"
	"slices"
	"strings"
)

// routes sends the requests of repository endpoints, nearly all of a
// server's traffic, straight to repos, sparing them the mux's pattern
// matching, and every other request through mux. It takes the short way
// only for a path the mux would hand to repos as it is: a clean one (the
// mux redirects others to their clean form) whose first segment is none
// of the mux's other patterns'.
type routes struct {
	mux   *http.ServeMux
	repos http.Handler
}

func (rt routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect && repositoryPath(r.URL.EscapedPath()) {
		rt.repos.ServeHTTP(w, r)
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// muxSegments are the first path segments of the mux's patterns other
// than "/" (see build).
var muxSegments = []string{"v1", "console", "healthz", "metrics"}

// repositoryPath reports whether the mux would serve the escaped path p
// with its "/" pattern, unchanged.
func repositoryPath(p string) bool {
	if len(p) < 2 || p[0] != '/' {
		return false
	}
	if seg, _, _ := strings.Cut(p[1:], "/"); seg == "" || slices.Contains(muxSegments, seg) {
		return false
	}
	// Clean as the mux cleans: path.Clean, keeping a trailing slash.
	c := path.Clean(p)
	return c == p || len(p) == len(c)+1 && p[len(c)] == '/' && p[:len(c)] == c
}
