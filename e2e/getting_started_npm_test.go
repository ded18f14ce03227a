package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGettingStartedNPMInstall runs the User Guide's "Getting started
// using the AWS CLI", steps 1 to 9, verbatim (adding only --endpoint-url
// and the credentials in the environment), with step 7's
// `npm install lodash` going through public:npmjs to the npm registry
// that npm itself is configured with on this machine (read at run time
// with `npm config get registry` in the caller's environment, never
// written down here). Step 8's
// list-packages shows lodash in my-repo; step 9 deletes everything.
func TestGettingStartedNPMInstall(t *testing.T) {
	t.Parallel()
	npm := tool(t, "npm")
	r := runProgram(t, os.Environ(), t.TempDir(), npm, "config", "get", "registry")
	registry := strings.TrimSpace(r.Stdout)
	if r.Code != 0 || !strings.HasPrefix(registry, "http") {
		t.Fatalf("npm config get registry gave no registry URL\n%s", r)
	}
	s := startServer(t, "--external-connection", "public:npmjs="+registry)
	aws := newCLI(t, s)
	acct := s.Account
	guide := func(step string, args ...string) map[string]any {
		t.Helper()
		r := aws.Raw(t, append([]string{"codeartifact"}, args...)...)
		if r.Code != 0 {
			t.Fatalf("step %s failed\n%s", step, r)
		}
		return mustJSON(t, r)
	}
	repo := func(step string, out map[string]any, name string, upstreams, conns int) {
		t.Helper()
		r := obj(t, out, "repository")
		want(t, step, r, "name", name)
		want(t, step, r, "domainName", "my-domain")
		if len(list(t, r, "upstreams")) != upstreams || len(list(t, r, "externalConnections")) != conns {
			t.Errorf("step %s: want %d upstreams and %d external connections\n%s", step, upstreams, conns, pretty(r))
		}
	}

	want(t, "1", obj(t, guide("1", "create-domain", "--domain", "my-domain"), "domain"), "status", "Active")
	repo("2", guide("2", "create-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "my-repo"), "my-repo", 0, 0)
	repo("3", guide("3", "create-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "npm-store"), "npm-store", 0, 0)
	repo("4", guide("4", "associate-external-connection", "--domain", "my-domain", "--domain-owner", acct, "--repository", "npm-store", "--external-connection", "public:npmjs"), "npm-store", 0, 1)
	repo("5", guide("5", "update-repository", "--repository", "my-repo", "--domain", "my-domain", "--domain-owner", acct, "--upstreams", "repositoryName=npm-store"), "my-repo", 1, 0)

	// 6.
	login := aws.Raw(t, "codeartifact", "login", "--tool", "npm", "--repository", "my-repo", "--domain", "my-domain", "--domain-owner", acct)
	if login.Code != 0 || !strings.Contains(login.Stdout, "Successfully configured npm to use AWS CodeArtifact repository "+s.URL+"/my-domain-"+acct+"/npm/my-repo/") {
		t.Fatalf("step 6 failed\n%s", login)
	}

	// 7. In a new project directory of the user whose npm login configured.
	project := filepath.Join(aws.Home, "project")
	if err := os.Mkdir(project, 0o755); err != nil {
		t.Fatal(err)
	}
	install := runProgram(t, clientEnv(aws.Home), project, npm, "install", "lodash")
	if install.Code != 0 || !strings.Contains(install.Stdout, "added 1 package") {
		t.Fatalf("step 7: npm install lodash failed\n%s", install)
	}
	version := installedVersion(t, project, "lodash")
	if got := lockResolved(t, project, "lodash"); got != s.URL+"/my-domain-"+acct+"/npm/my-repo/lodash/-/lodash-"+version+".tgz" {
		t.Errorf("step 7: package-lock.json resolves lodash to %q, not through my-repo", got)
	}
	node := runProgram(t, os.Environ(), project, tool(t, "node"), "-e", `process.stdout.write(require("lodash").VERSION)`)
	if node.Code != 0 || node.Stdout != version {
		t.Errorf("step 7: require(\"lodash\").VERSION is not %s\n%s", version, node)
	}

	// 8.
	out := guide("8", "list-packages", "--domain", "my-domain", "--repository", "my-repo")
	pkgs := list(t, out, "packages")
	if len(pkgs) != 1 {
		t.Fatalf("step 8: want one package\n%s", pretty(out))
	}
	want(t, "8", pkgs[0].(map[string]any), "format", "npm")
	want(t, "8", pkgs[0].(map[string]any), "package", "lodash")
	// my-repo holds the version npm installed, as does npm-store.
	for _, r := range []string{"my-repo", "npm-store"} {
		vs := versionList(t, guide("8", "list-package-versions", "--domain", "my-domain", "--repository", r, "--format", "npm", "--package", "lodash"))
		if !sameList(vs, []string{version + ":Published"}) {
			t.Errorf("step 8: lodash in %s: %v, want [%s:Published]", r, vs, version)
		}
	}

	// 9a, 9b, 9c.
	repo("9a", guide("9a", "delete-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "my-repo"), "my-repo", 1, 0)
	repo("9b", guide("9b", "delete-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "npm-store"), "npm-store", 0, 1)
	want(t, "9c", obj(t, guide("9c", "delete-domain", "--domain", "my-domain", "--domain-owner", acct), "domain"), "status", "Deleted")
	if state := snapshot(t, s); state != "{}" {
		t.Errorf("after step 9 the account still has resources:\n%s", state)
	}
}
