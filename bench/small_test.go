package bench

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/servertest"
)

// BenchmarkSmallResponse serves small responses through the server's
// handler in-process (no network: what is left is Arca's own share of a
// request), with the access log on, as `arca serve` runs: a 10 KB npm
// tarball, npm's abbreviated document (gzip), cargo's index file and
// NuGet's flat-container index, each reporting allocations and the
// process's CPU per request. docs/PERFORMANCE.md records the figures.
func BenchmarkSmallResponse(b *testing.B) {
	// As bench/load runs it: quotas off (they would measure themselves).
	srv := servertest.StartWith(b, []server.Option{server.WithAccessLog(middleware.NewAccessLog(middleware.NewLogWriter(io.Discard), false))},
		func(c *config.Config) { c.Throttle, c.MaxRequestsPerClient = 0, 0 })
	ca := srv.CodeArtifact()
	tok := servertest.Domain(b, ca, "bench")
	endpoint := func(f types.PackageFormat) string {
		return strings.TrimSuffix(servertest.Repository(b, ca, "bench", "bench-"+strings.ToLower(string(f)), f), "/") + "/"
	}
	bearer := "Bearer " + tok
	basicAuth := "Basic " + basic("aws:"+tok)
	send := sender(b)

	npm := endpoint(types.PackageFormatNpm)
	var small fixture.NPMVersion
	for i := range 32 {
		size := 1 << 10
		if i == 31 {
			size = 10 << 10
		}
		v, err := fixture.NPMTarball("bench-doc", fmt.Sprintf("1.0.%d", i), map[string]string{"left-pad": "^1.0.0"}, size, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		send(http.MethodPut, npm+v.Name, bearer, "application/json", v.PublishBody(npm+v.Name+"/-/"+v.TarballFile()))
		small = v
	}

	cargo := endpoint(types.PackageFormatCargo)
	for i := range 32 {
		_, body := fixture.Crate("bench-crate", fmt.Sprintf("1.0.%d", i), 1<<10, uint64(i))
		send(http.MethodPut, cargo+"api/v1/crates/new", tok, "", body)
	}

	nuget := endpoint(types.PackageFormatNuget)
	for i := range 32 {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		part, _ := mw.CreateFormFile("package", "package.nupkg")
		part.Write(nugettest.Package(nugettest.Spec{ID: "Bench.Lib", Version: fmt.Sprintf("1.0.%d", i)}))
		mw.Close()
		send(http.MethodPut, nuget+"v2/package/", basicAuth, mw.FormDataContentType(), body.Bytes())
	}

	cases := []struct {
		name, url string
		header    map[string]string
	}{
		{"npm-tarball-10KB", npm + "bench-doc/-/" + small.TarballFile(), map[string]string{"Authorization": bearer}},
		{"npm-document", npm + "bench-doc", map[string]string{"Authorization": bearer, "Accept": "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*", "Accept-Encoding": "gzip"}},
		{"cargo-index", cargo + "be/nc/bench-crate", map[string]string{"Authorization": tok, "Accept-Encoding": "gzip"}},
		{"nuget-flat-versions", nuget + "v3/package/bench.lib/index.json", map[string]string{"Authorization": basicAuth, "Accept-Encoding": "gzip, deflate"}},
	}
	h := srv.Server.Handler()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(4)
			defer reportCPU(b)()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest(http.MethodGet, c.url, nil)
				r.RemoteAddr = "127.0.0.1:40000"
				for k, v := range c.header {
					r.Header.Set(k, v)
				}
				w := &discard{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					w.status = 0
					h.ServeHTTP(w, r)
					if w.status != http.StatusOK {
						b.Errorf("GET %s: %d", c.url, w.status)
						return
					}
				}
			})
		})
	}
}
