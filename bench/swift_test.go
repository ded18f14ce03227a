package bench

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

// BenchmarkSwiftIdentifiers is Swift's identifiers lookup (SE-0292 4.5,
// GET identifiers?url=) in a repository of ARCA_BENCH_SWIFT_PACKAGES
// packages (200 by default) of ARCA_BENCH_SWIFT_VERSIONS releases each
// (50), published as SwiftPM publishes, every package's releases
// declaring a repository URL of their own: one lookup, of one package's
// URL, per iteration. A lookup that reads every version of every package
// grows with packages x versions; an indexed one does not.
func BenchmarkSwiftIdentifiers(b *testing.B) {
	packages, versions := envCount("ARCA_BENCH_SWIFT_PACKAGES", 200), envCount("ARCA_BENCH_SWIFT_VERSIONS", 50)
	tok, endpoint := benchRepository(b)
	ep := endpoint(types.PackageFormatSwift)
	auth := "Basic " + basic("token:"+tok)
	repoURL := func(p int) string { return fmt.Sprintf("https://example.com/bench/package-%d.git", p) }
	publish := func(p, v int) {
		name, version := fmt.Sprintf("package-%d", p), fmt.Sprintf("1.0.%d", v)
		ct, body := fixture.SwiftPublishBody(fixture.SwiftArchive(name, version, 0, uint64(p*versions+v)),
			`{"description":"A fixture.","repositoryURLs":["`+repoURL(p)+`"]}`)
		req, _ := http.NewRequest(http.MethodPut, ep+"bench/"+name+"/"+version, bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", "application/vnd.swift.registry.v1+json")
		req.Header.Set("Content-Type", ct)
		mustDo(b, req)
	}
	// Four publishers at once, each taking every fourth package.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for p := w; p < packages; p += 4 {
				for v := range versions {
					publish(p, v)
				}
			}
		})
	}
	wg.Wait()
	lookup := ep + "identifiers?url=" + url.QueryEscape(repoURL(packages/2))
	want := []byte(fmt.Sprintf(`"bench.package-%d"`, packages/2))
	get := func() {
		req, _ := http.NewRequest(http.MethodGet, lookup, nil)
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", "application/vnd.swift.registry.v1+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body.Bytes(), want) {
			b.Fatalf("lookup: %d %s", resp.StatusCode, body.Bytes())
		}
	}
	get() // whatever a first lookup does once is not timed
	for b.Loop() {
		get()
	}
}

// envCount is a positive count from the environment, or def.
func envCount(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
