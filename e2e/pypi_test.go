package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// The PyPI scenarios drive the real Python clients against `arca serve`:
// twine (Debian's) configured by `aws codeartifact login --tool twine`,
// pip configured by `aws codeartifact login --tool pip` (install and
// download, in a virtual environment of their own), uv with the same
// index URL, and the AWS CLI for every package operation on the pypi
// packages. Every client runs with its own HOME and without the PIP_*
// variables of the machine (docs/CLIENTS.md §4.4: PIP_FIND_LINKS points at a
// local wheel directory).

// pyStep runs the steps of a scenario in order as subtests, stopping at
// the first that fails.
func pySteps(t *testing.T) func(name string, f func(t *testing.T)) {
	return func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
}

// pyUser is a developer with the AWS CLI, twine, pip and uv, all reading
// their configuration from one throwaway HOME.
type pyUser struct {
	clientUser
	srv   *server
	venvs string
}

// clientUser runs a package manager's programs with the HOME and
// credentials of an aws CLI user, in an environment cleared of that
// manager's own variables.
type clientUser struct {
	aws *cli
	env []string
}

// newClientUser copies aws's environment without the variables drop
// matches (given their upper-cased names), then adds extra.
func newClientUser(aws *cli, drop func(upperKey string) bool, extra ...string) clientUser {
	u := clientUser{aws: aws}
	for _, kv := range aws.env {
		k, _, _ := strings.Cut(kv, "=")
		if drop(strings.ToUpper(k)) {
			continue
		}
		u.env = append(u.env, kv)
	}
	u.env = append(u.env, extra...)
	return u
}

// run runs a program in the user's environment, in dir or else HOME.
func (u *clientUser) run(t testing.TB, dir, prog string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = u.aws.Home
	}
	return runProgram(t, u.env, dir, prog, args...)
}

func (u *clientUser) ok(t testing.TB, dir, prog string, args ...string) result {
	t.Helper()
	r := u.run(t, dir, prog, args...)
	if r.Code != 0 {
		t.Fatalf("command failed:\n%s", r)
	}
	return r
}

func newPyUser(t *testing.T, s *server) *pyUser {
	t.Helper()
	aws := newCLI(t, s)
	drop := func(uk string) bool {
		return strings.HasPrefix(uk, "PIP_") || strings.HasPrefix(uk, "UV_") || strings.HasPrefix(uk, "TWINE_") ||
			uk == "VIRTUAL_ENV" || uk == "PYTHONPATH" || uk == "PYTHONHOME"
	}
	return &pyUser{srv: s, venvs: t.TempDir(), clientUser: newClientUser(aws, drop,
		"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_PROGRESS_BAR=off",
		"UV_CACHE_DIR="+filepath.Join(aws.Home, ".cache", "uv"), "UV_NO_PROGRESS=1", "UV_PYTHON_DOWNLOADS=never")}
}

// login runs `aws codeartifact login --tool` for pip or twine.
func (u *pyUser) login(t testing.TB, tool, domain, repo string) result {
	t.Helper()
	r := u.aws.Raw(t, "codeartifact", "login", "--tool", tool, "--domain", domain, "--repository", repo)
	if r.Code != 0 {
		t.Fatalf("login --tool %s failed:\n%s", tool, r)
	}
	return r
}

