package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/arcahq/arca/internal/oidc/oidctest"
)

// End-to-end tests of identity and access: the real `aws iam`, `aws sts`
// and `aws codeartifact` CLIs, boto3 and npm against the arca binary.

// withCreds returns a CLI like c that signs with other credentials (no
// credentials at all when id is empty). A session token sets
// AWS_SESSION_TOKEN.
func withCreds(c *cli, id, secret, token string) *cli {
	var env []string
	for _, kv := range c.env {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN":
			continue
		}
		env = append(env, kv)
	}
	if id != "" {
		env = append(env, "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret)
	}
	if token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+token)
	}
	return &cli{srv: c.srv, Home: c.Home, env: env}
}

// iam runs `aws iam args... --output json`, which must succeed.
func (c *cli) iam(t testing.TB, args ...string) map[string]any {
	t.Helper()
	return mustJSON(t, c.Raw(t, append(append([]string{"iam"}, args...), "--output", "json")...))
}

// sts runs `aws sts args... --output json`, which must succeed.
func (c *cli) sts(t testing.TB, args ...string) map[string]any {
	t.Helper()
	return mustJSON(t, c.Raw(t, append(append([]string{"sts"}, args...), "--output", "json")...))
}

// failWith runs `aws SERVICE args...`, which must fail with errType on
// operation op, and returns the message.
func (c *cli) failWith(t testing.TB, errType, op string, args ...string) string {
	t.Helper()
	return expectCLIError(t, c.Raw(t, append(args, "--output", "json")...), errType, op)
}

// sessionCreds reads the Credentials of an AssumeRole* output.
func sessionCreds(t testing.TB, out map[string]any) (id, secret, token string, expires time.Time) {
	t.Helper()
	c := obj(t, out, "Credentials")
	exp, err := time.Parse(time.RFC3339, str(t, c, "Expiration"))
	if err != nil {
		t.Fatalf("Expiration: %v in %s", err, pretty(c))
	}
	return str(t, c, "AccessKeyId"), str(t, c, "SecretAccessKey"), str(t, c, "SessionToken"), exp
}

// signedQuery sends an IAM or STS query request signed with the server's
// root credentials, without the CLI, for state snapshots.
func signedQuery(t testing.TB, s *server, service string, params url.Values) string {
	t.Helper()
	body := params.Encode()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkaws.Credentials{AccessKeyID: s.KeyID, SecretAccessKey: s.Secret},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", service, params.Get("Action"), resp.StatusCode, b)
	}
	return string(b)
}

var (
	requestIDElement = regexp.MustCompile(`<RequestId>[^<]*</RequestId>`)
	memberName       = regexp.MustCompile(`<(?:UserName|RoleName)>([^<]*)</(?:UserName|RoleName)>`)
)

// iamSnapshot returns the IAM state of the root's account: users with
// their keys and policies, roles with theirs, OIDC providers. Two equal
// snapshots mean nothing observable changed.
func iamSnapshot(t testing.TB, s *server) string {
	t.Helper()
	q := func(action string, kv ...string) string {
		v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return requestIDElement.ReplaceAllString(signedQuery(t, s, "iam", v), "")
	}
	var b strings.Builder
	users := q("ListUsers")
	b.WriteString(users)
	for _, m := range memberName.FindAllStringSubmatch(users, -1) {
		for _, a := range []string{"ListAccessKeys", "ListUserPolicies", "ListAttachedUserPolicies"} {
			b.WriteString(q(a, "UserName", m[1]))
		}
	}
	roles := q("ListRoles")
	b.WriteString(roles)
	for _, m := range memberName.FindAllStringSubmatch(roles, -1) {
		for _, a := range []string{"ListRolePolicies", "ListAttachedRolePolicies"} {
			b.WriteString(q(a, "RoleName", m[1]))
		}
	}
	b.WriteString(q("ListOpenIDConnectProviders"))
	return b.String()
}

