package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
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
	n, _ := strconv.Atoi(os.Getenv("ARCA_BENCH_VERSIONS"))
	if n <= 0 {
		n = 1000
	}
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
	for i := range n {
		publish(i)
	}
	do(http.MethodGet, npm+"bench-grow", nil)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		publish(n + i)
		do(http.MethodGet, npm+"bench-grow", nil)
	}
}
