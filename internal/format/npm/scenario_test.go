package npm_test

// In-process scenarios of the npm surface (tier 3 of ARCHITECTURE.md): a
// full server, domains, repositories and version statuses handled with
// aws-sdk-go-v2, a token from GetAuthorizationToken, and requests sent
// with the headers and bodies npm 11, yarn 1 and pnpm send (docs/CLIENTS.md
// §4.1-§4.3). The stored state is checked with the control plane, and
// what it does not show (the stored manifest) through a second, read-only
// catalog over the server's database.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

const domain = "my-domain"

type env struct {
	s     *servertest.Scenario
	t     *testing.T
	ctx   context.Context
	ca    *codeartifact.Client
	token string
	cat   *catalog.Catalog
	http  *http.Client
}

func newEnv(t *testing.T, options ...func(*config.Config)) *env {
	t.Helper()
	s := servertest.NewScenario(t, domain, options...)
	return &env{s: s, t: t, ctx: t.Context(), ca: s.CA, token: s.Token, cat: s.Catalog(), http: s.HTTP}
}

// repo creates a repository and returns its npm endpoint, as
// `aws codeartifact login --tool npm` gets it.
func (e *env) repo(name string, upstreams ...string) string {
	e.t.Helper()
	return e.s.Repository(name, types.PackageFormatNpm, upstreams...)
}

type response struct {
	status  int
	header  http.Header
	body    []byte
	gzipped bool
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", r.status, err, r.body)
	}
}

// errorMessage returns the "error" of npm's error shape.
func (r response) errorMessage(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	r.json(t, &e)
	if e.Error == "" {
		t.Fatalf("no error message in %s", r.body)
	}
	return e.Error
}

// Accept headers npm sends (docs/CLIENTS.md §4.1).
const (
	corgi    = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
	fullJSON = "application/json"
)

