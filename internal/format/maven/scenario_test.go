package maven_test

// In-process scenarios of the Maven surface (tier 3 of ARCHITECTURE.md): a
// full server, repositories and statuses handled with aws-sdk-go-v2, a
// token from GetAuthorizationToken, and requests sent as Maven 3.8.7 sends
// them (docs/CLIENTS.md §4.6): PUTs with preemptive Basic and Expect:
// 100-continue and no Content-Type; GETs first without credentials, then
// with Basic after the 401 challenge. Stored state is checked through the
// control plane.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/format/maven"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

const domain = "my-domain"

type env struct {
	s     *servertest.Scenario
	t     *testing.T
	ctx   context.Context
	ca    *codeartifact.Client
	token string
	http  *http.Client
}

func newEnv(t *testing.T, options ...func(*config.Config)) *env {
	t.Helper()
	s := servertest.NewScenario(t, domain, options...)
	// Maven's requests go through Go's default client, as they always
	// have: transparent decompression, redirects followed.
	s.HTTP = &http.Client{}
	return &env{s: s, t: t, ctx: t.Context(), ca: s.CA, token: s.Token, http: s.HTTP}
}

// repo creates a repository and returns its Maven endpoint.
func (e *env) repo(name string, upstreams ...string) string {
	e.t.Helper()
	return e.s.Repository(name, types.PackageFormatMaven, upstreams...)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) send(method, url string, body []byte, auth bool, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Apache-Maven/3.8.7 (Java 17.0.15; Linux 6.1.0)")
	if auth {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("aws:"+e.token)))
	}
	if method == http.MethodPut {
		req.Header.Set("Expect", "100-continue")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r := e.s.Send(req)
	return response{r.Status, r.Header, r.Body}
}

// put uploads as Maven does: preemptive Basic, Expect: 100-continue, no
// Content-Type.
func (e *env) put(url string, body []byte) response {
	e.t.Helper()
	return e.send(http.MethodPut, url, body, true)
}

// mustPut uploads and requires one of the statuses (201 when none given).
func (e *env) mustPut(url string, body []byte, statuses ...int) {
	e.t.Helper()
	if len(statuses) == 0 {
		statuses = []int{http.StatusCreated}
	}
	if r := e.put(url, body); !slices.Contains(statuses, r.status) {
		e.t.Fatalf("PUT %s: %d %s, want %v", url, r.status, r.body, statuses)
	}
}

// get downloads as Maven does: without credentials first, then with Basic
// after the 401 challenge, which must come.
func (e *env) get(url string) response {
	e.t.Helper()
	anon := e.send(http.MethodGet, url, nil, false)
	if anon.status != http.StatusUnauthorized || !strings.HasPrefix(anon.header.Get("WWW-Authenticate"), "Basic realm=") {
		e.t.Fatalf("anonymous GET %s: %d %q, want 401 with a Basic challenge", url, anon.status, anon.header.Get("WWW-Authenticate"))
	}
	return e.send(http.MethodGet, url, nil, true)
}

func (e *env) mustGet(url string) []byte {
	e.t.Helper()
	r := e.get(url)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", url, r.status, r.body)
	}
	return r.body
}

func (e *env) wantStatus(url string, status int) response {
	e.t.Helper()
	r := e.send(http.MethodGet, url, nil, true)
	if r.status != status {
		e.t.Fatalf("GET %s: %d %s, want %d", url, r.status, r.body, status)
	}
	return r
}