// indexURL is the index-url `login --tool pip` wrote into pip.conf.
func (u *pyUser) indexURL(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(u.aws.Home, ".config", "pip", "pip.conf"))
	if err != nil {
		t.Fatalf("pip.conf: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "index-url" {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("pip.conf has no index-url:\n%s", b)
	return ""
}

// venv creates a virtual environment with pip (python3 -m venv).
func (u *pyUser) venv(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(u.venvs, name)
	u.ok(t, "", tool(t, "python3"), "-m", "venv", dir)
	return dir
}

// pip runs the pip of a virtual environment.
func (u *pyUser) pip(t testing.TB, venv string, args ...string) result {
	t.Helper()
	return u.run(t, "", filepath.Join(venv, "bin", "pip"), args...)
}

// imported returns what a virtual environment's Python prints for
// modules' __version__, "name=version" each.
func (u *pyUser) imported(t testing.TB, venv string, modules ...string) string {
	t.Helper()
	var code []string
	for _, m := range modules {
		code = append(code, fmt.Sprintf("import %s; print(%q + '=' + %s.__version__)", m, m, m))
	}
	r := u.run(t, "", filepath.Join(venv, "bin", "python"), "-c", strings.Join(code, "\n"))
	if r.Code != 0 {
		return "import failed: " + strings.TrimSpace(r.Stderr)
	}
	return strings.Join(strings.Fields(r.Stdout), " ")
}

// dists writes the wheel and sdist of releases into a new directory and
// returns it with the files by name.
func dists(t testing.TB, releases ...upstreamtest.PyPIDist) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{}
	for _, d := range releases {
		if !d.NoWheel {
			n, b := upstreamtest.PyPIWheel(d)
			files[n] = b
		}
		if !d.NoSdist {
			n, b := upstreamtest.PyPISdist(d)
			files[n] = b
		}
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, files
}

// twineUpload is the argument list of a non-interactive `twine upload` to
// the repository `login --tool twine` configured, of the files in dir (in
// name order), then extra.
func twineUpload(dir string, files map[string][]byte, extra ...string) []string {
	args := []string{"upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar"}
	for _, n := range sortedKeys(files) {
		args = append(args, filepath.Join(dir, n))
	}
	return append(args, extra...)
}

func sortedKeys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, filepath.Base(k))
	}
	sort.Strings(out)
	return out
}

// pyVersions lists a package's versions as "version:status".
func pyVersions(t testing.TB, u *pyUser, repo, pkg string) string {
	t.Helper()
	out := u.aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", repo, "--format", "pypi", "--package", pkg)
	var vs []string
	for _, x := range list(t, out, "versions") {
		v := x.(map[string]any)
		vs = append(vs, fmt.Sprint(v["version"])+":"+fmt.Sprint(v["status"]))
	}
	sort.Strings(vs)
	return strings.Join(vs, " ")
}

