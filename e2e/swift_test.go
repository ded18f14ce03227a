package e2e

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSwiftRegistry drives the Swift registry of `arca serve` the way
// SE-0292 describes the wire: no Swift toolchain runs here (docs/CLIENTS.md
// §5), so the requests are curl's, authenticated as SwiftPM on Linux
// authenticates (the ~/.netrc `aws codeartifact login --tool swift`
// writes, sent as Basic token:TOKEN) or with the token as Bearer; the AWS
// CLI does the rest.
func TestSwiftRegistry(t *testing.T) {
	t.Parallel()
	curl := tool(t, "curl")
	s := startServer(t)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "swift-repo")
	ep := str(t, aws.OK(t, "get-repository-endpoint", "--domain", "my-domain", "--repository", "swift-repo", "--format", "swift"), "repositoryEndpoint")
	if !strings.HasSuffix(ep, "/my-domain-"+s.Account+"/swift/swift-repo/") {
		t.Fatalf("endpoint %s", ep)
	}
	token := str(t, aws.OK(t, "get-authorization-token", "--domain", "my-domain"), "authorizationToken")
	dir := t.TempDir()

	// `login --tool swift` writes ~/.netrc, then runs `swift package-registry
	// set`, which is not here: the command fails after the netrc is written.
	r := aws.Raw(t, "codeartifact", "login", "--tool", "swift", "--domain", "my-domain", "--repository", "swift-repo", "--namespace", "mona")
	netrcPath := filepath.Join(aws.Home, ".netrc")
	netrc, err := os.ReadFile(netrcPath)
	if err != nil {
		t.Fatalf("login --tool swift wrote no ~/.netrc: %v\n%s", err, r)
	}
	if r.Code == 0 || !strings.Contains(r.Stderr, "swift") {
		t.Logf("login --tool swift (no swift binary here):\n%s", r)
	}
	host := strings.TrimPrefix(strings.Split(s.URL, ":")[1], "//")
	if !strings.Contains(string(netrc), "machine "+host+" login token password ") {
		t.Fatalf("~/.netrc: %s", netrc)
	}

	// curl runs a request and returns status, headers and body.
	type answer struct {
		status       string
		header, body string
	}
	do := func(args ...string) answer {
		t.Helper()
		out := filepath.Join(dir, "body")
		os.Remove(out)
		args = append([]string{"-sS", "-D", "-", "-o", out}, args...)
		r := runProgram(t, aws.env, dir, curl, args...)
		if r.Code != 0 {
			t.Fatalf("curl failed:\n%s", r)
		}
		body, _ := os.ReadFile(out)
		status, _, _ := strings.Cut(r.Stdout, "\r\n")
		return answer{status: strings.Fields(status)[1], header: strings.ToLower(r.Stdout), body: string(body)}
	}
	check := func(a answer, status string, bodyHas ...string) {
		t.Helper()
		if a.status != status || !strings.Contains(a.header, "content-version: 1\r\n") {
			t.Fatalf("status %s (want %s), headers:\n%s\nbody: %s", a.status, status, a.header, a.body)
		}
		for _, w := range bodyHas {
			if !strings.Contains(a.body, w) {
				t.Fatalf("body lacks %q:\n%s", w, a.body)
			}
		}
	}
	withNetrc := []string{"--netrc-file", netrcPath}
	bearer := []string{"-H", "Authorization: Bearer " + token}
	jsonAccept := []string{"-H", "Accept: application/vnd.swift.registry.v1+json"}

	// A source archive as `swift package archive-source` makes it.
	zipPath := filepath.Join(dir, "LinkedList-1.1.1.zip")
	zf, _ := os.Create(zipPath)
	zw := zip.NewWriter(zf)
	manifest := "// swift-tools-version:5.7\nimport PackageDescription\nlet package = Package(name: \"LinkedList\")\n"
	for name, body := range map[string]string{"LinkedList/Package.swift": manifest, "LinkedList/Package@swift-5.7.swift": "// swift-tools-version:5.7\n", "LinkedList/Sources/LinkedList/List.swift": "struct List {}\n"} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	zf.Close()
	zipBytes, _ := os.ReadFile(zipPath)
	sum := sha256.Sum256(zipBytes)
	metaPath := filepath.Join(dir, "metadata.json")
	os.WriteFile(metaPath, []byte(`{"description":"One linked list","licenseURL":"https://example.com/LICENSE","repositoryURLs":["https://example.com/mona/LinkedList.git"],"author":{"name":"Mona"}}`), 0o600)
	publish := func(auth []string, path string) answer {
		t.Helper()
		return do(append(append(append([]string{"-X", "PUT"}, auth...), jsonAccept...),
			"-F", "source-archive=@"+zipPath+";type=application/zip", "-F", "metadata=<"+metaPath+";type=application/json", ep+path)...)
	}

	t.Run("publish", func(t *testing.T) {
		a := publish(bearer, "Mona/LinkedList/1.1.1")
		check(a, "201")
		if !strings.Contains(a.header, "location: "+strings.ToLower(ep)+"mona/linkedlist/1.1.1\r\n") {
			t.Fatalf("Location:\n%s", a.header)
		}
		check(publish(withNetrc, "mona/linkedlist/1.1.1"), "409", `"detail"`, "already exists")
		check(publish(withNetrc, "mona/linkedlist/1.2.0"), "201")
		check(publish(nil, "mona/linkedlist/1.3.0"), "401", `"detail"`)
		check(publish(bearer, "mona/linkedlist/1.3"), "400", "semantic version")
	})
	t.Run("read with the netrc", func(t *testing.T) {
		a := do(append(append([]string{}, withNetrc...), append(jsonAccept, ep+"mona/LinkedList")...)...)
		check(a, "200", `"1.1.1"`, `"1.2.0"`)
		if !strings.Contains(a.header, `mona/linkedlist/1.2.0>; rel="latest-version"`) {
			t.Fatalf("Link:\n%s", a.header)
		}
		a = do(append(append([]string{}, withNetrc...), append(jsonAccept, ep+"mona/LinkedList/1.1.1")...)...)
		check(a, "200", `"checksum":"`+hex.EncodeToString(sum[:])+`"`, `"id":"mona.linkedlist"`, `"description":"One linked list"`, `"publishedAt"`)
		a = do(append(withNetrc, "-H", "Accept: application/vnd.swift.registry.v1+swift", ep+"mona/LinkedList/1.1.1/Package.swift")...)
		check(a, "200", "let package = Package")
		if !strings.Contains(a.header, `filename="package@swift-5.7.swift"`) {
			t.Fatalf("manifest Link:\n%s", a.header)
		}
		a = do(append(withNetrc, ep+"mona/LinkedList/1.1.1/Package.swift?swift-version=5.7")...)
		check(a, "200", "swift-tools-version:5.7\n")
		a = do(append(withNetrc, ep+"mona/LinkedList/1.1.1/Package.swift?swift-version=6.0")...)
		check(a, "303")
		a = do(append(withNetrc, "-H", "Accept: application/vnd.swift.registry.v1+zip", ep+"mona/LinkedList/1.1.1.zip")...)
		check(a, "200")
		got := sha256.Sum256([]byte(a.body))
		if got != sum || !strings.Contains(a.header, "digest: sha-256="+strings.ToLower(base64.StdEncoding.EncodeToString(sum[:]))) {
			t.Fatalf("archive checksum or Digest wrong:\n%s", a.header)
		}
		a = do(append(withNetrc, ep+"identifiers?url=https://example.com/mona/LinkedList")...)
		check(a, "200", `{"identifiers":["mona.linkedlist"]}`)
		check(do(append(withNetrc, "-X", "POST", ep+"login")...), "200")
	})
	t.Run("negotiation and errors", func(t *testing.T) {
		check(do(append(withNetrc, "-H", "Accept: application/vnd.swift.registry.v9+json", ep+"mona/LinkedList")...), "400", `"detail"`)
		check(do(append(withNetrc, "-H", "Accept: application/vnd.swift.registry.v1+zip", ep+"mona/LinkedList")...), "415", `"detail"`)
		a := do(append(withNetrc, ep+"mona/Nothing")...)
		check(a, "404", `"detail"`)
		if !strings.Contains(a.header, "content-type: application/problem+json") {
			t.Fatalf("error Content-Type:\n%s", a.header)
		}
		check(do("-X", "POST", ep+"login"), "401")
	})
	t.Run("control plane", func(t *testing.T) {
		repo := []string{"--domain", "my-domain", "--repository", "swift-repo", "--format", "swift", "--namespace", "mona", "--package", "linkedlist"}
		v := aws.OK(t, append([]string{"list-package-versions"}, repo...)...)
		if b, _ := json.Marshal(v["versions"]); !strings.Contains(string(b), `"1.1.1"`) || !strings.Contains(string(b), `"1.2.0"`) {
			t.Fatalf("list-package-versions: %s", b)
		}
		d := obj(t, aws.OK(t, append([]string{"describe-package-version", "--package-version", "1.1.1"}, repo...)...), "packageVersion")
		if d["summary"] != "One linked list" || d["sourceCodeRepository"] != "https://example.com/mona/LinkedList.git" {
			t.Fatalf("describe-package-version: %s", pretty(d))
		}
		assets := aws.OK(t, append([]string{"list-package-version-assets", "--package-version", "1.1.1"}, repo...)...)
		if b, _ := json.Marshal(assets["assets"]); !strings.Contains(string(b), "linkedlist-1.1.1.zip") {
			t.Fatalf("assets: %s", b)
		}
		aws.OK(t, append([]string{"update-package-versions-status", "--versions", "1.2.0", "--target-status", "Unlisted"}, repo...)...)
		a := do(append(withNetrc, ep+"mona/LinkedList")...)
		check(a, "200")
		if strings.Contains(a.body, "1.2.0") {
			t.Fatalf("an Unlisted release is listed: %s", a.body)
		}
		aws.OK(t, append([]string{"dispose-package-versions", "--versions", "1.1.1"}, repo...)...)
		check(do(append(withNetrc, ep+"mona/LinkedList/1.1.1.zip")...), "410", "Disposed")
	})
}
