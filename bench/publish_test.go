package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

// BenchmarkPublishThenRead is a package of ARCA_BENCH_VERSIONS versions
// (default 1,000) growing by one npm version per iteration, each publish
// followed by the document read npm makes: the cost of the publish and
// of rebuilding the document, in-process so that -cpuprofile shows where
// it goes (bench/load's scale scenario measures the same over a built
// server).
func BenchmarkPublishThenRead(b *testing.B) {
	n := benchVersions()
	tok, endpoint := benchRepository(b)
	npm := endpoint(types.PackageFormatNpm)
	do := func(method, url string, body []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*")
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
		}
	}
	publish := func(i int) {
		v, err := fixture.NPMTarball("bench-grow", fmt.Sprintf("1.%d.%d", i/1000, i%1000), map[string]string{"left-pad": "^1.0.0"}, 0, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		do(http.MethodPut, npm+v.Name, v.PublishBody(npm+v.Name+"/-/"+v.TarballFile()))
	}
	grow(b, n, publish, func() { do(http.MethodGet, npm+"bench-grow", nil) })
}

// BenchmarkPyPIPublishThenRead is BenchmarkPublishThenRead for PyPI: a
// project of ARCA_BENCH_VERSIONS versions growing by one wheel per
// iteration (uploaded as twine does), each upload followed by the read of
// its simple page that pip makes (PEP 691 JSON, gzip).
func BenchmarkPyPIPublishThenRead(b *testing.B) {
	n := benchVersions()
	tok, endpoint := benchRepository(b)
	ep := endpoint(types.PackageFormatPypi)
	do := func(req *http.Request) {
		req.SetBasicAuth("aws", tok)
		mustDo(b, req)
	}
	publish := func(i int) {
		v := fmt.Sprintf("1.%d.%d", i/1000, i%1000)
		file, data := fixture.Wheel("benchgrow", v, 0, uint64(i))
		ct, body := fixture.TwineBody("benchgrow", v, file, data)
		req, _ := http.NewRequest(http.MethodPost, ep, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		do(req)
	}
	read := func() {
		req, _ := http.NewRequest(http.MethodGet, ep+"simple/benchgrow/", nil)
		req.Header.Set("Accept", "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01")
		req.Header.Set("Accept-Encoding", "gzip")
		do(req)
	}
	grow(b, n, publish, read)
}

// grow publishes versions 0 to n-1, then times one more publish followed
// by a read per iteration. It reports the process's CPU per iteration
// (cpu-ns/op) and the wall and CPU time of the publishes alone (client
// included). With ARCA_BENCH_PROFILE set, it writes a CPU profile of the
// timed iterations alone there (-cpuprofile also covers the seeding).
func grow(b *testing.B, n int, publish func(i int), read func()) {
	for i := range n {
		publish(i)
	}
	read()
	if path := os.Getenv("ARCA_BENCH_PROFILE"); path != "" {
		defer profileCPU(b, path)()
	}
	b.ResetTimer()
	defer reportCPU(b)()
	var wall, cpu time.Duration
	for i := 0; b.Loop(); i++ {
		t, c := time.Now(), processCPU()
		publish(n + i)
		wall, cpu = wall+time.Since(t), cpu+processCPU()-c
		read()
	}
	b.ReportMetric(float64(wall.Nanoseconds())/float64(b.N), "publish-ns/op")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "publish-cpu-ns/op")
}

// BenchmarkPublishPackages is a repository growing in packages: 16
// writers at once each publish new packages of one version (npm: npm
// publish's PUT; pypi: twine's upload), after ARCA_BENCH_PACKAGES
// packages (default 1,000) were published the same way. It reports the
// process's CPU per publish (cpu-ns/op, client included); bench/load's
// scale scenario with -scale-packages measures the same over a built
// server.
func BenchmarkPublishPackages(b *testing.B) {
	const writers = 16
	seed := 1000
	if n, _ := strconv.Atoi(os.Getenv("ARCA_BENCH_PACKAGES")); n > 0 {
		seed = n
	}
	for _, f := range []types.PackageFormat{types.PackageFormatNpm, types.PackageFormatPypi} {
		b.Run(string(f), func(b *testing.B) {
			tok, endpoint := benchRepository(b)
			ep := endpoint(f)
			publish := func(i int) {
				name := fmt.Sprintf("benchpkg-%d", i)
				var req *http.Request
				switch f {
				case types.PackageFormatNpm:
					v, err := fixture.NPMTarball(name, "1.0.0", map[string]string{"left-pad": "^1.0.0"}, 0, uint64(i))
					if err != nil {
						b.Error(err)
						return
					}
					req, _ = http.NewRequest(http.MethodPut, ep+v.Name, bytes.NewReader(v.PublishBody(ep+v.Name+"/-/"+v.TarballFile())))
					req.Header.Set("Authorization", "Bearer "+tok)
					req.Header.Set("Content-Type", "application/json")
				default:
					file, data := fixture.Wheel(name, "1.0.0", 0, uint64(i))
					ct, body := fixture.TwineBody(name, "1.0.0", file, data)
					req, _ = http.NewRequest(http.MethodPost, ep, bytes.NewReader(body))
					req.Header.Set("Content-Type", ct)
					req.SetBasicAuth("aws", tok)
				}
				// Called from the writers' goroutines: Error, not Fatal.
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					b.Errorf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, msg)
				}
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			for range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := int(next.Add(1)) - 1; i < seed; i = int(next.Add(1)) - 1 {
						publish(i)
					}
				}()
			}
			wg.Wait()
			next.Store(int64(seed))
			b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
			done := reportCPU(b)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					publish(int(next.Add(1)) - 1)
				}
			})
			b.StopTimer()
			done()
		})
	}
}

// profileCPU writes a CPU profile to path from now until the returned
// function is called.
func profileCPU(b *testing.B, path string) (stop func()) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
