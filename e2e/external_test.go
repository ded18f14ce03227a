package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestExternalConnection drives the public:npmjs external connection with
// real npm against a fake public registry that counts requests (arca
// started with --upstream-timeout 2s): the first install gets the
// packages at once, concurrent installs collapse into one fetch per
// package and tarball, and during an outage what was ingested still
// installs while what never was fails at once with a clear error.
func TestExternalConnection(t *testing.T) {
	t.Parallel()
	reg := upstreamtest.NewNPM(t)
	s := startServer(t, "--external-connection", "public:npmjs="+reg.URL, "--upstream-timeout", "2s")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "npm-store")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "npm-store", "--external-connection", "public:npmjs")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo", "--upstreams", "repositoryName=npm-store")
	u := npmLogin(t, s, "my-domain", "my-repo")
	step := steps(t)

	reg.AddPackage("ext-a", 3) // 1.0.0 1.1.0 1.2.0
	reg.Publish("ext-b", upstreamtest.Version{Version: "1.0.0", Dependencies: map[string]string{"ext-a": "^1.0.0"}})
	reg.Publish("@pub/ext-c", upstreamtest.Version{Version: "2.0.0"})
	reg.AddPackage("ext-burst", 2)
	reg.AddPackage("ext-never", 1)

	// counts describes what reached the fake registry for a package.
	counts := func(name string, versions ...string) string {
		c := fmt.Sprintf("%s: %d documents", name, reg.Packuments(name))
		for _, v := range versions {
			c += fmt.Sprintf(", %d tarballs of %s", reg.Tarballs(name, v), v)
		}
		return c
	}
	project := newProject(t) // installs ext-b and @pub/ext-c

	step("first install", func(t *testing.T) {
		r := u.InstallOK(t, project, "ext-b", "@pub/ext-c")
		if !strings.Contains(r.Stdout, "added 3 packages") {
			t.Errorf("npm install: want \"added 3 packages\"\n%s", r)
		}
		for name, want := range map[string]string{"ext-b": "1.0.0", "ext-a": "1.2.0", "@pub/ext-c": "2.0.0"} {
			if got := installedVersion(t, project, name); got != want {
				t.Errorf("installed %s@%q, want %s", name, got, want)
			}
			if got := requireIn(t, project, name); got != name+"@"+want {
				t.Errorf("require(%q) = %q", name, got)
			}
			if got := lockResolved(t, project, name); !strings.HasPrefix(got, u.Endpoint) {
				t.Errorf("package-lock.json resolves %s to %q, not through %s", name, got, u.Endpoint)
			}
		}
		for _, c := range []struct{ got, want string }{
			{counts("ext-b", "1.0.0"), "ext-b: 1 documents, 1 tarballs of 1.0.0"},
			{counts("ext-a", "1.0.0", "1.1.0", "1.2.0"), "ext-a: 1 documents, 0 tarballs of 1.0.0, 0 tarballs of 1.1.0, 1 tarballs of 1.2.0"},
			{counts("@pub/ext-c", "2.0.0"), "@pub/ext-c: 1 documents, 1 tarballs of 2.0.0"},
		} {
			if c.got != c.want {
				t.Errorf("requests to the public registry: %s, want %s", c.got, c.want)
			}
		}
		// Retained in the requesting repository and in the one holding the
		// connection; only the versions installed.
		for _, repo := range []string{"my-repo", "npm-store"} {
			out := aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", repo, "--format", "npm", "--package", "ext-a")
			if got := versionList(t, out); !sameList(got, []string{"1.2.0:Published"}) {
				t.Errorf("ext-a in %s: %v, want [1.2.0:Published]", repo, got)
			}
		}
		out := aws.OK(t, "list-packages", "--domain", "my-domain", "--repository", "npm-store", "--format", "npm", "--namespace", "pub")
		if ps := list(t, out, "packages"); len(ps) != 1 || ps[0].(map[string]any)["package"] != "ext-c" {
			t.Errorf("list-packages --namespace pub in npm-store: %s", pretty(out))
		}
		// A second install in another project asks the registry nothing.
		total := reg.Total()
		p := newProject(t)
		u.InstallOK(t, p, "ext-b", "@pub/ext-c")
		if reg.Total() != total {
			t.Errorf("a second install sent %d requests to the public registry, want none", reg.Total()-total)
		}
	})

	const burst = 6
	step("concurrent installs", func(t *testing.T) {
		// Six projects install ext-burst at once, each with its own empty
		// cache; the registry answers slowly so that the misses overlap.
		// (Goroutines, not parallel subtests: those run at most
		// GOMAXPROCS at a time.)
		reg.SetDelay(700 * time.Millisecond)
		var wg sync.WaitGroup
		results := make([]result, burst)
		projects := make([]string, burst)
		args := append(append([]string{"install"}, installFlags...), "ext-burst")
		for i := range burst {
			projects[i] = newProject(t)
			cache := t.TempDir()
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = runQuiet(u.env, projects[i], tool(t, "npm"), append(args, "--cache", cache)...)
			}()
		}
		wg.Wait()
		for i, r := range results {
			if r.Code != 0 {
				t.Fatalf("npm install ext-burst failed\n%s", r)
			}
			if got := requireIn(t, projects[i], "ext-burst"); got != "ext-burst@1.1.0" {
				t.Errorf("require(\"ext-burst\") = %q", got)
			}
		}
		reg.SetDelay(0)
		if got, want := counts("ext-burst", "1.0.0", "1.1.0"), "ext-burst: 1 documents, 0 tarballs of 1.0.0, 1 tarballs of 1.1.0"; got != want {
			t.Errorf("%d concurrent installs sent %s to the public registry, want %s", burst, got, want)
		}
	})

	step("outage", func(t *testing.T) {
		reg.Down()
		defer reg.Up()
		// The lockfile names ingested versions: npm ci installs them.
		p := copyProject(t, project)
		if r := u.CI(t, p); r.Code != 0 {
			t.Fatalf("npm ci with the public registry down failed\n%s", r)
		}
		for _, name := range []string{"ext-b", "ext-a", "@pub/ext-c"} {
			if installedVersion(t, p, name) == "" {
				t.Errorf("npm ci did not install %s", name)
			}
		}
		// So does npm install of what was ingested, without a lockfile.
		p = newProject(t)
		u.InstallOK(t, p, "ext-b@1.0.0")
		if got := requireIn(t, p, "ext-a"); got != "ext-a@1.2.0" {
			t.Errorf("require(\"ext-a\") = %q", got)
		}
		// A package never ingested fails at once, saying why.
		start := time.Now()
		r := u.NPM(t, newProject(t), append(append([]string{"install", "--fetch-retries", "0"}, installFlags...), "ext-never")...)
		elapsed := time.Since(start)
		if r.Code == 0 || !strings.Contains(r.Stderr, "502 Bad Gateway") || !strings.Contains(r.Stderr, "ext-never") {
			t.Errorf("npm install ext-never with the registry down: want a 502 Bad Gateway naming the package\n%s", r)
		}
		if elapsed > 10*time.Second {
			t.Errorf("npm install ext-never failed after %v, want at once", elapsed)
		}
		t.Logf("npm install ext-never failed after %v:\n%s", elapsed.Round(time.Millisecond), r.Stderr)
	})
}