// do sends a request the way npm 11 does, for the npm command cmd, with
// extra headers as name, value pairs.
func (e *env) do(cmd, method, url string, body []byte, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("authorization", "Bearer "+e.token)
	req.Header.Set("npm-auth-type", "web")
	req.Header.Set("npm-command", cmd)
	req.Header.Set("user-agent", "npm/11.19.1 node/v20.20.2 linux x64 workspaces/false")
	req.Header.Set("Accept-Encoding", "gzip,deflate")
	if body != nil {
		req.Header.Set("content-type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r := e.s.Send(req)
	return response{status: r.Status, header: r.Header, body: r.Body, gzipped: r.Gzipped}
}

// packument asks for a package document with npm's packument headers.
func (e *env) packument(url, name, accept string, headers ...string) response {
	e.t.Helper()
	h := append([]string{"accept", accept, "pacote-version", "21.5.1", "pacote-req-type", "packument", "pacote-pkg-id", "registry:" + name}, headers...)
	return e.do("install", http.MethodGet, url, nil, h...)
}

// tgz returns a package tarball as npm pack makes it.
func tgz(t *testing.T, name, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for file, content := range map[string]string{
		"package/package.json": `{"name":"` + name + `","version":"` + version + `"}`,
		"package/index.js":     "module.exports = " + `"` + name + "@" + version + `";`,
	} {
		tw.WriteHeader(&tar.Header{Name: file, Mode: 0o644, Size: int64(len(content))})
		tw.Write([]byte(content))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// publishDoc is npm's publish body, its members in npm's order.
type publishDoc struct {
	ID          string                    `json:"_id"`
	Name        string                    `json:"name"`
	Description string                    `json:"description"`
	DistTags    map[string]string         `json:"dist-tags"`
	Versions    map[string]map[string]any `json:"versions"`
	Access      any                       `json:"access,omitempty"`
	Readme      *string                   `json:"readme,omitempty"`
	Attachments map[string]attachment     `json:"_attachments"`
}

type attachment struct {
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"` // base64, as encoding/json writes []byte
	Length      int    `json:"length"`
}

// publication builds "npm publish" of name@version with tarball data.
func publication(name, version string, data []byte) *publishDoc {
	s1, s512 := sha1.Sum(data), sha512.Sum512(data)
	return &publishDoc{
		ID: name, Name: name, Description: "test",
		DistTags: map[string]string{"latest": version},
		Versions: map[string]map[string]any{version: {
			"name": name, "version": version, "description": "test", "readme": "# " + name,
			"license": "MIT", "_id": name + "@" + version, "_nodeVersion": "20.20.2", "_npmVersion": "11.19.1",
			"dist": map[string]any{
				"integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
				"shasum":    hex.EncodeToString(s1[:]),
				"tarball":   "http://127.0.0.1:1/npm/my-repo/" + name + "/-/" + name + "-" + version + ".tgz",
			},
		}},
		Access:      "public",
		Attachments: map[string]attachment{name + "-" + version + ".tgz": {"application/octet-stream", data, len(data)}},
	}
}

// withTarball makes a publication carry data as its tarball, its
// digests and length declared to match.
func withTarball(data []byte) func(d *publishDoc) {
	return func(d *publishDoc) {
		for v, m := range d.Versions {
			nd := publication(d.Name, v, data)
			m["dist"] = nd.Versions[v]["dist"]
			d.Attachments = nd.Attachments
		}
	}
}

func (d *publishDoc) body() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	return b
}

// escaped returns a package name as npm puts it in a URL.
func escaped(name string) string { return strings.Replace(name, "/", "%2f", 1) }

// publish publishes name@version to the repository at ep and returns the
// tarball.
func (e *env) publish(ep, name, version string, tags ...string) []byte {
	e.t.Helper()
	data := tgz(e.t, name, version)
	doc := publication(name, version, data)
	if len(tags) > 0 {
		doc.DistTags = map[string]string{}
		for _, tag := range tags {
			doc.DistTags[tag] = version
		}
	}
	if r := e.do("publish", http.MethodPut, ep+escaped(name), doc.body()); r.status != http.StatusOK {
		e.t.Fatalf("publish %s@%s: %d %s", name, version, r.status, r.body)
	}
	return data
}

func (e *env) repository(name string) store.Repository {
	e.t.Helper()
	r, err := e.cat.Repository(e.ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: servertest.AccountID, Name: domain}, Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func ref(t *testing.T, name string) artifact.PackageRef {
	n, err := npm.ParseName(name)
	if err != nil {
		t.Fatal(err)
	}
	return n.Ref()
}

// stored returns a version as the repository stores it.
func (e *env) stored(repo, name, version string) (store.Version, error) {
	return e.cat.Version(e.ctx, e.repository(repo), ref(e.t, name), version)
}

// pkgInput returns the namespace and package of an npm name, as the
// control plane takes them.
func pkgInput(t *testing.T, name string) (*string, *string) {
	r := ref(t, name)
	if r.Namespace == "" {
		return nil, aws.String(r.Name)
	}
	return aws.String(r.Namespace), aws.String(r.Name)
}

// setStatus changes a version's status with UpdatePackageVersionsStatus,
// or DisposePackageVersions for Disposed.
func (e *env) setStatus(repo, name, version string, status artifact.Status) {
	e.t.Helper()
	ns, pkg := pkgInput(e.t, name)
	var failed map[string]types.PackageVersionError
	if status == artifact.Disposed {
		out, err := e.ca.DisposePackageVersions(e.ctx, &codeartifact.DisposePackageVersionsInput{Domain: aws.String(domain),
			Repository: aws.String(repo), Format: types.PackageFormatNpm, Namespace: ns, Package: pkg, Versions: []string{version}})
		if err != nil {
			e.t.Fatal(err)
		}
		failed = out.FailedVersions
	} else {
		out, err := e.ca.UpdatePackageVersionsStatus(e.ctx, &codeartifact.UpdatePackageVersionsStatusInput{Domain: aws.String(domain),
			Repository: aws.String(repo), Format: types.PackageFormatNpm, Namespace: ns, Package: pkg, Versions: []string{version},
			TargetStatus: types.PackageVersionStatus(status)})
		if err != nil {
			e.t.Fatal(err)
		}
		failed = out.FailedVersions
	}
	if len(failed) > 0 {
		e.t.Fatalf("status of %s@%s -> %s: %v", name, version, status, failed)
	}
}

// describe returns a version as DescribePackageVersion describes it.
func (e *env) describe(repo, name, version string) *types.PackageVersionDescription {
	e.t.Helper()
	ns, pkg := pkgInput(e.t, name)
	out, err := e.ca.DescribePackageVersion(e.ctx, &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain),
		Repository: aws.String(repo), Format: types.PackageFormatNpm, Namespace: ns, Package: pkg, PackageVersion: aws.String(version)})
	if err != nil {
		e.t.Fatalf("describe-package-version %s@%s in %s: %v", name, version, repo, err)
	}
	return out.PackageVersion
}

// document is the part of a package document the tests read.
type document struct {
	ID       string                    `json:"_id"`
	Rev      string                    `json:"_rev"`
	Name     string                    `json:"name"`
	Modified string                    `json:"modified"`
	DistTags map[string]string         `json:"dist-tags"`
	Versions map[string]map[string]any `json:"versions"`
	Time     map[string]string         `json:"time"`
	Readme   string                    `json:"readme"`
}

func (d document) tarball(version string) string {
	dist, _ := d.Versions[version]["dist"].(map[string]any)
	s, _ := dist["tarball"].(string)
	return s
}

func versionsOf(d document) string {
	var vs []string
	for v := range d.Versions {
		vs = append(vs, v)
	}
	sortVersions(vs)
	return strings.Join(vs, " ")
}

func sortVersions(vs []string) {
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if (npm.Rules{}).CompareVersions(vs[j], vs[i]) < 0 {
				vs[i], vs[j] = vs[j], vs[i]
			}
		}
	}
}

func (e *env) document(url, name, accept string) document {
	e.t.Helper()
	r := e.packument(url, name, accept)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", url, r.status, r.body)
	}
	var d document
	r.json(e.t, &d)
	return d
}

// --- scenarios ---

