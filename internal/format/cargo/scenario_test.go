package cargo_test

// In-process scenario of the cargo surface: a full server, a token from
// GetAuthorizationToken, and requests as cargo 1.95 sends them
// (docs/CLIENTS.md §4.7): config.json and index files asked anonymously
// first, the raw token after; publish, yank, unyank and download; index
// revalidation by ETag and by Last-Modified. State is checked through the
// endpoint and the control plane.

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/format/cargo"
	"github.com/arcahq/arca/internal/servertest"
)

func TestScenarioPublishIndexYank(t *testing.T) {
	s := servertest.NewScenario(t, "my-domain")
	endpoint := s.Repository("my-repo", types.PackageFormatCargo)
	send := func(method, path, auth string, body []byte, header ...string) servertest.Response {
		t.Helper()
		return s.Call(method, endpoint+path, auth, body, header...)
	}
	expect := func(what string, r servertest.Response, status int, body string) {
		t.Helper()
		r.Expect(t, what, status, body)
	}
	token := s.Token

	r := send(http.MethodGet, "config.json", "", nil)
	expect("config.json without a token", r, http.StatusUnauthorized, "")
	if r.Header.Get("WWW-Authenticate") == "" {
		t.Error("no challenge on the anonymous request")
	}
	expect("config.json", send(http.MethodGet, "config.json", token, nil), http.StatusOK, `"auth-required":true`)
	expect("an unknown crate", send(http.MethodGet, "sc/en/scenario-lib", token, nil), http.StatusNotFound, "")

	lib := cargo.CrateOf(t, map[string]string{"scenario-lib-1.0.0/Cargo.toml": "[package]\nname = \"scenario-lib\"\nversion = \"1.0.0\"\n", "scenario-lib-1.0.0/src/lib.rs": ""})
	meta := `{"name":"scenario-lib","vers":"1.0.0","deps":[],"features":{},"authors":[],"description":"x","license":"MIT","links":null}`
	expect("publish", send(http.MethodPut, "api/v1/crates/new", token, cargo.FrameOf(meta, lib)), http.StatusOK, "")
	expect("publish again", send(http.MethodPut, "api/v1/crates/new", token, cargo.FrameOf(meta, lib)), http.StatusConflict, `{"errors":[{"detail":`)
	other := strings.ReplaceAll(meta, "scenario-lib", "Scenario_Lib")
	libOther := cargo.CrateOf(t, map[string]string{"Scenario_Lib-2.0.0/Cargo.toml": "[package]\n", "Scenario_Lib-2.0.0/src/lib.rs": ""})
	expect("publish under another spelling", send(http.MethodPut, "api/v1/crates/new", token, cargo.FrameOf(strings.ReplaceAll(other, "1.0.0", "2.0.0"), libOther)),
		http.StatusConflict, `{"errors":[{"detail":`)
	expect("search", send(http.MethodGet, "api/v1/crates?q=x", token, nil), http.StatusBadRequest, "not supported")

	idx := send(http.MethodGet, "sc/en/scenario-lib", token, nil)
	expect("index file", idx, http.StatusOK, `"vers":"1.0.0"`)
	if !strings.Contains(string(idx.Body), `"yanked":false`) {
		t.Errorf("index line %s", idx.Body)
	}
	etag, lastMod := idx.Header.Get("ETag"), idx.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" {
		t.Fatalf("index file without ETag (%q) or Last-Modified (%q)", etag, lastMod)
	}
	expect("revalidated by ETag", send(http.MethodGet, "sc/en/scenario-lib", token, nil, "If-None-Match", etag), http.StatusNotModified, "")
	expect("revalidated by date", send(http.MethodGet, "sc/en/scenario-lib", token, nil, "If-Modified-Since", lastMod), http.StatusNotModified, "")

	// A yank changes the file, its ETag, and (a second later at least,
	// HTTP dates count seconds) its Last-Modified.
	time.Sleep(1100 * time.Millisecond)
	expect("yank", send(http.MethodDelete, "api/v1/crates/scenario-lib/1.0.0/yank", token, nil), http.StatusOK, `{"ok":true}`)
	yanked := send(http.MethodGet, "sc/en/scenario-lib", token, nil, "If-None-Match", etag)
	expect("index after the yank", yanked, http.StatusOK, `"yanked":true`)
	if yanked.Header.Get("ETag") == etag || yanked.Header.Get("Last-Modified") == lastMod {
		t.Errorf("after the yank: ETag %q, Last-Modified %q (before %q, %q)", yanked.Header.Get("ETag"), yanked.Header.Get("Last-Modified"), etag, lastMod)
	}
	expect("stale date", send(http.MethodGet, "sc/en/scenario-lib", token, nil, "If-Modified-Since", lastMod), http.StatusOK, `"yanked":true`)
	out, err := s.CA.DescribePackageVersion(t.Context(), &codeartifact.DescribePackageVersionInput{
		Domain: aws.String("my-domain"), Repository: aws.String("my-repo"), Format: types.PackageFormatCargo,
		Package: aws.String("scenario-lib"), PackageVersion: aws.String("1.0.0")})
	if err != nil || out.PackageVersion.Status != types.PackageVersionStatusUnlisted {
		t.Fatalf("a yanked version: %v %+v", err, out)
	}
	if r := send(http.MethodGet, "api/v1/crates/scenario-lib/1.0.0/download", token, nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, lib) {
		t.Errorf("a yanked crate downloads for lockfiles: %d", r.Status)
	}
	expect("unyank", send(http.MethodPut, "api/v1/crates/scenario-lib/1.0.0/unyank", token, nil), http.StatusOK, `{"ok":true}`)
	expect("index after the unyank", send(http.MethodGet, "sc/en/scenario-lib", token, nil), http.StatusOK, `"yanked":false`)
	expect("yank of an unknown version", send(http.MethodDelete, "api/v1/crates/scenario-lib/9.9.9/yank", token, nil), http.StatusNotFound, `{"errors":[{"detail":`)
}