// TestExternalConnectionTimeout: a public registry that holds its answers
// for 30s makes an install fail after --upstream-timeout (2s), with a
// clear error. (Its own server: after a failure Arca remembers the
// registry as down for 30s, which would hide TestExternalConnection's
// outage.)
func TestExternalConnectionTimeout(t *testing.T) {
	t.Parallel()
	reg := upstreamtest.NewNPM(t)
	reg.AddPackage("ext-slow", 1)
	s := startServer(t, "--external-connection", "public:npmjs="+reg.URL, "--upstream-timeout", "2s")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "npm-store")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "npm-store", "--external-connection", "public:npmjs")
	u := npmLogin(t, s, "my-domain", "npm-store")

	// npm retries a 5xx twice, 10s apart at first; --fetch-retries 0
	// shows Arca's answer to one request.
	reg.SetDelay(30 * time.Second)
	start := time.Now()
	r := u.NPM(t, newProject(t), append(append([]string{"install", "--fetch-retries", "0"}, installFlags...), "ext-slow")...)
	elapsed := time.Since(start)
	reg.SetDelay(0)
	// Which deadline fires first, the request's or the fetch's, decides
	// the wording; both say the registry did not answer in time.
	timedOut := strings.Contains(r.Stderr, "in time") || strings.Contains(r.Stderr, "no answer within")
	if r.Code == 0 || !strings.Contains(r.Stderr, "502 Bad Gateway") || !timedOut {
		t.Errorf("npm install ext-slow with the registry answering in 30s: want a 502 Bad Gateway saying it did not answer in time\n%s", r)
	}
	if elapsed < 2*time.Second || elapsed > 10*time.Second {
		t.Errorf("npm install ext-slow failed after %v, want about 2s (--upstream-timeout)", elapsed)
	}
	t.Logf("npm install ext-slow failed after %v:\n%s", elapsed.Round(time.Millisecond), r.Stderr)
}

// runQuiet runs a program like runProgram, for goroutines: it never
// fails the test (a program that cannot start exits 127 here, one that
// runs past two minutes is killed).
func runQuiet(env []string, dir, prog string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env, cmd.Dir = env, dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{Cmd: shellQuote(append([]string{filepath.Base(prog)}, args...)), Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		r.Code, r.Stderr = 127, r.Stderr+err.Error()
	}
	return r
}