func TestPublishAndInstall(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	unscoped := e.publish(ep, "hello-unscoped", "1.0.0")
	scoped := e.publish(ep, "@myscope/hello", "1.0.0") // npm: "%2f"

	// pnpm: "%2F", its own headers and "access": null.
	pn := tgz(t, "@myscope/other", "2.0.0")
	doc := publication("@myscope/other", "2.0.0", pn)
	doc.Access = nil
	r := e.do("publish", http.MethodPut, ep+"@myscope%2Fother", doc.body(), "user-agent", "pnpm/12.21.0 npm/? node/? linux x64", "accept-encoding", "zstd,gzip,deflate")
	if r.status != http.StatusOK || string(r.body) != "{\"ok\":true}\n" {
		t.Fatalf("pnpm publish: %d %s", r.status, r.body)
	}

	for _, tc := range []struct {
		name, path string
		data       []byte
		tarball    string
	}{
		{"hello-unscoped", "hello-unscoped", unscoped, ep + "hello-unscoped/-/hello-unscoped-1.0.0.tgz"},
		{"@myscope/hello", "@myscope%2fhello", scoped, ep + "@myscope/hello/-/hello-1.0.0.tgz"},
		{"@myscope/hello", "@myscope/hello", scoped, ep + "@myscope/hello/-/hello-1.0.0.tgz"},
		{"@myscope/other", "@myscope%2fother", pn, ep + "@myscope/other/-/other-2.0.0.tgz"},
		{"@myscope/other", "@myscope%2Fother", pn, ep + "@myscope/other/-/other-2.0.0.tgz"},
	} {
		// npm view: the abbreviated document first, gzipped when it is
		// worth it (a kilobyte or more).
		r := e.packument(ep+tc.path, tc.name, corgi)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != npm.ContentTypeAbbreviated || r.gzipped != (len(r.body) >= 1024) {
			t.Fatalf("GET %s (corgi): %d %v gzip=%v %s", tc.path, r.status, r.header, r.gzipped, r.body)
		}
		var abbr document
		r.json(t, &abbr)
		if abbr.Name != tc.name || abbr.Modified == "" || abbr.Time != nil || abbr.Readme != "" || abbr.tarball(abbr.DistTags["latest"]) != tc.tarball {
			t.Errorf("abbreviated %s: %s", tc.path, r.body)
		}
		// npm install: the full document.
		full := e.document(ep+tc.path, tc.name, fullJSON)
		v := full.DistTags["latest"]
		if full.ID != tc.name || full.Rev == "" || full.Time[v] == "" || full.Time["created"] == "" || full.Readme != "# "+tc.name {
			t.Errorf("full %s: %+v", tc.path, full)
		}
		if full.tarball(v) != tc.tarball {
			t.Errorf("tarball URL of %s = %s, want %s", tc.name, full.tarball(v), tc.tarball)
		}
		dist := full.Versions[v]["dist"].(map[string]any)
		s512 := sha512.Sum512(tc.data)
		if dist["integrity"] != "sha512-"+base64.StdEncoding.EncodeToString(s512[:]) {
			t.Errorf("integrity of %s = %v", tc.name, dist["integrity"])
		}
		// The tarball, from the URL in the document.
		tr := e.do("install", http.MethodGet, full.tarball(v), nil)
		if tr.status != http.StatusOK || !bytes.Equal(tr.body, tc.data) || tr.header.Get("Content-Type") != "application/octet-stream" || tr.header.Get("ETag") == "" {
			t.Errorf("tarball %s: %d %v, %d bytes", full.tarball(v), tr.status, tr.header, len(tr.body))
		}
	}

	// One version's manifest, by version or by dist-tag.
	for _, path := range []string{"@myscope%2fhello/1.0.0", "@myscope/hello/latest"} {
		r := e.do("view", http.MethodGet, ep+path, nil)
		var m map[string]any
		r.json(t, &m)
		if r.status != http.StatusOK || m["version"] != "1.0.0" || m["_id"] != "@myscope/hello@1.0.0" {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}

	// What was published is stored, with its metadata.
	desc := e.describe("my-repo", "@myscope/hello", "1.0.0")
	if desc.Status != types.PackageVersionStatusPublished || aws.ToString(desc.DisplayName) != "@myscope/hello" || aws.ToString(desc.Summary) != "test" ||
		len(desc.Licenses) != 1 || aws.ToString(desc.Licenses[0].Name) != "MIT" || desc.Origin == nil || desc.Origin.OriginType != types.PackageVersionOriginTypeInternal {
		t.Errorf("described version: %+v", desc)
	}
	v, err := e.stored("my-repo", "@myscope/hello", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if v.Meta.Readme != "# @myscope/hello" || len(v.Assets) != 1 || v.Assets[0].Name != npm.TarballAsset || v.Assets[0].Size != int64(len(scoped)) {
		t.Errorf("stored version: %+v", v)
	}
	if strings.Contains(string(v.Meta.Extra), "127.0.0.1:1") {
		t.Errorf("the client's tarball URL was stored: %s", v.Meta.Extra)
	}
}

func TestYarnPublish(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	data := tgz(t, "hello-unscoped", "2.0.0")
	doc := publication("hello-unscoped", "2.0.0", data)
	doc.Access = nil
	readme := "yarn readme"
	doc.Readme = &readme
	delete(doc.Versions["2.0.0"], "readme")
	doc.Versions["2.0.0"]["dist"].(map[string]any)["tarball"] = "http://registry.yarn.example/hello-unscoped/-/hello-unscoped-2.0.0.tgz"
	r := e.do("", http.MethodPut, ep+"hello-unscoped", doc.body(), "user-agent", "yarn/1.22.19 npm/? node/v20.20.2 linux x64")
	if r.status != http.StatusOK {
		t.Fatalf("yarn publish: %d %s", r.status, r.body)
	}
	// yarn info asks for application/json.
	d := e.document(ep+"hello-unscoped", "hello-unscoped", fullJSON)
	if d.tarball("2.0.0") != ep+"hello-unscoped/-/hello-unscoped-2.0.0.tgz" || d.Readme != "yarn readme" {
		t.Errorf("tarball %s, readme %q", d.tarball("2.0.0"), d.Readme)
	}
}

func TestPublishRefused(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.publish(ep, "hello", "1.0.0")

	wrong := func(field string, value any) func(d *publishDoc) {
		return func(d *publishDoc) {
			for _, m := range d.Versions {
				m["dist"].(map[string]any)[field] = value
			}
		}
	}
	for _, tc := range []struct {
		name   string
		pkg    string
		path   string
		change func(d *publishDoc)
		raw    []byte // a body as is, instead of the publication
		status int
		says   string
	}{
		{"republish", "hello@1.0.0", "hello", nil, nil, 409, "You cannot publish over the previously published versions: 1.0.0."},
		{"integrity", "hello@1.1.0", "hello", wrong("integrity", "sha512-"+base64.StdEncoding.EncodeToString(make([]byte, 64))), nil, 400, "SHA-512"},
		{"shasum", "hello@1.1.0", "hello", wrong("shasum", strings.Repeat("0", 40)), nil, 400, "SHA-1"},
		{"malformed integrity", "hello@1.1.0", "hello", wrong("integrity", "sha512-abc"), nil, 400, "malformed"},
		{"name differs from URL", "other@1.1.0", "hello", nil, nil, 400, "not for"},
		{"capital letters", "Hello@1.0.0", "Hello", nil, nil, 400, "capital letters"},
		{"not semver", "hello@1.1", "hello", nil, nil, 400, "Invalid version"},
		{"manifest of another version", "hello@1.1.0", "hello", func(d *publishDoc) { d.Versions["1.1.0"]["version"] = "1.2.0" }, nil, 400, "says it is"},
		{"two versions", "hello@1.1.0", "hello", func(d *publishDoc) { d.Versions["1.2.0"] = d.Versions["1.1.0"] }, nil, 400, "exactly one version"},
		{"length", "hello@1.1.0", "hello", func(d *publishDoc) {
			for k, a := range d.Attachments {
				a.Length++
				d.Attachments[k] = a
			}
		}, nil, 400, "not the declared"},
		{"negative length", "hello@1.1.0", "hello", func(d *publishDoc) {
			for k, a := range d.Attachments {
				a.Length = -1
				d.Attachments[k] = a
			}
		}, nil, 400, "negative"},
		{"tarball of another package", "hello@1.1.0", "hello", withTarball(tgz(t, "other", "1.1.0")), nil, 400, "for other@1.1.0, not hello@1.1.0"},
		{"tarball of another version", "hello@1.1.0", "hello", withTarball(tgz(t, "hello", "1.0.0")), nil, 400, "for hello@1.0.0, not hello@1.1.0"},
		{"tarball not gzip", "hello@1.1.0", "hello", withTarball([]byte("not a tarball")), nil, 400, "not gzip"},
		{"tarball without package.json", "hello@1.1.0", "hello", withTarball(gzipped("")), nil, 400, "no package/package.json"},
		{"no tarball for a new version", "hello@1.1.0", "hello", func(d *publishDoc) { d.Attachments = nil }, nil, 400, "no tarball"},
		{"two tarballs", "hello@1.1.0", "hello", func(d *publishDoc) { d.Attachments["second.tgz"] = d.Attachments["hello-1.1.0.tgz"] }, nil, 400, "exactly one tarball"},
		{"tag that is a range", "hello@1.1.0", "hello", func(d *publishDoc) { d.DistTags = map[string]string{"1.x": "1.1.0"} }, nil, 400, "SemVer range"},
		// Attachments before versions: checked after the bytes are stored.
		{"integrity, attachment first", "hello@1.1.0", "hello", nil,
			[]byte(`{"_attachments":{"hello-1.1.0.tgz":{"data":"aGk=","length":2}},"name":"hello","versions":{"1.1.0":{"name":"hello","version":"1.1.0","dist":{"shasum":"` + strings.Repeat("0", 40) + `"}}}}`),
			400, "dist.shasum"},
		{"not JSON", "hello@1.1.0", "hello", nil, []byte(`{"name":"hello",`), 400, "Invalid publish body"},
		{"nothing", "hello@1.1.0", "hello", nil, []byte(`{"name":"hello"}`), 400, "nothing to publish"},
	} {
		name, version, _ := strings.Cut(tc.pkg[1:], "@")
		name = tc.pkg[:1] + name
		body := tc.raw
		if body == nil {
			d := publication(name, version, tgz(t, name, version))
			if tc.change != nil {
				tc.change(d)
			}
			body = d.body()
		}
		r := e.do("publish", http.MethodPut, ep+tc.path, body)
		if r.status != tc.status || r.header.Get("Content-Type") != "application/json" || !strings.Contains(r.errorMessage(t), tc.says) {
			t.Errorf("%s: %d %s; want %d saying %q", tc.name, r.status, r.body, tc.status, tc.says)
		}
	}
	// None of it was recorded.
	d := e.document(ep+"hello", "hello", fullJSON)
	if versionsOf(d) != "1.0.0" {
		t.Errorf("versions after refused publishes: %s", versionsOf(d))
	}
	if _, err := e.stored("my-repo", "hello", "1.1.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("1.1.0 stored: %v", err)
	}
}

func TestDocumentETagAndGzip(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.publish(ep, "@myscope/hello", "1.0.0")
	url := ep + "@myscope%2fhello"

	first := e.packument(url, "@myscope/hello", corgi)
	etag := first.header.Get("ETag")
	if first.status != 200 || etag == "" || first.header.Get("Vary") != "Accept, Accept-Encoding" || first.header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("first: %d %v", first.status, first.header)
	}
	// Without Accept-Encoding: the same document, not compressed.
	plain := e.packument(url, "@myscope/hello", corgi, "Accept-Encoding", "")
	if plain.gzipped || !bytes.Equal(plain.body, first.body) || plain.header.Get("ETag") != etag {
		t.Errorf("plain: gzip=%v, same body %v, etag %s", plain.gzipped, bytes.Equal(plain.body, first.body), plain.header.Get("ETag"))
	}
	// Revalidation, gzipped or not.
	for _, enc := range []string{"gzip,deflate", ""} {
		r := e.packument(url, "@myscope/hello", corgi, "If-None-Match", etag, "Accept-Encoding", enc)
		if r.status != http.StatusNotModified || len(r.body) != 0 {
			t.Errorf("If-None-Match (%q): %d %s", enc, r.status, r.body)
		}
	}
	// The full document is another representation.
	full := e.packument(url, "@myscope/hello", fullJSON, "If-None-Match", etag)
	if full.status != 200 || full.header.Get("ETag") == etag || full.header.Get("Content-Type") != npm.ContentTypeFull {
		t.Errorf("full: %d %v", full.status, full.header)
	}
	// Many clients at once get the same document.
	var wg sync.WaitGroup
	etags := make([]string, 16)
	for i := range etags {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("authorization", "Bearer "+e.token)
			req.Header.Set("accept", corgi)
			if resp, err := e.http.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				etags[i] = resp.Header.Get("ETag")
			}
		}()
	}
	wg.Wait()
	for _, got := range etags {
		if got != etag {
			t.Errorf("concurrent ETag %q, want %q", got, etag)
		}
	}
	// A publish changes the document.
	e.publish(ep, "@myscope/hello", "1.1.0")
	r := e.packument(url, "@myscope/hello", corgi, "If-None-Match", etag)
	var d document
	r.json(t, &d)
	if r.status != 200 || r.header.Get("ETag") == etag || versionsOf(d) != "1.0.0 1.1.0" || d.DistTags["latest"] != "1.1.0" {
		t.Errorf("after publish: %d %s", r.status, r.body)
	}
	// HEAD answers like GET, without a body.
	h := e.do("view", http.MethodHead, url, nil, "accept", corgi)
	if h.status != 200 || len(h.body) != 0 || h.header.Get("ETag") != r.header.Get("ETag") {
		t.Errorf("HEAD: %d %v", h.status, h.header)
	}
}

