package e2e

import (
	"bytes"
	"strings"
	"testing"
)

// TestReplicasOverOneDatabase runs two `arca serve` processes over one
// data directory's database and blob directory (SQLite lets several
// processes share a file), as replicas share a database and a blob store,
// each on its own port, and drives real npm against both: npm publish
// through one, npm install through the other, then a new version and a
// repository policy put through the first bind the second, with each
// server's default freshness (its change counters read from the store
// at most once a millisecond).
func TestReplicasOverOneDatabase(t *testing.T) {
	t.Parallel()
	a := startServer(t)
	b := start(t, startOpts{Data: a.Data, Env: rootEnv(), RootFromEnv: true})
	awsA := newCLI(t, a)
	awsA.OK(t, "create-domain", "--domain", "shared")
	awsA.OK(t, "create-repository", "--domain", "shared", "--repository", "my-repo")
	onA := npmLogin(t, a, "shared", "my-repo")
	onB := npmLogin(t, b, "shared", "my-repo")
	hello := func(version string) pkgSpec { return pkgSpec{Name: "arca-hello", Version: version, Mark: "replica a"} }
	step := steps(t)

	step("publish on a, install on b", func(t *testing.T) {
		onA.PublishOK(t, hello("1.0.0"))
		project := newProject(t)
		onB.InstallOK(t, project, "arca-hello")
		wantInstalled(t, project, hello("1.0.0"))
		if got := lockResolved(t, project, "arca-hello"); got != onB.Endpoint+"arca-hello/-/arca-hello-1.0.0.tgz" {
			t.Errorf("package-lock.json resolves arca-hello to %q, not through b", got)
		}
		// The tarball is the same bytes from either server.
		tarA := fetchNPM(t, onA, "arca-hello/-/arca-hello-1.0.0.tgz")
		if tarB := fetchNPM(t, onB, "arca-hello/-/arca-hello-1.0.0.tgz"); !bytes.Equal(tarA, tarB) {
			t.Errorf("the tarball differs between the servers: %d and %d bytes", len(tarA), len(tarB))
		}
	})

	step("a new version published on a is on b", func(t *testing.T) {
		// b has the package document cached by now.
		if got := onB.Versions(t, "arca-hello"); !sameList(got, []string{"1.0.0"}) {
			t.Fatalf("npm view on b: versions %v, want [1.0.0]", got)
		}
		onA.PublishOK(t, hello("1.1.0"))
		if got := onB.Versions(t, "arca-hello"); !sameList(got, []string{"1.0.0", "1.1.0"}) {
			t.Errorf("npm view on b after a publish on a: versions %v, want [1.0.0 1.1.0]", got)
		}
		project := newProject(t)
		onB.InstallOK(t, project, "arca-hello@1.1.0")
		wantInstalled(t, project, hello("1.1.0"))
	})

	step("a policy put through a denies on b", func(t *testing.T) {
		policy := writeFile(t, "deny.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:ReadFromRepository","Resource":"*"}]}`)
		awsA.OK(t, "put-repository-permissions-policy", "--domain", "shared", "--repository", "my-repo", "--policy-document", "file://"+policy)
		npmRefused(t, onB.Install(t, newProject(t), "arca-hello@1.0.0"), "E403")
	})
}

// fetchNPM GETs a path of u's npm endpoint with u's token.
func fetchNPM(t *testing.T, u *npmUser, path string) []byte {
	t.Helper()
	token := strings.TrimSpace(u.AWS.Raw(t, "codeartifact", "get-authorization-token", "--domain", "shared", "--query", "authorizationToken", "--output", "text").Stdout)
	b, _ := fetch(t, u.Endpoint+path, token)
	return b
}
