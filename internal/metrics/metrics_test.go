package metrics_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/metrics"
	"github.com/arcahq/arca/internal/metrics/metricstest"
)

func scrape(t *testing.T, m *metrics.Metrics) metricstest.Scrape {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	s, err := metricstest.Parse(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStatusClass(t *testing.T) {
	for code, want := range map[int]string{100: "1xx", 200: "2xx", 204: "2xx", 304: "3xx", 404: "4xx", 499: "4xx", 500: "5xx", 503: "5xx", 0: "5xx", 600: "5xx", 42: "5xx"} {
		if got := metrics.StatusClass(code); got != want {
			t.Errorf("StatusClass(%d) = %s, want %s", code, got, want)
		}
	}
}

// A repository endpoint's request is named by the last permission
// checked, without its service prefix; a control-plane request keeps
// its operation whatever permissions it checks.
func TestRequestNaming(t *testing.T) {
	m := metrics.New()
	ctx := start(m)
	r := metrics.From(ctx)
	r.Package("npm")
	r.Permission("codeartifact:ReadFromRepository")
	r.Permission("codeartifact:PublishPackageVersion")
	m.Done(ctx, http.StatusCreated, time.Millisecond)

	ctx = start(m)
	metrics.From(ctx).Name(metrics.ControlPlane, "CopyPackageVersions")
	metrics.From(ctx).Permission("codeartifact:ReadFromRepository")
	m.Done(ctx, http.StatusOK, time.Millisecond)

	m.Done(context.Background(), http.StatusOK, time.Millisecond) // a request Start never saw: not counted

	s := scrape(t, m)
	const name = "arca_http_request_duration_seconds"
	if n := s.MustValue(t, name, map[string]string{"surface": "npm", "operation": "PublishPackageVersion", "status": "2xx"}); n != 1 {
		t.Errorf("npm publish counted %v times", n)
	}
	if n := s.MustValue(t, name, map[string]string{"surface": "controlplane", "operation": "CopyPackageVersions", "status": "2xx"}); n != 1 {
		t.Errorf("CopyPackageVersions counted %v times", n)
	}
	if n, _ := s.Value(name, nil); n != 2 {
		t.Errorf("%v requests counted, want 2", n)
	}
}

// A nil *Metrics (--metrics off) and a context without labels accept
// every call and do nothing.
func TestNilIsOff(t *testing.T) {
	var m *metrics.Metrics
	ctx := start(m)
	metrics.From(ctx).Package("npm")
	metrics.From(ctx).Permission("codeartifact:ReadFromRepository")
	metrics.From(ctx).Name("iam", "CreateUser")
	m.Done(ctx, 200, time.Second)
	m.TokenCheck("valid")
	m.RevocationCheck("valid")
	m.Decision("allow")
	m.Store("query", time.Second)
	m.Blob("open", "ok", time.Second)
	m.UpstreamFetch("public:npmjs", "ok", time.Second)
	m.UpstreamBytes("public:npmjs", 10)
	m.VersionCreated("npm", "published")
	m.EventDelivered(metrics.Delivered, time.Second)
	m.EventBacklog(1, 2)
	m.Register()
}

// The event deliverer's outcomes are bounded: anything but delivered and
// dead counts as failed.
func TestEventOutcomes(t *testing.T) {
	m := metrics.New()
	m.EventDelivered(metrics.Delivered, time.Millisecond)
	m.EventDelivered("timeout after 5s to https://hook.example/x", time.Millisecond)
	m.EventDelivered(metrics.Dead, time.Millisecond)
	m.EventBacklog(7, 2)
	s := scrape(t, m)
	for outcome, want := range map[string]float64{"delivered": 1, "failed": 1, "dead": 1} {
		if got := s.MustValue(t, "arca_event_deliveries_total", map[string]string{"outcome": outcome}); got != want {
			t.Errorf("%s deliveries = %v, want %v", outcome, got, want)
		}
	}
	if got := s.LabelValues("arca_event_deliveries_total", "outcome"); len(got) != 3 {
		t.Errorf("outcomes %v, want three", got)
	}
	if got := s.MustValue(t, "arca_event_backlog", map[string]string{"state": "pending"}); got != 7 {
		t.Errorf("pending backlog %v, want 7", got)
	}
}

// start gives a request its labels as middleware.Wrap does, in a context.
func start(m *metrics.Metrics) context.Context {
	key, value := m.Start()
	if key == nil {
		return context.Background()
	}
	return context.WithValue(context.Background(), key, value)
}
