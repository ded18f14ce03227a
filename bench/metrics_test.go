package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/metrics"
	"github.com/arcahq/arca/internal/metrics/metricstest"
	"github.com/arcahq/arca/internal/servertest"
)

// BenchmarkMetricsSmallDownload measures what the Prometheus
// instrumentation costs a small download: a 10 KB npm tarball, token
// check included, with --metrics off (no instrumentation at all: the
// server before metrics) and on (the default, loopback). "handler"
// serves the request in-process, without the network, so the difference
// is not lost in loopback TCP's cost; "http" goes over loopback HTTP with
// 8 concurrent clients, as BenchmarkPackageRead does. docs/PERFORMANCE.md
// records the figures.
func BenchmarkMetricsSmallDownload(b *testing.B) {
	for _, setting := range []string{config.MetricsOff, config.MetricsLoopback} {
		srv := servertest.Start(b, func(c *config.Config) { c.Metrics = setting; c.AuditLog = config.AuditOff })
		ca := srv.CodeArtifact()
		tok := servertest.Domain(b, ca, "bench")
		npm := servertest.Repository(b, ca, "bench", "bench", types.PackageFormatNpm)
		npm = strings.TrimSuffix(npm, "/") + "/"
		small, err := fixture.NPMTarball("bench-small", "1.0.0", nil, 10<<10, 1)
		if err != nil {
			b.Fatal(err)
		}
		bearer := "Bearer " + tok
		req, _ := http.NewRequest(http.MethodPut, npm+small.Name, bytes.NewReader(small.PublishBody(npm+small.Name+"/-/"+small.TarballFile())))
		req.Header.Set("Authorization", bearer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode/100 != 2 {
			b.Fatalf("publish: %v %v", err, resp)
		}
		resp.Body.Close()
		url := npm + "bench-small/-/" + small.TarballFile()

		b.Run("handler/metrics="+setting, func(b *testing.B) {
			h := srv.Server.Handler()
			b.ReportAllocs()
			b.SetParallelism(4)
			defer reportCPU(b)()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest(http.MethodGet, url, nil)
				r.RemoteAddr = "127.0.0.1:40000"
				r.Header.Set("Authorization", bearer)
				for pb.Next() {
					w := &discard{h: http.Header{}}
					h.ServeHTTP(w, r)
					if w.status != http.StatusOK {
						b.Errorf("GET %s: %d", url, w.status)
						return
					}
				}
			})
		})
		b.Run("http/metrics="+setting, func(b *testing.B) {
			getParallel(b, url, map[string]string{"Authorization": bearer})
		})
	}
}

// reportCPU reports the process's CPU time (user and system) per
// operation from now until the returned function runs: on a machine other
// work loads, the steadiest figure (wall time per operation moves with
// what else runs).
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() { b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op") }
}

// processCPU returns the process's CPU time so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discard is a ResponseWriter that keeps the status and drops the body.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
func (d *discard) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(p), nil
}

// BenchmarkMetricsPerRequest is the instrumentation a cached small
// download runs, alone, on one goroutine: the request's labels and its
// latency histogram, one token check, one revocation check, one policy
// decision. It is steadier than the difference of two whole-request
// figures on a loaded machine; the store statements a download runs (see
// TestMetricsStatementsPerDownload) add one Store observation each.
func BenchmarkMetricsPerRequest(b *testing.B) {
	m := metrics.New()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		key, value := m.Start()
		c := context.WithValue(ctx, key, value)
		r := metrics.From(c)
		r.Package("npm")
		m.TokenCheck("valid")
		m.RevocationCheck("valid")
		r.Permission("codeartifact:ReadFromRepository")
		m.Decision("allow")
		m.Done(c, http.StatusOK, 20*time.Microsecond)
	}
}

// BenchmarkMetricsStoreObservation is one store statement's timing.
func BenchmarkMetricsStoreObservation(b *testing.B) {
	m := metrics.New()
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		m.Store("query", time.Since(start))
	}
}

// TestMetricsStatementsPerDownload counts the store statements and blob
// operations a cached small download runs, from the server's own
// metrics: what BenchmarkMetricsPerRequest leaves out.
func TestMetricsStatementsPerDownload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	srv := servertest.Start(t)
	ca := srv.CodeArtifact()
	tok := servertest.Domain(t, ca, "bench")
	npm := strings.TrimSuffix(servertest.Repository(t, ca, "bench", "bench", types.PackageFormatNpm), "/") + "/"
	small, err := fixture.NPMTarball("bench-small", "1.0.0", nil, 10<<10, 1)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, npm+small.Name, bytes.NewReader(small.PublishBody(npm+small.Name+"/-/"+small.TarballFile())))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("publish: %v %v", err, resp)
	}
	get := func() {
		r, _ := http.NewRequest(http.MethodGet, npm+"bench-small/-/"+small.TarballFile(), nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(r)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("download: %v %v", err, resp)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get() // warm the caches
	scrape := func() (statements, blobOps float64) {
		s := metricstest.Get(t, http.DefaultClient, srv.URL+"/metrics")
		q, _ := s.Value("arca_store_duration_seconds", nil)
		o, _ := s.Value("arca_blob_operation_duration_seconds", nil)
		return q, o
	}
	q0, o0 := scrape()
	const n = 100
	for range n {
		get()
	}
	q1, o1 := scrape()
	t.Logf("a cached 10 KB download runs %.2f store statements and %.2f blob store operations", (q1-q0)/n, (o1-o0)/n)
}
