package nuget_test

// In-process scenarios of the NuGet surface: a full server, domains,
// repositories and version statuses handled with aws-sdk-go-v2, a token
// from GetAuthorizationToken, and requests sent as NuGet.exe 5.8 sends
// them (CLIENTS.md §4.8: no credentials until challenged, a chunked
// multipart push with a quoted boundary).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/format/nuget"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
	"github.com/arcahq/arca/internal/servertest"
)

const domain = "my-domain"

type env struct {
	t     *testing.T
	ca    *codeartifact.Client
	token string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := servertest.Start(t)
	ca := srv.CodeArtifact()
	return &env{t: t, ca: ca, token: servertest.Domain(t, ca, domain)}
}

// repo creates a repository and returns its NuGet endpoint.
func (e *env) repo(name string, upstreams ...string) string {
	e.t.Helper()
	return servertest.Repository(e.t, e.ca, domain, name, types.PackageFormatNuget, upstreams...)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("response %d is not a JSON object: %v: %s", r.status, err, r.body)
	}
	return v
}

// do sends a request as NuGet.exe does after its challenge: Basic
// aws:TOKEN and NuGet's headers.
func (e *env) do(method, url string, body io.Reader, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("aws:"+e.token)))
	req.Header.Set("User-Agent", "NuGet Command Line/5.8.0 (Unix 6.18.44.669)")
	req.Header.Set("X-NuGet-Client-Version", "5.8.0")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) get(url string) response { e.t.Helper(); return e.do(http.MethodGet, url, nil) }

// push sends nuget push's request: a chunked multipart body whose
// boundary is quoted, one part named package.
func (e *env) push(endpoint string, nupkg []byte) response {
	e.t.Helper()
	const boundary = "8d5b6a9e-0c1f-4c5e-9a4e-2f0b1e7c3d21"
	var body bytes.Buffer
	fmt.Fprintf(&body, "--%s\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=package; filename=package.nupkg; filename*=utf-8''package.nupkg\r\n\r\n", boundary)
	body.Write(nupkg)
	fmt.Fprintf(&body, "\r\n--%s--\r\n", boundary)
	// An io.Reader that is not a bytes.Reader makes the request chunked.
	return e.do(http.MethodPut, endpoint+"v2/package/", io.MultiReader(&body),
		"Content-Type", `multipart/form-data; boundary="`+boundary+`"`, "X-NuGet-ApiKey", "az")
}

func (e *env) mustPush(endpoint string, s nugettest.Spec) {
	e.t.Helper()
	if r := e.push(endpoint, nugettest.Package(s)); r.status != http.StatusCreated {
		e.t.Fatalf("push %s %s: %d %s", s.ID, s.Version, r.status, r.body)
	}
}

func (e *env) versions(repo, pkg string) []string {
	e.t.Helper()
	out, err := e.ca.ListPackageVersions(e.t.Context(), &codeartifact.ListPackageVersionsInput{
		Domain: aws.String(domain), Repository: aws.String(repo), Format: types.PackageFormatNuget, Package: aws.String(pkg)})
	if err != nil {
		e.t.Fatal(err)
	}
	var vs []string
	for _, v := range out.Versions {
		vs = append(vs, *v.Version+":"+string(v.Status))
	}
	return vs
}