func TestDistTags(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.publish(ep, "@myscope/hello", "1.0.0")
	e.publish(ep, "@myscope/hello", "2.0.0-beta.1", "beta")
	tags := func(path string) map[string]string {
		r := e.do("dist-tag", http.MethodGet, ep+"-/package/"+path+"/dist-tags", nil)
		var m map[string]string
		r.json(t, &m)
		if r.status != 200 {
			t.Fatalf("dist-tag ls: %d %s", r.status, r.body)
		}
		return m
	}
	if got := tags("@myscope%2fhello"); len(got) != 2 || got["latest"] != "1.0.0" || got["beta"] != "2.0.0-beta.1" {
		t.Errorf("ls: %v", got)
	}
	// npm dist-tag add: a JSON string body.
	r := e.do("dist-tag", http.MethodPut, ep+"-/package/@myscope%2fhello/dist-tags/stable", []byte(`"1.0.0"`))
	if r.status != 200 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	if got := tags("@myscope%2Fhello"); got["stable"] != "1.0.0" {
		t.Errorf("after add: %v", got)
	}
	if d := e.document(ep+"@myscope%2fhello", "@myscope/hello", corgi); d.DistTags["stable"] != "1.0.0" {
		t.Errorf("document after add: %v", d.DistTags)
	}
	// Moving latest.
	e.do("dist-tag", http.MethodPut, ep+"-/package/@myscope%2fhello/dist-tags/latest", []byte(`"2.0.0-beta.1"`))
	if got := tags("@myscope/hello"); got["latest"] != "2.0.0-beta.1" {
		t.Errorf("latest not moved: %v", got)
	}
	for _, tc := range []struct {
		method, tag string
		body        string
		status      int
		says        string
	}{
		{http.MethodDelete, "stable", "", 200, ""},
		{http.MethodDelete, "stable", "", 404, "not set"},
		{http.MethodDelete, "latest", "", 400, "cannot be removed"},
		{http.MethodPut, "1.x", `"1.0.0"`, 400, "SemVer range"},
		{http.MethodPut, "next", `"9.9.9"`, 404, "not found"},
		{http.MethodPut, "next", `1.0.0`, 400, "JSON string"},
	} {
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		r := e.do("dist-tag", tc.method, ep+"-/package/@myscope%2fhello/dist-tags/"+tc.tag, body)
		if r.status != tc.status || (tc.says != "" && !strings.Contains(r.errorMessage(t), tc.says)) {
			t.Errorf("%s %s %s: %d %s; want %d saying %q", tc.method, tc.tag, tc.body, r.status, r.body, tc.status, tc.says)
		}
	}
	if got := tags("@myscope%2fhello"); len(got) != 2 || got["stable"] != "" {
		t.Errorf("after rm: %v", got)
	}
	if r := e.do("dist-tag", http.MethodGet, ep+"-/package/nothing/dist-tags", nil); r.status != 404 {
		t.Errorf("dist-tags of an unknown package: %d", r.status)
	}

	// At most npm.MaxDistTags: one more is refused, moving one is not.
	for i := len(tags("@myscope%2fhello")); i < npm.MaxDistTags; i++ {
		if r := e.do("dist-tag", http.MethodPut, ep+"-/package/@myscope%2fhello/dist-tags/t"+strconv.Itoa(i), []byte(`"1.0.0"`)); r.status != 200 {
			t.Fatalf("add tag %d: %d %s", i, r.status, r.body)
		}
	}
	r = e.do("dist-tag", http.MethodPut, ep+"-/package/@myscope%2fhello/dist-tags/one-more", []byte(`"1.0.0"`))
	if r.status != 400 || r.header.Get("Content-Type") != "application/json" || !strings.Contains(r.errorMessage(t), "most a package can have") {
		t.Errorf("tag beyond the limit: %d %s", r.status, r.body)
	}
	if r := e.do("dist-tag", http.MethodPut, ep+"-/package/@myscope%2fhello/dist-tags/t5", []byte(`"2.0.0-beta.1"`)); r.status != 200 {
		t.Errorf("moving a tag at the limit: %d %s", r.status, r.body)
	}
	if got := tags("@myscope%2fhello"); len(got) != npm.MaxDistTags || got["one-more"] != "" || got["t5"] != "2.0.0-beta.1" {
		t.Errorf("tags at the limit: %d %v", len(got), got)
	}
}

