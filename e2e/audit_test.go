package e2e

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"

	"github.com/arcahq/arca/internal/audit/audittest"
)

// TestAudit: the audit log shows who did what with the real clients: the
// AWS CLI's control-plane calls (a failing one with its error code),
// GetAuthorizationToken without the token, npm's publish and install as
// PublishPackageVersion and ReadFromRepository data events naming the
// token by its id (the repository's data events are switched on). Then
// `arca token revoke` on the token npm uses: npm's next request gets 401,
// as does anyone else holding the token.
func TestAudit(t *testing.T) {
	t.Parallel()
	logPath := filepath.Join(t.TempDir(), "trail", "audit.log")
	s := startServer(t, "--audit-log", logPath, "--audit-data-events", "my-domain/my-repo")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	aws.Fail(t, "ResourceNotFoundException", "DescribeRepository", "describe-repository", "--domain", "my-domain", "--repository", "nope")
	tok := str(t, aws.OK(t, "get-authorization-token", "--domain", "my-domain", "--domain-owner", s.Account), "authorizationToken")

	// npm configured by hand with that token, as for a tool `login` does not know.
	endpoint := s.URL + "/my-domain-" + s.Account + "/npm/my-repo/"
	npmrc := "registry=" + endpoint + "\n//" + strings.TrimPrefix(endpoint, "http://") + ":_authToken=" + tok + "\n"
	if err := os.WriteFile(filepath.Join(aws.Home, ".npmrc"), []byte(npmrc), 0o600); err != nil {
		t.Fatal(err)
	}
	u := &npmUser{AWS: aws, Home: aws.Home, Endpoint: endpoint, Repo: "my-repo", env: clientEnv(aws.Home)}
	hello := pkgSpec{Name: "arca-hello", Version: "1.0.0", Mark: "my-repo"}
	u.PublishOK(t, hello)
	project := newProject(t)
	u.InstallOK(t, project, "arca-hello")
	wantInstalled(t, project, hello)

	events := audittest.Wait(t, logPath, func(ev []audittest.Event) bool {
		return audittest.Has("ReadFromRepository", "")(ev) && audittest.Has("PublishPackageVersion", "")(ev)
	})
	root := "arn:aws:iam::" + s.Account + ":root"
	// Who: the root, with its access key, from the loopback address, with the CLI's user agent.
	for _, name := range []string{"CreateDomain", "CreateRepository", "DescribeRepository", "GetAuthorizationToken"} {
		es := audittest.Named(events, name)
		if len(es) != 1 {
			t.Fatalf("%d %s events, want 1:\n%s", len(es), name, pretty(events))
		}
		e := es[0]
		if e.Field("userIdentity", "type") != "Root" || e.Field("userIdentity", "arn") != root ||
			e.Field("userIdentity", "accountId") != s.Account || e.Field("userIdentity", "accessKeyId") != s.KeyID {
			t.Errorf("%s userIdentity = %v", name, e["userIdentity"])
		}
		if e["eventSource"] != "codeartifact.amazonaws.com" || e["eventType"] != "AwsApiCall" || e["awsRegion"] != "us-east-1" ||
			e["sourceIPAddress"] != "127.0.0.1" || !strings.HasPrefix(e["userAgent"].(string), "aws-cli/") ||
			e["requestID"] == "" || e["eventID"] == "" || e["eventVersion"] == nil {
			t.Errorf("%s event = %s", name, pretty(e))
		}
		if _, err := time.Parse(time.RFC3339, e["eventTime"].(string)); err != nil {
			t.Errorf("%s eventTime: %v", name, err)
		}
	}
	// What: the parameters, and the error of the failing call.
	if d := audittest.Named(events, "CreateDomain")[0]; d.Field("requestParameters", "domain") != "my-domain" || d["readOnly"] != false {
		t.Errorf("CreateDomain event = %s", pretty(d))
	}
	if d := audittest.Named(events, "DescribeRepository")[0]; d["errorCode"] != "ResourceNotFoundException" ||
		d.Field("requestParameters", "repository") != "nope" || d["readOnly"] != true || d["errorMessage"] == nil {
		t.Errorf("DescribeRepository event = %s", pretty(d))
	}
	gat := audittest.Named(events, "GetAuthorizationToken")[0]
	tokenID, _ := gat.Field("responseElements", "tokenId").(string)
	if len(tokenID) != 32 || gat.Field("responseElements", "authorizationToken") != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("GetAuthorizationToken responseElements = %v", gat["responseElements"])
	}
	// npm's requests: data events naming the package and the token's id.
	for _, name := range []string{"ReadFromRepository", "PublishPackageVersion"} {
		for _, e := range audittest.Named(events, name) {
			if e.Field("userIdentity", "arn") != root || e.Field("additionalEventData", "tokenId") != tokenID ||
				e.Field("requestParameters", "domainName") != "my-domain" || e.Field("requestParameters", "repositoryName") != "my-repo" ||
				e.Field("requestParameters", "packageFormat") != "npm" || !strings.HasPrefix(e["userAgent"].(string), "npm/") {
				t.Errorf("%s event = %s", name, pretty(e))
			}
		}
	}
	if !hasPackageEvent(events, "PublishPackageVersion", "arca-hello") || !hasPackageEvent(events, "ReadFromRepository", "arca-hello") {
		t.Errorf("no PublishPackageVersion and ReadFromRepository events for arca-hello:\n%s", pretty(events))
	}

	// Revoke the token npm holds, by the token itself on stdin.
	r := runArca(t, tok+"\n", "token", "revoke", "--data", s.Data, "--reason", "e2e")
	if r.Code != 0 || !strings.Contains(r.Stdout, tokenID) {
		t.Fatalf("arca token revoke failed\n%s", r)
	}
	failed := u.Install(t, newProject(t), "arca-hello")
	if failed.Code == 0 || !strings.Contains(failed.Stdout+failed.Stderr, "E401") {
		t.Fatalf("npm install with a revoked token: want E401\n%s", failed)
	}
	whoami(t, endpoint, tok, http.StatusUnauthorized) // another holder of the token
	r = runArca(t, "", "token", "inspect", "--data", s.Data, tok)
	if r.Code != 0 || !strings.Contains(r.Stdout, "revoked") {
		t.Errorf("arca token inspect of the revoked token\n%s", r)
	}
	// A new token works.
	fresh := str(t, aws.OK(t, "get-authorization-token", "--domain", "my-domain"), "authorizationToken")
	whoami(t, endpoint, fresh, http.StatusOK)

	events = audittest.Wait(t, logPath, audittest.Has("ReadFromRepository", "RevokedTokenException"))
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for what, secret := range map[string]string{"a token": tok, "the new token": fresh, "the secret key": s.Secret} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds %s", what)
		}
	}
}

