package pypi_test

// In-process scenarios of the PyPI surface (tier 3 of ARCHITECTURE.md): a
// full server, domains, repositories and statuses handled with
// aws-sdk-go-v2, a token from GetAuthorizationToken, uploads built byte for
// byte as twine 4 sends them (docs/CLIENTS.md §4.5) and index requests with the
// headers pip 23 sends (§4.4). The stored state is checked through the
// control plane.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/archive/archivetest"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

const domain = "my-domain"

// pip's Accept header for project pages (docs/CLIENTS.md §4.4).
const (
	pipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
	htmlOnly  = "text/html"
)

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
	return &env{s: s, t: t, ctx: t.Context(), ca: s.CA, token: s.Token, http: s.HTTP}
}

// repo creates a repository and returns its PyPI endpoint, as login gets it.
func (e *env) repo(name string, upstreams ...string) string {
	e.t.Helper()
	return e.s.Repository(name, types.PackageFormatPypi, upstreams...)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", r.status, err, r.body)
	}
}

// do sends a request as pip and twine do: Basic aws:TOKEN up front.
func (e *env) do(method, url, contentType string, body []byte, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, url, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth("aws", e.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r := e.s.Send(req)
	return response{status: r.Status, header: r.Header, body: r.Body}
}

func (e *env) get(url string, headers ...string) response {
	e.t.Helper()
	return e.do(http.MethodGet, url, "", nil, append([]string{"User-Agent", "pip/23.2.1", "Accept-Encoding", "identity"}, headers...)...)
}

// upload sends a file as twine upload does.
func (e *env) upload(ep, filename string, data []byte, values map[string]string, extra ...[2]string) response {
	e.t.Helper()
	ct, body := twineBody(filename, data, values, extra...)
	return e.do(http.MethodPost, ep, ct, body, "User-Agent", "twine/4.0.2 CPython/3.11.2")
}

// uploadDist builds d's wheel and sdist and uploads both, failing the test
// unless they are accepted; it returns the files by name.
func (e *env) uploadDist(ep string, d upstreamtest.PyPIDist) map[string][]byte {
	e.t.Helper()
	files := map[string][]byte{}
	wn, wheel := upstreamtest.PyPIWheel(d)
	sn, sdist := upstreamtest.PyPISdist(d)
	files[wn], files[sn] = wheel, sdist
	for _, name := range []string{wn, sn} {
		ft := "bdist_wheel"
		if name == sn {
			ft = "sdist"
		}
		if r := e.upload(ep, name, files[name], map[string]string{"name": d.Name, "version": d.Version, "filetype": ft, "summary": d.Summary}); r.status != http.StatusOK {
			e.t.Fatalf("upload %s: %d %s", name, r.status, r.body)
		}
	}
	return files
}

// simplePage is a PEP 691 project page.
type simplePage struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name  string `json:"name"`
	Files []struct {
		Filename       string            `json:"filename"`
		URL            string            `json:"url"`
		Hashes         map[string]string `json:"hashes"`
		RequiresPython string            `json:"requires-python"`
		CoreMetadata   any               `json:"core-metadata"`
		Size           int64             `json:"size"`
	} `json:"files"`
	Versions []string `json:"versions"`
}

func (p simplePage) names() string {
	var s []string
	for _, f := range p.Files {
		s = append(s, f.Filename)
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

// page GETs a project page as pip does, JSON.
func (e *env) page(ep, project string) simplePage {
	e.t.Helper()
	r := e.get(ep+"simple/"+project+"/", "Accept", pipAccept)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/vnd.pypi.simple.v1+json" {
		e.t.Fatalf("GET simple/%s/: %d %s %s", project, r.status, r.header.Get("Content-Type"), r.body)
	}
	var p simplePage
	r.json(e.t, &p)
	return p
}

// resolveURL resolves a relative URL against a page URL.
func resolveURL(page, rel string) string {
	for strings.HasPrefix(rel, "../") {
		page = page[:strings.LastIndex(strings.TrimSuffix(page, "/"), "/")+1]
		rel = rel[3:]
	}
	return page + rel
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (e *env) setStatus(repo, project, version string, status types.PackageVersionStatus) {
	e.t.Helper()
	var failed map[string]types.PackageVersionError
	if status == types.PackageVersionStatusDisposed {
		out, err := e.ca.DisposePackageVersions(e.ctx, &codeartifact.DisposePackageVersionsInput{Domain: aws.String(domain),
			Repository: aws.String(repo), Format: types.PackageFormatPypi, Package: aws.String(project), Versions: []string{version}})
		if err != nil {
			e.t.Fatal(err)
		}
		failed = out.FailedVersions
	} else {
		out, err := e.ca.UpdatePackageVersionsStatus(e.ctx, &codeartifact.UpdatePackageVersionsStatusInput{Domain: aws.String(domain),
			Repository: aws.String(repo), Format: types.PackageFormatPypi, Package: aws.String(project), Versions: []string{version},
			TargetStatus: status})
		if err != nil {
			e.t.Fatal(err)
		}
		failed = out.FailedVersions
	}
	if len(failed) > 0 {
		e.t.Fatalf("status of %s %s -> %s: %v", project, version, status, failed)
	}
}

func (e *env) describe(repo, project, version string) (*types.PackageVersionDescription, error) {
	out, err := e.ca.DescribePackageVersion(e.ctx, &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain),
		Repository: aws.String(repo), Format: types.PackageFormatPypi, Package: aws.String(project), PackageVersion: aws.String(version)})
	if err != nil {
		return nil, err
	}
	return out.PackageVersion, nil
}

