package ruby_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
)

// A server that extends a gem's info file and versions lines at each push
// serves what a server reading the same store from scratch serves, byte
// for byte, ETags included, across pushes, a yank and pushes after it.
func TestIndexesGrowAsBuiltFromScratch(t *testing.T) {
	s := servertest.NewScenario(t, "my-domain")
	endpoint := s.Repository("my-repo", types.PackageFormatRuby)
	bearer, basic := "Bearer "+s.Token, "Basic "+basicAuth("aws", s.Token)
	push := func(version string) {
		t.Helper()
		r := s.Call(http.MethodPost, endpoint+"api/v1/gems", bearer, fixture.Gem("grow", version, 0, 7))
		r.Expect(t, "push "+version, http.StatusOK, "Successfully registered gem")
	}
	// read returns info/grow and versions as the server sends them,
	// plain and gzipped alike.
	read := func(base string) map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, path := range []string{"info/grow", "versions"} {
			for _, enc := range []string{"identity", "gzip"} {
				r := s.Call(http.MethodGet, base+path, basic, nil, "Accept-Encoding", enc)
				if r.Status != http.StatusOK {
					t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
				}
				if r.Gzipped && enc != "gzip" {
					t.Fatalf("GET %s: gzipped for a client that does not accept it", path)
				}
				out[path+" "+enc] = string(r.Body) // read back from gzip by Send (a small file is sent plain)
				out[path+" "+enc+" ETag"] = r.Header.Get("ETag")
			}
		}
		return out
	}
	// fromScratch is what a server started on the same data serves: it
	// has built nothing yet.
	fromScratch := func() map[string]string {
		t.Helper()
		ref := servertest.Start(t, func(c *config.Config) { c.Data = s.Data })
		return read(ref.URL + endpoint[len(s.URL):])
	}
	check := func(what string) {
		t.Helper()
		got := read(endpoint)
		want := fromScratch()
		for k, w := range want {
			if got[k] != w {
				t.Fatalf("%s: %s is\n%s\nbuilt from scratch\n%s", what, k, got[k], w)
			}
		}
	}
	for i := range 40 {
		push(fmt.Sprintf("1.%d", i))
		read(endpoint)
	}
	check("after 40 pushes")
	push("2.0")
	check("after a push")
	r := s.Call(http.MethodDelete, endpoint+"api/v1/gems/yank", bearer, []byte("gem_name=grow&version=1.3"), "Content-Type", "application/x-www-form-urlencoded")
	r.Expect(t, "yank", http.StatusOK, "Successfully deleted gem")
	check("after a yank")
	push("2.1")
	read(endpoint)
	push("2.2")
	check("after pushes after the yank")
}