func TestDeprecate(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.publish(ep, "hello", "1.0.0")
	e.publish(ep, "hello", "1.1.0")
	before := e.describe("my-repo", "hello", "1.0.0")

	// npm deprecate hello@1.0.0 "use 1.1": the document with ?write=true,
	// changed and sent back whole.
	deprecate := func(message string) {
		r := e.do("deprecate", http.MethodGet, ep+"hello?write=true", nil, "accept", fullJSON)
		var doc map[string]any
		r.json(t, &doc)
		doc["versions"].(map[string]any)["1.0.0"].(map[string]any)["deprecated"] = message
		body, _ := json.Marshal(doc)
		if r := e.do("deprecate", http.MethodPut, ep+"hello", body); r.status != 200 {
			t.Fatalf("deprecate: %d %s", r.status, r.body)
		}
	}
	deprecate("use 1.1")
	d := e.document(ep+"hello", "hello", corgi)
	if d.Versions["1.0.0"]["deprecated"] != "use 1.1" || d.Versions["1.1.0"]["deprecated"] != nil {
		t.Errorf("after deprecate: %v", d.Versions)
	}
	after := e.describe("my-repo", "hello", "1.0.0")
	if *after.Revision == *before.Revision || !after.PublishedTime.Equal(*before.PublishedTime) {
		t.Errorf("revision %s -> %s, published %v -> %v", *before.Revision, *after.Revision, before.PublishedTime, after.PublishedTime)
	}
	if v, _ := e.stored("my-repo", "hello", "1.0.0"); Deprecated(v) != "use 1.1" {
		t.Errorf("stored manifest: %s", v.Meta.Extra)
	}
	// npm deprecate hello@1.0.0 "": undeprecate.
	deprecate("")
	if d := e.document(ep+"hello", "hello", corgi); d.Versions["1.0.0"]["deprecated"] != nil {
		t.Errorf("after undeprecate: %v", d.Versions["1.0.0"])
	}
	// npm star sends the document back with "users".
	r := e.do("star", http.MethodPut, ep+"hello", []byte(`{"_id":"hello","_rev":"1-x","users":{"aws":true}}`))
	if r.status != 400 || !strings.Contains(r.errorMessage(t), "favorites") {
		t.Errorf("star: %d %s", r.status, r.body)
	}
}

