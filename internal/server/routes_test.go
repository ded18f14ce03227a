package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The short way to the repository endpoints serves exactly the requests
// the mux would have given them, unchanged: every other request, and
// every path the mux would clean or redirect, still goes through the mux.
func TestRoutesMatchTheMux(t *testing.T) {
	var got string
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got = name })
	}
	rt := newRoutes(named("repos"))
	rt.Handle("GET /healthz", named("healthz"))
	rt.Handle("GET /metrics", named("metrics"))
	rt.Handle("/v1/", named("control"))
	rt.Handle("POST /{$}", named("iam"))
	rt.Handle("/console/", named("console"))
	rt.Handle("/", named("mux-repos"))
	for _, c := range []struct{ method, target, want string }{
		{"GET", "/d-111122223333/npm/r/lodash", "repos"},
		{"GET", "/d-111122223333/npm/r/@scope%2fname", "repos"},
		{"GET", "/d-111122223333/pypi/r/simple/pkg/", "repos"},
		{"PUT", "/d-111122223333/maven/r/com/example/a/1.0/a-1.0.jar", "repos"},
		{"GET", "/healthzz", "repos"},
		{"GET", "/healthz", "healthz"},
		{"POST", "/healthz", "mux-repos"},
		{"GET", "/metrics", "metrics"},
		{"GET", "/v1/domains", "control"},
		{"GET", "/v1", ""},      // redirected to /v1/
		{"GET", "/console", ""}, // redirected to /console/
		{"GET", "/console/x", "console"},
		{"POST", "/", "iam"},
		{"GET", "/", "mux-repos"},
		{"GET", "/d-111122223333//npm", ""},        // cleaned: redirected
		{"GET", "/d-111122223333/npm/../v1/x", ""}, // cleaned: redirected
		{"GET", "/d-111122223333/npm/./r", ""},
	} {
		got = ""
		r := httptest.NewRequest(c.method, "http://arca.test"+c.target, nil)
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, r)
		if got != c.want {
			t.Errorf("%s %s served by %q, want %q", c.method, c.target, got, c.want)
		}
		if c.want == "" && w.Code != http.StatusTemporaryRedirect && w.Code != http.StatusMovedPermanently {
			t.Errorf("%s %s: %d, want a redirect", c.method, c.target, w.Code)
		}
	}
}