// TestAuditDataEventsOffByDefault: as in CloudTrail, package reads are
// data events a server records only when told to; the control plane, and
// a read refused (a revoked token), are recorded all the same.
func TestAuditDataEventsOffByDefault(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	logPath := filepath.Join(s.Data, "audit", "audit.log")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	tok := str(t, aws.OK(t, "get-authorization-token", "--domain", "my-domain"), "authorizationToken")
	endpoint := s.URL + "/my-domain-" + s.Account + "/npm/my-repo/"
	whoami(t, endpoint, tok, http.StatusOK) // a read
	if r := runArca(t, tok+"\n", "token", "revoke", "--data", s.Data, "--reason", "e2e"); r.Code != 0 {
		t.Fatalf("arca token revoke failed\n%s", r)
	}
	whoami(t, endpoint, tok, http.StatusUnauthorized) // a read refused
	aws.OK(t, "list-domains")
	events := audittest.Wait(t, logPath, func(ev []audittest.Event) bool {
		return audittest.Has("ListDomains", "")(ev) && audittest.Has("ReadFromRepository", "RevokedTokenException")(ev)
	})
	for _, e := range audittest.Named(events, "ReadFromRepository") {
		if e["errorCode"] == nil {
			t.Errorf("a package read was recorded without --audit-data-events: %s", pretty(e))
		}
	}
	for _, e := range audittest.Named(events, "CreateRepository") {
		if e["managementEvent"] != true || e["eventCategory"] != "Management" {
			t.Errorf("CreateRepository event = %s", pretty(e))
		}
	}
}

