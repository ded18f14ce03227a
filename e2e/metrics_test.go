package e2e

import (
	"net/http"
	"testing"

	"github.com/arcahq/arca/internal/metrics/metricstest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestMetrics scrapes GET /metrics, as Prometheus would (its text
// parser), before and after real npm publishes and installs, one of them
// through an external connection, and checks that what they did was
// counted: requests by surface, operation and status class, the versions
// created by publish and by ingestion, the upstream fetches and bytes of
// the connection, token checks, policy decisions, blob and store
// latencies, the blob cache. No series names a package.
func TestMetrics(t *testing.T) {
	t.Parallel()
	reg := upstreamtest.NewNPM(t)
	reg.Publish("ext-metrics-lib", upstreamtest.Version{Version: "1.0.0", Files: map[string]string{"index.js": "module.exports = 1;\n"}})
	s := startServer(t, "--external-connection", "public:npmjs="+reg.URL)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "metrics")
	aws.OK(t, "create-repository", "--domain", "metrics", "--repository", "repo")
	aws.OK(t, "associate-external-connection", "--domain", "metrics", "--repository", "repo", "--external-connection", "public:npmjs")
	client := s.httpClient(t)
	url := s.URL + "/metrics"
	before := metricstest.Get(t, client, url)

	u := npmLogin(t, s, "metrics", "repo")
	u.PublishOK(t, pkgSpec{Name: "metrics-hello", Version: "1.0.0", Mark: "repo"})
	u.PublishOK(t, pkgSpec{Name: "metrics-hello", Version: "1.1.0", Mark: "repo"})
	project := newProject(t)
	u.InstallOK(t, project, "metrics-hello@1.1.0", "ext-metrics-lib@1.0.0")
	// Another machine (its own npm cache) installs the same version: the
	// tarball comes from the server's cache of small blobs.
	npmLogin(t, s, "metrics", "repo").InstallOK(t, newProject(t), "metrics-hello@1.1.0")

	after := metricstest.Get(t, client, url)
	moved := func(name string, labels map[string]string, atLeast float64) {
		t.Helper()
		was, _ := before.Value(name, labels)
		now := after.MustValue(t, name, labels)
		if now-was < atLeast {
			t.Errorf("%s%v went from %v to %v, want it up by at least %v", name, labels, was, now, atLeast)
		}
	}
	const req = "arca_http_request_duration_seconds"
	moved(req, map[string]string{"surface": "npm", "operation": "PublishPackageVersion", "status": "2xx"}, 2)
	moved(req, map[string]string{"surface": "npm", "operation": "ReadFromRepository", "status": "2xx"}, 4) // documents and tarballs
	moved(req, map[string]string{"surface": "controlplane", "operation": "GetAuthorizationToken", "status": "2xx"}, 1)
	moved("arca_package_versions_created_total", map[string]string{"format": "npm", "origin": "published"}, 2)
	moved("arca_package_versions_created_total", map[string]string{"format": "npm", "origin": "ingested"}, 1)
	moved("arca_upstream_requests_total", map[string]string{"connection": "public:npmjs", "result": "ok"}, 2) // document and tarball
	moved("arca_upstream_response_bytes_total", map[string]string{"connection": "public:npmjs"}, 100)
	moved("arca_token_checks_total", map[string]string{"result": "valid"}, 6)
	moved("arca_token_revocation_checks_total", map[string]string{"result": "valid"}, 6)
	moved("arca_authorization_decisions_total", map[string]string{"decision": "allow"}, 6)
	moved("arca_blob_operation_duration_seconds", map[string]string{"operation": "commit", "result": "ok"}, 3)
	moved("arca_store_duration_seconds", map[string]string{"kind": "transaction"}, 3)
	moved("arca_store_duration_seconds", map[string]string{"kind": "query"}, 10)
	moved("arca_blob_cache_hits_total", nil, 1) // the other machine's tarball
	if n := after.MustValue(t, "arca_blob_cache_bytes", nil); n <= 0 {
		t.Errorf("arca_blob_cache_bytes = %v after tarball downloads", n)
	}
	after.MustValue(t, "go_goroutines", nil)
	after.MustValue(t, "process_cpu_seconds_total", nil)
	for name, f := range after {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if v := l.GetValue(); v == "metrics-hello" || v == "ext-metrics-lib" || v == s.Account || v == "metrics" {
					t.Errorf("series %s has label %s=%q: a package, account or domain name", name, l.GetName(), v)
				}
			}
		}
	}

	// Through a reverse proxy on this host (X-Forwarded-For), the metrics
	// are refused: by default they are for this host's clients only.
	r, _ := http.NewRequest("GET", url, nil)
	r.Header.Set("X-Forwarded-For", "192.0.2.1")
	resp, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /metrics forwarded by a proxy: %s, want 403", resp.Status)
	}
}