// TestScenarioPublishCollisions: versions equal apart from build metadata
// and other spellings of a name are refused, in the repository and
// through its upstream; neighbours of a version are not.
func TestScenarioPublishCollisions(t *testing.T) {
	s := servertest.NewScenario(t, "my-domain")
	up := s.Repository("up-repo", types.PackageFormatCargo)
	down := s.Repository("down-repo", types.PackageFormatCargo, "up-repo")
	publish := func(endpoint, name, version string) servertest.Response {
		t.Helper()
		dir := name + "-" + version
		crate := cargo.CrateOf(t, map[string]string{dir + "/Cargo.toml": "[package]\n", dir + "/src/lib.rs": ""})
		meta := `{"name":"` + name + `","vers":"` + version + `","deps":[],"features":{},"authors":[],"links":null}`
		return s.Call(http.MethodPut, endpoint+"api/v1/crates/new", s.Token, cargo.FrameOf(meta, crate))
	}
	publish(up, "Col-Lib", "1.0.0+a").Expect(t, "publish upstream", http.StatusOK, "")
	type refused struct{ repo, name, version, want string }
	expectRefused := func(cases []refused) {
		t.Helper()
		for _, c := range cases {
			publish(c.repo, c.name, c.version).Expect(t, c.name+" "+c.version, http.StatusConflict, `{"errors":[{"detail":"`+c.want)
		}
	}
	// Through the upstream while the downstream holds no version (a
	// version published downstream blocks the upstream for the crate).
	expectRefused([]refused{
		{down, "Col-Lib", "1.0.0+c", "crate Col-Lib version 1.0.0+c is already published (as 1.0.0+a)"},
		{down, "col-lib", "2.0.0", "crate col-lib is already published as Col-Lib"},
	})
	publish(down, "Col-Lib", "0.9.0").Expect(t, "publish downstream", http.StatusOK, "")
	expectRefused([]refused{
		{up, "Col-Lib", "1.0.0", "crate Col-Lib version 1.0.0 is already published (as 1.0.0+a)"},
		{up, "Col-Lib", "1.0.0+b", "crate Col-Lib version 1.0.0+b is already published (as 1.0.0+a)"},
		{down, "Col-Lib", "0.9.0+x", "crate Col-Lib version 0.9.0+x is already published (as 0.9.0)"},
		{up, "COL-LIB", "2.0.0", "crate COL-LIB is already published as Col-Lib"},
	})
	for _, v := range []string{"1.0.0-rc.1", "1.0.1", "1.0.10+z"} {
		publish(up, "Col-Lib", v).Expect(t, "publish "+v, http.StatusOK, "")
	}
}