// Deprecated reads a stored version's deprecation message.
func Deprecated(v store.Version) string { return npm.Deprecated(v.Meta.Extra) }

func TestStatuses(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	tarballs := map[string][]byte{}
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"} {
		tarballs[v] = e.publish(ep, "hello", v)
	}
	// The documents are cached; status changes show at once all the same.
	for _, accept := range []string{corgi, fullJSON} {
		if d := e.document(ep+"hello", "hello", accept); versionsOf(d) != "1.0.0 1.1.0 1.2.0 1.3.0" || d.DistTags["latest"] != "1.3.0" {
			t.Fatalf("before: %+v", d)
		}
	}
	e.setStatus("my-repo", "hello", "1.1.0", artifact.Unlisted)
	e.setStatus("my-repo", "hello", "1.2.0", artifact.Archived)
	e.setStatus("my-repo", "hello", "1.3.0", artifact.Disposed)

	for _, accept := range []string{corgi, fullJSON} {
		d := e.document(ep+"hello", "hello", accept)
		if versionsOf(d) != "1.0.0" || len(d.DistTags) != 1 || d.DistTags["latest"] != "1.0.0" {
			t.Errorf("%s: versions %s, dist-tags %v (latest was 1.3.0)", accept, versionsOf(d), d.DistTags)
		}
	}
	for v, want := range map[string]int{"1.0.0": 200, "1.1.0": 200, "1.2.0": 404, "1.3.0": 404, "9.0.0": 404} {
		r := e.do("ci", http.MethodGet, ep+"hello/-/hello-"+v+".tgz", nil)
		if r.status != want || (want == 200 && !bytes.Equal(r.body, tarballs[v])) {
			t.Errorf("tarball %s: %d, want %d", v, r.status, want)
		}
		if want == 404 {
			r.errorMessage(t)
		}
	}
	// An archived version is still in the repository: it cannot be published again.
	doc := publication("hello", "1.2.0", tgz(t, "hello", "1.2.0"))
	if r := e.do("publish", http.MethodPut, ep+"hello", doc.body()); r.status != 409 {
		t.Errorf("publishing an archived version again: %d %s", r.status, r.body)
	}
	// Back to Published: listed again, and latest falls back to the highest.
	e.setStatus("my-repo", "hello", "1.1.0", artifact.Published)
	e.setStatus("my-repo", "hello", "1.2.0", artifact.Published)
	if d := e.document(ep+"hello", "hello", corgi); versionsOf(d) != "1.0.0 1.1.0 1.2.0" || d.DistTags["latest"] != "1.2.0" {
		t.Errorf("after republishing statuses: versions %s, dist-tags %v", versionsOf(d), d.DistTags)
	}
}

