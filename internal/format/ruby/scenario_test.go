package ruby_test

// In-process scenarios of the RubyGems surface: a full server, a token
// from GetAuthorizationToken, pushes and yanks sent as gem 3.3 sends them
// and index requests as gem and Bundler 2.3 send them (docs/CLIENTS.md
// §4.9). The stored state is checked through the endpoint and the
// control plane.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/format/ruby"
	"github.com/arcahq/arca/internal/servertest"
)

func TestPushIndexYank(t *testing.T) {
	s := servertest.NewScenario(t, "my-domain")
	endpoint := s.Repository("my-repo", types.PackageFormatRuby)
	gem, err := os.ReadFile("testdata/hello-arca-0.1.0.gem")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(gem)
	send := func(method, path, auth string, body []byte, header ...string) servertest.Response {
		t.Helper()
		return s.Call(method, endpoint+path, auth, body, header...)
	}
	bearer := "Bearer " + s.Token
	basic := "Basic " + basicAuth("aws", s.Token)
	expect := func(what string, r servertest.Response, status int, body string) {
		t.Helper()
		r.Expect(t, what, status, body)
	}

	r := send(http.MethodPost, "api/v1/gems", "", gem)
	expect("push without credentials", r, http.StatusUnauthorized, "")
	if got := r.Header.Get("WWW-Authenticate"); got != `Basic realm="arca"` {
		t.Errorf("challenge %q", got)
	}
	expect("push", send(http.MethodPost, "api/v1/gems", bearer, gem), http.StatusOK, "Successfully registered gem: hello-arca (0.1.0)")
	expect("push again", send(http.MethodPost, "api/v1/gems", bearer, gem), http.StatusOK, "with the same content, nothing changed")
	expect("PUT", send(http.MethodPut, "api/v1/gems", bearer, gem), http.StatusMethodNotAllowed, "PUT is not supported")

	info := send(http.MethodGet, "info/hello-arca", basic, nil)
	wantInfo := "---\n0.1.0 dep-a:~> 1.0&>= 1.0.2|checksum:" + hex.EncodeToString(sum[:]) + ",ruby:>= 2.7\n"
	expect("info", info, http.StatusOK, wantInfo)
	etag := info.Header.Get("ETag")
	if etag != `"`+ruby.MD5(info.Body)+`"` {
		t.Errorf("info ETag %q", etag)
	}
	// Bundler's second run: a range from its last byte, and its ETag.
	r = send(http.MethodGet, "info/hello-arca", basic, nil, "Range", "bytes="+strconv.Itoa(len(info.Body)-1)+"-")
	expect("info range", r, http.StatusPartialContent, "\n")
	r = send(http.MethodGet, "info/hello-arca", basic, nil, "If-None-Match", etag)
	expect("info revalidated", r, http.StatusNotModified, "")
	versions := send(http.MethodGet, "versions", basic, nil)
	expect("versions", versions, http.StatusOK, "\nhello-arca 0.1.0 "+ruby.MD5(info.Body)+"\n")
	if got := versions.Header.Get("ETag"); got != `"`+ruby.MD5(versions.Body)+`"` {
		t.Errorf("versions ETag %q", got)
	}
	expect("names", send(http.MethodGet, "names", basic, nil), http.StatusOK, "---\nhello-arca\n")
	expect("unknown info", send(http.MethodGet, "info/nope", basic, nil), http.StatusNotFound, "Gem nope not found")
	expect("quick spec", send(http.MethodGet, "quick/Marshal.4.8/hello-arca-0.1.0.gemspec.rz", basic, nil), http.StatusOK, "")
	r = send(http.MethodGet, "gems/hello-arca-0.1.0.gem", basic, nil)
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, gem) {
		t.Errorf("download: %d, %d bytes", r.Status, len(r.Body))
	}
	r = send(http.MethodGet, "gems/hello-arca-0.2.0.gem", basic, nil)
	expect("unknown gem", r, http.StatusNotFound, "Gem hello-arca-0.2.0 not found")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("an error is %s, want plain text", ct)
	}

	form := "application/x-www-form-urlencoded"
	expect("yank of an unknown version", send(http.MethodDelete, "api/v1/gems/yank", bearer, []byte("gem_name=hello-arca&version=9.9"), "Content-Type", form),
		http.StatusNotFound, "")
	expect("yank of a bad name", send(http.MethodDelete, "api/v1/gems/yank", bearer, []byte("gem_name=..&version=1"), "Content-Type", form),
		http.StatusBadRequest, "is not a gem name")
	expect("yank", send(http.MethodDelete, "api/v1/gems/yank", bearer, []byte("gem_name=hello-arca&version=0.1.0"), "Content-Type", form),
		http.StatusOK, "Successfully deleted gem: hello-arca (0.1.0)")
	out, err := s.CA.DescribePackageVersion(t.Context(), &codeartifact.DescribePackageVersionInput{
		Domain: aws.String("my-domain"), Repository: aws.String("my-repo"), Format: types.PackageFormatRuby,
		Package: aws.String("hello-arca"), PackageVersion: aws.String("0.1.0")})
	if err != nil || out.PackageVersion.Status != types.PackageVersionStatusUnlisted {
		t.Fatalf("a yanked version: %v %+v", err, out)
	}
	expect("info after the yank", send(http.MethodGet, "info/hello-arca", basic, nil), http.StatusNotFound, "")
	// The versions file grew by a line removing the version: Bundler's
	// range from what it holds gets that line alone.
	r = send(http.MethodGet, "versions", basic, nil, "Range", "bytes="+strconv.Itoa(len(versions.Body))+"-")
	expect("versions after the yank, from the old end", r, http.StatusPartialContent, "hello-arca -0.1.0 ")
	if lines := strings.Count(string(r.Body), "\n"); lines != 1 {
		t.Errorf("the yank appended %d lines: %q", lines, r.Body)
	}
	if whole := send(http.MethodGet, "versions", basic, nil); !bytes.HasPrefix(whole.Body, versions.Body) {
		t.Errorf("the versions file was rewritten, not appended to:\n%s", whole.Body)
	}
	if r := send(http.MethodGet, "gems/hello-arca-0.1.0.gem", basic, nil); r.Status != http.StatusOK {
		t.Errorf("a yanked gem does not download by name: %d %s", r.Status, r.Body)
	}
}

func basicAuth(user, password string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	req.SetBasicAuth(user, password)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}