func (e *env) assets(repo, project, version string) []string {
	e.t.Helper()
	out, err := e.ca.ListPackageVersionAssets(e.ctx, &codeartifact.ListPackageVersionAssetsInput{Domain: aws.String(domain),
		Repository: aws.String(repo), Format: types.PackageFormatPypi, Package: aws.String(project), PackageVersion: aws.String(version)})
	if err != nil {
		e.t.Fatalf("list-package-version-assets %s %s in %s: %v", project, version, repo, err)
	}
	var names []string
	for _, a := range out.Assets {
		names = append(names, *a.Name)
	}
	return names
}

// --- scenarios ---

func TestUploadAndInstall(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	hello := upstreamtest.PyPIDist{Name: "Hello_CA", Version: "1.0.0", Summary: "Hello, CodeArtifact", RequiresPython: ">=3.8",
		RequiresDist: []string{"requests (>=2.0)", "Typing_Extensions; python_version < '3.11'"},
		Classifiers:  []string{"License :: OSI Approved :: MIT License"}, Description: "# Hello\n\nThe readme.\n"}
	files := e.uploadDist(ep, hello)
	// A version written in a non-normal form is stored under its normal one.
	rc := upstreamtest.PyPIDist{Name: "Hello_CA", Version: "1.1.0.RC1", NoSdist: true}
	wn, wheel := upstreamtest.PyPIWheel(rc)
	if r := e.upload(ep, wn, wheel, map[string]string{"name": "hello-ca", "version": "1.1.0.RC1"}); r.status != http.StatusOK || string(r.body) != "OK\n" {
		t.Fatalf("upload %s: %d %s", wn, r.status, r.body)
	}

	// The control plane finds the project and version by any spelling.
	if d, err := e.describe("my-repo", "Hello_CA", "1.1.0.RC1"); err != nil || *d.Version != "1.1.0rc1" {
		t.Errorf("describe-package-version Hello_CA 1.1.0.RC1: %+v %v", d, err)
	}

	p := e.page(ep, "hello-ca")
	if p.Meta.APIVersion != "1.1" || p.Name != "hello-ca" || !slices.Equal(p.Versions, []string{"1.0.0", "1.1.0rc1"}) {
		t.Errorf("page %+v", p)
	}
	if got := p.names(); got != "Hello_CA-1.0.0-py3-none-any.whl Hello_CA-1.1.0.RC1-py3-none-any.whl hello_ca-1.0.0.tar.gz" {
		t.Errorf("files: %s", got)
	}
	pageURL := ep + "simple/hello-ca/"
	for _, f := range p.Files {
		if f.Filename == wn {
			if f.URL != "../../files/hello-ca/1.1.0rc1/"+wn {
				t.Errorf("url %s", f.URL)
			}
			continue
		}
		data := files[f.Filename]
		if f.Hashes["sha256"] != sha256Hex(data) || f.Size != int64(len(data)) || f.RequiresPython != ">=3.8" {
			t.Errorf("%s: %+v", f.Filename, f)
		}
		r := e.get(resolveURL(pageURL, f.URL))
		if r.status != http.StatusOK || !bytes.Equal(r.body, data) {
			t.Errorf("download %s: %d", f.URL, r.status)
		}
		if strings.HasSuffix(f.Filename, ".whl") {
			md := upstreamtest.PyPIMetadata(hello)
			if cm, _ := f.CoreMetadata.(map[string]any); cm["sha256"] != sha256Hex(md) {
				t.Errorf("core-metadata %v, want sha256 of METADATA", f.CoreMetadata)
			}
			if r := e.get(resolveURL(pageURL, f.URL) + ".metadata"); r.status != http.StatusOK || !bytes.Equal(r.body, md) {
				t.Errorf("the .metadata file: %d %q", r.status, r.body)
			}
		} else if f.CoreMetadata != false {
			t.Errorf("an sdist advertises metadata: %v", f.CoreMetadata)
		}
	}

	// HTML, for clients that ask for it.
	r := e.get(pageURL, "Accept", htmlOnly)
	html := string(r.body)
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" ||
		!strings.Contains(html, `<a href="../../files/hello-ca/1.0.0/hello_ca-1.0.0.tar.gz#sha256=`+sha256Hex(files["hello_ca-1.0.0.tar.gz"])+`" data-requires-python="&gt;=3.8">hello_ca-1.0.0.tar.gz</a>`) ||
		!strings.Contains(html, `data-dist-info-metadata="sha256=`+sha256Hex(upstreamtest.PyPIMetadata(hello))+`"`) {
		t.Errorf("HTML page: %d %s", r.status, html)
	}
	// Names that are not normal are redirected to the normal one.
	for _, path := range []string{"simple/Hello_CA/", "simple/hello.ca/", "simple/hello-ca"} {
		r := e.get(ep+path, "Accept", pipAccept)
		if r.status != http.StatusMovedPermanently || !strings.HasSuffix(ep, "/") || resolveURL(ep, "") == "" ||
			!strings.HasSuffix(r.header.Get("Location"), "/pypi/my-repo/simple/hello-ca/") {
			t.Errorf("GET %s: %d Location %q", path, r.status, r.header.Get("Location"))
		}
	}
	if r := e.get(ep+"simple/never-uploaded/", "Accept", pipAccept); r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("unknown project: %d %s", r.status, r.body)
	}
	if r := e.get(ep + "simple/"); r.status != 200 || !strings.Contains(string(r.body), `<a href="hello-ca/">hello-ca</a>`) {
		t.Errorf("project list: %d %s", r.status, r.body)
	}
	if r := e.get(ep+"simple/", "Accept", pipAccept); r.status != 200 || !strings.Contains(string(r.body), `{"name":"hello-ca"}`) {
		t.Errorf("project list, JSON: %d %s", r.status, r.body)
	}
	if r := e.get(ep + "simple"); r.status != http.StatusMovedPermanently || !strings.HasSuffix(r.header.Get("Location"), "/pypi/my-repo/simple/") {
		t.Errorf("simple without its slash: %d %v", r.status, r.header)
	}

	// The control plane.
	d, err := e.describe("my-repo", "hello-ca", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.DisplayName) != "Hello_CA" || aws.ToString(d.Summary) != "Hello, CodeArtifact" ||
		aws.ToString(d.HomePage) != "https://example.invalid/hello-ca" || len(d.Licenses) != 1 || aws.ToString(d.Licenses[0].Name) != "MIT" ||
		d.Status != types.PackageVersionStatusPublished || d.Origin.OriginType != types.PackageVersionOriginTypeInternal {
		t.Errorf("describe: %+v", d)
	}
	if got := e.assets("my-repo", "hello-ca", "1.0.0"); !slices.Equal(got, []string{"Hello_CA-1.0.0-py3-none-any.whl", "hello_ca-1.0.0.tar.gz"}) {
		t.Errorf("assets %v", got)
	}
	deps, err := e.ca.ListPackageVersionDependencies(e.ctx, &codeartifact.ListPackageVersionDependenciesInput{Domain: aws.String(domain),
		Repository: aws.String("my-repo"), Format: types.PackageFormatPypi, Package: aws.String("hello-ca"), PackageVersion: aws.String("1.0.0")})
	if err != nil || len(deps.Dependencies) != 2 || aws.ToString(deps.Dependencies[1].Package) != "typing-extensions" ||
		aws.ToString(deps.Dependencies[0].DependencyType) != "Requires-Dist" || aws.ToString(deps.Dependencies[0].VersionRequirement) != ">=2.0" {
		t.Errorf("dependencies: %+v %v", deps, err)
	}
	readme, err := e.ca.GetPackageVersionReadme(e.ctx, &codeartifact.GetPackageVersionReadmeInput{Domain: aws.String(domain),
		Repository: aws.String("my-repo"), Format: types.PackageFormatPypi, Package: aws.String("hello-ca"), PackageVersion: aws.String("1.0.0")})
	if err != nil || aws.ToString(readme.Readme) != hello.Description {
		t.Errorf("readme %q %v", aws.ToString(readme.Readme), err)
	}
	if d, err := e.describe("my-repo", "hello-ca", "1.1.0rc1"); err != nil || aws.ToString(d.Version) != "1.1.0rc1" {
		t.Errorf("the normalised version: %+v %v", d, err)
	}

	// The JSON API.
	var doc struct {
		Info struct {
			Name, Version, Summary, License string
			RequiresPython                  string `json:"requires_python"`
			Description                     string
		}
		Releases map[string][]struct {
			Filename, URL string
			Digests       map[string]string
			PackageType   string `json:"packagetype"`
		}
		URLs []struct{ Filename string }
	}
	r = e.get(ep + "pypi/Hello_CA/json")
	r.json(t, &doc)
	if r.status != 200 || doc.Info.Name != "Hello_CA" || doc.Info.Version != "1.0.0" || doc.Info.RequiresPython != ">=3.8" ||
		len(doc.Releases) != 2 || len(doc.URLs) != 2 || doc.Info.Description != hello.Description {
		t.Errorf("JSON API: %d %s", r.status, r.body)
	}
	for _, f := range doc.Releases["1.0.0"] {
		if f.URL != ep+"files/hello-ca/1.0.0/"+f.Filename || f.Digests["sha256"] != sha256Hex(files[f.Filename]) {
			t.Errorf("JSON API file %+v", f)
		}
	}
	r = e.get(ep + "pypi/hello-ca/1.1.0.RC1/json")
	doc.Releases, doc.URLs = nil, nil
	r.json(t, &doc)
	if r.status != 200 || doc.Info.Version != "1.1.0.RC1" || len(doc.URLs) != 1 || doc.Releases != nil {
		t.Errorf("JSON API version: %d %s", r.status, r.body)
	}
	if r := e.get(ep + "pypi/hello-ca/9.9/json"); r.status != 404 {
		t.Errorf("JSON API, unknown version: %d", r.status)
	}
}

