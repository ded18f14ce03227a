package bench

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
)

// BenchmarkPackageRead measures the package endpoints' read paths over
// real loopback HTTP, token check included, at 8 concurrent clients: what
// bench/load measures against other servers, here in-process so that
// -cpuprofile shows where the server's time goes.
func BenchmarkPackageRead(b *testing.B) {
	tok, endpoint := benchRepository(b)
	bearer := "Bearer " + tok
	basicAuth := "Basic " + basic("aws:"+tok)
	send := sender(b)

	npm := endpoint(types.PackageFormatNpm)
	for i := range 200 {
		v, err := fixture.NPMTarball("bench-doc", fmt.Sprintf("1.%d.%d", i/20, i%20), map[string]string{"left-pad": "^1.0.0"}, 0, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		send(http.MethodPut, npm+v.Name, bearer, "application/json", v.PublishBody(npm+v.Name+"/-/"+v.TarballFile()))
	}
	small, err := fixture.NPMTarball("bench-small", "1.0.0", nil, 10<<10, 1)
	if err != nil {
		b.Fatal(err)
	}
	send(http.MethodPut, npm+small.Name, bearer, "application/json", small.PublishBody(npm+small.Name+"/-/"+small.TarballFile()))

	pypi := endpoint(types.PackageFormatPypi)
	for i := range 100 {
		v := fmt.Sprintf("1.%d.%d", i/10, i%10)
		name, data := fixture.Wheel("benchindex", v, 0, uint64(i))
		ct, body := fixture.TwineBody("benchindex", v, name, data)
		send(http.MethodPost, pypi, basicAuth, ct, body)
	}
	wheelName, wheel := fixture.Wheel("benchfiles", "1.0.0", 10<<10, 2)
	ct, body := fixture.TwineBody("benchfiles", "1.0.0", wheelName, wheel)
	send(http.MethodPost, pypi, basicAuth, ct, body)

	maven := endpoint(types.PackageFormatMaven)
	base := maven + "com/example/bench/bench-lib/"
	var versions strings.Builder
	for i := range 10 {
		v := fmt.Sprintf("1.0.%d", i)
		send(http.MethodPut, base+v+"/bench-lib-"+v+".jar", basicAuth, "", fixture.Jar("com.example.bench", "bench-lib", v, 10<<10, uint64(i)))
		send(http.MethodPut, base+v+"/bench-lib-"+v+".pom", basicAuth, "", fmt.Appendf(nil,
			`<project><modelVersion>4.0.0</modelVersion><groupId>com.example.bench</groupId><artifactId>bench-lib</artifactId><version>%s</version></project>`, v))
		fmt.Fprintf(&versions, "<version>%s</version>", v)
	}
	send(http.MethodPut, base+"maven-metadata.xml", basicAuth, "", fmt.Appendf(nil,
		`<metadata><groupId>com.example.bench</groupId><artifactId>bench-lib</artifactId><versioning><latest>1.0.9</latest><release>1.0.9</release><versions>%s</versions><lastUpdated>20261123120000</lastUpdated></versioning></metadata>`, versions.String()))

	nuget := endpoint(types.PackageFormatNuget)
	pushNuGet := func(spec nugettest.Spec) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		part, _ := mw.CreateFormFile("package", "package.nupkg")
		part.Write(nugettest.Package(spec))
		mw.Close()
		send(http.MethodPut, nuget+"v2/package/", basicAuth, mw.FormDataContentType(), body.Bytes())
	}
	for i := range 100 {
		pushNuGet(nugettest.Spec{ID: "Bench.Registration", Version: fmt.Sprintf("1.%d.%d", i/10, i%10),
			Dependencies: map[string]map[string]string{"net8.0": {"Bench.Dep": "[1.0.0, )"}}})
	}
	pushNuGet(nugettest.Spec{ID: "Bench.Small", Version: "1.0.0", Files: map[string]string{"lib/data.bin": strings.Repeat("x", 10<<10)}})

	cases := []struct {
		name, url string
		header    map[string]string
	}{
		{"npm-document", npm + "bench-doc", map[string]string{"Authorization": bearer, "Accept": "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*", "Accept-Encoding": "gzip"}},
		{"npm-tarball-10KB", npm + "bench-small/-/" + small.TarballFile(), map[string]string{"Authorization": bearer}},
		{"pypi-simple-page", pypi + "simple/benchindex/", map[string]string{"Authorization": basicAuth, "Accept": "application/vnd.pypi.simple.v1+json", "Accept-Encoding": "gzip"}},
		{"pypi-file-10KB", pypi + "files/benchfiles/1.0.0/" + wheelName, map[string]string{"Authorization": basicAuth}},
		{"maven-metadata", base + "maven-metadata.xml", map[string]string{"Authorization": basicAuth}},
		{"maven-jar-10KB", base + "1.0.9/bench-lib-1.0.9.jar", map[string]string{"Authorization": basicAuth}},
		{"nuget-registration", nuget + "v3/registrations2/bench.registration/index.json", map[string]string{"Authorization": basicAuth, "Accept-Encoding": "gzip"}},
		{"nuget-flat-versions", nuget + "v3/package/bench.registration/index.json", map[string]string{"Authorization": basicAuth, "Accept-Encoding": "gzip"}},
		{"nuget-nupkg-10KB", nuget + "v3/package/bench.small/1.0.0/bench.small.1.0.0.nupkg", map[string]string{"Authorization": basicAuth}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { getParallel(b, c.url, c.header) })
	}
}

// getParallel GETs url with header b.N times over loopback HTTP from 8
// concurrent clients (on 2 CPUs), each answer read whole and required to
// be 200.
func getParallel(b *testing.B, url string, header map[string]string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			for k, v := range header {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("GET %s: %d", url, resp.StatusCode)
				return
			}
		}
	})
}
