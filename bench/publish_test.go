package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

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
// by a read per iteration.
func grow(b *testing.B, n int, publish func(i int), read func()) {
	for i := range n {
		publish(i)
	}
	read()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		publish(n + i)
		read()
	}
}