func hexOf(h hash.Hash, b []byte) string {
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// deployFile PUTs a file with its .sha1 and .md5, as mvn deploy does.
func (e *env) deployFile(url string, body []byte) {
	e.t.Helper()
	e.mustPut(url, body)
	e.mustPut(url+".sha1", []byte(hexOf(sha1.New(), body)))
	e.mustPut(url+".md5", []byte(hexOf(md5.New(), body)))
}

func pom(group, artifactID, version string, extra string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>%s</groupId>
  <artifactId>%s</artifactId>
  <version>%s</version>
%s</project>
`, group, artifactID, version, extra))
}

func artifactMetadata(group, artifactID string, versions ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata modelVersion=\"1.1.0\">\n  <groupId>%s</groupId>\n  <artifactId>%s</artifactId>\n  <versioning>\n", group, artifactID)
	last := versions[len(versions)-1]
	fmt.Fprintf(&b, "    <latest>%s</latest>\n    <release>%s</release>\n    <versions>\n", last, last)
	for _, v := range versions {
		fmt.Fprintf(&b, "      <version>%s</version>\n", v)
	}
	b.WriteString("    </versions>\n    <lastUpdated>20261123191446</lastUpdated>\n  </versioning>\n</metadata>\n")
	return []byte(b.String())
}

func (e *env) versions(repo, group, artifactID string, status types.PackageVersionStatus) map[string]types.PackageVersionStatus {
	e.t.Helper()
	out, err := e.ca.ListPackageVersions(e.ctx, &codeartifact.ListPackageVersionsInput{Domain: aws.String(domain), Repository: aws.String(repo),
		Format: types.PackageFormatMaven, Namespace: aws.String(group), Package: aws.String(artifactID), Status: status})
	if err != nil {
		e.t.Fatal(err)
	}
	m := map[string]types.PackageVersionStatus{}
	for _, v := range out.Versions {
		m[*v.Version] = v.Status
	}
	return m
}

func (e *env) status(repo, group, artifactID, version string) types.PackageVersionStatus {
	e.t.Helper()
	out, err := e.ca.DescribePackageVersion(e.ctx, &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain), Repository: aws.String(repo),
		Format: types.PackageFormatMaven, Namespace: aws.String(group), Package: aws.String(artifactID), PackageVersion: aws.String(version)})
	if err != nil {
		e.t.Fatalf("DescribePackageVersion %s:%s:%s: %v", group, artifactID, version, err)
	}
	return out.PackageVersion.Status
}

func (e *env) setStatus(repo, group, artifactID, version string, status types.PackageVersionStatus) {
	e.t.Helper()
	out, err := e.ca.UpdatePackageVersionsStatus(e.ctx, &codeartifact.UpdatePackageVersionsStatusInput{Domain: aws.String(domain),
		Repository: aws.String(repo), Format: types.PackageFormatMaven, Namespace: aws.String(group), Package: aws.String(artifactID),
		Versions: []string{version}, TargetStatus: status})
	if err != nil || len(out.FailedVersions) > 0 {
		e.t.Fatalf("status of %s:%s:%s -> %s: %v %v", group, artifactID, version, status, err, out)
	}
}

func (e *env) assets(repo, group, artifactID, version string) map[string]types.AssetSummary {
	e.t.Helper()
	out, err := e.ca.ListPackageVersionAssets(e.ctx, &codeartifact.ListPackageVersionAssetsInput{Domain: aws.String(domain), Repository: aws.String(repo),
		Format: types.PackageFormatMaven, Namespace: aws.String(group), Package: aws.String(artifactID), PackageVersion: aws.String(version)})
	if err != nil {
		e.t.Fatal(err)
	}
	m := map[string]types.AssetSummary{}
	for _, a := range out.Assets {
		m[*a.Name] = a
	}
	return m
}

// TestDeploy follows mvn deploy of a release on the wire: every file with
// its checksums, then the artifact's metadata, which publishes the
// version; then what mvn dependency:get and the control plane see.
func TestDeploy(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	dir := ep + "com/example/demo/1.0.0/"
	jar := upstreamtest.Jar(map[string]string{"com/example/Demo.class": "bytecode"})
	sources := upstreamtest.Jar(map[string]string{"com/example/Demo.java": "class Demo {}"})
	p := pom("com.example", "demo", "1.0.0", `  <name>Demo</name>
  <description>A demo
    library.</description>
  <url>https://example.com/demo</url>
  <licenses><license><name>MIT</name><url>https://opensource.org/licenses/MIT</url></license></licenses>
  <scm><url>https://example.com/demo.git</url></scm>
  <dependencies>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>[2.0,3.0)</version></dependency>
  </dependencies>
`)
	e.deployFile(dir+"demo-1.0.0.jar", jar)
	e.deployFile(dir+"demo-1.0.0-sources.jar", sources)
	e.deployFile(dir+"demo-1.0.0.pom", p)

	// Unfinished: listed only when asked for, files not downloadable.
	if got := e.status("my-repo", "com.example", "demo", "1.0.0"); got != types.PackageVersionStatusUnfinished {
		t.Fatalf("status before the metadata = %s, want Unfinished", got)
	}
	if vs := e.versions("my-repo", "com.example", "demo", types.PackageVersionStatusUnfinished); vs["1.0.0"] != types.PackageVersionStatusUnfinished {
		t.Errorf("ListPackageVersions --status Unfinished = %v", vs)
	}
	e.wantStatus(dir+"demo-1.0.0.jar", http.StatusNotFound)
	// mvn asks for the metadata before it uploads its own; 404 is fine.
	if r := e.get(ep + "com/example/demo/maven-metadata.xml"); r.status != http.StatusNotFound {
		t.Fatalf("metadata of an artifact without published versions: %d %s", r.status, r.body)
	}
	meta := artifactMetadata("com.example", "demo", "1.0.0")
	e.deployFile(ep+"com/example/demo/maven-metadata.xml", meta)

	if got := e.status("my-repo", "com.example", "demo", "1.0.0"); got != types.PackageVersionStatusPublished {
		t.Fatalf("status after the metadata = %s, want Published", got)
	}
	if got := e.mustGet(dir + "demo-1.0.0.jar"); !bytes.Equal(got, jar) {
		t.Errorf("jar differs")
	}
	r := e.get(dir + "demo-1.0.0.jar")
	if r.header.Get("Content-Type") != "application/java-archive" || r.header.Get("ETag") == "" {
		t.Errorf("jar headers: %v", r.header)
	}
	for _, c := range []struct {
		ext string
		h   hash.Hash
	}{{"md5", md5.New()}, {"sha1", sha1.New()}, {"sha256", sha256.New()}, {"sha512", sha512.New()}} {
		if got := string(e.mustGet(dir + "demo-1.0.0-sources.jar." + c.ext)); got != hexOf(c.h, sources) {
			t.Errorf("%s of the sources jar = %q", c.ext, got)
		}
	}
	if r := e.send(http.MethodHead, dir+"demo-1.0.0.pom", nil, true); r.status != http.StatusOK || r.header.Get("Content-Length") != fmt.Sprint(len(p)) {
		t.Errorf("HEAD of the POM: %d %v", r.status, r.header)
	}
	gen := string(e.mustGet(ep + "com/example/demo/maven-metadata.xml"))
	for _, want := range []string{"<groupId>com.example</groupId>", "<artifactId>demo</artifactId>", "<latest>1.0.0</latest>", "<release>1.0.0</release>", "<version>1.0.0</version>", "<lastUpdated>"} {
		if !strings.Contains(gen, want) {
			t.Errorf("generated metadata has no %s:\n%s", want, gen)
		}
	}
	if got := string(e.mustGet(ep + "com/example/demo/maven-metadata.xml.sha1")); got != hexOf(sha1.New(), []byte(gen)) {
		t.Errorf("metadata .sha1 = %q, not the SHA-1 of the metadata served", got)
	}
	mr := e.send(http.MethodGet, ep+"com/example/demo/maven-metadata.xml", nil, true)
	if nm := e.send(http.MethodGet, ep+"com/example/demo/maven-metadata.xml", nil, true, "If-None-Match", mr.header.Get("ETag")); nm.status != http.StatusNotModified {
		t.Errorf("metadata with If-None-Match: %d", nm.status)
	}

	d, err := e.ca.DescribePackageVersion(e.ctx, &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatMaven, Namespace: aws.String("com.example"), Package: aws.String("demo"), PackageVersion: aws.String("1.0.0")})
	if err != nil {
		t.Fatal(err)
	}
	pv := d.PackageVersion
	if aws.ToString(pv.DisplayName) != "Demo" || aws.ToString(pv.Summary) != "A demo library." || aws.ToString(pv.HomePage) != "https://example.com/demo" ||
		aws.ToString(pv.SourceCodeRepository) != "https://example.com/demo.git" || len(pv.Licenses) != 1 || aws.ToString(pv.Licenses[0].Name) != "MIT" ||
		pv.Origin == nil || pv.Origin.OriginType != types.PackageVersionOriginTypeInternal {
		t.Errorf("DescribePackageVersion = %+v", pv)
	}
	deps, err := e.ca.ListPackageVersionDependencies(e.ctx, &codeartifact.ListPackageVersionDependenciesInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatMaven, Namespace: aws.String("com.example"), Package: aws.String("demo"), PackageVersion: aws.String("1.0.0")})
	if err != nil {
		t.Fatal(err)
	}
	if len(deps.Dependencies) != 2 || aws.ToString(deps.Dependencies[0].DependencyType) != "test" || aws.ToString(deps.Dependencies[1].VersionRequirement) != "[2.0,3.0)" ||
		aws.ToString(deps.Dependencies[1].Namespace) != "org.slf4j" || aws.ToString(deps.Dependencies[1].DependencyType) != "compile" {
		t.Errorf("dependencies = %+v", deps.Dependencies)
	}
	as := e.assets("my-repo", "com.example", "demo", "1.0.0")
	for _, name := range []string{"demo-1.0.0.jar", "demo-1.0.0-sources.jar", "demo-1.0.0.pom", "maven-metadata.xml"} {
		if _, ok := as[name]; !ok {
			t.Errorf("asset %s missing: %v", name, as)
		}
	}
	if len(as) != 4 {
		t.Errorf("assets = %v (checksum files are not assets)", as)
	}
	if as["demo-1.0.0.jar"].Hashes["SHA-1"] != hexOf(sha1.New(), jar) {
		t.Errorf("asset hashes = %v", as["demo-1.0.0.jar"].Hashes)
	}

	// The same bytes again: 200; other bytes: 409; a new classifier: 201,
	// the version stays Published.
	e.mustPut(dir+"demo-1.0.0.jar", jar, http.StatusOK)
	if r := e.put(dir+"demo-1.0.0.jar", []byte("other")); r.status != http.StatusConflict {
		t.Errorf("PUT of other bytes: %d %s", r.status, r.body)
	}
	e.deployFile(dir+"demo-1.0.0-javadoc.jar", []byte("javadoc"))
	if got := e.status("my-repo", "com.example", "demo", "1.0.0"); got != types.PackageVersionStatusPublished {
		t.Errorf("status after adding a classifier = %s", got)
	}
	// A second version: mvn merges the metadata it read.
	e.deployFile(ep+"com/example/demo/1.1.0/demo-1.1.0.jar", jar)
	e.deployFile(ep+"com/example/demo/1.1.0/demo-1.1.0.pom", pom("com.example", "demo", "1.1.0", ""))
	e.deployFile(ep+"com/example/demo/maven-metadata.xml", artifactMetadata("com.example", "demo", "1.0.0", "1.1.0"))
	gen = string(e.mustGet(ep + "com/example/demo/maven-metadata.xml"))
	if !strings.Contains(gen, "<latest>1.1.0</latest>") || !strings.Contains(gen, "<version>1.0.0</version>") {
		t.Errorf("metadata after 1.1.0:\n%s", gen)
	}
	// Each version's asset maven-metadata.xml lists that version alone,
	// not every version the uploaded file listed.
	for _, v := range []string{"1.0.0", "1.1.0"} {
		m, err := maven.ParseMetadata(bytes.NewReader(e.asset("my-repo", "com.example", "demo", v, "maven-metadata.xml")))
		if err != nil || m.GroupID != "com.example" || m.ArtifactID != "demo" || m.Versioning == nil || !slices.Equal(m.Versioning.Versions, []string{v}) {
			t.Errorf("asset maven-metadata.xml of %s: %+v, %v", v, m, err)
		}
	}
}

// asset downloads an asset with GetPackageVersionAsset.
func (e *env) asset(repo, group, artifactID, version, name string) []byte {
	e.t.Helper()
	out, err := e.ca.GetPackageVersionAsset(e.ctx, &codeartifact.GetPackageVersionAssetInput{Domain: aws.String(domain), Repository: aws.String(repo),
		Format: types.PackageFormatMaven, Namespace: aws.String(group), Package: aws.String(artifactID), PackageVersion: aws.String(version), Asset: aws.String(name)})
	if err != nil {
		e.t.Fatalf("GetPackageVersionAsset %s of %s:%s:%s: %v", name, group, artifactID, version, err)
	}
	defer out.Asset.Close()
	b, err := io.ReadAll(out.Asset)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// TestUploadsRefused covers what a PUT refuses: checksums that do not
// match, POMs of another artifact, invalid metadata and paths, and writes
// without credentials.
func TestUploadsRefused(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	dir := ep + "com/example/lib/2.0/"
	jar := []byte("jar bytes")
	e.mustPut(dir+"lib-2.0.jar", jar)
	if r := e.put(dir+"lib-2.0.jar.sha1", []byte(hexOf(sha1.New(), []byte("other")))); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "Checksum mismatch") {
		t.Errorf("mismatching .sha1: %d %s", r.status, r.body)
	}
	if r := e.put(dir+"lib-2.0.jar.md5", []byte("not a checksum")); r.status != http.StatusBadRequest {
		t.Errorf("invalid .md5: %d %s", r.status, r.body)
	}
	e.mustPut(dir+"lib-2.0.jar.sha256", []byte(hexOf(sha256.New(), jar)+"  lib-2.0.jar\n"))

	// A checksum before its file: remembered, then checked.
	e.mustPut(dir+"lib-2.0-tests.jar.sha1", []byte(hexOf(sha1.New(), []byte("tests"))))
	if r := e.put(dir+"lib-2.0-tests.jar", []byte("not the tests")); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "Checksum mismatch") {
		t.Errorf("file not matching its earlier checksum: %d %s", r.status, r.body)
	}
	if _, ok := e.assets("my-repo", "com.example", "lib", "2.0")["lib-2.0-tests.jar"]; ok {
		t.Error("a file that did not match its checksum was stored")
	}
	e.mustPut(dir+"lib-2.0-tests.jar", []byte("tests"))

	for _, c := range []struct {
		path string
		body string
		want int
	}{
		{"lib-2.0.pom", string(pom("com.example", "other", "2.0", "")), http.StatusBadRequest},
		{"lib-2.0.pom", string(pom("com.example", "lib", "2.1", "")), http.StatusBadRequest},
		{"lib-2.0.pom", "not xml", http.StatusBadRequest},
		{"other-2.0.jar", "x", http.StatusBadRequest},
		{"../../x/lib-2.0.jar", "x", http.StatusBadRequest},
	} {
		if r := e.put(dir+c.path, []byte(c.body)); r.status != c.want {
			t.Errorf("PUT %s: %d %s, want %d", c.path, r.status, r.body, c.want)
		}
	}
	for _, body := range []string{"<metadata>", "<project/>", string(artifactMetadata("com.example", "other", "2.0"))} {
		if r := e.put(ep+"com/example/lib/maven-metadata.xml", []byte(body)); r.status != http.StatusBadRequest {
			t.Errorf("PUT metadata %q: %d %s", body, r.status, r.body)
		}
	}
	// The metadata's checksums are checked against the metadata uploaded.
	meta := artifactMetadata("com.example", "lib", "2.0")
	e.mustPut(ep+"com/example/lib/maven-metadata.xml", meta)
	if r := e.put(ep+"com/example/lib/maven-metadata.xml.sha1", []byte(hexOf(sha1.New(), []byte("x")))); r.status != http.StatusBadRequest {
		t.Errorf("mismatching metadata .sha1: %d %s", r.status, r.body)
	}
	e.mustPut(ep+"com/example/lib/maven-metadata.xml.md5", []byte(hexOf(md5.New(), meta)))

	if r := e.send(http.MethodPut, dir+"lib-2.0-x.jar", []byte("x"), false); r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("anonymous PUT: %d %v", r.status, r.header)
	}
	if r := e.send(http.MethodDelete, dir+"lib-2.0.jar", nil, true); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") == "" {
		t.Errorf("DELETE: %d %v", r.status, r.header)
	}
	e.wantStatus(ep+"com/example/lib/9.9/lib-9.9.jar", http.StatusNotFound)
	e.wantStatus(ep+"com/example/lib/2.0/", http.StatusNotFound)
	e.wantStatus(ep+"com/example/lib/2.0/other-2.0.jar", http.StatusNotFound)
}

// TestCurlRecipe is the User Guide's "Publishing with curl", with both
// options: the metadata file, and UpdatePackageVersionsStatus.
func TestCurlRecipe(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	curl := func(path string, body []byte) {
		t.Helper()
		r := e.send(http.MethodPut, ep+path, body, true, "Content-Type", "application/octet-stream")
		if r.status != http.StatusCreated {
			t.Fatalf("curl PUT %s: %d %s", path, r.status, r.body)
		}
	}
	jar := []byte("my-app jar")
	curl("com/mycompany/app/my-app/1.0/my-app-1.0.jar", jar)
	curl("com/mycompany/app/my-app/1.0/my-app-1.0.pom", pom("com.mycompany.app", "my-app", "1.0", ""))
	if got := e.status("my-repo", "com.mycompany.app", "my-app", "1.0"); got != types.PackageVersionStatusUnfinished {
		t.Fatalf("status = %s, want Unfinished", got)
	}
	curl("com/mycompany/app/my-app/maven-metadata.xml", []byte(`<metadata modelVersion="1.1.0">
  <groupId>com.mycompany.app</groupId>
  <artifactId>my-app</artifactId>
  <versioning>
    <latest>1.0</latest>
    <release>1.0</release>
    <versions>
      <version>1.0</version>
    </versions>
    <lastUpdated>20200731090423</lastUpdated>
  </versioning>
</metadata>`))
	if got := e.status("my-repo", "com.mycompany.app", "my-app", "1.0"); got != types.PackageVersionStatusPublished {
		t.Fatalf("status = %s, want Published", got)
	}

	// Option 2.
	curl("com/mycompany/app/my-app/2.0/my-app-2.0.jar", jar)
	e.wantStatus(ep+"com/mycompany/app/my-app/2.0/my-app-2.0.jar", http.StatusNotFound)
	e.setStatus("my-repo", "com.mycompany.app", "my-app", "2.0", types.PackageVersionStatusPublished)
	if got := e.mustGet(ep + "com/mycompany/app/my-app/2.0/my-app-2.0.jar"); !bytes.Equal(got, jar) {
		t.Error("jar differs")
	}
	if gen := string(e.mustGet(ep + "com/mycompany/app/my-app/maven-metadata.xml")); !strings.Contains(gen, "<version>2.0</version>") {
		t.Errorf("metadata does not list the version published by the API:\n%s", gen)
	}

	// Statuses: Unlisted downloads but is not listed; Archived neither.
	e.setStatus("my-repo", "com.mycompany.app", "my-app", "1.0", types.PackageVersionStatusUnlisted)
	e.mustGet(ep + "com/mycompany/app/my-app/1.0/my-app-1.0.jar")
	if gen := string(e.mustGet(ep + "com/mycompany/app/my-app/maven-metadata.xml")); strings.Contains(gen, "<version>1.0</version>") {
		t.Errorf("metadata lists an Unlisted version:\n%s", gen)
	}
	e.setStatus("my-repo", "com.mycompany.app", "my-app", "1.0", types.PackageVersionStatusArchived)
	e.wantStatus(ep+"com/mycompany/app/my-app/1.0/my-app-1.0.jar", http.StatusNotFound)
	e.wantStatus(ep+"com/mycompany/app/my-app/1.0/my-app-1.0.jar.sha1", http.StatusNotFound)
	// An Archived version takes no new files.
	if r := e.put(ep+"com/mycompany/app/my-app/1.0/my-app-1.0-x.jar", []byte("x")); r.status != http.StatusConflict {
		t.Errorf("PUT to an Archived version: %d %s", r.status, r.body)
	}
}

// snapshotDeploy uploads one build of a SNAPSHOT as mvn deploy does.
func (e *env) snapshotDeploy(ep, build string, jar []byte) {
	e.t.Helper()
	dir := ep + "com/example/proj/1.0-SNAPSHOT/"
	base := dir + "proj-1.0-" + build
	e.get(dir + "maven-metadata.xml") // mvn reads it for the build number
	e.deployFile(base+".jar", jar)
	e.deployFile(base+".pom", pom("com.example", "proj", "1.0-SNAPSHOT", ""))
	ts, n, _ := maven.ParseBuild(build)
	e.deployFile(dir+"maven-metadata.xml", []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<metadata modelVersion="1.1.0">
  <groupId>com.example</groupId>
  <artifactId>proj</artifactId>
  <version>1.0-SNAPSHOT</version>
  <versioning>
    <snapshot><timestamp>%s</timestamp><buildNumber>%d</buildNumber></snapshot>
    <lastUpdated>%s</lastUpdated>
    <snapshotVersions>
      <snapshotVersion><extension>jar</extension><value>1.0-%s</value><updated>%s</updated></snapshotVersion>
      <snapshotVersion><extension>pom</extension><value>1.0-%s</value><updated>%s</updated></snapshotVersion>
    </snapshotVersions>
  </versioning>
</metadata>
`, ts, n, strings.ReplaceAll(ts, ".", ""), build, strings.ReplaceAll(ts, ".", ""), build, strings.ReplaceAll(ts, ".", ""))))
	e.get(ep + "com/example/proj/maven-metadata.xml")
	e.deployFile(ep+"com/example/proj/maven-metadata.xml", artifactMetadata("com.example", "proj", "1.0-SNAPSHOT"))
}