// hasPackageEvent reports whether there is an event of that name for the
// package.
func hasPackageEvent(events []audittest.Event, name, pkg string) bool {
	for _, e := range audittest.Named(events, name) {
		if e.Field("requestParameters", "packageName") == pkg && e["errorCode"] == nil {
			return true
		}
	}
	return false
}

// runArca runs the arca binary with stdin and returns what it did.
func runArca(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb strings.Builder
	cmd := exec.CommandContext(ctx, arcaBin, args...)
	cmd.Env = serverEnv(nil)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{Cmd: shellQuote(append([]string{"arca"}, args...)), Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", r.Cmd, err)
	}
	return r
}

// TestAuditRotation: the audit log rotates by size and, with no retention
// floor (--audit-log-min-age 0), keeps --audit-log-keep old files,
// gzipped, every line whole.
func TestAuditRotation(t *testing.T) {
	t.Parallel()
	logPath := filepath.Join(t.TempDir(), "audit.log")
	s := startServer(t, "--audit-log", logPath, "--audit-log-max-size", "4KiB", "--audit-log-keep", "2", "--audit-log-min-age", "0")
	c := sdk(s)
	for i := 0; i < 40; i++ {
		if _, err := c.ListDomains(context.Background(), &codeartifact.ListDomainsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	// 40 events of about 700 bytes: more than 3 files of 4 KiB.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := 0
		for _, p := range []string{logPath, logPath + ".1.gz", logPath + ".2.gz"} {
			n += len(audittest.Read(t, p))
		}
		if _, err := os.Stat(logPath + ".2.gz"); err == nil && n > 0 && len(audittest.Named(audittest.Read(t, logPath), "ListDomains")) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the audit log did not rotate twice")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, p := range []string{logPath, logPath + ".1.gz", logPath + ".2.gz"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 4096 {
			t.Errorf("%s is %d bytes, over the 4 KiB maximum", p, st.Size())
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, st.Mode().Perm())
		}
		for _, e := range audittest.Read(t, p) {
			if e["eventName"] != "ListDomains" {
				t.Errorf("%s: unexpected event %s", p, pretty(e))
			}
		}
	}
	if _, err := os.Stat(logPath + ".3.gz"); err == nil {
		t.Errorf("%s.3 exists: more than --audit-log-keep 2 old files", logPath)
	}
}

// TestAuditStdout: ARCA_AUDIT_LOG=- sends the events to standard output
// and writes no file.
func TestAuditStdout(t *testing.T) {
	t.Parallel()
	s := start(t, startOpts{
		Env: []string{"ARCA_ACCOUNT_ID=" + testAccount, "ARCA_ROOT_ACCESS_KEY_ID=" + testKeyID,
			"ARCA_ROOT_SECRET_ACCESS_KEY=" + testSecret, "ARCA_AUDIT_LOG=-"},
		RootFromEnv: true,
	})
	if _, err := sdk(s).ListDomains(context.Background(), &codeartifact.ListDomainsInput{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.stdout.String(), `"eventName":"ListDomains"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no ListDomains event on stdout:\n%s", s.stdout.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(s.Data, "audit")); err == nil {
		t.Error("an audit directory was created with ARCA_AUDIT_LOG=-")
	}
}