func TestUpstreams(t *testing.T) {
	e := newEnv(t)
	upEP := e.repo("upstream-repo")
	ep := e.repo("my-repo", "upstream-repo")
	// A package published to a repository blocks upstream versions by
	// default; this one takes both (User Guide, "npm tags and upstream
	// repositories").
	if _, err := e.ca.PutPackageOriginConfiguration(e.ctx, &codeartifact.PutPackageOriginConfigurationInput{
		Domain: aws.String(domain), Repository: aws.String("my-repo"), Format: types.PackageFormatNpm, Package: aws.String("web-helper"),
		Restrictions: &types.PackageOriginRestrictions{Publish: types.AllowPublishAllow, Upstream: types.AllowUpstreamAllow}}); err != nil {
		t.Fatal(err)
	}
	e.publish(ep, "web-helper", "1.0.0")
	up := e.publish(upEP, "web-helper", "1.0.1", "alpha")

	d := e.document(ep+"web-helper", "web-helper", fullJSON)
	if versionsOf(d) != "1.0.0 1.0.1" || d.DistTags["latest"] != "1.0.0" || d.DistTags["alpha"] != "1.0.1" {
		t.Errorf("merged: versions %s, tags %v", versionsOf(d), d.DistTags)
	}
	if d.tarball("1.0.1") != ep+"web-helper/-/web-helper-1.0.1.tgz" {
		t.Errorf("an upstream version's tarball URL = %s", d.tarball("1.0.1"))
	}
	// The same tag in both: the upstream's wins.
	if r := e.do("dist-tag", http.MethodPut, upEP+"-/package/web-helper/dist-tags/latest", []byte(`"1.0.1"`)); r.status != 200 {
		t.Fatalf("dist-tag in upstream: %d %s", r.status, r.body)
	}
	r := e.do("dist-tag", http.MethodGet, ep+"-/package/web-helper/dist-tags", nil)
	var tags map[string]string
	r.json(t, &tags)
	if tags["latest"] != "1.0.1" {
		t.Errorf("latest = %v, want the upstream's 1.0.1", tags)
	}
	// A version reachable upstream cannot be published here.
	doc := publication("web-helper", "1.0.1", tgz(t, "web-helper", "1.0.1"))
	if r := e.do("publish", http.MethodPut, ep+"web-helper", doc.body()); r.status != 409 || !strings.Contains(r.errorMessage(t), "upstream") {
		t.Errorf("publish of an upstream version: %d %s", r.status, r.body)
	}
	// Downloading it through this repository retains it here.
	if _, err := e.stored("my-repo", "web-helper", "1.0.1"); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("retained before download: %v", err)
	}
	if r := e.do("install", http.MethodGet, d.tarball("1.0.1"), nil); r.status != 200 || !bytes.Equal(r.body, up) {
		t.Fatalf("tarball through downstream: %d", r.status)
	}
	v, err := e.stored("my-repo", "web-helper", "1.0.1")
	if err != nil || len(v.Assets) != 1 || v.Origin.Repository != "upstream-repo" {
		t.Errorf("retained: %+v, %v", v, err)
	}
}

func TestRetention(t *testing.T) {
	e := newEnv(t)
	upEP := e.repo("upstream-repo")
	ep := e.repo("my-repo", "upstream-repo")
	data := e.publish(upEP, "@myscope/lib", "1.0.0")
	e.publish(upEP, "@myscope/lib", "1.1.0")

	// The downstream repository serves the upstream's package.
	d := e.document(ep+"@myscope%2flib", "@myscope/lib", corgi)
	if versionsOf(d) != "1.0.0 1.1.0" || d.tarball("1.0.0") != ep+"@myscope/lib/-/lib-1.0.0.tgz" {
		t.Fatalf("downstream document: %+v", d)
	}
	r := e.do("install", http.MethodGet, d.tarball("1.0.0"), nil)
	if r.status != 200 || !bytes.Equal(r.body, data) {
		t.Fatalf("tarball: %d", r.status)
	}
	if _, err := e.stored("my-repo", "@myscope/lib", "1.0.0"); err != nil {
		t.Errorf("not retained after download: %v", err)
	}
	if _, err := e.stored("my-repo", "@myscope/lib", "1.1.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("1.1.0 retained without a download: %v", err)
	}
	// Tagging a version only upstream retains it, then tags it here.
	if r := e.do("dist-tag", http.MethodPut, ep+"-/package/@myscope%2flib/dist-tags/stable", []byte(`"1.1.0"`)); r.status != 200 {
		t.Fatalf("dist-tag add: %d %s", r.status, r.body)
	}
	if _, err := e.stored("my-repo", "@myscope/lib", "1.1.0"); err != nil {
		t.Errorf("not retained by dist-tag add: %v", err)
	}
	if d := e.document(ep+"@myscope%2flib", "@myscope/lib", corgi); d.DistTags["stable"] != "1.1.0" {
		t.Errorf("dist-tags %v", d.DistTags)
	}
}

func TestPingWhoamiAudit(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	for _, tc := range []struct {
		cmd, method, path string
		body              []byte
		headers           []string
		want              string
	}{
		{"ping", http.MethodGet, "-/ping", nil, nil, "{}\n"},
		{"ping", http.MethodGet, "-/ping?write=true", nil, nil, "{}\n"},
		{"whoami", http.MethodGet, "-/whoami", nil, nil, "{\"username\":\"aws\"}\n"},
		{"install", http.MethodPost, "-/npm/v1/security/advisories/bulk", gzipped(`{"hello":["1.0.0"]}`), []string{"content-encoding", "gzip"}, "{}\n"},
		{"audit", http.MethodPost, "-/npm/v1/security/audits/quick", gzipped(`{"name":"app","requires":{}}`), []string{"content-encoding", "gzip"}, "{}\n"},
	} {
		r := e.do(tc.cmd, tc.method, ep+tc.path, tc.body, tc.headers...)
		if r.status != 200 || string(r.body) != tc.want || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, r.status, r.body)
		}
	}
}

func gzipped(s string) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte(s))
	w.Close()
	return buf.Bytes()
}

