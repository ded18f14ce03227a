package bench

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

// BenchmarkFormatPublishThenRead is BenchmarkPublishThenRead for the
// other formats: a package of ARCA_BENCH_VERSIONS versions growing by one
// version per iteration, published as the format's client does, each
// publish followed by the read of the document its client reads to find
// versions (Maven's maven-metadata.xml, which mvn deploy also uploads
// listing every version; cargo's sparse index file; RubyGems' compact
// index info file; NuGet's flat container version list; a Swift
// package's release list, after a publish as swift package-registry
// publish sends it).
func BenchmarkFormatPublishThenRead(b *testing.B) {
	for _, f := range []string{"maven", "cargo", "ruby", "nuget", "swift"} {
		b.Run(f, func(b *testing.B) { benchFormatGrowth(b, f) })
	}
}

func benchFormatGrowth(b *testing.B, format string) {
	n := benchVersions()
	tok, endpoint := benchRepository(b)
	version := func(i int) string { return fmt.Sprintf("1.%d.%d", i/1000, i%1000) }
	send := func(method, url, auth, contentType string, body []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Accept-Encoding", "gzip")
		mustDo(b, req)
	}
	basicAuth := "Basic " + basic("aws:"+tok)
	var publish func(i int)
	var read func()
	switch format {
	case "maven":
		ep := endpoint(types.PackageFormatMaven) + "com/example/benchgrow/"
		publish = func(i int) {
			v := version(i)
			base := ep + v + "/benchgrow-" + v
			pom := fmt.Appendf(nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.example</groupId>\n  <artifactId>benchgrow</artifactId>\n  <version>%s</version>\n</project>\n", v)
			send(http.MethodPut, base+".jar", basicAuth, "", fixture.Jar("com.example", "benchgrow", v, 1<<10, uint64(i)))
			send(http.MethodPut, base+".pom", basicAuth, "", pom)
			var m strings.Builder
			fmt.Fprintf(&m, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n  <groupId>com.example</groupId>\n  <artifactId>benchgrow</artifactId>\n  <versioning>\n    <latest>%s</latest>\n    <release>%s</release>\n    <versions>\n", v, v)
			for j := 0; j <= i; j++ {
				fmt.Fprintf(&m, "      <version>%s</version>\n", version(j))
			}
			m.WriteString("    </versions>\n    <lastUpdated>20261207120000</lastUpdated>\n  </versioning>\n</metadata>\n")
			send(http.MethodPut, ep+"maven-metadata.xml", basicAuth, "", []byte(m.String()))
		}
		read = func() { send(http.MethodGet, ep+"maven-metadata.xml", basicAuth, "", nil) }
	case "cargo":
		ep := endpoint(types.PackageFormatCargo)
		publish = func(i int) {
			_, body := fixture.Crate("benchgrow", version(i), 0, uint64(i))
			send(http.MethodPut, ep+"api/v1/crates/new", tok, "", body)
		}
		read = func() { send(http.MethodGet, ep+"be/nc/benchgrow", tok, "", nil) }
	case "ruby":
		ep := endpoint(types.PackageFormatRuby)
		publish = func(i int) {
			send(http.MethodPost, ep+"api/v1/gems", "Bearer "+tok, "application/octet-stream", fixture.Gem("benchgrow", version(i), 0, uint64(i)))
		}
		read = func() { send(http.MethodGet, ep+"info/benchgrow", basicAuth, "", nil) }
	case "nuget":
		ep := endpoint(types.PackageFormatNuget)
		publish = func(i int) {
			ct, body := nugetPushBody("BenchGrow", version(i))
			send(http.MethodPut, ep+"v2/package/", basicAuth, ct, body)
		}
		read = func() { send(http.MethodGet, ep+"v3/package/benchgrow/index.json", basicAuth, "", nil) }
	case "swift":
		ep := endpoint(types.PackageFormatSwift) + "bench/benchgrow"
		send := func(method, url, contentType string, body []byte) {
			req, _ := http.NewRequest(method, url, bytes.NewReader(body))
			req.Header.Set("Authorization", basicAuth)
			req.Header.Set("Accept", "application/vnd.swift.registry.v1+json")
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			} else {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			mustDo(b, req)
		}
		publish = func(i int) {
			ct, body := fixture.SwiftPublishBody(fixture.SwiftArchive("benchgrow", version(i), 0, uint64(i)), `{"description":"A fixture.","repositoryURLs":["https://example.com/bench/benchgrow.git"]}`)
			send(http.MethodPut, ep+"/"+version(i), ct, body)
		}
		read = func() { send(http.MethodGet, ep, "", nil) }
	}
	grow(b, n, publish, read)
}