func TestUploadRefused(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	d := upstreamtest.PyPIDist{Name: "hello-ca", Version: "1.0.0"}
	files := e.uploadDist(ep, d)
	wn := upstreamtest.PyPIWheelName(d)
	fields := map[string]string{"name": "hello-ca", "version": "1.0.0"}

	// The same bytes again: accepted, nothing changes.
	before, _ := e.describe("my-repo", "hello-ca", "1.0.0")
	if r := e.upload(ep, wn, files[wn], fields); r.status != http.StatusOK || !strings.Contains(string(r.body), "already exists in my-repo with the same content; nothing changed") {
		t.Errorf("the same file again: %d %s", r.status, r.body)
	}
	if after, _ := e.describe("my-repo", "hello-ca", "1.0.0"); aws.ToString(after.Revision) != aws.ToString(before.Revision) {
		t.Errorf("the same file again changed the revision")
	}
	// Other bytes under the same name: 409 (twine --skip-existing skips it).
	_, other := upstreamtest.PyPIWheel(upstreamtest.PyPIDist{Name: "hello-ca", Version: "1.0.0", Summary: "changed"})
	if r := e.upload(ep, wn, other, fields); r.status != http.StatusConflict || !strings.Contains(string(r.body), "already exists") {
		t.Errorf("other bytes: %d %s", r.status, r.body)
	}

	_, v2 := upstreamtest.PyPIWheel(upstreamtest.PyPIDist{Name: "hello-ca", Version: "2.0"})
	v2name := "hello_ca-2.0-py3-none-any.whl"
	_, mismatch := upstreamtest.PyPIWheel(upstreamtest.PyPIDist{Name: "other", Version: "2.0"})
	for name, c := range map[string]struct {
		file   string
		data   []byte
		values map[string]string
		status int
	}{
		"sha256 mismatch":     {v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0", "sha256_digest": strings.Repeat("0", 64)}, 400},
		"md5 mismatch":        {v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0", "md5_digest": strings.Repeat("0", 32)}, 400},
		"blake2 mismatch":     {v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0", "blake2_256_digest": strings.Repeat("0", 64)}, 400},
		"file of another":     {"other-2.0-py3-none-any.whl", v2, map[string]string{"name": "hello-ca", "version": "2.0"}, 400},
		"file of another ver": {v2name, v2, map[string]string{"name": "hello-ca", "version": "2.1"}, 400},
		"metadata of another": {v2name, mismatch, map[string]string{"name": "hello-ca", "version": "2.0"}, 400},
		"not a wheel":         {v2name, []byte("not a zip"), map[string]string{"name": "hello-ca", "version": "2.0"}, 400},
		"no action":           {v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0", ":action": ""}, 400},
		"other action":        {v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0", ":action": "doc_upload"}, 400},
		"bad version":         {v2name, v2, map[string]string{"name": "hello-ca", "version": "two"}, 400},
		"bad name":            {v2name, v2, map[string]string{"name": "-hello", "version": "2.0"}, 400},
		"wrong filetype":      {v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0", "filetype": "sdist"}, 400},
		"egg":                 {"hello_ca-2.0-py3.11.egg", v2, map[string]string{"name": "hello-ca", "version": "2.0"}, 400},
		// A file name with path parts is refused, not cut to its last part.
		"dot-dot path":   {"../../" + v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0"}, 400},
		"directory path": {"a/" + v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0"}, 400},
		"windows path":   {`a\` + v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0"}, 400},
	} {
		if r := e.upload(ep, c.file, c.data, c.values); r.status != c.status || len(r.body) == 0 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s: %d %s %s, want %d", name, r.status, r.header.Get("Content-Type"), r.body, c.status)
		}
	}
	if _, err := e.describe("my-repo", "hello-ca", "2.0"); err == nil {
		t.Error("a refused upload created version 2.0")
	}
	if r := e.do(http.MethodPost, ep, "application/json", []byte("{}")); r.status != 400 {
		t.Errorf("not multipart: %d %s", r.status, r.body)
	}
	// An upload to the index URL instead of the repository URL.
	ct, body := twineBody(v2name, v2, map[string]string{"name": "hello-ca", "version": "2.0"})
	if r := e.do(http.MethodPost, ep+"simple/", ct, body); r.status != http.StatusMethodNotAllowed || !strings.Contains(string(r.body), ep) {
		t.Errorf("upload to simple/: %d %s", r.status, r.body)
	}
	// Without the token: 401 with a Basic challenge.
	req, _ := http.NewRequest(http.MethodGet, ep+"simple/hello-ca/", nil)
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("anonymous: %d %v", resp.StatusCode, resp.Header)
	}
}

// Files of one version uploaded at the same time all end up in it, each
// with its own attributes (CI jobs upload wheels in parallel).
func TestConcurrentUploadsOfOneVersion(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	var wg sync.WaitGroup
	want := map[string][]byte{}
	var mu sync.Mutex
	for i := range 8 {
		d := upstreamtest.PyPIDist{Name: "par", Version: "1.0", RequiresPython: ">=3." + string(rune('0'+i)), NoSdist: true}
		name, data := upstreamtest.PyPIWheel(d)
		name = strings.Replace(name, "py3-none-any", "cp3"+string(rune('0'+i))+"-none-any", 1)
		mu.Lock()
		want[name] = data
		mu.Unlock()
		wg.Go(func() {
			if r := e.upload(ep, name, data, map[string]string{"name": "par", "version": "1.0"}); r.status != 200 {
				t.Errorf("upload %s: %d %s", name, r.status, r.body)
			}
		})
	}
	wg.Wait()
	p := e.page(ep, "par")
	if len(p.Files) != 8 {
		t.Fatalf("%d files listed: %s", len(p.Files), p.names())
	}
	for _, f := range p.Files {
		if f.RequiresPython == "" || f.CoreMetadata == false || f.Hashes["sha256"] != sha256Hex(want[f.Filename]) {
			t.Errorf("%+v", f)
		}
	}
}

func TestStatuses(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	files := map[string][]byte{}
	for _, v := range []string{"1.0", "1.1", "1.2", "1.3"} {
		for n, b := range e.uploadDist(ep, upstreamtest.PyPIDist{Name: "st", Version: v}) {
			files[n] = b
		}
	}
	if p := e.page(ep, "st"); len(p.Versions) != 4 {
		t.Fatalf("before: %+v", p.Versions)
	}
	e.setStatus("my-repo", "st", "1.1", types.PackageVersionStatusUnlisted)
	e.setStatus("my-repo", "st", "1.2", types.PackageVersionStatusArchived)
	e.setStatus("my-repo", "st", "1.3", types.PackageVersionStatusDisposed)
	// Pages are cached; a status change shows at once all the same.
	if p := e.page(ep, "st"); !slices.Equal(p.Versions, []string{"1.0"}) || p.names() != "st-1.0-py3-none-any.whl st-1.0.tar.gz" {
		t.Errorf("after: versions %v, files %s", p.Versions, p.names())
	}
	if r := e.get(ep+"simple/st/", "Accept", htmlOnly); strings.Contains(string(r.body), "st-1.1") {
		t.Errorf("HTML lists an unlisted version: %s", r.body)
	}
	for v, want := range map[string]int{"1.0": 200, "1.1": 200, "1.2": 404, "1.3": 404} {
		for _, f := range []string{"st-" + v + ".tar.gz", "st-" + v + "-py3-none-any.whl"} {
			r := e.get(ep + "files/st/" + v + "/" + f)
			if r.status != want || (want == 200 && !bytes.Equal(r.body, files[f])) {
				t.Errorf("download %s: %d, want %d", f, r.status, want)
			}
		}
		if r := e.get(ep + "pypi/st/" + v + "/json"); r.status != want {
			t.Errorf("JSON API %s: %d, want %d", v, r.status, want)
		}
	}
	// An archived version is still there: files cannot be added to it.
	_, w := upstreamtest.PyPIWheel(upstreamtest.PyPIDist{Name: "st", Version: "1.2"})
	if r := e.upload(ep, "st-1.2-py2-none-any.whl", w, map[string]string{"name": "st", "version": "1.2"}); r.status != http.StatusConflict {
		t.Errorf("a file for an archived version: %d %s", r.status, r.body)
	}
	e.setStatus("my-repo", "st", "1.1", types.PackageVersionStatusPublished)
	if p := e.page(ep, "st"); !slices.Equal(p.Versions, []string{"1.0", "1.1"}) {
		t.Errorf("republished: %v", p.Versions)
	}
}

func TestPageETagAndGzip(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	for _, v := range []string{"1.0", "1.1", "1.2"} {
		e.uploadDist(ep, upstreamtest.PyPIDist{Name: "big", Version: v})
	}
	url := ep + "simple/big/"
	plain := e.get(url, "Accept", pipAccept)
	gz := e.get(url, "Accept", pipAccept, "Accept-Encoding", "gzip, deflate")
	if gz.header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gz.body, plain.body) || plain.header.Get("Content-Encoding") != "" {
		t.Errorf("gzip: %v / %v", gz.header, plain.header)
	}
	etag := plain.header.Get("ETag")
	if r := e.get(url, "Accept", pipAccept, "If-None-Match", etag); r.status != http.StatusNotModified {
		t.Errorf("revalidation: %d", r.status)
	}
	if r := e.get(url, "Accept", htmlOnly, "If-None-Match", etag); r.status != 200 || r.header.Get("ETag") == etag {
		t.Errorf("the HTML page has its own ETag: %d %s", r.status, r.header.Get("ETag"))
	}
	if r := e.do(http.MethodHead, url, "", nil, "Accept", pipAccept); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD: %d", r.status)
	}
	e.uploadDist(ep, upstreamtest.PyPIDist{Name: "big", Version: "1.3"})
	if r := e.get(url, "Accept", pipAccept, "If-None-Match", etag); r.status != 200 {
		t.Errorf("after an upload the old ETag still matches: %d", r.status)
	}
	// A file: its SHA-256 is its ETag, and ranges work (sendfile).
	f := e.get(ep + "files/big/1.0/big-1.0.tar.gz")
	if f.header.Get("ETag") != `"`+sha256Hex(f.body)+`"` {
		t.Errorf("file ETag %s", f.header.Get("ETag"))
	}
	if r := e.get(ep+"files/big/1.0/big-1.0.tar.gz", "Range", "bytes=0-9"); r.status != http.StatusPartialContent || len(r.body) != 10 {
		t.Errorf("range: %d %d", r.status, len(r.body))
	}
}

func TestUpstreams(t *testing.T) {
	e := newEnv(t)
	up := e.repo("upstream")
	down := e.repo("downstream", "upstream")
	files := e.uploadDist(up, upstreamtest.PyPIDist{Name: "shared", Version: "1.0"})
	e.uploadDist(down, upstreamtest.PyPIDist{Name: "mine", Version: "1.0"})

	if p := e.page(down, "shared"); p.names() != "shared-1.0-py3-none-any.whl shared-1.0.tar.gz" {
		t.Fatalf("downstream page: %s", p.names())
	}
	if r := e.get(down + "simple/"); !strings.Contains(string(r.body), "shared/") || !strings.Contains(string(r.body), "mine/") {
		t.Errorf("project list through the upstream: %s", r.body)
	}
	// Metadata is read without retaining; a download retains.
	if r := e.get(down + "files/shared/1.0/shared-1.0-py3-none-any.whl.metadata"); r.status != 200 {
		t.Errorf("metadata through the upstream: %d", r.status)
	}
	if _, err := e.describe("downstream", "shared", "1.0"); err == nil {
		t.Error("reading metadata retained the version")
	}
	if r := e.get(down + "files/shared/1.0/shared-1.0.tar.gz"); r.status != 200 || !bytes.Equal(r.body, files["shared-1.0.tar.gz"]) {
		t.Fatalf("download through the upstream: %d", r.status)
	}
	if d, err := e.describe("downstream", "shared", "1.0"); err != nil || d.Origin.OriginType != types.PackageVersionOriginTypeInternal {
		t.Fatalf("retained: %+v %v", d, err)
	}
	// Retained versions survive the upstream's deletion.
	if _, err := e.ca.DeletePackageVersions(e.ctx, &codeartifact.DeletePackageVersionsInput{Domain: aws.String(domain), Repository: aws.String("upstream"),
		Format: types.PackageFormatPypi, Package: aws.String("shared"), Versions: []string{"1.0"}}); err != nil {
		t.Fatal(err)
	}
	if r := e.get(down + "files/shared/1.0/shared-1.0-py3-none-any.whl"); r.status != 200 {
		t.Errorf("retained wheel after the upstream deleted it: %d %s", r.status, r.body)
	}
	// A version reachable upstream cannot be uploaded downstream.
	e.uploadDist(up, upstreamtest.PyPIDist{Name: "other", Version: "2.0"})
	_, w := upstreamtest.PyPIWheel(upstreamtest.PyPIDist{Name: "other", Version: "2.0"})
	if r := e.upload(down, "other-2.0-py2-none-any.whl", w, map[string]string{"name": "other", "version": "2.0"}); r.status != http.StatusConflict {
		t.Errorf("uploading a version the upstream has: %d %s", r.status, r.body)
	}
}

func TestExternalConnection(t *testing.T) {
	idx := upstreamtest.NewPyPI(t)
	idx.Publish("Tiny_Lib", upstreamtest.PyPIDist{Version: "1.0.0", Summary: "A tiny library", RequiresDist: []string{"six>=1"}})
	idx.Publish("Tiny_Lib", upstreamtest.PyPIDist{Version: "1.1.0", RequiresPython: ">=3.9"})
	e := newEnv(t, func(c *config.Config) { c.ExternalConnections["public:pypi"] = idx.IndexURL })
	e.repo("pypi-store")
	if _, err := e.ca.AssociateExternalConnection(e.ctx, &codeartifact.AssociateExternalConnectionInput{
		Domain: aws.String(domain), Repository: aws.String("pypi-store"), ExternalConnection: aws.String("public:pypi")}); err != nil {
		t.Fatal(err)
	}
	ep := e.repo("my-repo", "pypi-store")

	if r := e.get(ep+"simple/Tiny_Lib/", "Accept", pipAccept); r.status != http.StatusMovedPermanently {
		t.Errorf("not the normal name: %d", r.status)
	}
	p := e.page(ep, "tiny-lib")
	if !slices.Equal(p.Versions, []string{"1.0.0", "1.1.0"}) || len(p.Files) != 4 {
		t.Fatalf("page through the connection: %+v", p)
	}
	for _, f := range p.Files {
		if !strings.HasPrefix(f.URL, "../../files/tiny-lib/") || f.Hashes["sha256"] != sha256Hex(idx.File(f.Filename)) || f.CoreMetadata != false {
			t.Errorf("%+v", f)
		}
		if strings.Contains(f.Filename, "1.1.0") && f.RequiresPython != ">=3.9" {
			t.Errorf("requires-python of %s: %q", f.Filename, f.RequiresPython)
		}
	}
	if strings.Contains(string(e.get(ep+"simple/tiny-lib/", "Accept", htmlOnly).body), idx.URL) {
		t.Error("the index's URLs leak into the page")
	}

	// Twenty concurrent first downloads of one wheel: one page, one
	// metadata file and one wheel requested from the index.
	wheel := "Tiny_Lib-1.0.0-py3-none-any.whl"
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if r := e.get(ep + "files/tiny-lib/1.0.0/" + wheel); r.status != 200 || !bytes.Equal(r.body, idx.File(wheel)) {
				t.Errorf("concurrent download: %d %s", r.status, r.body)
			}
		})
	}
	wg.Wait()
	if pages, md, files := idx.Pages("tiny-lib"), idx.MetadataRequests(wheel), idx.Downloads(wheel); pages != 1 || md != 1 || files != 1 {
		t.Errorf("index requests: %d pages, %d metadata, %d wheel; want 1 each", pages, md, files)
	}
	for _, repo := range []string{"my-repo", "pypi-store"} {
		d, err := e.describe(repo, "tiny-lib", "1.0.0")
		if err != nil || d.Origin.OriginType != types.PackageVersionOriginTypeExternal || aws.ToString(d.Summary) != "A tiny library" || aws.ToString(d.DisplayName) != "Tiny_Lib" {
			t.Errorf("%s: %+v %v", repo, d, err)
		}
		if got := e.assets(repo, "tiny-lib", "1.0.0"); !slices.Equal(got, []string{wheel}) {
			t.Errorf("%s holds %v; only the wheel was asked for", repo, got)
		}
	}
	// The sdist is fetched on its own first download, and kept in both.
	sdist := "tiny_lib-1.0.0.tar.gz"
	if r := e.get(ep + "files/tiny-lib/1.0.0/" + sdist); r.status != 200 || !bytes.Equal(r.body, idx.File(sdist)) {
		t.Fatalf("sdist: %d", r.status)
	}
	for _, repo := range []string{"my-repo", "pypi-store"} {
		if got := e.assets(repo, "tiny-lib", "1.0.0"); len(got) != 2 {
			t.Errorf("%s holds %v", repo, got)
		}
	}
	// Now stored: the wheel's metadata file is served.
	p = e.page(ep, "tiny-lib")
	for _, f := range p.Files {
		if f.Filename == wheel && f.CoreMetadata == false {
			t.Errorf("the stored wheel advertises no metadata: %+v", f)
		}
	}
	if r := e.get(ep + "files/tiny-lib/1.0.0/" + wheel + ".metadata"); r.status != 200 || !strings.Contains(string(r.body), "Requires-Dist: six>=1") {
		t.Errorf("metadata: %d %s", r.status, r.body)
	}

	// A corrupted file is refused and not kept.
	bad := "tiny_lib-1.1.0.tar.gz"
	idx.Corrupt(bad)
	if r := e.get(ep + "files/tiny-lib/1.1.0/" + bad); r.status != http.StatusBadRequest && r.status != http.StatusBadGateway {
		t.Errorf("corrupted file: %d %s", r.status, r.body)
	}
	if got := e.assets("pypi-store", "tiny-lib", "1.1.0"); slices.Contains(got, bad) {
		t.Errorf("the corrupted file was kept: %v", got)
	}

	// The index goes away: what was fetched is still served.
	idx.Down()
	for _, f := range []string{wheel, sdist} {
		if r := e.get(ep + "files/tiny-lib/1.0.0/" + f); r.status != 200 || !bytes.Equal(r.body, idx.File(f)) {
			t.Errorf("index down, %s: %d %s", f, r.status, r.body)
		}
	}
	if p := e.page(ep, "tiny-lib"); !slices.Contains(p.Versions, "1.0.0") {
		t.Errorf("index down, page: %+v", p.Versions)
	}
}

// A wheel's METADATA is read once, when the wheel is uploaded: its
// ".metadata" is served after the wheel's bytes are gone from the blob
// store, so serving it never opens the wheel.
func TestMetadataServedWithoutOpeningTheWheel(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	// A readme of 200 KB of hex digits makes the wheel larger than what
	// the server keeps of blobs in memory.
	random := make([]byte, 100<<10)
	rand.Read(random)
	d := upstreamtest.PyPIDist{Name: "big-meta", Version: "1.0", NoSdist: true, Description: hex.EncodeToString(random)}
	wn, wheel := upstreamtest.PyPIWheel(d)
	if r := e.upload(ep, wn, wheel, map[string]string{"name": d.Name, "version": d.Version}); r.status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	sum := sha256Hex(wheel)
	if err := os.Remove(filepath.Join(e.s.Data, "blobs", "sha256", sum[0:2], sum[2:4], sum)); err != nil {
		t.Fatalf("removing the wheel's blob: %v", err)
	}
	url := ep + "files/big-meta/1.0/" + wn
	if r := e.get(url); r.status == http.StatusOK {
		t.Fatalf("the wheel still downloads after its blob was removed: the test proves nothing")
	}
	md := upstreamtest.PyPIMetadata(d)
	for range 2 {
		if r := e.get(url + ".metadata"); r.status != http.StatusOK || !bytes.Equal(r.body, md) {
			t.Fatalf(".metadata without the wheel: %d %.200s", r.status, r.body)
		}
	}
}

// A wheel whose central directory lists 1.5 million entries (67 MiB) is
// refused, as PyPI refusals are (plain text 400), before archive/zip
// parses its directory, and nothing of it is kept.
func TestWheelWithTooManyEntriesRefused(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("builds and uploads a 67 MiB wheel (seconds, a minute under -race: the plain go test run has it)")
	}
	e := newEnv(t)
	ep := e.repo("my-repo")
	d := upstreamtest.PyPIDist{Name: "many", Version: "1.0"}
	wheel := archivetest.ManyEntries(1_500_000, map[string]string{"many-1.0.dist-info/METADATA": string(upstreamtest.PyPIMetadata(d))})
	r := e.upload(ep, "many-1.0-py3-none-any.whl", wheel, map[string]string{"name": "many", "version": "1.0"})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "The wheel has more than 200000 entries") ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("upload of a 1.5-million-entry wheel: %d %s %.300s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if r := e.get(ep + "simple/many/"); r.status != http.StatusNotFound {
		t.Errorf("the refused wheel's project page: %d", r.status)
	}
	sum := sha256Hex(wheel)
	if _, err := os.Stat(filepath.Join(e.s.Data, "blobs", "sha256", sum[0:2], sum[2:4], sum)); !os.IsNotExist(err) {
		t.Errorf("the refused wheel's bytes are still stored: %v", err)
	}
}