func TestUnsupportedAndUnknown(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.publish(ep, "@myscope/hello", "1.0.0")
	for _, tc := range []struct {
		cmd, method, path string
		status            int
		says              string
		allow             string
	}{
		{"unpublish", http.MethodDelete, "@myscope%2fhello/-rev/undefined", 405, "delete-package-versions", "GET, HEAD"},
		{"unpublish", http.MethodPut, "@myscope%2fhello/-rev/1-abc", 405, "delete-package-versions", "GET, HEAD"},
		{"unpublish", http.MethodDelete, "@myscope/hello/-/hello-1.0.0.tgz/-rev/1-abc", 405, "delete-package-versions", "GET, HEAD"},
		{"search", http.MethodGet, "-/v1/search?text=hello&size=20", 400, "list-packages", ""},
		{"adduser", http.MethodPut, "-/user/org.couchdb.user:bob", 400, "user model", ""},
		{"login", http.MethodPost, "-/v1/login", 400, "authentication model", ""},
		{"logout", http.MethodDelete, "-/user/token/abc", 400, "12 hours", ""},
		{"owner", http.MethodGet, "-/user/org.couchdb.user:bob", 400, "user model", ""},
		{"access", http.MethodGet, "-/package/@myscope%2fhello/collaborators", 400, "permission model", ""},
		{"access", http.MethodGet, "-/org/aws/package", 400, "permission model", ""},
		{"team", http.MethodGet, "-/org/myorg/team", 400, "group membership", ""},
		{"token", http.MethodGet, "-/npm/v1/tokens", 400, "authentication tokens", ""},
		{"profile", http.MethodGet, "-/npm/v1/user", 400, "user model", ""},
		{"hook", http.MethodGet, "-/npm/v1/hooks", 400, "change notification", ""},
		{"stars", http.MethodGet, "-/_view/starredByUser?key=%22aws%22", 400, "favorites", ""},
		{"install", http.MethodPost, "@myscope%2fhello", 405, "not supported", "GET, PUT"},
		{"install", http.MethodGet, "-/nothing", 404, "Not found", ""},
		{"install", http.MethodGet, "nope", 404, "not found", ""},
		{"install", http.MethodGet, "nope/-/nope-1.0.0.tgz", 404, "not found", ""},
		{"install", http.MethodGet, "@myscope%2fhello/-/other-1.0.0.tgz", 404, "not a tarball", ""},
		{"install", http.MethodGet, "%2e%2e", 404, "period", ""},
		{"install", http.MethodGet, "@myscope%2fhello/9.9.9", 404, "not found", ""},
	} {
		r := e.do(tc.cmd, tc.method, ep+tc.path, nil)
		if r.status != tc.status || !strings.Contains(r.errorMessage(t), tc.says) || r.header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d %v %s; want %d saying %q", tc.method, tc.path, r.status, r.header.Get("Allow"), r.body, tc.status, tc.says)
		}
	}
	// npm asks twice for a package that is not there (docs/CLIENTS.md §4.1).
	for _, accept := range []string{corgi, fullJSON} {
		if r := e.packument(ep+"npm", "npm", accept); r.status != 404 || r.errorMessage(t) == "" {
			t.Errorf("GET npm (%s): %d %s", accept, r.status, r.body)
		}
	}
}

func TestExternalConnection(t *testing.T) {
	reg := upstreamtest.NewNPM(t)
	reg.AddPackage("left-pad", 3)
	reg.SetTag("left-pad", "beta", "1.1.0")
	e := newEnv(t, func(c *config.Config) { c.ExternalConnections["public:npmjs"] = reg.URL })
	e.repo("npm-store")
	if _, err := e.ca.AssociateExternalConnection(e.ctx, &codeartifact.AssociateExternalConnectionInput{
		Domain: aws.String(domain), Repository: aws.String("npm-store"), ExternalConnection: aws.String("public:npmjs")}); err != nil {
		t.Fatal(err)
	}
	ep := e.repo("my-repo", "npm-store")

	for _, accept := range []string{corgi, fullJSON} {
		r := e.packument(ep+"left-pad", "left-pad", accept)
		var d document
		r.json(t, &d)
		if r.status != 200 || versionsOf(d) != "1.0.0 1.1.0 1.2.0" || d.DistTags["latest"] != "1.2.0" || d.DistTags["beta"] != "1.1.0" {
			t.Fatalf("%s: %d %s", accept, r.status, r.body)
		}
		if d.tarball("1.2.0") != ep+"left-pad/-/left-pad-1.2.0.tgz" || strings.Contains(string(r.body), reg.URL) {
			t.Errorf("%s: the public registry's tarball URLs leak: %s", accept, r.body)
		}
	}
	// The first download ingests the tarball through the connection and
	// retains it here and in the repository holding the connection.
	want := reg.Tarball("left-pad", "1.2.0")
	for range 2 {
		if r := e.do("install", http.MethodGet, ep+"left-pad/-/left-pad-1.2.0.tgz", nil); r.status != 200 || !bytes.Equal(r.body, want) {
			t.Fatalf("tarball: %d, %d bytes", r.status, len(r.body))
		}
	}
	if n := reg.Tarballs("left-pad", "1.2.0"); n != 1 {
		t.Errorf("the registry was asked %d times for the tarball", n)
	}
	for _, repo := range []string{"my-repo", "npm-store"} {
		if d := e.describe(repo, "left-pad", "1.2.0"); d.Origin == nil || d.Origin.OriginType != types.PackageVersionOriginTypeExternal {
			t.Errorf("%s: %+v", repo, d)
		}
	}
	// Now stored: the document's digests are those of the stored bytes.
	d := e.document(ep+"left-pad", "left-pad", fullJSON)
	s512 := sha512.Sum512(want)
	if dist := d.Versions["1.2.0"]["dist"].(map[string]any); dist["integrity"] != "sha512-"+base64.StdEncoding.EncodeToString(s512[:]) || dist["tarball"] != ep+"left-pad/-/left-pad-1.2.0.tgz" {
		t.Errorf("dist after ingestion: %v", dist)
	}
}