// TestPyPI is the guide's "Using CodeArtifact with Python" with Arca's
// endpoint: login, twine upload, pip install and download, uv, and every
// package operation of the AWS CLI on the pypi packages, each seen
// through pip.
func TestPyPI(t *testing.T) {
	t.Parallel()
	twine := tool(t, "twine")
	uv := tool(t, "uv")
	s := startServer(t)
	u := newPyUser(t, s)
	aws := u.aws
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "promoted")
	step := pySteps(t)
	endpoint := s.URL + "/my-domain-" + s.Account + "/pypi/my-repo/"

	hello := upstreamtest.PyPIDist{Name: "Hello_CA", Version: "1.0.0", Summary: "Hello from Arca", RequiresPython: ">=3.8",
		Classifiers: []string{"License :: OSI Approved :: MIT License"}, Description: "# Hello_CA\n\nThe readme of hello-ca.\n"}
	hello11 := upstreamtest.PyPIDist{Name: "Hello_CA", Version: "1.1.0"}
	app := upstreamtest.PyPIDist{Name: "app-ca", Version: "2.0", RequiresDist: []string{"hello-ca>=1.0"}}
	distDir, files := dists(t, hello, hello11, app)
	var venv string

	step("login twine", func(t *testing.T) {
		r := u.login(t, "twine", "my-domain", "my-repo")
		if !strings.Contains(r.Stdout, "Successfully configured twine to use AWS CodeArtifact repository "+endpoint) {
			t.Errorf("login --tool twine:\n%s", r)
		}
		b, _ := os.ReadFile(filepath.Join(aws.Home, ".pypirc"))
		if !strings.Contains(string(b), "repository = "+endpoint+"\n") || !strings.Contains(string(b), "username = aws") {
			t.Errorf("~/.pypirc:\n%s", b)
		}
	})

	step("twine upload", func(t *testing.T) {
		r := u.ok(t, "", twine, twineUpload(distDir, files)...)
		for n := range files {
			if !strings.Contains(r.Stdout+r.Stderr, "Uploading "+n) {
				t.Errorf("twine did not upload %s\n%s", n, r)
			}
		}
		// The same files again: accepted, nothing changes, and the answer
		// says so (twine --verbose shows it).
		// (twine wraps its lines: the words are compared.)
		if r := u.ok(t, "", twine, twineUpload(distDir, files, "--verbose")...); strings.Count(strings.Join(strings.Fields(r.Stdout+r.Stderr), " "), "with the same content; nothing changed") != len(files) {
			t.Errorf("twine upload --verbose of the same files again: want each answered \"with the same content; nothing changed\"\n%s", r)
		}
		if got := pyVersions(t, u, "my-repo", "hello-ca"); got != "1.0.0:Published 1.1.0:Published" {
			t.Errorf("hello-ca versions: %s", got)
		}
	})

	step("twine upload, other bytes under an existing name", func(t *testing.T) {
		dir, other := dists(t, upstreamtest.PyPIDist{Name: "Hello_CA", Version: "1.0.0", Summary: "changed", NoSdist: true})
		var path string
		for n := range other {
			path = filepath.Join(dir, n)
		}
		r := u.run(t, "", twine, "upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar", path)
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "409") {
			t.Errorf("twine upload of other bytes: want a 409 Conflict\n%s", r)
		}
		r = u.run(t, "", twine, "upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar", "--skip-existing", path)
		if r.Code != 0 || !strings.Contains(r.Stdout+r.Stderr, "Skipping") {
			t.Errorf("twine upload --skip-existing: want the file skipped\n%s", r)
		}
	})

	step("login pip", func(t *testing.T) {
		r := u.login(t, "pip", "my-domain", "my-repo")
		if !strings.Contains(r.Stdout, "Successfully configured pip to use AWS CodeArtifact repository "+endpoint) {
			t.Errorf("login --tool pip:\n%s", r)
		}
		if got, want := u.indexURL(t), "http://aws:"; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "/my-domain-"+s.Account+"/pypi/my-repo/simple/") {
			t.Errorf("index-url = %q", got)
		}
	})

	step("pip install", func(t *testing.T) {
		venv = u.venv(t, "pip")
		r := u.pip(t, venv, "install", "app-ca")
		if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed app-ca-2.0 hello-ca-1.1.0") {
			t.Fatalf("pip install app-ca:\n%s", r)
		}
		// pip read the wheels' metadata files (PEP 658) before the wheels.
		if !strings.Contains(r.Stdout, ".whl.metadata") {
			t.Errorf("pip did not use the metadata files:\n%s", r)
		}
		if got := u.imported(t, venv, "app_ca", "hello_ca"); got != "app_ca=2.0 hello_ca=1.1.0" {
			t.Errorf("imported %s", got)
		}
		u.pip(t, venv, "install", "hello-ca==1.0.0")
		if got := u.imported(t, venv, "hello_ca"); got != "hello_ca=1.0.0" {
			t.Errorf("pinned: imported %s", got)
		}
		if r := u.pip(t, venv, "install", "Hello.CA==1.1.0"); r.Code != 0 {
			t.Errorf("a name that is not normal:\n%s", r)
		}
	})

	step("pip download", func(t *testing.T) {
		dir := t.TempDir()
		u.pip(t, venv, "download", "--no-deps", "-d", dir, "hello-ca==1.0.0")
		wheel := upstreamtest.PyPIWheelName(hello)
		if b, err := os.ReadFile(filepath.Join(dir, wheel)); err != nil || !bytes.Equal(b, files[wheel]) {
			t.Errorf("pip download: %s: %v", wheel, err)
		}
		// (An sdist cannot be checked the same way: pip prepares its
		// metadata, which needs setuptools and wheel from the index.)
	})

	step("pip index versions", func(t *testing.T) {
		// The project page's versions, newest first (the JSON page, kept
		// as runs of releases' entries between rebuilds).
		r := u.pip(t, venv, "index", "versions", "hello-ca")
		if r.Code != 0 || !strings.Contains(r.Stdout, "hello-ca (1.1.0)") || !strings.Contains(r.Stdout, "Available versions: 1.1.0, 1.0.0") {
			t.Errorf("pip index versions hello-ca:\n%s", r)
		}
	})

	step("uv", func(t *testing.T) {
		dir := filepath.Join(u.venvs, "uv")
		u.ok(t, "", uv, "venv", "--python", filepath.Join(venv, "bin", "python"), dir)
		r := u.ok(t, "", uv, "pip", "install", "--python", filepath.Join(dir, "bin", "python"), "--index-url", u.indexURL(t), "app-ca")
		if !strings.Contains(r.Stderr, "+ app-ca==2.0") || !strings.Contains(r.Stderr, "+ hello-ca==1.1.0") {
			t.Errorf("uv pip install:\n%s", r)
		}
		if got := u.imported(t, dir, "app_ca", "hello_ca"); got != "app_ca=2.0 hello_ca=1.1.0" {
			t.Errorf("uv: imported %s", got)
		}
	})

	pkg := func(name string, extra ...string) []string {
		return append([]string{"--domain", "my-domain", "--repository", "my-repo", "--format", "pypi", "--package", name}, extra...)
	}
	step("aws codeartifact on pypi packages", func(t *testing.T) {
		out := aws.OK(t, "list-packages", "--domain", "my-domain", "--repository", "my-repo", "--format", "pypi")
		var names []string
		for _, p := range list(t, out, "packages") {
			names = append(names, fmt.Sprint(p.(map[string]any)["package"]))
		}
		if strings.Join(names, " ") != "app-ca hello-ca" {
			t.Errorf("list-packages --format pypi: %v", names)
		}
		out = aws.OK(t, append([]string{"list-package-versions"}, pkg("hello-ca")...)...)
		want(t, "list-package-versions", out, "defaultDisplayVersion", "1.1.0")
		d := obj(t, aws.OK(t, append([]string{"describe-package-version"}, pkg("hello-ca", "--package-version", "1.0.0")...)...), "packageVersion")
		want(t, "describe", d, "displayName", "Hello_CA")
		want(t, "describe", d, "summary", "Hello from Arca")
		want(t, "describe", d, "homePage", "https://example.invalid/hello-ca")
		want(t, "describe", d, "licenses", []any{map[string]any{"name": "MIT"}})
		want(t, "describe", d, "status", "Published")
		as := aws.OK(t, append([]string{"list-package-version-assets"}, pkg("hello-ca", "--package-version", "1.0.0")...)...)
		var assetNames []string
		for _, a := range list(t, as, "assets") {
			assetNames = append(assetNames, fmt.Sprint(a.(map[string]any)["name"]))
		}
		if strings.Join(assetNames, " ") != upstreamtest.PyPIWheelName(hello)+" "+upstreamtest.PyPISdistName(hello) {
			t.Errorf("assets %v", assetNames)
		}
		deps := aws.OK(t, append([]string{"list-package-version-dependencies"}, pkg("app-ca", "--package-version", "2.0")...)...)
		want(t, "dependencies", deps, "dependencies", []any{map[string]any{"package": "hello-ca", "dependencyType": "Requires-Dist", "versionRequirement": ">=1.0"}})
		readme := aws.OK(t, append([]string{"get-package-version-readme"}, pkg("hello-ca", "--package-version", "1.0.0")...)...)
		want(t, "readme", readme, "readme", hello.Description)
		outfile := filepath.Join(t.TempDir(), "asset")
		wheel := upstreamtest.PyPIWheelName(hello)
		aws.OK(t, append([]string{"get-package-version-asset"}, pkg("hello-ca", "--package-version", "1.0.0", "--asset", wheel, outfile)...)...)
		if b, _ := os.ReadFile(outfile); !bytes.Equal(b, files[wheel]) {
			t.Error("get-package-version-asset: other bytes than uploaded")
		}
	})

	step("statuses", func(t *testing.T) {
		fresh := func(spec string) result {
			t.Helper()
			return u.pip(t, venv, "install", "--force-reinstall", "--no-deps", "--no-cache-dir", spec)
		}
		aws.OK(t, append([]string{"update-package-versions-status"}, pkg("hello-ca", "--versions", "1.1.0", "--target-status", "Unlisted")...)...)
		if r := fresh("hello-ca"); r.Code != 0 || u.imported(t, venv, "hello_ca") != "hello_ca=1.0.0" {
			t.Errorf("with 1.1.0 Unlisted, pip install hello-ca: %s\n%s", u.imported(t, venv, "hello_ca"), r)
		}
		if r := fresh("hello-ca==1.1.0"); r.Code == 0 || !strings.Contains(r.Stderr, "No matching distribution") {
			t.Errorf("an Unlisted version is not offered:\n%s", r)
		}
		// Unlisted files still download by URL.
		fileURL := strings.Replace(u.indexURL(t), "/simple/", "/files/hello-ca/1.1.0/", 1) + upstreamtest.PyPIWheelName(hello11)
		if r := fresh(fileURL); r.Code != 0 || u.imported(t, venv, "hello_ca") != "hello_ca=1.1.0" {
			t.Errorf("pip install of an Unlisted version's URL:\n%s", r)
		}
		aws.OK(t, append([]string{"update-package-versions-status"}, pkg("hello-ca", "--versions", "1.1.0", "--target-status", "Archived")...)...)
		if r := fresh(fileURL); r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "404") {
			t.Errorf("an Archived version's URL:\n%s", r)
		}
		aws.OK(t, append([]string{"update-package-versions-status"}, pkg("hello-ca", "--versions", "1.1.0", "--target-status", "Published")...)...)
		if r := fresh("hello-ca"); r.Code != 0 || u.imported(t, venv, "hello_ca") != "hello_ca=1.1.0" {
			t.Errorf("Published again:\n%s", r)
		}
	})

	step("copy", func(t *testing.T) {
		out := aws.OK(t, "copy-package-versions", "--domain", "my-domain", "--source-repository", "my-repo", "--destination-repository", "promoted",
			"--format", "pypi", "--package", "hello-ca", "--versions", "1.0.0")
		if _, ok := obj(t, out, "successfulVersions")["1.0.0"]; !ok {
			t.Fatalf("copy-package-versions: %s", pretty(out))
		}
		promoted := strings.Replace(u.indexURL(t), "/pypi/my-repo/", "/pypi/promoted/", 1)
		r := u.pip(t, venv, "install", "--force-reinstall", "--no-cache-dir", "--index-url", promoted, "hello-ca")
		if r.Code != 0 || u.imported(t, venv, "hello_ca") != "hello_ca=1.0.0" {
			t.Errorf("pip install from promoted:\n%s", r)
		}
	})

	step("dispose", func(t *testing.T) {
		aws.OK(t, append([]string{"dispose-package-versions"}, pkg("hello-ca", "--versions", "1.1.0")...)...)
		if got := pyVersions(t, u, "my-repo", "hello-ca"); got != "1.0.0:Published 1.1.0:Disposed" {
			t.Errorf("after dispose: %s", got)
		}
		if r := u.pip(t, venv, "download", "--no-deps", "--no-cache-dir", "-d", t.TempDir(), "hello-ca==1.1.0"); r.Code == 0 {
			t.Errorf("a Disposed version downloads:\n%s", r)
		}
	})

	step("delete", func(t *testing.T) {
		aws.OK(t, append([]string{"delete-package-versions"}, pkg("app-ca", "--versions", "2.0")...)...)
		if r := u.pip(t, venv, "download", "--no-deps", "--no-cache-dir", "-d", t.TempDir(), "app-ca"); r.Code == 0 {
			t.Errorf("a deleted version downloads:\n%s", r)
		}
		// Deleted, it can be uploaded again.
		var args []string
		for n := range files {
			if strings.HasPrefix(n, "app") {
				args = append(args, filepath.Join(distDir, n))
			}
		}
		u.ok(t, "", twine, append([]string{"upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar"}, args...)...)
		if r := u.pip(t, venv, "download", "--no-deps", "--no-cache-dir", "-d", t.TempDir(), "app-ca==2.0"); r.Code != 0 {
			t.Errorf("uploaded again after delete:\n%s", r)
		}
		aws.OK(t, "delete-package", "--domain", "my-domain", "--repository", "promoted", "--format", "pypi", "--package", "hello-ca")
		promoted := strings.Replace(u.indexURL(t), "/pypi/my-repo/", "/pypi/promoted/", 1)
		if r := u.pip(t, venv, "download", "--no-cache-dir", "-d", t.TempDir(), "--index-url", promoted, "hello-ca"); r.Code == 0 {
			t.Errorf("a deleted package downloads:\n%s", r)
		}
	})
}

