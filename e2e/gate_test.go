package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/audit/audittest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestReleaseGate drives the release-age gate with the arca CLI and shows
// it binding real npm and pip against fake registries whose versions have
// chosen publish times: a version younger than the minimum age is absent
// (npm install pkg gets the older one, pkg@NEW finds no such version,
// fetching its tarball directly, as a lockfile does, is refused with when
// it becomes available), break-glass lets it through, a cut-off applies,
// a missing publish time fails closed unless the group allows it, versions
// already retained are unaffected, and the changes are in the audit log.
func TestReleaseGate(t *testing.T) {
	t.Parallel()
	reg := upstreamtest.NewNPM(t)
	idx := upstreamtest.NewPyPI(t)
	logPath := filepath.Join(t.TempDir(), "audit.log")
	s := startServer(t, "--external-connection", "public:npmjs="+reg.URL, "--external-connection", "public:pypi="+idx.IndexURL,
		"--upstream-timeout", "5s", "--audit-log", logPath)
	aws := newCLI(t, s)
	step := steps(t)
	d := []string{"--domain", "my-domain"}
	args := func(a ...string) []string { return append(append([]string{}, a...), d...) }
	aws.OK(t, args("create-domain")...)
	for _, r := range []string{"npm-store", "pypi-store"} {
		aws.OK(t, args("create-repository", "--repository", r)...)
	}
	aws.OK(t, args("associate-external-connection", "--repository", "npm-store", "--external-connection", "public:npmjs")...)
	aws.OK(t, args("associate-external-connection", "--repository", "pypi-store", "--external-connection", "public:pypi")...)
	aws.OK(t, args("create-repository", "--repository", "my-repo", "--upstreams", "repositoryName=npm-store", "repositoryName=pypi-store")...)
	for _, g := range []string{"/npm/*", "/npm//cut-pkg$", "/pypi/*"} {
		aws.OK(t, args("create-package-group", "--package-group", g)...)
	}
	u := newArcaUser(t, s)
	gate := func(a ...string) result {
		t.Helper()
		return u.arcaOK(t, append(append([]string{"gate"}, a...), "--endpoint-url", s.URL, "--domain", "my-domain")...)
	}

	now := time.Now().UTC()
	old, young := now.Add(-10*24*time.Hour), now.Add(-time.Hour)
	reg.Publish("left-pad", upstreamtest.Version{Version: "1.0.0", Time: old})
	reg.Publish("left-pad", upstreamtest.Version{Version: "1.1.0", Time: young})
	reg.Publish("kept-pkg", upstreamtest.Version{Version: "2.0.0", Time: young})
	npmApp := npmLogin(t, s, "my-domain", "my-repo")

	step("a version retained before the gate stays installable", func(t *testing.T) {
		npmApp.InstallOK(t, newProject(t), "kept-pkg@2.0.0")
	})

	step("arca gate set and show", func(t *testing.T) {
		r := gate("set", "--package-group", "/npm/*", "--min-age", "72h")
		if !strings.Contains(r.Stdout, "/npm/*: minimum age 72h, missing time block") {
			t.Errorf("arca gate set:\n%s", r)
		}
		bad := u.arca(t, "gate", "set", "--endpoint-url", s.URL, "--domain", "my-domain", "--package-group", "/npm/*", "--min-age", "soon")
		if bad.Code == 0 || !strings.Contains(bad.Stderr, "72h, 3d") {
			t.Errorf("a bad --min-age:\n%s", bad)
		}
		bad = u.arca(t, "gate", "set", "--endpoint-url", s.URL, "--domain", "my-domain", "--package-group", "/maven/*", "--min-age", "1h")
		if bad.Code == 0 || !strings.Contains(bad.Stderr, "not found") {
			t.Errorf("a group that does not exist:\n%s", bad)
		}
		r = gate("show", "--package-group", "/npm//cut-pkg$")
		if !strings.Contains(r.Stdout, "(inherited from /npm/*)") {
			t.Errorf("arca gate show of a child group:\n%s", r)
		}
	})

	step("npm: the young version is held back", func(t *testing.T) {
		project := newProject(t)
		npmApp.InstallOK(t, project, "left-pad")
		if got := installedVersion(t, project, "left-pad"); got != "1.0.0" {
			t.Errorf("npm install left-pad (latest is 1.1.0, an hour old) installed %q, want 1.0.0", got)
		}
		r := npmApp.Install(t, newProject(t), "left-pad@1.1.0")
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "No matching version found for left-pad@1.1.0") {
			t.Errorf("npm install left-pad@1.1.0: want no matching version\n%s", r)
		}
		// The tarball URL, as a lockfile names it, is refused with the reason.
		r = npmApp.Install(t, newProject(t), npmApp.Endpoint+"left-pad/-/left-pad-1.1.0.tgz")
		if out := r.Stdout + r.Stderr; r.Code == 0 || !strings.Contains(out, "403") || !strings.Contains(out, "becomes available at") || !strings.Contains(out, "/npm/*") {
			t.Errorf("npm install of the held tarball: want a 403 saying when it becomes available\n%s", r)
		}
		if n := reg.Tarballs("left-pad", "1.1.0"); n != 0 {
			t.Errorf("the held tarball was fetched %d times from the registry", n)
		}
		npmApp.InstallOK(t, newProject(t), "kept-pkg@2.0.0")
		r = gate("held", "--repository", "my-repo", "--format", "npm", "--package", "left-pad")
		if !strings.Contains(r.Stdout, "1.1.0") || !strings.Contains(r.Stdout, "/npm/*") || strings.Contains(r.Stdout, "1.0.0") {
			t.Errorf("arca gate held:\n%s", r)
		}
	})

	step("npm: break-glass lets one version through", func(t *testing.T) {
		gate("allow", "--format", "npm", "--package", "left-pad", "--version", "1.1.0")
		project := newProject(t)
		npmApp.InstallOK(t, project, "left-pad")
		if got := installedVersion(t, project, "left-pad"); got != "1.1.0" {
			t.Errorf("after arca gate allow: installed %q, want 1.1.0", got)
		}
		if r := gate("show"); !strings.Contains(r.Stdout, "left-pad") || !strings.Contains(r.Stdout, "1.1.0") {
			t.Errorf("arca gate show lists no break-glass entry:\n%s", r)
		}
	})

	step("npm: a cut-off, and a missing publish time", func(t *testing.T) {
		cutoff := now.Add(-5 * 24 * time.Hour)
		reg.Publish("cut-pkg", upstreamtest.Version{Version: "1.0.0", Time: cutoff.Add(-24 * time.Hour)})
		reg.Publish("cut-pkg", upstreamtest.Version{Version: "1.0.1", Time: cutoff.Add(24 * time.Hour)})
		gate("set", "--package-group", "/npm//cut-pkg$", "--cutoff", cutoff.Format("2006-01-02T15:04Z07:00"))
		project := newProject(t)
		npmApp.InstallOK(t, project, "cut-pkg")
		if got := installedVersion(t, project, "cut-pkg"); got != "1.0.0" {
			t.Errorf("npm install cut-pkg (1.0.1 published after the cut-off, four days ago) installed %q, want 1.0.0", got)
		}

		reg.Publish("untimed", upstreamtest.Version{Version: "1.0.0", Time: old})
		var doc map[string]any
		if err := json.Unmarshal(reg.Document("untimed"), &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, "time")
		b, _ := json.Marshal(doc)
		reg.SetDocument("untimed", b)
		r := npmApp.Install(t, newProject(t), "untimed")
		if r.Code == 0 {
			t.Errorf("npm install of a package whose registry gives no publish time succeeded\n%s", r)
		}
		r = npmApp.Install(t, newProject(t), npmApp.Endpoint+"untimed/-/untimed-1.0.0.tgz")
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "no publish time") {
			t.Errorf("the tarball of an untimed version: want a refusal saying there is no publish time\n%s", r)
		}
	})

	step("pip: held, break-glass for a project, missing time allowed explicitly", func(t *testing.T) {
		idx.Publish("tiny-lib", upstreamtest.PyPIDist{Version: "1.0", Time: old})
		idx.Publish("tiny-lib", upstreamtest.PyPIDist{Version: "1.1", Time: young})
		gate("set", "--package-group", "/pypi/*", "--min-age", "3d")
		py := newPyUser(t, s)
		py.login(t, "pip", "my-domain", "my-repo")
		venv := py.venv(t, "gate")
		r := py.pip(t, venv, "install", "--no-cache-dir", "--retries", "0", "tiny-lib==1.1")
		if r.Code == 0 || !strings.Contains(r.Stderr, "No matching distribution found for tiny-lib==1.1") {
			t.Errorf("pip install tiny-lib==1.1 (an hour old): want no distribution\n%s", r)
		}
		r = py.pip(t, venv, "install", "--no-cache-dir", "tiny-lib")
		if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed tiny-lib-1.0") {
			t.Errorf("pip install tiny-lib: want 1.0\n%s", r)
		}
		gate("allow", "--format", "pypi", "--package", "Tiny_Lib")
		r = py.pip(t, venv, "install", "--no-cache-dir", "tiny-lib==1.1")
		if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed tiny-lib-1.1") {
			t.Errorf("pip install tiny-lib==1.1 after allowing the project\n%s", r)
		}

		// An index serving only HTML gives no upload time: held (fail closed).
		idx.SetHTMLOnly(true)
		idx.Publish("html-lib", upstreamtest.PyPIDist{Version: "1.0", Time: old})
		r = py.pip(t, venv, "install", "--no-cache-dir", "--retries", "0", "html-lib")
		if r.Code == 0 {
			t.Errorf("pip install of a project without upload times succeeded\n%s", r)
		}
		gate("set", "--package-group", "/pypi/*", "--min-age", "3d", "--missing-time", "allow")
		r = py.pip(t, venv, "install", "--no-cache-dir", "html-lib")
		if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed html-lib-1.0") {
			t.Errorf("pip install html-lib with --missing-time allow\n%s", r)
		}
	})

	step("the audit log", func(t *testing.T) {
		events := audittest.Wait(t, logPath, func(ev []audittest.Event) bool {
			return len(audittest.Named(ev, "PutReleaseGate")) >= 4 && len(audittest.Named(ev, "AllowHeldVersion")) >= 2
		})
		for _, e := range audittest.Named(events, "AllowHeldVersion") {
			if e.Field("userIdentity", "type") != "Root" || e.Field("requestParameters", "package") == nil {
				t.Errorf("AllowHeldVersion event %v", pretty(e))
			}
		}
	})
}

