package format

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/upstream"
)

// connecting is a format whose connections have a client.
type connecting struct{ Basic }

type client struct{ cfg upstream.Config }

func (client) Package(context.Context, artifact.PackageRef) (*resolve.Remote, error) {
	return nil, errkind.NotFoundf("none")
}
func (client) Ingest(context.Context, artifact.PackageRef, resolve.RemoteVersion) (store.Version, error) {
	return store.Version{}, errkind.NotFoundf("none")
}

// byAPI is a format the control plane publishes.
type byAPI struct{ Basic }

func (byAPI) PublishedByAPI() bool { return true }

func (connecting) Connect(cfg upstream.Config) resolve.Connection { return client{cfg} }

func TestRegistry(t *testing.T) {
	r := NewRegistry(
		connecting{Basic{Name: "alpha", ExternalConnections: []string{"public:alpha", "public:alpha-2"}}},
		Basic{Name: "beta", Namespaced: true, Order: CompareSemVer, ExternalConnections: []string{"public:beta"}},
	)
	if got := r.ConnectionNames(); !reflect.DeepEqual(got, []string{"public:alpha", "public:alpha-2", "public:beta"}) {
		t.Errorf("ConnectionNames = %v", got)
	}
	if f, ok := r.ConnectionFormat("public:beta"); !ok || f != "beta" {
		t.Errorf("public:beta serves %q %v", f, ok)
	}
	if _, ok := r.ConnectionFormat("public:gamma"); ok {
		t.Error("an unknown connection was found")
	}
	if !r.NamespaceRequired("beta") || r.NamespaceRequired("alpha") {
		t.Error("namespace rules mixed up")
	}
	// Beta orders by semver, alpha naturally; unknown formats naturally.
	if r.CompareVersions("beta", "1.0.0-rc.1", "1.0.0") >= 0 || r.CompareVersions("alpha", "1.0.0-rc.1", "1.0.0") <= 0 {
		t.Error("version orders mixed up")
	}
	if got := r.Served(); len(got) != 0 {
		t.Errorf("formats without a surface are served: %v", got)
	}
	if got := NewRegistry(Basic{Name: "a"}, byAPI{Basic{Name: "b"}}).Served(); !reflect.DeepEqual(got, []string{"b"}) {
		t.Errorf("served %v, want the format the control plane publishes", got)
	}
	if r.Known("gamma") || r.CompareVersions("gamma", "1.9", "1.10") >= 0 || r.LatestTag("gamma") != "" {
		t.Error("an unknown format does not follow the defaults")
	}

	// Only configured connections of formats with a client get one, with
	// their URL and name.
	conns := r.Connect(map[string]string{"public:alpha": "http://a.test", "public:beta": "http://b.test", "public:gamma": "http://g.test"}, upstream.Config{UserAgent: "x"})
	if len(conns) != 1 {
		t.Fatalf("connections %v", conns)
	}
	if c := conns["public:alpha"].(client); c.cfg.URL != "http://a.test" || c.cfg.Connection != "public:alpha" || c.cfg.UserAgent != "x" {
		t.Errorf("alpha's client config %+v", c.cfg)
	}

	// Formats without a surface answer 404 in plain text.
	s := r.Surfaces(Deps{})
	if len(s) != 2 {
		t.Fatalf("surfaces %v", s)
	}
	w := httptest.NewRecorder()
	req := &endpoint.Request{Format: "beta"}
	err := s["beta"].Serve(w, httptest.NewRequest(http.MethodGet, "/x", nil), req)
	s["beta"].WriteError(w, httptest.NewRequest(http.MethodGet, "/x", nil), err)
	if w.Code != http.StatusNotFound || w.Body.String() != "The beta format has no endpoints on this server yet\n" {
		t.Errorf("plain answer %d %q", w.Code, w.Body)
	}
}

func TestRegistryRefusesDuplicates(t *testing.T) {
	for name, rules := range map[string][]Rules{
		"format":     {Basic{Name: "a"}, Basic{Name: "a"}},
		"connection": {Basic{Name: "a", ExternalConnections: []string{"public:x"}}, Basic{Name: "b", ExternalConnections: []string{"public:x"}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("a duplicate %s was accepted", name)
				}
			}()
			NewRegistry(rules...)
		}()
	}
}

func TestFailure(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		msg    string
		allow  string
	}{
		{errkind.NotFoundf("gone"), 404, "gone", ""},
		{&Refusal{Status: 405, Message: "no", Allow: []string{"GET", "HEAD"}}, 405, "no", "GET, HEAD"},
	} {
		w := httptest.NewRecorder()
		w.Header().Set("ETag", `"x"`)
		status, msg := Failure(nil, "test", w, httptest.NewRequest(http.MethodGet, "/x", nil), tc.err)
		if status != tc.status || msg != tc.msg || w.Header().Get("Allow") != tc.allow || w.Header().Get("ETag") != "" {
			t.Errorf("%v: %d %q Allow %q ETag %q", tc.err, status, msg, w.Header().Get("Allow"), w.Header().Get("ETag"))
		}
	}
}