// TestSnapshots deploys two builds of a SNAPSHOT: the second is the one
// the SNAPSHOT serves, the first is kept as an Unlisted version of its own
// and still downloads.
func TestSnapshots(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	dir := ep + "com/example/proj/1.0-SNAPSHOT/"
	const b1, b2 = "20261123.191446-1", "20261123.201500-2"
	jar1, jar2 := []byte("build one"), []byte("build two")

	e.snapshotDeploy(ep, b1, jar1)
	if got := e.status("my-repo", "com.example", "proj", "1.0-SNAPSHOT"); got != types.PackageVersionStatusPublished {
		t.Fatalf("status after build 1 = %s", got)
	}
	if got := e.mustGet(dir + "proj-1.0-SNAPSHOT.jar"); !bytes.Equal(got, jar1) {
		t.Errorf("proj-1.0-SNAPSHOT.jar = %q, want build 1", got)
	}
	meta := string(e.mustGet(dir + "maven-metadata.xml"))
	if !strings.Contains(meta, "<buildNumber>1</buildNumber>") || !strings.Contains(meta, "<value>1.0-"+b1+"</value>") {
		t.Errorf("snapshot metadata after build 1:\n%s", meta)
	}

	e.snapshotDeploy(ep, b2, jar2)
	if got := e.mustGet(dir + "proj-1.0-SNAPSHOT.jar"); !bytes.Equal(got, jar2) {
		t.Errorf("proj-1.0-SNAPSHOT.jar = %q, want build 2", got)
	}
	if got := e.mustGet(dir + "proj-1.0-" + b2 + ".jar"); !bytes.Equal(got, jar2) {
		t.Error("build 2's jar by its name")
	}
	if got := e.mustGet(dir + "proj-1.0-" + b1 + ".jar"); !bytes.Equal(got, jar1) {
		t.Error("build 1's jar by its name, after build 2")
	}
	if got := string(e.mustGet(dir + "proj-1.0-" + b1 + ".jar.sha1")); got != hexOf(sha1.New(), jar1) {
		t.Error("build 1's jar .sha1")
	}
	meta = string(e.mustGet(dir + "maven-metadata.xml"))
	if !strings.Contains(meta, "<buildNumber>2</buildNumber>") || !strings.Contains(meta, "<value>1.0-"+b2+"</value>") || strings.Contains(meta, b1) {
		t.Errorf("snapshot metadata after build 2:\n%s", meta)
	}
	if vs := e.versions("my-repo", "com.example", "proj", types.PackageVersionStatusUnlisted); vs["1.0-"+b1] != types.PackageVersionStatusUnlisted || len(vs) != 1 {
		t.Errorf("Unlisted versions = %v, want build 1", vs)
	}
	if vs := e.versions("my-repo", "com.example", "proj", types.PackageVersionStatusPublished); len(vs) != 1 || vs["1.0-SNAPSHOT"] != types.PackageVersionStatusPublished {
		t.Errorf("Published versions = %v", vs)
	}
	cur := e.assets("my-repo", "com.example", "proj", "1.0-SNAPSHOT")
	old := e.assets("my-repo", "com.example", "proj", "1.0-"+b1)
	if _, ok := cur["proj-1.0-"+b1+".jar"]; ok || len(old) != 2 {
		t.Errorf("assets of the SNAPSHOT %v and of build 1 %v", cur, old)
	}
	if gen := string(e.mustGet(ep + "com/example/proj/maven-metadata.xml")); !strings.Contains(gen, "<version>1.0-SNAPSHOT</version>") || strings.Contains(gen, b1) {
		t.Errorf("artifact metadata:\n%s", gen)
	}
	// DeletePackageVersions with expectedStatus Unlisted removes the builds.
	out, err := e.ca.DeletePackageVersions(e.ctx, &codeartifact.DeletePackageVersionsInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatMaven, Namespace: aws.String("com.example"), Package: aws.String("proj"),
		Versions: []string{"1.0-" + b1}, ExpectedStatus: types.PackageVersionStatusUnlisted})
	if err != nil || len(out.FailedVersions) > 0 {
		t.Fatalf("delete build 1: %v %v", err, out)
	}
	e.wantStatus(dir+"proj-1.0-"+b1+".jar", http.StatusNotFound)
	e.mustGet(dir + "proj-1.0-SNAPSHOT.jar")
}