func iamUnchanged(t testing.TB, s *server, before, what string) {
	t.Helper()
	if after := iamSnapshot(t, s); after != before {
		t.Fatalf("%s changed IAM's state\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

const readOnlyPolicy = "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"

// TestIAMUsersKeysRolesCLI: the life of an IAM user and a role with the
// real AWS CLI. A user with an access key and AWSCodeArtifactReadOnlyAccess
// calls CodeArtifact with its own keys; the errors IAM returns arrive in
// IAM's shape and change nothing; a role trusting the user gives it a
// session whose temporary credentials work with codeartifact, and a token
// with --duration-seconds 0 expires with the session; deactivating or
// deleting the key, and deleting the role, take effect at once; and a
// second account made by `arca admin create-account` on the running server
// lends a role across accounts.
func TestIAMUsersKeysRolesCLI(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	root := newCLI(t, s)
	step := steps(t)
	aliceARN := "arn:aws:iam::" + s.Account + ":user/dev/alice"
	var alice *cli
	var aliceKey string

	step("create a user with a key and the read-only policy", func(t *testing.T) {
		u := obj(t, root.iam(t, "create-user", "--user-name", "alice", "--path", "/dev/"), "User")
		want(t, "create-user", u, "Arn", aliceARN)
		want(t, "create-user", u, "Path", "/dev/")
		if id := str(t, u, "UserId"); !strings.HasPrefix(id, "AIDA") {
			t.Errorf("UserId %s", id)
		}
		k := obj(t, root.iam(t, "create-access-key", "--user-name", "alice"), "AccessKey")
		want(t, "create-access-key", k, "Status", "Active")
		want(t, "create-access-key", k, "UserName", "alice")
		aliceKey = str(t, k, "AccessKeyId")
		alice = withCreds(root, aliceKey, str(t, k, "SecretAccessKey"), "")
		root.iam(t, "attach-user-policy", "--user-name", "alice", "--policy-arn", readOnlyPolicy)
		att := list(t, root.iam(t, "list-attached-user-policies", "--user-name", "alice"), "AttachedPolicies")
		if len(att) != 1 || att[0].(map[string]any)["PolicyName"] != "AWSCodeArtifactReadOnlyAccess" {
			t.Errorf("list-attached-user-policies: %s", pretty(att))
		}
		doc := obj(t, obj(t, root.iam(t, "get-policy-version", "--policy-arn", readOnlyPolicy, "--version-id", "v1"), "PolicyVersion"), "Document")
		if !strings.Contains(pretty(doc), "codeartifact:ReadFromRepository") || !strings.Contains(pretty(doc), "sts:GetServiceBearerToken") {
			t.Errorf("the managed policy's document: %s", pretty(doc))
		}
		users := list(t, root.iam(t, "list-users"), "Users")
		if len(users) != 1 {
			t.Errorf("list-users: %s", pretty(users))
		}
	})

	step("the user's keys authenticate as the user", func(t *testing.T) {
		who := alice.sts(t, "get-caller-identity")
		want(t, "get-caller-identity", who, "Arn", aliceARN)
		want(t, "get-caller-identity", who, "Account", s.Account)
		root.OK(t, "create-domain", "--domain", "iam-domain")
		root.OK(t, "create-repository", "--domain", "iam-domain", "--repository", "repo")
		// Policies are enforced by the authorization layer; what counts
		// here is that the user's signature is accepted.
		if ds := list(t, alice.OK(t, "list-domains"), "domains"); len(ds) != 1 {
			t.Errorf("list-domains with the user's keys: %s", pretty(ds))
		}
		tok := alice.OK(t, "get-authorization-token", "--domain", "iam-domain", "--duration-seconds", "900")
		whoami(t, s.URL+"/iam-domain-"+s.Account+"/npm/repo/", str(t, tok, "authorizationToken"), http.StatusOK)
	})

	step("IAM errors change nothing", func(t *testing.T) {
		root.iam(t, "create-access-key", "--user-name", "alice") // the second key
		before := iamSnapshot(t, s)
		msg := root.failWith(t, "NoSuchEntity", "GetUser", "iam", "get-user", "--user-name", "nobody")
		if msg != "The user with name nobody cannot be found." {
			t.Errorf("NoSuchEntity message %q", msg)
		}
		root.failWith(t, "EntityAlreadyExists", "CreateUser", "iam", "create-user", "--user-name", "Alice")
		root.failWith(t, "DeleteConflict", "DeleteUser", "iam", "delete-user", "--user-name", "alice")
		root.failWith(t, "MalformedPolicyDocument", "PutUserPolicy", "iam", "put-user-policy", "--user-name", "alice",
			"--policy-name", "bad", "--policy-document", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"codeartifact:*"}}`)
		msg = root.failWith(t, "LimitExceeded", "CreateAccessKey", "iam", "create-access-key", "--user-name", "alice")
		if msg != "Cannot exceed quota for AccessKeysPerUser: 2" {
			t.Errorf("LimitExceeded message %q", msg)
		}
		msg = root.failWith(t, "ValidationError", "CreateUser", "iam", "create-user", "--user-name", "no spaces allowed")
		if !strings.HasPrefix(msg, "1 validation error detected: Value 'no spaces allowed' at 'userName'") {
			t.Errorf("ValidationError message %q", msg)
		}
		root.failWith(t, "MalformedPolicyDocument", "CreateRole", "iam", "create-role", "--role-name", "r",
			"--assume-role-policy-document", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}`)
		root.failWith(t, "NoSuchEntity", "AttachUserPolicy", "iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
		msg = alice.failWith(t, "AccessDenied", "CreateUser", "iam", "create-user", "--user-name", "mallory")
		if msg != "User: "+aliceARN+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+s.Account+":user/mallory because no identity-based policy allows the iam:CreateUser action" {
			t.Errorf("AccessDenied message %q", msg)
		}
		iamUnchanged(t, s, before, "the refused calls")
		// The second key goes again.
		keys := list(t, root.iam(t, "list-access-keys", "--user-name", "alice"), "AccessKeyMetadata")
		for _, k := range keys {
			if id := k.(map[string]any)["AccessKeyId"].(string); id != aliceKey {
				root.Raw(t, "iam", "delete-access-key", "--user-name", "alice", "--access-key-id", id)
			}
		}
	})

	var roleARN, deployToken string
	var deploySession *cli
	step("a role session's temporary credentials", func(t *testing.T) {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aliceARN + `"},"Action":"sts:AssumeRole"}]}`
		r := obj(t, root.iam(t, "create-role", "--role-name", "deploy", "--assume-role-policy-document", trust, "--max-session-duration", "7200"), "Role")
		roleARN = str(t, r, "Arn")
		if roleARN != "arn:aws:iam::"+s.Account+":role/deploy" || str(t, obj(t, r, "AssumeRolePolicyDocument"), "Version") != "2012-10-17" {
			t.Fatalf("create-role: %s", pretty(r))
		}
		out := alice.sts(t, "assume-role", "--role-arn", roleARN, "--role-session-name", "ci-build", "--duration-seconds", "900")
		want(t, "assume-role", obj(t, out, "AssumedRoleUser"), "Arn", "arn:aws:sts::"+s.Account+":assumed-role/deploy/ci-build")
		id, secret, token, expires := sessionCreds(t, out)
		if d := time.Until(expires); d < 13*time.Minute || d > 16*time.Minute {
			t.Errorf("a 900-second session expires in %v", d)
		}
		sess := withCreds(root, id, secret, token)
		deploySession = sess
		want(t, "get-caller-identity with the session", sess.sts(t, "get-caller-identity"), "Arn", "arn:aws:sts::"+s.Account+":assumed-role/deploy/ci-build")
		// The session may do what the role's policies allow, and no more.
		sess.Fail(t, "AccessDeniedException", "GetAuthorizationToken", "get-authorization-token", "--domain", "iam-domain", "--duration-seconds", "0")
		root.iam(t, "put-role-policy", "--role-name", "deploy", "--policy-name", "read", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["codeartifact:GetAuthorizationToken","codeartifact:ReadFromRepository","sts:GetServiceBearerToken"],"Resource":"*"}]}`)
		tok := sess.OK(t, "get-authorization-token", "--domain", "iam-domain", "--duration-seconds", "0")
		// The CLI prints CodeArtifact's epoch timestamps as they come.
		sec, ok := tok["expiration"].(float64)
		if exp := time.UnixMilli(int64(sec * 1000)); !ok || !exp.Equal(expires) {
			t.Errorf("a token with --duration-seconds 0 expires at %v (%v), want the session's %v", exp, tok["expiration"], expires)
		}
		deployToken = str(t, tok, "authorizationToken")
		whoami(t, s.URL+"/iam-domain-"+s.Account+"/npm/repo/", deployToken, http.StatusOK)
		// Without a session, 0 is refused.
		alice.Fail(t, "ValidationException", "GetAuthorizationToken", "get-authorization-token", "--domain", "iam-domain", "--duration-seconds", "0")
		// Someone the role does not trust.
		msg := root.failWith(t, "AccessDenied", "AssumeRole", "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "x1")
		if !strings.Contains(msg, "is not authorized to perform: sts:AssumeRole on resource: "+roleARN) {
			t.Errorf("AccessDenied message %q", msg)
		}
	})

	step("deactivating and deleting a key take effect at once", func(t *testing.T) {
		root.Raw(t, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", aliceKey, "--status", "Inactive")
		alice.failWith(t, "InvalidClientTokenId", "GetCallerIdentity", "sts", "get-caller-identity")
		alice.Fail(t, "UnrecognizedClientException", "ListDomains", "list-domains")
		keys := list(t, root.iam(t, "list-access-keys", "--user-name", "alice"), "AccessKeyMetadata")
		if len(keys) != 1 || keys[0].(map[string]any)["Status"] != "Inactive" {
			t.Errorf("list-access-keys: %s", pretty(keys))
		}
		root.Raw(t, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", aliceKey, "--status", "Active")
		alice.sts(t, "get-caller-identity")
		if r := root.Raw(t, "iam", "delete-access-key", "--user-name", "alice", "--access-key-id", aliceKey); r.Code != 0 {
			t.Fatalf("delete-access-key\n%s", r)
		}
		alice.failWith(t, "InvalidClientTokenId", "GetCallerIdentity", "sts", "get-caller-identity")
		alice.Fail(t, "UnrecognizedClientException", "ListDomains", "list-domains")
	})

	step("deleting the role stops its sessions", func(t *testing.T) {
		// The session outlives the key that assumed the role, as in AWS.
		deploySession.sts(t, "get-caller-identity")
		root.iam(t, "put-role-policy", "--role-name", "deploy", "--policy-name", "publish",
			"--policy-document", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"codeartifact:PublishPackageVersion","Resource":"*"}}`)
		before := iamSnapshot(t, s)
		root.failWith(t, "DeleteConflict", "DeleteRole", "iam", "delete-role", "--role-name", "deploy")
		iamUnchanged(t, s, before, "delete-role with a policy")
		deploySession.sts(t, "get-caller-identity")
		root.iam(t, "delete-role-policy", "--role-name", "deploy", "--policy-name", "publish")
		root.iam(t, "delete-role-policy", "--role-name", "deploy", "--policy-name", "read")
		root.iam(t, "delete-role", "--role-name", "deploy")
		deploySession.failWith(t, "InvalidClientTokenId", "GetCallerIdentity", "sts", "get-caller-identity")
		deploySession.Fail(t, "UnrecognizedClientException", "ListDomains", "list-domains")
		root.failWith(t, "NoSuchEntity", "GetRole", "iam", "get-role", "--role-name", "deploy")
		// A role of the same name made again is another role: what the old
		// one's sessions were given stays dead.
		npmEndpoint := s.URL + "/iam-domain-" + s.Account + "/npm/repo/"
		whoami(t, npmEndpoint, deployToken, http.StatusUnauthorized)
		root.iam(t, "create-role", "--role-name", "deploy", "--assume-role-policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+aliceARN+`"},"Action":"sts:AssumeRole"}]}`)
		root.iam(t, "put-role-policy", "--role-name", "deploy", "--policy-name", "read", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codeartifact:ReadFromRepository","Resource":"*"}]}`)
		whoami(t, npmEndpoint, deployToken, http.StatusUnauthorized)
		root.iam(t, "delete-role-policy", "--role-name", "deploy", "--policy-name", "read")
		root.iam(t, "delete-role", "--role-name", "deploy")
	})

	step("an account made by arca admin, trusting this one", func(t *testing.T) {
		r := runProgram(t, clientEnv(t.TempDir()), "", arcaBin, "admin", "create-account", "--data", s.Data, "--account-id", "444455556666")
		if r.Code != 0 {
			t.Fatalf("arca admin create-account\n%s", r)
		}
		var acct rootFile
		if err := json.Unmarshal([]byte(r.Stdout), &acct); err != nil || acct.AccountID != "444455556666" || !strings.HasPrefix(acct.AccessKeyID, "AKIA") {
			t.Fatalf("create-account output (%v)\n%s", err, r)
		}
		other := withCreds(root, acct.AccessKeyID, acct.SecretAccessKey, "")
		want(t, "the new account's root", other.sts(t, "get-caller-identity"), "Arn", "arn:aws:iam::444455556666:root")
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + s.Account + `:root"},"Action":"sts:AssumeRole"}]}`
		lend := str(t, obj(t, other.iam(t, "create-role", "--role-name", "lend", "--assume-role-policy-document", trust), "Role"), "Arn")
		out := root.sts(t, "assume-role", "--role-arn", lend, "--role-session-name", "borrow")
		id, secret, token, _ := sessionCreds(t, out)
		want(t, "a session of the other account's role", withCreds(root, id, secret, token).sts(t, "get-caller-identity"), "Account", "444455556666")
		// Each account sees its own users.
		if users := list(t, other.iam(t, "list-users"), "Users"); len(users) != 0 {
			t.Errorf("the new account sees users: %s", pretty(users))
		}
		r = runProgram(t, clientEnv(t.TempDir()), "", arcaBin, "admin", "list-accounts", "--data", s.Data)
		if r.Code != 0 || !strings.Contains(r.Stdout, s.Account) || !strings.Contains(r.Stdout, "444455556666") {
			t.Errorf("arca admin list-accounts\n%s", r)
		}
		// Deleting the role cuts the live session off.
		sess := withCreds(root, id, secret, token)
		sess.sts(t, "get-caller-identity")
		if r := other.Raw(t, "iam", "delete-role", "--role-name", "lend"); r.Code != 0 {
			t.Fatalf("delete-role\n%s", r)
		}
		sess.failWith(t, "InvalidClientTokenId", "GetCallerIdentity", "sts", "get-caller-identity")
		sess.Fail(t, "UnrecognizedClientException", "ListDomains", "list-domains")
	})
}