// TestPyPIExternalConnection: public:pypi in front of a fake index that
// counts requests (arca started with --upstream-timeout 2s): pip installs
// through it at the first request, each file is fetched once, and a wheel
// fetched once is still installable when the index is unreachable.
func TestPyPIExternalConnection(t *testing.T) {
	t.Parallel()
	idx := upstreamtest.NewPyPI(t)
	idx.Publish("tiny-lib", upstreamtest.PyPIDist{Version: "1.0.0"})
	idx.Publish("tiny-lib", upstreamtest.PyPIDist{Version: "1.2.0"})
	idx.Publish("ext-app", upstreamtest.PyPIDist{Version: "3.0", RequiresDist: []string{"tiny-lib>=1.0"}})
	idx.Publish("never-fetched", upstreamtest.PyPIDist{Version: "1.0"})
	s := startServer(t, "--external-connection", "public:pypi="+idx.IndexURL, "--upstream-timeout", "2s")
	u := newPyUser(t, s)
	aws := u.aws
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "pypi-store")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "pypi-store", "--external-connection", "public:pypi")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo", "--upstreams", "repositoryName=pypi-store")
	u.login(t, "pip", "my-domain", "my-repo")
	step := pySteps(t)
	venv := u.venv(t, "ext")
	wheel := upstreamtest.PyPIWheelName(upstreamtest.PyPIDist{Name: "tiny-lib", Version: "1.2.0"})

	step("first install", func(t *testing.T) {
		r := u.pip(t, venv, "install", "--no-cache-dir", "ext-app")
		if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed ext-app-3.0 tiny-lib-1.2.0") {
			t.Fatalf("pip install ext-app through public:pypi:\n%s", r)
		}
		if got := u.imported(t, venv, "ext_app", "tiny_lib"); got != "ext_app=3.0 tiny_lib=1.2.0" {
			t.Errorf("imported %s", got)
		}
		if p, w := idx.Pages("tiny-lib"), idx.Downloads(wheel); p != 1 || w != 1 {
			t.Errorf("index requests for tiny-lib: %d pages, %d wheels; want 1 and 1", p, w)
		}
		for _, repo := range []string{"my-repo", "pypi-store"} {
			if got := pyVersions(t, u, repo, "tiny-lib"); got != "1.2.0:Published" {
				t.Errorf("%s: tiny-lib versions %s", repo, got)
			}
			d := obj(t, aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", repo, "--format", "pypi",
				"--package", "tiny-lib", "--package-version", "1.2.0"), "packageVersion")
			if o := obj(t, d, "origin"); o["originType"] != "EXTERNAL" {
				t.Errorf("%s: origin %s", repo, pretty(o))
			}
		}
		// uv, with the same index URL, gets the same files from the store.
		before := idx.Total()
		dir := filepath.Join(u.venvs, "uv")
		u.ok(t, "", tool(t, "uv"), "venv", "--python", filepath.Join(venv, "bin", "python"), dir)
		u.ok(t, "", tool(t, "uv"), "pip", "install", "--no-cache", "--python", filepath.Join(dir, "bin", "python"), "--index-url", u.indexURL(t), "ext-app==3.0", "tiny-lib==1.2.0")
		if n := idx.Total() - before; n != 0 {
			t.Errorf("uv installing what was fetched sent %d requests to the index", n)
		}
	})

	step("the index unreachable", func(t *testing.T) {
		idx.Down()
		defer idx.Up()
		fresh := u.venv(t, "outage")
		r := u.pip(t, fresh, "install", "--no-cache-dir", "ext-app")
		if r.Code != 0 || u.imported(t, fresh, "ext_app", "tiny_lib") != "ext_app=3.0 tiny_lib=1.2.0" {
			t.Fatalf("pip install of what was fetched, the index down:\n%s", r)
		}
		start := time.Now()
		r = u.pip(t, fresh, "install", "--no-cache-dir", "--retries", "0", "never-fetched")
		if elapsed := time.Since(start); r.Code == 0 || elapsed > 30*time.Second {
			t.Errorf("a project never fetched, the index down: after %v\n%s", elapsed, r)
		}
		t.Logf("pip install never-fetched, the index down, after %v:\n%s", time.Since(start).Round(time.Millisecond), r)
	})
}

