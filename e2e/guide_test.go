package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestGettingStartedGuide runs the User Guide's "Getting started using the
// AWS CLI", steps 1 to 6 and 9, verbatim: the guide's commands and names,
// adding only --endpoint-url and the credentials in the environment (the
// output format is the CLI's default). Every output has every key the
// guide shows, with the guide's values where they are not specific to the
// account, the region or the time.
func TestGettingStartedGuide(t *testing.T) {
	t.Parallel()
	tool(t, "npm") // step 6 runs npm config set
	// As the README's quick start: public:npmjs has a registry URL (here a
	// fake), so the connection is AVAILABLE.
	s := startServer(t, "--external-connection", "public:npmjs="+upstreamtest.NewNPM(t).URL)
	aws := newCLI(t, s)
	acct := s.Account
	guide := func(args ...string) map[string]any {
		t.Helper()
		return mustJSON(t, aws.Raw(t, append([]string{"codeartifact"}, args...)...))
	}
	domainARN := "arn:aws:codeartifact:us-east-1:" + acct + ":domain/my-domain"
	repoARN := func(name string) string {
		return "arn:aws:codeartifact:us-east-1:" + acct + ":repository/my-domain/" + name
	}
	checkDomain := func(step string, out map[string]any, status string) map[string]any {
		t.Helper()
		d := obj(t, out, "domain")
		hasKeys(t, step, d, "name", "owner", "arn", "status", "createdTime", "encryptionKey", "repositoryCount", "assetSizeBytes")
		onlyKeys(t, step, d, domainDescriptionKeys...)
		want(t, step, d, "name", "my-domain")
		want(t, step, d, "owner", acct)
		want(t, step, d, "arn", domainARN)
		want(t, step, d, "status", status)
		want(t, step, d, "repositoryCount", 0)
		want(t, step, d, "assetSizeBytes", 0)
		if k := str(t, d, "encryptionKey"); !strings.HasPrefix(k, "arn:aws:kms:us-east-1:"+acct+":") {
			t.Errorf("%s: encryptionKey %q is not a KMS key ARN of the account and region", step, k)
		}
		if _, ok := d["createdTime"].(float64); !ok {
			t.Errorf("%s: createdTime %v is not epoch seconds", step, d["createdTime"])
		}
		return d
	}
	type conn = map[string]any
	checkRepo := func(step string, out map[string]any, name string, upstreams []any, conns []any) {
		t.Helper()
		r := obj(t, out, "repository")
		hasKeys(t, step, r, "name", "administratorAccount", "domainName", "domainOwner", "arn", "upstreams", "externalConnections")
		onlyKeys(t, step, r, repositoryDescriptionKeys...)
		want(t, step, r, "name", name)
		want(t, step, r, "administratorAccount", acct)
		want(t, step, r, "domainName", "my-domain")
		want(t, step, r, "domainOwner", acct)
		want(t, step, r, "arn", repoARN(name))
		want(t, step, r, "upstreams", upstreams)
		want(t, step, r, "externalConnections", conns)
	}
	npmjs := []any{conn{"externalConnectionName": "public:npmjs", "packageFormat": "npm", "status": "AVAILABLE"}}
	npmStore := []any{map[string]any{"repositoryName": "npm-store"}}

	// 1.
	created := checkDomain("step 1 create-domain", guide("create-domain", "--domain", "my-domain"), "Active")
	// 2.
	checkRepo("step 2 create-repository my-repo",
		guide("create-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "my-repo"),
		"my-repo", []any{}, []any{})
	// 3.
	checkRepo("step 3 create-repository npm-store",
		guide("create-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "npm-store"),
		"npm-store", []any{}, []any{})
	// 4.
	checkRepo("step 4 associate-external-connection",
		guide("associate-external-connection", "--domain", "my-domain", "--domain-owner", acct, "--repository", "npm-store", "--external-connection", "public:npmjs"),
		"npm-store", []any{}, npmjs)
	// 5.
	checkRepo("step 5 update-repository",
		guide("update-repository", "--repository", "my-repo", "--domain", "my-domain", "--domain-owner", acct, "--upstreams", "repositoryName=npm-store"),
		"my-repo", npmStore, []any{})

	// 6.
	login := aws.Raw(t, "codeartifact", "login", "--tool", "npm", "--repository", "my-repo", "--domain", "my-domain", "--domain-owner", acct)
	if login.Code != 0 {
		t.Fatalf("step 6 login failed\n%s", login)
	}
	endpoint := s.URL + "/my-domain-" + acct + "/npm/my-repo/"
	lines := strings.Split(strings.TrimSpace(login.Stdout), "\n")
	if len(lines) != 2 || strings.TrimSpace(lines[0]) != "Successfully configured npm to use AWS CodeArtifact repository "+endpoint {
		t.Fatalf("step 6 login: want \"Successfully configured npm to use AWS CodeArtifact repository %s\" then \"Login expires in 12 hours at ...\"\n%s", endpoint, login)
	}
	m := regexp.MustCompile(`^Login expires in 12 hours at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:\d\d)$`).FindStringSubmatch(strings.TrimSpace(lines[1]))
	if m == nil {
		t.Fatalf("step 6 login: second line is not \"Login expires in 12 hours at <time>\"\n%s", login)
	}
	exp, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", m[1])
	if err != nil {
		t.Fatalf("step 6 login: expiry %q: %v", m[1], err)
	}
	if d := time.Until(exp); d < 12*time.Hour-2*time.Minute || d > 12*time.Hour+time.Minute {
		t.Errorf("step 6 login: the token expires in %v, want 12 hours", d)
	}
	npmrc, err := os.ReadFile(filepath.Join(aws.Home, ".npmrc"))
	if err != nil {
		t.Fatalf("step 6 login wrote no ~/.npmrc: %v\n%s", err, login)
	}
	if !strings.Contains(string(npmrc), "registry="+endpoint+"\n") {
		t.Errorf("step 6: ~/.npmrc does not set registry=%s\n%s", endpoint, npmrc)
	}

	// 9a, 9b, 9c, in the order of the guide's commands.
	checkRepo("step 9a delete-repository my-repo",
		guide("delete-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "my-repo"),
		"my-repo", npmStore, []any{})
	checkRepo("step 9b delete-repository npm-store",
		guide("delete-repository", "--domain", "my-domain", "--domain-owner", acct, "--repository", "npm-store"),
		"npm-store", []any{}, npmjs)
	deleted := checkDomain("step 9c delete-domain", guide("delete-domain", "--domain", "my-domain", "--domain-owner", acct), "Deleted")
	want(t, "step 9c delete-domain (the guide shows the creation time)", deleted, "createdTime", created["createdTime"])
	want(t, "step 9c delete-domain", deleted, "encryptionKey", created["encryptionKey"])

	if state := snapshot(t, s); state != "{}" {
		t.Errorf("after step 9 the account still has resources:\n%s", state)
	}
}