// TestIAMWebIdentityNPM is a CI job's login without a stored secret: a
// local OIDC issuer (standing in for the CI provider) mints a token; STS
// trades it for a role session under a trust policy conditioned on the
// token's sub and aud; the session gets a CodeArtifact token, and npm uses
// it. A token for another subject is refused.
func TestIAMWebIdentityNPM(t *testing.T) {
	t.Parallel()
	tool(t, "npm")
	s := startServer(t)
	iss := oidctest.Start(t)
	root := newCLI(t, s)
	key := strings.TrimPrefix(iss.URL, "http://")
	providerARN := "arn:aws:iam::" + s.Account + ":oidc-provider/" + key
	step := steps(t)

	step("register the issuer and a role for one repository's main branch", func(t *testing.T) {
		out := root.iam(t, "create-open-id-connect-provider", "--url", iss.URL, "--client-id-list", "sts.amazonaws.com")
		want(t, "create-open-id-connect-provider", out, "OpenIDConnectProviderArn", providerARN)
		p := root.iam(t, "get-open-id-connect-provider", "--open-id-connect-provider-arn", providerARN)
		want(t, "get-open-id-connect-provider", p, "Url", key)
		want(t, "get-open-id-connect-provider", p, "ClientIDList", []string{"sts.amazonaws.com"})
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},
			"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"StringEquals":{"` + key + `:aud":"sts.amazonaws.com"},"StringLike":{"` + key + `:sub":"repo:arca/demo:ref:refs/heads/main"}}}]}`
		root.iam(t, "create-role", "--role-name", "ci", "--assume-role-policy-document", trust)
		root.OK(t, "create-domain", "--domain", "ci-domain")
		root.OK(t, "create-repository", "--domain", "ci-domain", "--repository", "ci-repo")
	})

	roleARN := "arn:aws:iam::" + s.Account + ":role/ci"
	nobody := withCreds(root, "", "", "") // a CI job: no credentials at all
	var session *cli
	step("assume-role-with-web-identity", func(t *testing.T) {
		tok := iss.Mint(t, "RS256", iss.Claims("repo:arca/demo:ref:refs/heads/main", "sts.amazonaws.com", time.Now()))
		out := nobody.sts(t, "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "gha-42", "--web-identity-token", tok)
		want(t, "assume-role-with-web-identity", out, "SubjectFromWebIdentityToken", "repo:arca/demo:ref:refs/heads/main")
		want(t, "assume-role-with-web-identity", out, "Audience", "sts.amazonaws.com")
		want(t, "assume-role-with-web-identity", out, "Provider", iss.URL)
		want(t, "assume-role-with-web-identity", obj(t, out, "AssumedRoleUser"), "Arn", "arn:aws:sts::"+s.Account+":assumed-role/ci/gha-42")
		id, secret, token, _ := sessionCreds(t, out)
		session = withCreds(root, id, secret, token)
		want(t, "get-caller-identity", session.sts(t, "get-caller-identity"), "Arn", "arn:aws:sts::"+s.Account+":assumed-role/ci/gha-42")

		// Another branch's token, an ES256 token for the wrong audience,
		// a token from an issuer nobody registered.
		other := iss.Mint(t, "RS256", iss.Claims("repo:arca/demo:ref:refs/heads/feature", "sts.amazonaws.com", time.Now()))
		msg := nobody.failWith(t, "AccessDenied", "AssumeRoleWithWebIdentity", "sts", "assume-role-with-web-identity",
			"--role-arn", roleARN, "--role-session-name", "gha-43", "--web-identity-token", other)
		if msg != "Not authorized to perform sts:AssumeRoleWithWebIdentity" {
			t.Errorf("AccessDenied message %q", msg)
		}
		wrongAud := iss.Mint(t, "ES256", iss.Claims("repo:arca/demo:ref:refs/heads/main", "someone-else", time.Now()))
		nobody.failWith(t, "InvalidIdentityToken", "AssumeRoleWithWebIdentity", "sts", "assume-role-with-web-identity",
			"--role-arn", roleARN, "--role-session-name", "gha-44", "--web-identity-token", wrongAud)
		stranger := oidctest.Start(t)
		nobody.failWith(t, "InvalidIdentityToken", "AssumeRoleWithWebIdentity", "sts", "assume-role-with-web-identity",
			"--role-arn", roleARN, "--role-session-name", "gha-45",
			"--web-identity-token", stranger.Mint(t, "RS256", stranger.Claims("repo:arca/demo:ref:refs/heads/main", "sts.amazonaws.com", time.Now())))
	})

	step("the CLI's own web identity provider (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)", func(t *testing.T) {
		tokFile := writeFile(t, "token", iss.Mint(t, "RS256", iss.Claims("repo:arca/demo:ref:refs/heads/main", "sts.amazonaws.com", time.Now())))
		ci := withCreds(root, "", "", "")
		ci.env = append(ci.env, "AWS_ROLE_ARN="+roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE="+tokFile,
			"AWS_ROLE_SESSION_NAME=gha-env", "AWS_ENDPOINT_URL_STS="+s.URL)
		who := ci.sts(t, "get-caller-identity")
		want(t, "get-caller-identity through the CLI's web identity provider", who, "Arn", "arn:aws:sts::"+s.Account+":assumed-role/ci/gha-env")
	})

	step("npm with the session's token", func(t *testing.T) {
		// The role may read, once a policy says so.
		session.failWith(t, "AccessDeniedException", "GetAuthorizationToken", "codeartifact", "get-authorization-token", "--domain", "ci-domain")
		root.iam(t, "attach-role-policy", "--role-name", "ci", "--policy-arn", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess")
		r := session.Raw(t, "codeartifact", "login", "--tool", "npm", "--domain", "ci-domain", "--repository", "ci-repo", "--duration-seconds", "0")
		if r.Code != 0 {
			t.Fatalf("aws codeartifact login with the web identity session\n%s", r)
		}
		endpoint := s.URL + "/ci-domain-" + s.Account + "/npm/ci-repo/"
		npmrc, err := os.ReadFile(filepath.Join(session.Home, ".npmrc"))
		if err != nil || !strings.Contains(string(npmrc), "registry="+endpoint) {
			t.Fatalf("~/.npmrc (%v):\n%s", err, npmrc)
		}
		u := &npmUser{AWS: session, Home: session.Home, Endpoint: endpoint, Repo: "ci-repo", env: clientEnv(session.Home)}
		if r := u.NPMOK(t, "", "ping"); !strings.Contains(r.Stdout+r.Stderr, "PONG") {
			t.Errorf("npm ping: no PONG\n%s", r)
		}
		if r := u.NPMOK(t, "", "whoami"); strings.TrimSpace(r.Stdout) != "aws" {
			t.Errorf("npm whoami: want aws\n%s", r)
		}
	})
}

// TestIAMBoto3 runs testdata/boto3_iam.py: IAM and STS through boto3 with
// endpoint_url, policy documents decoded to dicts, modeled exceptions each
// followed by a check that nothing changed, assume_role and
// assume_role_with_web_identity with timezone-aware expirations, and the
// session's credentials used with codeartifact.
func TestIAMBoto3(t *testing.T) {
	t.Parallel()
	py := python(t)
	s := startServer(t)
	iss := oidctest.Start(t)
	tokens := map[string]string{
		"good":     iss.Mint(t, "RS256", iss.Claims("system:serviceaccount:ci:builder", "arca", time.Now())),
		"es256":    iss.Mint(t, "ES256", iss.Claims("system:serviceaccount:ci:builder", "arca", time.Now())),
		"wrongsub": iss.Mint(t, "RS256", iss.Claims("system:serviceaccount:ci:intruder", "arca", time.Now())),
	}
	tokFile := writeFile(t, "tokens.json", pretty(tokens))
	r := runBoto3(t, py, s, "boto3_iam.py", s.URL, s.Account, iss.URL, tokFile)
	var summary struct {
		OK     bool `json:"ok"`
		Calls  int  `json:"calls"`
		Errors int  `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &summary); err != nil || !summary.OK {
		t.Fatalf("the boto3 IAM scenario did not print its summary (%v)\n%s", err, r)
	}
	t.Logf("boto3: %d successful IAM/STS calls, %d modeled errors checked", summary.Calls, summary.Errors)
}