// TestUpstreams: a repository's metadata merges its upstreams' versions,
// and a file downloaded through it is retained.
func TestUpstreams(t *testing.T) {
	e := newEnv(t)
	up1 := e.repo("upstream-1")
	up2 := e.repo("upstream-2")
	ep := e.repo("my-repo", "upstream-1", "upstream-2")
	e.deployFile(up1+"com/example/lib/1.0/lib-1.0.jar", []byte("one"))
	e.deployFile(up1+"com/example/lib/maven-metadata.xml", artifactMetadata("com.example", "lib", "1.0"))
	e.deployFile(up2+"com/example/lib/2.0/lib-2.0.jar", []byte("two"))
	e.deployFile(up2+"com/example/lib/maven-metadata.xml", artifactMetadata("com.example", "lib", "2.0"))
	gen := string(e.mustGet(ep + "com/example/lib/maven-metadata.xml"))
	if !strings.Contains(gen, "<version>1.0</version>") || !strings.Contains(gen, "<version>2.0</version>") || !strings.Contains(gen, "<latest>2.0</latest>") {
		t.Errorf("merged metadata:\n%s", gen)
	}
	// Publishing a version available upstream is refused.
	if r := e.put(ep+"com/example/lib/1.0/lib-1.0.jar", []byte("one")); r.status != http.StatusConflict {
		t.Errorf("publishing a version available upstream: %d %s", r.status, r.body)
	}
	if got := e.mustGet(ep + "com/example/lib/1.0/lib-1.0.jar"); string(got) != "one" {
		t.Errorf("upstream jar = %q", got)
	}
	if vs := e.versions("my-repo", "com.example", "lib", ""); vs["1.0"] != types.PackageVersionStatusPublished || len(vs) != 1 {
		t.Errorf("retained in my-repo: %v, want 1.0", vs)
	}
	// Retained: the upstream's changes no longer show for that version.
	e.setStatus("upstream-1", "com.example", "lib", "1.0", types.PackageVersionStatusArchived)
	e.mustGet(ep + "com/example/lib/1.0/lib-1.0.jar")
}

