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
// of the mux's other patterns' (recorded by Handle as they are added).
type routes struct {
	mux      *http.ServeMux
	repos    http.Handler
	segments []string // the first path segments of the mux's patterns other than "/"
}

func newRoutes(repos http.Handler) *routes {
	return &routes{mux: http.NewServeMux(), repos: repos}
}

// Handle adds a pattern to the mux ("[METHOD ]/PATH", no host) and keeps
// its first path segment out of the short way.
func (rt *routes) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, h)
	_, p, hasMethod := strings.Cut(pattern, " ")
	if !hasMethod {
		p = pattern
	}
	seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	switch {
	case seg == "" || seg == "{$}": // the root: never a repository path
	case strings.HasPrefix(seg, "{"):
		panic("routes: a pattern whose first segment is a wildcard would take repository paths: " + pattern)
	default:
		rt.segments = append(rt.segments, seg)
	}
}

func (rt *routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect && rt.repositoryPath(r.URL.EscapedPath()) {
		rt.repos.ServeHTTP(w, r)
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// repositoryPath reports whether the mux would serve the escaped path p
// with its "/" pattern, unchanged.
func (rt *routes) repositoryPath(p string) bool {
	if len(p) < 2 || p[0] != '/' {
		return false
	}
	if seg, _, _ := strings.Cut(p[1:], "/"); seg == "" || slices.Contains(rt.segments, seg) {
		return false
	}
	// Clean as the mux cleans: path.Clean, keeping a trailing slash.
	c := path.Clean(p)
	return c == p || len(p) == len(c)+1 && p[len(c)] == '/' && p[:len(c)] == c
}