// TestReleaseGateMaven: Maven dates versions by the Last-Modified of
// their POMs (the metadata's lastUpdated bounds them all): mvn resolving
// a range gets the version old enough, the young one is missing from the
// metadata and refused with the reason, and break-glass lets it through.
func TestReleaseGateMaven(t *testing.T) {
	t.Parallel()
	fake := upstreamtest.NewMaven(t)
	now := time.Now().UTC()
	fake.PublishAt(now.Add(-10*24*time.Hour), "org.fake", "lib", "1.0")
	fake.PublishAt(now.Add(-time.Hour), "org.fake", "lib", "1.1")
	s := startServer(t, "--external-connection", "public:maven-central="+fake.URL, "--upstream-timeout", "5s")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "central-store")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "central-store", "--external-connection", "public:maven-central")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo", "--upstreams", "repositoryName=central-store")
	u := newArcaUser(t, s)
	u.arcaOK(t, "gate", "set", "--endpoint-url", s.URL, "--domain", "my-domain", "--package-group", "/*", "--min-age", "3d")

	ep := mavenEndpoint(t, aws, "my-domain", "my-repo")
	token := codeartifactToken(t, aws, "my-domain")
	mvn := newMvnUser(t, ep, token)
	app := mavenProject(t, "com.example", "app", "1.0.0", ep, "org.fake:lib:[1.0,2.0)")
	mvn.MvnOK(t, app, "dependency:resolve")
	if _, err := os.Stat(filepath.Join(mvn.Repo, "org/fake/lib/1.0/lib-1.0.jar")); err != nil {
		t.Errorf("mvn resolving [1.0,2.0) did not get 1.0: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mvn.Repo, "org/fake/lib/1.1")); err == nil {
		t.Error("mvn got the held 1.1")
	}
	if r := mvn.Mvn(t, "", "dependency:get", "-Dartifact=org.fake:lib:1.1", "-Dtransitive=false"); r.Code == 0 {
		t.Errorf("mvn dependency:get of the held 1.1 succeeded\n%s", tail(r.String(), 3000))
	}
	req, _ := http.NewRequest(http.MethodGet, ep+"org/fake/lib/1.1/lib-1.1.pom", nil)
	req.SetBasicAuth("aws", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "becomes available at") {
		t.Errorf("GET of the held POM: %d %s", resp.StatusCode, body)
	}

	u.arcaOK(t, "gate", "allow", "--endpoint-url", s.URL, "--domain", "my-domain", "--format", "maven", "--namespace", "org.fake", "--package", "lib", "--version", "1.1")
	mvn.MvnOK(t, "", "dependency:get", "-Dartifact=org.fake:lib:1.1", "-Dtransitive=false")
}