// TestExternalConnection resolves through public:maven-central pointed at
// a fake repository that counts requests: the POM and each file are
// ingested on their first request, once however many ask at the same
// time, and stay available when the repository is down.
func TestExternalConnection(t *testing.T) {
	fake := upstreamtest.NewMaven(t)
	fake.Publish("org.example", "lib", "1.0")
	fake.Publish("org.example", "lib", "1.1", "org.example:dep:2.0")
	fake.Publish("org.example", "dep", "2.0")
	e := newEnv(t, func(c *config.Config) {
		c.ExternalConnections["public:maven-central"] = fake.URL
		c.UpstreamTimeout = 2 * time.Second
	})
	e.repo("central-store")
	if _, err := e.ca.AssociateExternalConnection(e.ctx, &codeartifact.AssociateExternalConnectionInput{Domain: aws.String(domain),
		Repository: aws.String("central-store"), ExternalConnection: aws.String("public:maven-central")}); err != nil {
		t.Fatal(err)
	}
	ep := e.repo("my-repo", "central-store")
	dir := upstreamtest.MavenDir("org.example", "lib", "1.1")

	gen := string(e.mustGet(ep + "org/example/lib/maven-metadata.xml"))
	if !strings.Contains(gen, "<version>1.0</version>") || !strings.Contains(gen, "<latest>1.1</latest>") {
		t.Errorf("metadata through the connection:\n%s", gen)
	}
	if got := e.mustGet(ep + "org/example/lib/1.1/lib-1.1.pom"); !bytes.Equal(got, fake.File(dir+"/lib-1.1.pom")) {
		t.Error("POM differs")
	}
	// Concurrent misses of the jar: one fetch.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.send(http.MethodGet, ep+"org/example/lib/1.1/lib-1.1.jar", nil, true)
			if r.status != http.StatusOK || !bytes.Equal(r.body, fake.File(dir+"/lib-1.1.jar")) {
				t.Errorf("concurrent jar GET: %d", r.status)
			}
		}()
	}
	wg.Wait()
	if n := fake.Requests(dir + "/lib-1.1.jar"); n != 1 {
		t.Errorf("the jar was fetched %d times, want 1", n)
	}
	if n := fake.Requests(dir + "/lib-1.1.pom"); n != 1 {
		t.Errorf("the POM was fetched %d times, want 1", n)
	}
	if n := fake.Requests(upstreamtest.MavenDir("org.example", "dep", "2.0") + "/dep-2.0.pom"); n != 0 {
		t.Errorf("a dependency was fetched before it was asked for (%d)", n)
	}
	if got := string(e.mustGet(ep + "org/example/lib/1.1/lib-1.1.jar.sha1")); got != string(fake.File(dir+"/lib-1.1.jar.sha1")) {
		t.Errorf(".sha1 = %q", got)
	}
	// Retained in both repositories, with the POM's metadata.
	for _, repo := range []string{"my-repo", "central-store"} {
		as := e.assets(repo, "org.example", "lib", "1.1")
		if _, ok := as["lib-1.1.jar"]; !ok {
			t.Errorf("%s: assets %v", repo, as)
		}
	}
	d, err := e.ca.DescribePackageVersion(e.ctx, &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatMaven, Namespace: aws.String("org.example"), Package: aws.String("lib"), PackageVersion: aws.String("1.1")})
	if err != nil || d.PackageVersion.Origin.OriginType != types.PackageVersionOriginTypeExternal || aws.ToString(d.PackageVersion.DisplayName) != "lib of the fake repository" {
		t.Errorf("DescribePackageVersion: %v %+v", err, d)
	}
	// A file the repository does not have: 404, asked once.
	e.wantStatus(ep+"org/example/lib/1.1/lib-1.1-javadoc.jar", http.StatusNotFound)
	e.wantStatus(ep+"org/example/lib/1.1/lib-1.1-javadoc.jar", http.StatusNotFound)
	if n := fake.Requests(dir + "/lib-1.1-javadoc.jar"); n != 1 {
		t.Errorf("a missing file was asked for %d times, want 1", n)
	}
	// Publishing a version the connection has is refused.
	if r := e.put(ep+"org/example/lib/1.0/lib-1.0-x.jar", []byte("x")); r.status != http.StatusConflict {
		t.Errorf("publishing over the connection: %d %s", r.status, r.body)
	}

	// Outage: what was ingested still resolves; what was not fails fast.
	fake.Down()
	before := fake.Total()
	if got := e.mustGet(ep + "org/example/lib/1.1/lib-1.1.jar"); !bytes.Equal(got, fake.File(dir+"/lib-1.1.jar")) {
		t.Error("ingested jar during the outage")
	}
	start := time.Now()
	r := e.send(http.MethodGet, ep+"org/example/lib/1.0/lib-1.0.jar", nil, true)
	if r.status != http.StatusBadGateway && r.status != http.StatusNotFound {
		t.Errorf("a jar never ingested, during the outage: %d %s", r.status, r.body)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the outage held the request %s", time.Since(start))
	}
	if fake.Total() != before {
		t.Logf("requests during the outage: %d", fake.Total()-before)
	}
	fake.Reset()

	// A file that does not match its .sha1 is never stored.
	fake.Publish("org.example", "bad", "1.0")
	fake.Corrupt(upstreamtest.MavenDir("org.example", "bad", "1.0") + "/bad-1.0.jar")
	if r := e.send(http.MethodGet, ep+"org/example/bad/1.0/bad-1.0.jar", nil, true); r.status == http.StatusOK {
		t.Errorf("a corrupted jar was served")
	}
}

