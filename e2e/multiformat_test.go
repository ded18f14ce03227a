package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// fakeRegistry is what TestMultiFormatChain needs of a fake public
// registry: how many requests reached it.
type fakeRegistry interface{ Total() int64 }

// TestMultiFormatChain is the User Guide's multi-format layout (issue 10):
// my-repo with the upstreams npm-store (public:npmjs), pypi-store
// (public:pypi) and maven-store (public:maven-central), each connection
// pointing at a fake public registry that counts requests. npm install,
// pip download and pip install, mvn dependency:get, twine upload into
// my-repo and a generic publish-package-version into my-repo (chained to
// public:npmjs) all succeed, no request gets a 5xx, and each client's
// requests reach only its own format's registry (a generic publish none).
func TestMultiFormatChain(t *testing.T) {
	t.Parallel()
	twine := tool(t, "twine")
	npmReg := upstreamtest.NewNPM(t)
	npmReg.AddPackage("ext-npm", 2) // 1.0.0 1.1.0
	idx := upstreamtest.NewPyPI(t)
	idx.Publish("ext-py", upstreamtest.PyPIDist{Version: "1.0"})
	central := upstreamtest.NewMaven(t)
	central.Publish("org.fake", "lib", "1.0")
	s := startServer(t,
		"--external-connection", "public:npmjs="+npmReg.URL,
		"--external-connection", "public:pypi="+idx.IndexURL,
		"--external-connection", "public:maven-central="+central.URL,
		"--upstream-timeout", "5s")
	u := newPyUser(t, s)
	aws := u.aws
	aws.OK(t, "create-domain", "--domain", "my-domain")
	for store, conn := range map[string]string{"npm-store": "public:npmjs", "pypi-store": "public:pypi", "maven-store": "public:maven-central"} {
		aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", store)
		r := obj(t, aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", store, "--external-connection", conn), "repository")
		if c := list(t, r, "externalConnections"); len(c) != 1 || c[0].(map[string]any)["status"] != "AVAILABLE" {
			t.Errorf("associate-external-connection %s: %s", conn, pretty(r))
		}
	}
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo",
		"--upstreams", "repositoryName=npm-store", "repositoryName=pypi-store", "repositoryName=maven-store")
	step := steps(t)

	fakes := map[string]fakeRegistry{"npm": npmReg, "pypi": idx, "maven": central}
	counts := func() map[string]int64 {
		c := map[string]int64{}
		for f, r := range fakes {
			c[f] = r.Total()
		}
		return c
	}
	// only runs do and checks that of the fake registries only those of
	// formats were asked anything (all of them at least once).
	only := func(t *testing.T, what string, do func(t *testing.T), formats ...string) {
		t.Helper()
		before := counts()
		do(t)
		after := counts()
		for f := range fakes {
			asked := after[f] - before[f]
			switch mine := contains(formats, f); {
			case mine && asked == 0:
				t.Errorf("%s did not reach the %s registry", what, f)
			case !mine && asked != 0:
				t.Errorf("%s sent %d requests to the %s registry", what, asked, f)
			}
		}
	}

	step("npm install", func(t *testing.T) {
		nu := npmLogin(t, s, "my-domain", "my-repo")
		project := newProject(t)
		only(t, "npm install ext-npm", func(t *testing.T) { nu.InstallOK(t, project, "ext-npm") }, "npm")
		if got := requireIn(t, project, "ext-npm"); got != "ext-npm@1.1.0" {
			t.Errorf("require(\"ext-npm\") = %q", got)
		}
	})

	step("pip download and pip install", func(t *testing.T) {
		u.login(t, "pip", "my-domain", "my-repo")
		venv := u.venv(t, "multi")
		dest := t.TempDir()
		only(t, "pip download ext-py", func(t *testing.T) {
			if r := u.pip(t, venv, "download", "--no-cache-dir", "--no-deps", "-d", dest, "ext-py"); r.Code != 0 {
				t.Fatalf("pip download ext-py:\n%s", r)
			}
		}, "pypi")
		wheel := upstreamtest.PyPIWheelName(upstreamtest.PyPIDist{Name: "ext-py", Version: "1.0"})
		if got, err := os.ReadFile(filepath.Join(dest, wheel)); err != nil || !bytes.Equal(got, idx.File(wheel)) {
			t.Errorf("pip download did not save the index's %s: %v", wheel, err)
		}
		if r := u.pip(t, venv, "install", "--no-cache-dir", "ext-py"); r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed ext-py-1.0") {
			t.Fatalf("pip install ext-py:\n%s", r)
		}
		if got := u.imported(t, venv, "ext_py"); got != "ext_py=1.0" {
			t.Errorf("imported %s", got)
		}
	})

	step("mvn dependency:get", func(t *testing.T) {
		mu := newMvnUser(t, mavenEndpoint(t, aws, "my-domain", "my-repo"), codeartifactToken(t, aws, "my-domain"))
		only(t, "mvn dependency:get org.fake:lib:1.0", func(t *testing.T) {
			mu.MvnOK(t, "", "dependency:get", "-Dartifact=org.fake:lib:1.0")
		}, "maven")
		const jar = "org/fake/lib/1.0/lib-1.0.jar"
		if got, err := os.ReadFile(filepath.Join(mu.Repo, jar)); err != nil || !bytes.Equal(got, central.File("/"+jar)) {
			t.Errorf("%s: %v", jar, err)
		}
	})

	step("twine upload", func(t *testing.T) {
		u.login(t, "twine", "my-domain", "my-repo")
		dir, files := dists(t, upstreamtest.PyPIDist{Name: "my-own-py", Version: "0.1"})
		args := twineUpload(dir, files)
		// The upstream rule asks public:pypi whether it has the version.
		only(t, "twine upload my-own-py", func(t *testing.T) { u.ok(t, "", twine, args...) }, "pypi")
		if got := pyVersions(t, u, "my-repo", "my-own-py"); got != "0.1:Published" {
			t.Errorf("my-own-py versions: %s", got)
		}
	})

	step("generic publish-package-version", func(t *testing.T) {
		content := []byte("a generic asset next to public:npmjs\n")
		path := writeFile(t, "asset.txt", string(content))
		sum := sha256.Sum256(content)
		var out map[string]any
		only(t, "publish-package-version --format generic", func(t *testing.T) {
			out = aws.OK(t, "publish-package-version", "--domain", "my-domain", "--repository", "my-repo", "--format", "generic",
				"--namespace", "my-ns", "--package", "my-gen", "--package-version", "1.0.0",
				"--asset-content", path, "--asset-name", "asset.txt", "--asset-sha256", hex.EncodeToString(sum[:]))
		})
		want(t, "publish-package-version", out, "status", "Published")
	})

	// No request of any client got a 5xx.
	var failed []string
	re := regexp.MustCompile(`method=(\S+) path=(\S+) status=(5\d\d)`)
	for _, m := range re.FindAllStringSubmatch(s.AccessLog(), -1) {
		failed = append(failed, fmt.Sprintf("%s %s: %s", m[1], m[2], m[3]))
	}
	if len(failed) > 0 {
		t.Errorf("requests answered with a 5xx:\n%s", strings.Join(failed, "\n"))
	}
}

