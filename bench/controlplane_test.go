// Package bench measures Arca's hot paths and prints the figures recorded
// in docs/PERFORMANCE.md. Run:
//
//	go test -run '^$' -bench . -benchtime 2000x ./bench/
//
// Figures are reported as benchmark metrics (p50-µs, p99-µs); nothing here
// asserts a time, so a slow machine never fails a test.
package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
)

var emptyHash = hex.EncodeToString(sha256.New().Sum(nil))

// signedGet returns a DescribeDomain request signed like the AWS CLI signs.
func signedGet(b *testing.B, url string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url+"/v1/domain?domain=bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: servertest.AccessKeyID, SecretAccessKey: servertest.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, emptyHash, "codeartifact", servertest.Region, time.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

func createDomain(b *testing.B, url string) {
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/domain?domain=bench", nil)
	creds := aws.Credentials{AccessKeyID: servertest.AccessKeyID, SecretAccessKey: servertest.SecretAccessKey}
	v4.NewSigner().SignHTTP(context.Background(), creds, req, emptyHash, "codeartifact", servertest.Region, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("create domain: %v %v", err, resp)
	}
	resp.Body.Close()
}

// BenchmarkControlPlaneRead measures DescribeDomain, SigV4 verification
// included, over real loopback HTTP at 1 and 32 concurrent clients.
func BenchmarkControlPlaneRead(b *testing.B) {
	srv := servertest.Start(b)
	createDomain(b, srv.URL)
	for _, clients := range []int{1, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			lat := make([]time.Duration, b.N)
			var next int64
			var mu sync.Mutex
			var wg sync.WaitGroup
			b.ResetTimer()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						mu.Lock()
						i := next
						next++
						mu.Unlock()
						if i >= int64(b.N) {
							return
						}
						req := signedGet(b, srv.URL)
						start := time.Now()
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						lat[i] = time.Since(start)
						if resp.StatusCode != 200 {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkGenericAsset measures GetPackageVersionAsset of a 10 KB generic
// asset, SigV4 verification included, over real loopback HTTP at 8
// concurrent clients: bench/load's "generic asset 10 KB" in-process, for
// -cpuprofile. One signed request is sent again and again, as bench/load
// does (a signature holds for the allowed clock skew).
func BenchmarkGenericAsset(b *testing.B) {
	// As bench/load runs it: the quotas would measure themselves.
	srv, ca := benchServer(b, func(c *config.Config) { c.Throttle, c.MaxRequestsPerClient = 0, 0 })
	ctx := context.Background()
	data := fixture.Noise(9001, 10<<10)
	sum := sha256.Sum256(data)
	if _, err := ca.PublishPackageVersion(ctx, &codeartifact.PublishPackageVersionInput{
		Domain: aws.String("bench"), Repository: aws.String("bench"), Format: types.PackageFormatGeneric,
		Namespace: aws.String("bench"), Package: aws.String("blob"), PackageVersion: aws.String("1.0.0"),
		AssetName: aws.String("small.bin"), AssetSHA256: aws.String(hex.EncodeToString(sum[:])),
		AssetContent: bytes.NewReader(data), Unfinished: aws.Bool(false),
	}); err != nil {
		b.Fatal(err)
	}
	q := url.Values{"domain": {"bench"}, "repository": {"bench"}, "format": {"generic"},
		"namespace": {"bench"}, "package": {"blob"}, "version": {"1.0.0"}, "asset": {"small.bin"}}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/package/version/asset?"+q.Encode(), nil)
	if err != nil {
		b.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: servertest.AccessKeyID, SecretAccessKey: servertest.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptyHash, "codeartifact", servertest.Region, time.Now()); err != nil {
		b.Fatal(err)
	}
	header := map[string]string{}
	for k := range req.Header {
		header[k] = req.Header.Get(k)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	getParallel(b, req.URL.String(), header)
}