// pipIndexURL returns the index URL pip is configured with, or pip's own
// default as pip reports it, read at run time: Arca's code, docs and
// tests name no registry host.
func pipIndexURL(t *testing.T) string {
	t.Helper()
	py := tool(t, "python3")
	if out, err := exec.Command(py, "-m", "pip", "config", "get", "global.index-url").Output(); err == nil {
		if u := strings.TrimSpace(string(out)); strings.HasPrefix(u, "http") {
			return u
		}
	}
	out, err := exec.Command(py, "-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)").Output()
	u := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(u, "http") {
		t.Fatalf("pip reports no index URL (%v): %q", err, out)
	}
	return u
}

// TestPyPISmokePublicIndex installs a small pure-Python project through
// public:pypi pointed at the index pip uses.
func TestPyPISmokePublicIndex(t *testing.T) {
	t.Parallel()
	index := pipIndexURL(t)
	if resp, err := http.Get(strings.TrimRight(index, "/") + "/six/"); err != nil {
		t.Fatalf("the index pip uses (%s) cannot be reached from here: %v", index, err)
	} else {
		resp.Body.Close()
	}
	s := startServer(t, "--external-connection", "public:pypi="+index)
	u := newPyUser(t, s)
	aws := u.aws
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "pypi-store")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "pypi-store", "--external-connection", "public:pypi")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo", "--upstreams", "repositoryName=pypi-store")
	u.login(t, "pip", "my-domain", "my-repo")
	venv := u.venv(t, "smoke")
	r := u.pip(t, venv, "install", "--no-cache-dir", "six==1.16.0")
	if r.Code != 0 || u.imported(t, venv, "six") != "six=1.16.0" {
		t.Fatalf("pip install six through public:pypi:\n%s", r)
	}
	if got := pyVersions(t, u, "pypi-store", "six"); got != "1.16.0:Published" {
		t.Errorf("pypi-store: six versions %s", got)
	}
	d := obj(t, aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", "my-repo", "--format", "pypi",
		"--package", "six", "--package-version", "1.16.0"), "packageVersion")
	if d["summary"] == nil || obj(t, d, "origin")["originType"] != "EXTERNAL" {
		t.Errorf("describe six: %s", pretty(d))
	}
}
