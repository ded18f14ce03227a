package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/format/nuget/nugettest"
)

// BenchmarkNuGetBesideBusyPublisher is bench/load's scale scenario for
// NuGet in one process: a package of ARCA_BENCH_VERSIONS versions whose
// flat container list 16 clients read (b.N reads in all), idle and
// while another client publishes nonstop, each publish followed by its
// own read. It reports the process's CPU per read (cpu-ns/op, the
// clients' share included) and, busy, the publishes per read; the
// server's CPU per publish beside the readers is then (busy cpu-ns/op -
// idle cpu-ns/op) / publishes-per-read. ARCA_BENCH_PROFILE=path profiles
// the measured reads into path.idle and path.busy.
func BenchmarkNuGetBesideBusyPublisher(b *testing.B) {
	n := benchVersions()
	_, ca := benchServer(b)
	ctx := context.Background()
	token := func() string {
		tok, err := ca.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		return "Basic " + basic("aws:"+*tok.AuthorizationToken)
	}
	publisher, reader := token(), token()
	out, err := ca.GetRepositoryEndpoint(ctx, &codeartifact.GetRepositoryEndpointInput{Domain: aws.String("bench"), Repository: aws.String("bench"), Format: types.PackageFormatNuget})
	if err != nil {
		b.Fatal(err)
	}
	ep := *out.RepositoryEndpoint
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	do := func(method, url, auth, contentType string, body []byte) error {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept-Encoding", "gzip, deflate")
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, msg)
		}
		return nil
	}
	payload := func(i int) (string, []byte) {
		return nugetPushBody("BenchBusy", fmt.Sprintf("1.%d.%d", i/1000, i%1000))
	}
	publish := func(i int) error {
		ct, body := payload(i)
		return do(http.MethodPut, ep+"v2/package/", publisher, ct, body)
	}
	list := ep + "v3/package/benchbusy/index.json"
	for i := range n {
		if err := publish(i); err != nil {
			b.Fatal(err)
		}
	}
	if err := do(http.MethodGet, list, reader, "", nil); err != nil {
		b.Fatal(err)
	}
	next := n
	for _, busy := range []bool{false, true} {
		name := "idle"
		if busy {
			name = "busy"
		}
		b.Run(name, func(b *testing.B) {
			// The publisher's payloads are built before the reads.
			type push struct {
				ct   string
				body []byte
			}
			var pushes []push
			if busy {
				for i := range min(b.N/8+16, 4000) {
					ct, body := payload(next + i)
					pushes = append(pushes, push{ct, body})
				}
			}
			stop := make(chan struct{})
			var published atomic.Int64
			var wg sync.WaitGroup
			if busy {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, p := range pushes {
						select {
						case <-stop:
							return
						default:
						}
						if err := do(http.MethodPut, ep+"v2/package/", publisher, p.ct, p.body); err != nil {
							b.Error(err)
							return
						}
						next++
						published.Add(1)
						if err := do(http.MethodGet, list, publisher, "", nil); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			if path := os.Getenv("ARCA_BENCH_PROFILE"); path != "" {
				defer profileCPU(b, path+"."+name)()
			}
			var reads atomic.Int64
			b.ResetTimer()
			cpu, start := processCPU(), time.Now()
			var readers sync.WaitGroup
			for range 16 {
				readers.Add(1)
				go func() {
					defer readers.Done()
					for reads.Add(1) <= int64(b.N) {
						if err := do(http.MethodGet, list, reader, "", nil); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			readers.Wait()
			cpu, elapsed, pubs := processCPU()-cpu, time.Since(start), published.Load()
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			if busy {
				b.ReportMetric(float64(pubs)/float64(b.N), "publishes/op")
				b.ReportMetric(float64(pubs)/elapsed.Seconds(), "publishes/s")
			}
		})
	}
}

// nugetPushBody is nuget push's multipart body of a package of id and
// version, and its content type.
func nugetPushBody(id, version string) (contentType string, body []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	part, _ := mw.CreateFormFile("package", "package.nupkg")
	part.Write(nugettest.Package(nugettest.Spec{ID: id, Version: version, Description: "A fixture."}))
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}
