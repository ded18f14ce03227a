package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/metrics/metricstest"
)

func newTestServer(t *testing.T, metricsSetting string) *Server {
	t.Helper()
	cfg := config.Defaults()
	cfg.Data = filepath.Join(t.TempDir(), "data")
	cfg.Metrics = metricsSetting
	cfg.AuditLog = config.AuditOff
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// send sends a request from remote through the server's handler.
func send(s *Server, method, path, remote string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = remote
	for k, vs := range header {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

// Who may read /metrics: by default clients on this host that no proxy
// forwarded; with --metrics open everyone; with --metrics off nobody,
// the path being no endpoint at all.
func TestMetricsAccess(t *testing.T) {
	loopback := newTestServer(t, config.MetricsLoopback)
	open := newTestServer(t, config.MetricsOpen)
	off := newTestServer(t, config.MetricsOff)
	for _, tc := range []struct {
		name   string
		s      *Server
		remote string
		header http.Header
		want   int
	}{
		{"loopback v4", loopback, "127.0.0.1:5000", nil, http.StatusOK},
		{"loopback v6", loopback, "[::1]:5000", nil, http.StatusOK},
		{"remote", loopback, "192.0.2.1:5000", nil, http.StatusForbidden},
		{"forwarded by a local proxy", loopback, "127.0.0.1:5000", http.Header{"X-Forwarded-For": {"192.0.2.1"}}, http.StatusForbidden},
		{"forwarded (RFC 7239)", loopback, "127.0.0.1:5000", http.Header{"Forwarded": {"for=192.0.2.1"}}, http.StatusForbidden},
		{"open, remote", open, "192.0.2.1:5000", nil, http.StatusOK},
		{"off", off, "127.0.0.1:5000", nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := send(tc.s, "GET", "/metrics", tc.remote, tc.header)
			if w.Code != tc.want {
				t.Fatalf("GET /metrics from %s: %d, want %d: %s", tc.remote, w.Code, tc.want, w.Body)
			}
			if w.Code == http.StatusOK {
				if _, err := metricstest.Parse(bytes.NewReader(w.Body.Bytes())); err != nil {
					t.Fatalf("the text parser refused the answer: %v", err)
				}
			}
		})
	}
}

// Requests are counted by surface, operation and status class: a
// control-plane operation by its model name, an unknown IAM action as
// "unknown", a repository endpoint request by its format; the token
// check that refused it is counted too. No series carries a path.
func TestMetricsLabels(t *testing.T) {
	s := newTestServer(t, config.MetricsLoopback)
	const remote = "127.0.0.1:5000"
	send(s, "GET", "/healthz", remote, nil)
	send(s, "POST", "/v1/domains?max-results=5", remote, nil) // ListDomains, unsigned
	send(s, "GET", "/v1/no-such-operation", remote, nil)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	send(s, "POST", "/?Action=NoSuchAction&Version=2011-06-15", remote, form)
	send(s, "GET", "/my-domain-111122223333/npm/my-repo/lodash", remote, nil)
	send(s, "GET", "/my-domain-111122223333/npm/my-repo/lodash", remote, http.Header{"Authorization": {"Bearer not-a-token"}})

	w := send(s, "GET", "/metrics", remote, nil)
	scrape, err := metricstest.Parse(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	const req = "arca_http_request_duration_seconds"
	for _, want := range []struct {
		labels map[string]string
		n      float64
	}{
		{map[string]string{"surface": "other", "operation": "other", "status": "2xx"}, 1},
		{map[string]string{"surface": "controlplane", "operation": "ListDomains", "status": "4xx"}, 1},
		{map[string]string{"surface": "controlplane", "operation": "unknown", "status": "4xx"}, 1},
		{map[string]string{"surface": "npm", "operation": "none", "status": "4xx"}, 2},
	} {
		if got := scrape.MustValue(t, req, want.labels); got != want.n {
			t.Errorf("%s%v = %v, want %v", req, want.labels, got, want.n)
		}
	}
	if got := scrape.MustValue(t, "arca_token_checks_total", map[string]string{"result": "missing"}); got != 1 {
		t.Errorf("token checks without a token = %v, want 1", got)
	}
	if got := scrape.MustValue(t, "arca_token_checks_total", map[string]string{"result": "invalid"}); got != 1 {
		t.Errorf("token checks of a bad token = %v, want 1", got)
	}
	for _, l := range scrape.LabelValues(req, "operation") {
		if l == "NoSuchAction" || l == "lodash" {
			t.Errorf("a client's input became a label value: %q", l)
		}
	}
	if _, ok := scrape.Value("go_goroutines", nil); !ok {
		t.Error("no Go runtime metrics")
	}
	if _, ok := scrape.Value("process_resident_memory_bytes", nil); !ok {
		t.Error("no process metrics")
	}
}