// TestExternalConnectionNotConfigured: the quick start without the step
// that gives public:npmjs its URL. The association reports the connection
// NOT_CONFIGURED, npm install fails with a 404 saying that public:npmjs
// has no registry URL configured on this server, and a restart warns
// about it; restarted with the URL, the same install works.
func TestExternalConnectionNotConfigured(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"ARCA_ACCOUNT_ID=" + testAccount, "ARCA_ROOT_ACCESS_KEY_ID=" + testKeyID, "ARCA_ROOT_SECRET_ACCESS_KEY=" + testSecret}
	addr := freeAddr(t)
	s := start(t, startOpts{Data: data, Env: env, Addr: addr, RootFromEnv: true})
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "npm-store")
	r := obj(t, aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "npm-store", "--external-connection", "public:npmjs"), "repository")
	want(t, "associate-external-connection with no URL", r, "externalConnections",
		[]any{map[string]any{"externalConnectionName": "public:npmjs", "packageFormat": "npm", "status": "NOT_CONFIGURED"}})
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo", "--upstreams", "repositoryName=npm-store")
	u := npmLogin(t, s, "my-domain", "my-repo")
	res := u.Install(t, newProject(t), "ext-npm")
	if res.Code == 0 || !strings.Contains(res.Stderr, "404") ||
		!strings.Contains(res.Stderr, "external connection public:npmjs has no registry URL configured on this server") {
		t.Errorf("npm install through a connection with no URL: want a 404 saying public:npmjs has no registry URL\n%s", res)
	}
	t.Logf("npm install through a connection with no URL:\n%s", res.Stderr)
	s.Stop(t)

	// Restarted: the warning at start names the connection.
	s = start(t, startOpts{Data: data, Env: env, Addr: addr, RootFromEnv: true})
	if log := s.Stderr(); !strings.Contains(log, "have no registry URL configured") || !strings.Contains(log, "connections=public:npmjs") {
		t.Errorf("the start's log does not warn about public:npmjs:\n%s", log)
	}
	s.Stop(t)

	// Restarted with the URL: the connection is AVAILABLE and installs work.
	reg := upstreamtest.NewNPM(t)
	reg.AddPackage("ext-npm", 1)
	s = start(t, startOpts{Data: data, Env: env, Addr: addr, RootFromEnv: true, Args: []string{"--external-connection", "public:npmjs=" + reg.URL}})
	r = obj(t, aws.OK(t, "describe-repository", "--domain", "my-domain", "--repository", "npm-store"), "repository")
	if c := list(t, r, "externalConnections"); len(c) != 1 || c[0].(map[string]any)["status"] != "AVAILABLE" {
		t.Errorf("describe-repository with the URL configured: %s", pretty(r))
	}
	if strings.Contains(s.Stderr(), "no registry URL") {
		t.Errorf("the start warned with the URL configured:\n%s", s.Stderr())
	}
	project := newProject(t)
	u.InstallOK(t, project, "ext-npm")
	if got := requireIn(t, project, "ext-npm"); got != "ext-npm@1.0.0" {
		t.Errorf("require(\"ext-npm\") = %q", got)
	}
}