func TestAnonymousRequestsAreChallenged(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	for _, req := range []struct{ method, path string }{
		{"GET", "v3/index.json"}, {"GET", "v3/registrations2/x/index.json"}, {"GET", "v3/package/x/1.0.0/x.1.0.0.nupkg"}, {"PUT", "v2/package/"},
	} {
		r, _ := http.NewRequest(req.method, ep+req.path, nil)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm=`) {
			t.Errorf("anonymous %s %s: %d %q; NuGet sends credentials only after a Basic challenge", req.method, req.path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestServiceIndex(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	idx := e.get(ep + "v3/index.json").json(t)
	types := map[string]string{}
	for _, r := range idx["resources"].([]any) {
		m := r.(map[string]any)
		types[m["@type"].(string)] = m["@id"].(string)
	}
	want := map[string]string{
		"PackagePublish/2.0.0":            ep + "v2/package",
		"SearchQueryService":              ep + "v3/search",
		"SearchQueryService/3.0.0-beta":   ep + "v3/search",
		"SearchQueryService/3.0.0-rc":     ep + "v3/search",
		"SearchQueryService/3.5.0":        ep + "v3/search",
		"RegistrationsBaseUrl":            ep + "v3/registrations/",
		"RegistrationsBaseUrl/3.0.0-beta": ep + "v3/registrations/",
		"RegistrationsBaseUrl/3.0.0-rc":   ep + "v3/registrations/",
		"RegistrationsBaseUrl/3.4.0":      ep + "v3/registrations/",
		"RegistrationsBaseUrl/3.6.0":      ep + "v3/registrations2/",
		"RegistrationsBaseUrl/Versioned":  ep + "v3/registrations2/",
		"PackageBaseAddress/3.0.0":        ep + "v3/package/",
	}
	for typ, id := range want {
		if types[typ] != id {
			t.Errorf("service index: %s = %q, want %q", typ, types[typ], id)
		}
	}
	if idx["version"] != "3.0.0" {
		t.Errorf("version = %v", idx["version"])
	}
	r := e.get(ep + "FindPackagesById()?id='x'")
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "only V3") {
		t.Errorf("a V2 request: %d %s", r.status, r.body)
	}
}

func TestPushAndRead(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.mustPush(ep, nugettest.Spec{ID: "Hello.CA", Version: "1.00.0.0", Description: "Says hello", License: "MIT",
		Repository: "https://git.example/hello.git", ProjectURL: "https://example/hello", Readme: "# Hello\n",
		Dependencies: map[string]map[string]string{"net6.0": {"Dep.Lib": "[1.0.0, )"}, "netstandard2.0": {"Dep.Lib": "[1.0.0, )", "Other": "2.0.0"}}})
	e.mustPush(ep, nugettest.Spec{ID: "hello.ca", Version: "2.0.0-Beta"})
	e.mustPush(ep, nugettest.Spec{ID: "Hello.CA", Version: "2.0.0-rc.1+build.5"})

	if got := e.versions("my-repo", "hello.ca"); strings.Join(got, " ") != "2.0.0-rc.1:Published 2.0.0-beta:Published 1.0.0:Published" {
		t.Errorf("versions = %v: ids are one package lower-cased, versions normalized", got)
	}

	// Flat container.
	flat := e.get(ep + "v3/package/hello.ca/index.json").json(t)
	if fmt.Sprint(flat["versions"]) != "[1.0.0 2.0.0-beta 2.0.0-rc.1]" {
		t.Errorf("flat container versions = %v", flat["versions"])
	}
	nupkg := e.get(ep + "v3/package/hello.ca/1.0.0/hello.ca.1.0.0.nupkg")
	if nupkg.status != http.StatusOK {
		t.Fatalf("nupkg: %d %s", nupkg.status, nupkg.body)
	}
	if c, err := nuget.ReadPackage(bytes.NewReader(nupkg.body), int64(len(nupkg.body))); err != nil || c.Nuspec.Version != "1.00.0.0" {
		t.Errorf("the nupkg downloads as pushed: %v", err)
	}
	nuspec := e.get(ep + "v3/package/hello.ca/1.0.0/hello.ca.nuspec")
	if nuspec.status != http.StatusOK || !strings.Contains(string(nuspec.body), "<id>Hello.CA</id>") {
		t.Errorf("nuspec: %d %s", nuspec.status, nuspec.body)
	}
	for _, path := range []string{"v3/package/hello.ca/3.0.0/hello.ca.3.0.0.nupkg", "v3/package/nope/index.json", "v3/package/hello.ca/1.0.0/other.1.0.0.nupkg"} {
		if r := e.get(ep + path); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.status)
		}
	}

	// Registrations: SemVer 2.0.0 versions only for clients that read them.
	reg := e.get(ep + "v3/registrations2/hello.ca/index.json").json(t)
	leaves := leavesOf(t, e, reg)
	if len(leaves) != 3 {
		t.Fatalf("registrations2 has %d leaves: %v", len(leaves), reg)
	}
	first := leaves[0]
	entry := first["catalogEntry"].(map[string]any)
	if entry["id"] != "Hello.CA" || entry["version"] != "1.0.0" || entry["listed"] != true || entry["licenseExpression"] != "MIT" ||
		first["packageContent"] != ep+"v3/package/hello.ca/1.0.0/hello.ca.1.0.0.nupkg" || entry["packageContent"] != first["packageContent"] {
		t.Errorf("leaf = %v", first)
	}
	groups := entry["dependencyGroups"].([]any)
	if len(groups) != 2 {
		t.Fatalf("dependency groups = %v", groups)
	}
	g := groups[1].(map[string]any)
	deps := g["dependencies"].([]any)
	if g["targetFramework"] != "netstandard2.0" || len(deps) != 2 || deps[0].(map[string]any)["id"] != "Dep.Lib" || deps[0].(map[string]any)["range"] != "[1.0.0, )" ||
		deps[0].(map[string]any)["registration"] != ep+"v3/registrations2/dep.lib/index.json" {
		t.Errorf("group = %v", g)
	}
	if v := leaves[2]["catalogEntry"].(map[string]any)["version"]; v != "2.0.0-rc.1" {
		t.Errorf("last leaf version %v", v)
	}
	reg1 := e.get(ep + "v3/registrations/hello.ca/index.json").json(t)
	if l := leavesOf(t, e, reg1); len(l) != 2 || l[1]["catalogEntry"].(map[string]any)["version"] != "2.0.0-Beta" {
		t.Errorf("registrations for pre-3.6.0 clients show the SemVer 1.0.0 versions only: %v", l)
	}
	leaf := e.get(ep + "v3/registrations2/hello.ca/2.0.0-beta.json").json(t)
	if leaf["catalogEntry"].(map[string]any)["version"] != "2.0.0-Beta" {
		t.Errorf("leaf = %v", leaf)
	}
	if r := e.get(ep + "v3/registrations/hello.ca/2.0.0-rc.1.json"); r.status != http.StatusNotFound {
		t.Errorf("a SemVer 2.0.0 leaf for old clients: %d", r.status)
	}

	// The control plane, with names and versions as the user writes them.
	ctx := t.Context()
	in := func(v string) *codeartifact.DescribePackageVersionInput {
		return &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
			Format: types.PackageFormatNuget, Package: aws.String("Hello.CA"), PackageVersion: aws.String(v)}
	}
	d, err := e.ca.DescribePackageVersion(ctx, in("1.0.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	pv := d.PackageVersion
	if *pv.PackageName != "hello.ca" || *pv.DisplayName != "Hello.CA" || *pv.Version != "1.0.0" || *pv.Summary != "Says hello" ||
		*pv.HomePage != "https://example/hello" || *pv.SourceCodeRepository != "https://git.example/hello.git" ||
		len(pv.Licenses) != 1 || *pv.Licenses[0].Name != "MIT" || pv.Namespace != nil {
		t.Errorf("describe = %+v", pv)
	}
	readme, err := e.ca.GetPackageVersionReadme(ctx, &codeartifact.GetPackageVersionReadmeInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("HELLO.CA"), PackageVersion: aws.String("01.0.0")})
	if err != nil || *readme.Readme != "# Hello\n" {
		t.Errorf("readme %v", err)
	}
	deps2, err := e.ca.ListPackageVersionDependencies(ctx, &codeartifact.ListPackageVersionDependenciesInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("hello.ca"), PackageVersion: aws.String("1.0.0")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range deps2.Dependencies {
		got = append(got, *d.Package+" "+aws.ToString(d.VersionRequirement)+" "+aws.ToString(d.DependencyType))
	}
	if strings.Join(got, "|") != "dep.lib [1.0.0, ) |other 2.0.0 " {
		t.Errorf("dependencies = %q: each once, no dependency type", got)
	}
	assets, err := e.ca.ListPackageVersionAssets(ctx, &codeartifact.ListPackageVersionAssetsInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("hello.ca"), PackageVersion: aws.String("2.0.0-BETA")})
	if err != nil || len(assets.Assets) != 1 || *assets.Assets[0].Name != "hello.ca.2.0.0-beta.nupkg" {
		t.Errorf("assets = %v %v", assets, err)
	}
}

// leavesOf returns the leaves of a registration index, fetching pages
// that are not inlined.
func leavesOf(t *testing.T, e *env, index map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range index["items"].([]any) {
		page := p.(map[string]any)
		if page["items"] == nil {
			page = e.get(page["@id"].(string)).json(t)
		}
		for _, l := range page["items"].([]any) {
			out = append(out, l.(map[string]any))
		}
	}
	return out
}

// A version list read after each push shows the new version in its place
// (each rebuild places the new one among the order kept from the last).
func TestVersionListsAfterEachPush(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	want := []string{}
	for _, v := range []string{"2.0.0", "1.0.0", "1.5.0", "1.5.0-beta", "0.9.0", "1.5.0-alpha.1", "10.0.0", "1.10.0"} {
		e.mustPush(ep, nugettest.Spec{ID: "Grows", Version: v})
		want = append(want, v)
		slices.SortFunc(want, nuget.CompareStrings)
		flat := e.get(ep + "v3/package/grows/index.json").json(t)
		if got := fmt.Sprint(flat["versions"]); got != fmt.Sprint(want) {
			t.Errorf("after %s: flat container versions = %s, want %s", v, got, want)
		}
		var leaves []string
		for _, l := range leavesOf(t, e, e.get(ep+"v3/registrations/grows/index.json").json(t)) {
			leaves = append(leaves, l["catalogEntry"].(map[string]any)["version"].(string))
		}
		semVer1 := slices.DeleteFunc(slices.Clone(want), func(s string) bool { return strings.Contains(s, "alpha.") })
		if fmt.Sprint(leaves) != fmt.Sprint(semVer1) {
			t.Errorf("after %s: SemVer 1.0.0 registration leaves = %v, want %v", v, leaves, semVer1)
		}
	}
}

func TestRegistrationPages(t *testing.T) {
	pageSize, inline := nuget.PageSize, nuget.InlineLimit
	nuget.PageSize, nuget.InlineLimit = 2, 3
	t.Cleanup(func() { nuget.PageSize, nuget.InlineLimit = pageSize, inline })
	e := newEnv(t)
	ep := e.repo("my-repo")
	for _, v := range []string{"1.0.0", "1.0.1", "1.0.2"} {
		e.mustPush(ep, nugettest.Spec{ID: "paged", Version: v})
	}
	idx := e.get(ep + "v3/registrations2/paged/index.json").json(t)
	if idx["count"] != 2.0 || idx["items"].([]any)[0].(map[string]any)["items"] == nil {
		t.Errorf("3 versions, pages of 2, inlined up to 3: %v", idx)
	}
	e.mustPush(ep, nugettest.Spec{ID: "paged", Version: "1.0.3"})
	e.mustPush(ep, nugettest.Spec{ID: "paged", Version: "1.0.10"})
	idx = e.get(ep + "v3/registrations2/paged/index.json").json(t)
	pages := idx["items"].([]any)
	p := pages[1].(map[string]any)
	if len(pages) != 3 || p["items"] != nil || p["lower"] != "1.0.2" || p["upper"] != "1.0.3" || p["@id"] != ep+"v3/registrations2/paged/page/1.0.2/1.0.3.json" {
		t.Fatalf("pages = %v", pages)
	}
	var vs []string
	for _, l := range leavesOf(t, e, idx) {
		vs = append(vs, l["catalogEntry"].(map[string]any)["version"].(string))
	}
	if strings.Join(vs, " ") != "1.0.0 1.0.1 1.0.2 1.0.3 1.0.10" {
		t.Errorf("leaves through the pages = %v", vs)
	}
	if r := e.get(ep + "v3/registrations2/paged/page/1.0.0/1.0.3.json"); r.status != http.StatusNotFound {
		t.Errorf("a page that does not exist: %d", r.status)
	}
}

func TestPushRefusals(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.mustPush(ep, nugettest.Spec{ID: "Hello.CA", Version: "1.0.0"})
	cases := []struct {
		name   string
		body   []byte
		status int
		msg    string
	}{
		{"existing version, other case", nugettest.Package(nugettest.Spec{ID: "HELLO.ca", Version: "1.0.0.0", Description: "other"}), http.StatusConflict, "already exists"},
		{"not a zip", []byte("hello"), http.StatusBadRequest, "The package is not a valid zip archive"},
		{"zip slip", nugettest.Package(nugettest.Spec{ID: "x", Version: "1.0.0", Files: map[string]string{"../../x": "x"}}), http.StatusBadRequest, "outside the package"},
		{"doctype", nugettest.Zip(map[string]string{"x.nuspec": `<!DOCTYPE package [<!ENTITY a "b">]><package/>`}), http.StatusBadRequest, "document type"},
		{"bad version", nugettest.Package(nugettest.Spec{ID: "x", Version: "1.0.0-"}), http.StatusBadRequest, "Invalid version"},
	}
	for _, c := range cases {
		r := e.push(ep, c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.msg) {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	r := e.do(http.MethodPut, ep+"v2/package/", bytes.NewReader(nugettest.Package(nugettest.Spec{ID: "x", Version: "1.0.0"})), "Content-Type", "application/octet-stream")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "multipart/form-data") {
		t.Errorf("a push that is not multipart: %d %s", r.status, r.body)
	}
	if got := e.versions("my-repo", "hello.ca"); strings.Join(got, " ") != "1.0.0:Published" {
		t.Errorf("versions after refused pushes = %v", got)
	}
	if _, err := e.ca.DescribePackage(t.Context(), &codeartifact.DescribePackageInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("x")}); err == nil {
		t.Error("a refused push created package x")
	}
	if r := e.do(http.MethodGet, ep+"v2/package/", nil); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "PUT" {
		t.Errorf("GET on the publish resource: %d %v", r.status, r.header)
	}
}

func TestUnlistRelistAndStatuses(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		e.mustPush(ep, nugettest.Spec{ID: "Hello.CA", Version: v})
	}
	if r := e.do(http.MethodDelete, ep+"v2/package/Hello.CA/1.1.0", nil); r.status != http.StatusNoContent {
		t.Fatalf("nuget delete: %d %s", r.status, r.body)
	}
	if got := strings.Join(e.versions("my-repo", "hello.ca"), " "); !strings.Contains(got, "1.1.0:Unlisted") {
		t.Errorf("after nuget delete: %s", got)
	}
	listed := func() string {
		var out []string
		for _, l := range leavesOf(t, e, e.get(ep+"v3/registrations2/hello.ca/index.json").json(t)) {
			ce := l["catalogEntry"].(map[string]any)
			out = append(out, fmt.Sprintf("%s:%v", ce["version"], ce["listed"]))
		}
		return strings.Join(out, " ")
	}
	if got := listed(); got != "1.0.0:true 1.1.0:false 1.2.0:true" {
		t.Errorf("registration after unlisting: %s", got)
	}
	if r := e.get(ep + "v3/package/hello.ca/1.1.0/hello.ca.1.1.0.nupkg"); r.status != http.StatusOK {
		t.Errorf("an unlisted version downloads: %d", r.status)
	}
	if r := e.do(http.MethodPost, ep+"v2/package/Hello.CA/1.1.0", nil); r.status != http.StatusNoContent {
		t.Fatalf("relist: %d %s", r.status, r.body)
	}
	if got := listed(); got != "1.0.0:true 1.1.0:true 1.2.0:true" {
		t.Errorf("registration after relisting: %s", got)
	}

	ctx := t.Context()
	status := func(v string, s types.PackageVersionStatus) {
		t.Helper()
		_, err := e.ca.UpdatePackageVersionsStatus(ctx, &codeartifact.UpdatePackageVersionsStatusInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
			Format: types.PackageFormatNuget, Package: aws.String("Hello.CA"), Versions: []string{v}, TargetStatus: s})
		if err != nil {
			t.Fatal(err)
		}
	}
	status("1.2.0", types.PackageVersionStatusArchived)
	if _, err := e.ca.DisposePackageVersions(ctx, &codeartifact.DisposePackageVersionsInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("hello.ca"), Versions: []string{"1.1.0"}}); err != nil {
		t.Fatal(err)
	}
	if got := listed(); got != "1.0.0:true" {
		t.Errorf("with 1.1.0 Disposed and 1.2.0 Archived: %s", got)
	}
	flat := e.get(ep + "v3/package/hello.ca/index.json").json(t)
	if fmt.Sprint(flat["versions"]) != "[1.0.0]" {
		t.Errorf("flat container = %v", flat)
	}
	for _, v := range []string{"1.1.0", "1.2.0"} {
		if r := e.get(ep + "v3/package/hello.ca/" + v + "/hello.ca." + v + ".nupkg"); r.status != http.StatusNotFound {
			t.Errorf("%s downloads: %d", v, r.status)
		}
	}
	if r := e.do(http.MethodPost, ep+"v2/package/Hello.CA/1.2.0", nil); r.status != http.StatusConflict {
		t.Errorf("relisting an Archived version: %d %s", r.status, r.body)
	}
	if r := e.do(http.MethodDelete, ep+"v2/package/Hello.CA/9.0.0", nil); r.status != http.StatusNotFound {
		t.Errorf("unlisting a version that does not exist: %d", r.status)
	}
	// Copy to another repository.
	e.repo("other")
	out, err := e.ca.CopyPackageVersions(ctx, &codeartifact.CopyPackageVersionsInput{Domain: aws.String(domain), SourceRepository: aws.String("my-repo"),
		DestinationRepository: aws.String("other"), Format: types.PackageFormatNuget, Package: aws.String("HELLO.CA"), Versions: []string{"1.0.0.0"}})
	if err != nil || len(out.SuccessfulVersions) != 1 {
		t.Fatalf("copy: %v %v", out, err)
	}
	ep2 := strings.Replace(ep, "/my-repo/", "/other/", 1)
	if r := e.get(ep2 + "v3/package/hello.ca/1.0.0/hello.ca.1.0.0.nupkg"); r.status != http.StatusOK {
		t.Errorf("the copy downloads from the other repository: %d", r.status)
	}
	// A deleted version is gone, and can be pushed again.
	if _, err := e.ca.DeletePackageVersions(ctx, &codeartifact.DeletePackageVersionsInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("Hello.CA"), Versions: []string{"1.0.0", "1.1.0"}}); err != nil {
		t.Fatal(err)
	}
	if r := e.get(ep + "v3/package/hello.ca/1.0.0/hello.ca.1.0.0.nupkg"); r.status != http.StatusNotFound {
		t.Errorf("a deleted version downloads: %d", r.status)
	}
	e.mustPush(ep, nugettest.Spec{ID: "Hello.CA", Version: "1.0.0", Description: "again"})
	if got := strings.Join(e.versions("my-repo", "hello.ca"), " "); got != "1.2.0:Archived 1.0.0:Published" {
		t.Errorf("after deleting and pushing again: %s", got)
	}
}

func TestUpstreams(t *testing.T) {
	e := newEnv(t)
	upEP := e.repo("up")
	ep := e.repo("down", "up")
	e.mustPush(upEP, nugettest.Spec{ID: "Lib", Version: "1.0.0"})
	if r := e.get(ep + "v3/registrations2/lib/index.json"); r.status != http.StatusOK {
		t.Fatalf("the upstream's package through down: %d %s", r.status, r.body)
	}
	if _, err := e.ca.DescribePackage(t.Context(), &codeartifact.DescribePackageInput{Domain: aws.String(domain), Repository: aws.String("down"),
		Format: types.PackageFormatNuget, Package: aws.String("lib")}); err == nil {
		t.Error("reading the registration retained the package in down")
	}
}

func TestUpstreamRetention(t *testing.T) {
	e := newEnv(t)
	upEP := e.repo("up")
	ep := e.repo("down", "up")
	e.mustPush(upEP, nugettest.Spec{ID: "Lib", Version: "1.0.0"})
	if r := e.get(ep + "v3/package/lib/1.0.0/lib.1.0.0.nupkg"); r.status != http.StatusOK {
		t.Fatalf("download through down: %d", r.status)
	}
	if got := e.versions("down", "lib"); strings.Join(got, " ") != "1.0.0:Published" {
		t.Errorf("a download retains the version in down: %v", got)
	}
	// The retained package blocks publishing (its default origin
	// configuration), as does the version's presence upstream.
	if r := e.push(ep, nugettest.Package(nugettest.Spec{ID: "lib", Version: "1.0.0"})); r.status != http.StatusForbidden {
		t.Errorf("pushing a version down already has from up: %d %s", r.status, r.body)
	}
	if r := e.push(e.repo("down2", "up"), nugettest.Package(nugettest.Spec{ID: "lib", Version: "1.0.0"})); r.status != http.StatusConflict {
		t.Errorf("pushing a version an upstream has: %d %s", r.status, r.body)
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	e.mustPush(ep, nugettest.Spec{ID: "Hello.CA", Version: "1.0.0", Description: "Says hello"})
	e.mustPush(ep, nugettest.Spec{ID: "Hello.CA", Version: "2.0.0-beta"})
	e.mustPush(ep, nugettest.Spec{ID: "Hello.Two", Version: "1.0.0-rc.1"})
	e.mustPush(ep, nugettest.Spec{ID: "Other", Version: "3.0.0"})
	search := func(query string) string {
		t.Helper()
		r := e.get(ep + "v3/search?" + query).json(t)
		var out []string
		for _, d := range r["data"].([]any) {
			m := d.(map[string]any)
			out = append(out, fmt.Sprintf("%s@%s", m["id"], m["version"]))
		}
		return fmt.Sprintf("%v:%s", r["totalHits"], strings.Join(out, ","))
	}
	cases := map[string]string{
		"q=hello":                 "1:Hello.CA@1.0.0",
		"q=hello&prerelease=true": "1:Hello.CA@2.0.0-beta",
		"q=hello&prerelease=true&semVerLevel=2.0.0":   "2:Hello.CA@2.0.0-beta,Hello.Two@1.0.0-rc.1",
		"q=&prerelease=true&semVerLevel=2.0.0&take=1": "3:Hello.CA@2.0.0-beta",
		"q=&prerelease=true&semVerLevel=2.0.0&skip=2": "3:Other@3.0.0",
		"q=SAYS":    "1:Hello.CA@1.0.0",
		"q=nothing": "0:",
	}
	for q, want := range cases {
		if got := search(q); got != want {
			t.Errorf("search %s = %s, want %s", q, got, want)
		}
	}
}

func TestPackageGroupBlocksPush(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	ctx := t.Context()
	// Package groups match NuGet ids lower-cased.
	if _, err := e.ca.CreatePackageGroup(ctx, &codeartifact.CreatePackageGroupInput{Domain: aws.String(domain), PackageGroup: aws.String("/nuget//internal~")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ca.UpdatePackageGroupOriginConfiguration(ctx, &codeartifact.UpdatePackageGroupOriginConfigurationInput{
		Domain: aws.String(domain), PackageGroup: aws.String("/nuget//internal~"),
		Restrictions: map[string]types.PackageGroupOriginRestrictionMode{"PUBLISH": types.PackageGroupOriginRestrictionModeBlock},
	}); err != nil {
		t.Fatal(err)
	}
	if r := e.push(ep, nugettest.Package(nugettest.Spec{ID: "Internal.Tools", Version: "1.0.0"})); r.status != http.StatusForbidden {
		t.Errorf("push into a group that blocks publishing: %d %s", r.status, r.body)
	}
	e.mustPush(ep, nugettest.Spec{ID: "Public.Tools", Version: "1.0.0"})
}