// TestSlowConnection: a repository that does not answer in time bounds the
// wait, and the file arrives on a later request.
func TestSlowConnection(t *testing.T) {
	fake := upstreamtest.NewMaven(t)
	fake.Publish("org.example", "slow", "1.0")
	e := newEnv(t, func(c *config.Config) {
		c.ExternalConnections["public:maven-clojars"] = fake.URL
		c.UpstreamTimeout = time.Second
	})
	ep := e.repo("my-repo")
	if _, err := e.ca.AssociateExternalConnection(e.ctx, &codeartifact.AssociateExternalConnectionInput{Domain: aws.String(domain),
		Repository: aws.String("my-repo"), ExternalConnection: aws.String("public:maven-clojars")}); err != nil {
		t.Fatal(err)
	}
	fake.SetDelay(3 * time.Second)
	start := time.Now()
	r := e.send(http.MethodGet, ep+"org/example/slow/1.0/slow-1.0.jar", nil, true)
	if r.status != http.StatusBadGateway || time.Since(start) > 2500*time.Millisecond {
		t.Errorf("slow repository: %d after %s: %s", r.status, time.Since(start), r.body)
	}
	// Recovery after the failure memory is the connection's own test
	// (connection_test.go), on a stepped clock.
}

// TestMetadataFollowsEachChange reads an artifact's metadata after each
// step of deploys and status changes: each reading is derived from the
// previous one (only what changed is placed), and must list what the
// repository holds, in Maven's order. A deploy's jar and POM, before its
// metadata, leave the file as it was, byte for byte.
func TestMetadataFollowsEachChange(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	url := ep + "com/example/demo/maven-metadata.xml"
	deployFiles := func(v string) {
		dir := ep + "com/example/demo/" + v + "/demo-" + v
		e.deployFile(dir+".jar", upstreamtest.Jar(map[string]string{"Demo.class": v}))
		e.deployFile(dir+".pom", pom("com.example", "demo", v, ""))
	}
	listed := func(step string, want ...string) []byte {
		t.Helper()
		body := e.mustGet(url)
		m, err := maven.ParseMetadata(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if !slices.Equal(m.Versioning.Versions, want) || m.Versioning.Latest != want[len(want)-1] {
			t.Fatalf("%s: versions %v latest %s, want %v", step, m.Versioning.Versions, m.Versioning.Latest, want)
		}
		return body
	}
	deploy := func(v string) {
		deployFiles(v)
		e.deployFile(url, artifactMetadata("com.example", "demo", v))
	}
	deploy("1.10")
	listed("first deploy", "1.10")
	deploy("1.9")
	deploy("1.0-alpha-1")
	before := listed("three deploys", "1.0-alpha-1", "1.9", "1.10")
	deployFiles("1.2")
	if after := listed("jar and POM of 1.2", "1.0-alpha-1", "1.9", "1.10"); !bytes.Equal(after, before) {
		t.Errorf("a version's files before its metadata changed the file:\n%s\nwas\n%s", after, before)
	}
	e.deployFile(url, artifactMetadata("com.example", "demo", "1.2"))
	listed("metadata of 1.2", "1.0-alpha-1", "1.2", "1.9", "1.10")
	e.setStatus("my-repo", "com.example", "demo", "1.9", types.PackageVersionStatusUnlisted)
	listed("1.9 unlisted", "1.0-alpha-1", "1.2", "1.10")
	e.setStatus("my-repo", "com.example", "demo", "1.9", types.PackageVersionStatusPublished)
	deploy("2.0")
	listed("1.9 listed again, 2.0 deployed", "1.0-alpha-1", "1.2", "1.9", "1.10", "2.0")
	if _, err := e.ca.DeletePackageVersions(e.ctx, &codeartifact.DeletePackageVersionsInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatMaven, Namespace: aws.String("com.example"), Package: aws.String("demo"), Versions: []string{"1.10"}}); err != nil {
		t.Fatal(err)
	}
	listed("1.10 deleted", "1.0-alpha-1", "1.2", "1.9", "2.0")
}
