package iamapi_test

// In-process scenarios of IAM and STS (tier 3): a full server on SQLite in
// a temporary directory, with a settable clock, called over loopback HTTP
// with requests signed by aws-sdk-go-v2's SigV4 signer at the server's
// time. They assert the wire (XML shapes, error documents, status codes)
// and the state read back afterwards.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/arcahq/arca/internal/oidc/oidctest"
	"github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/servertest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type scenario struct {
	t     *testing.T
	srv   *servertest.Server
	clock *clock
	root  creds
}

type creds struct{ id, secret, token string }

func start(t *testing.T) *scenario {
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	srv := servertest.StartWith(t, []server.Option{server.WithClock(c.now)})
	return &scenario{t: t, srv: srv, clock: c, root: creds{servertest.AccessKeyID, servertest.SecretAccessKey, ""}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// query sends a query-protocol request to service, signed with cr at the
// server's time (unsigned when cr.id is empty).
func (s *scenario) query(service string, cr creds, params ...string) response {
	s.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		form.Add(params[i], params[i+1])
	}
	if form.Get("Version") == "" {
		form.Set("Version", map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}[service])
	}
	return s.send(http.MethodPost, "/", service, cr, "application/x-www-form-urlencoded; charset=utf-8", form.Encode())
}

func (s *scenario) send(method, target, service string, cr creds, contentType, body string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+target, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if cr.id != "" {
		sum := sha256.Sum256([]byte(body))
		ac := aws.Credentials{AccessKeyID: cr.id, SecretAccessKey: cr.secret, SessionToken: cr.token}
		if err := v4.NewSigner().SignHTTP(context.Background(), ac, req, hex.EncodeToString(sum[:]), service, servertest.Region, s.clock.now()); err != nil {
			s.t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

// ok asserts a 200 with the query protocol's envelope for action and
// returns the response.
func (r response) ok(t *testing.T, action string) response {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("%s: status %d\n%s", action, r.status, r.body)
	}
	if !bytes.HasPrefix(r.body, []byte("<"+action+"Response xmlns=\"https://")) {
		t.Fatalf("%s: not a %sResponse: %s", action, action, r.body)
	}
	if id := r.text(t, "ResponseMetadata/RequestId"); id == "" || id != r.header.Get("x-amzn-RequestId") {
		t.Errorf("%s: RequestId %q, header %q", action, id, r.header.Get("x-amzn-RequestId"))
	}
	return r
}

// fail asserts the query protocol's error document and returns the
// message.
func (r response) fail(t *testing.T, doing string, status int, typ, code string) string {
	t.Helper()
	var e struct {
		XMLName xml.Name
		Error   struct{ Type, Code, Message string }
		ID      string `xml:"RequestId"`
	}
	if err := xml.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("%s: not XML: %v\n%s", doing, err, r.body)
	}
	if r.status != status || e.XMLName.Local != "ErrorResponse" || e.Error.Type != typ || e.Error.Code != code || e.Error.Message == "" ||
		e.ID == "" || e.ID != r.header.Get("x-amzn-RequestId") || r.header.Get("Content-Type") != "text/xml" {
		t.Fatalf("%s: got %d %s, want %d with Type %s, Code %s, a message and the request id", doing, r.status, r.body, status, typ, code)
	}
	return e.Error.Message
}

// texts returns the text of every element at the end of path (a suffix of
// the element path, "Credentials/AccessKeyId").
func (r response) texts(path string) []string {
	dec := xml.NewDecoder(bytes.NewReader(r.body))
	var stack []string
	var out []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			if p := strings.Join(stack, "/"); p == path || strings.HasSuffix(p, "/"+path) {
				out = append(out, text.String())
			}
			stack = stack[:len(stack)-1]
		}
	}
}

func (r response) text(t *testing.T, path string) string {
	t.Helper()
	v := r.texts(path)
	if len(v) == 0 {
		t.Fatalf("no %s in %s", path, r.body)
	}
	return v[0]
}

func (s *scenario) createUserWithKey(name string) creds {
	s.t.Helper()
	s.query("iam", s.root, "Action", "CreateUser", "UserName", name).ok(s.t, "CreateUser")
	r := s.query("iam", s.root, "Action", "CreateAccessKey", "UserName", name).ok(s.t, "CreateAccessKey")
	return creds{r.text(s.t, "AccessKey/AccessKeyId"), r.text(s.t, "AccessKey/SecretAccessKey"), ""}
}

func TestIAMWire(t *testing.T) {
	s := start(t)
	const acct = servertest.AccountID

	r := s.query("iam", s.root, "Action", "ListUsers").ok(t, "ListUsers")
	if !bytes.Contains(r.body, []byte("<ListUsersResult><Users></Users><IsTruncated>false</IsTruncated></ListUsersResult>")) {
		t.Errorf("empty ListUsers: %s", r.body)
	}
	r = s.query("iam", s.root, "Action", "CreateUser", "UserName", "alice", "Path", "/dev/").ok(t, "CreateUser")
	if got := r.text(t, "CreateUserResult/User/Arn"); got != "arn:aws:iam::"+acct+":user/dev/alice" {
		t.Errorf("CreateUser Arn = %s", got)
	}
	if got := r.text(t, "User/CreateDate"); got != s.clock.now().Format("2006-01-02T15:04:05Z") {
		t.Errorf("CreateDate = %s", got)
	}
	if !bytes.Contains(r.body, []byte(`xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`)) {
		t.Errorf("namespace: %s", r.body)
	}

	// Errors in IAM's shape, each leaving the state as it was.
	msg := s.query("iam", s.root, "Action", "GetUser", "UserName", "nobody").fail(t, "GetUser nobody", 404, "Sender", "NoSuchEntity")
	if msg != "The user with name nobody cannot be found." {
		t.Errorf("message %q", msg)
	}
	s.query("iam", s.root, "Action", "CreateUser", "UserName", "ALICE").fail(t, "CreateUser ALICE", 409, "Sender", "EntityAlreadyExists")
	msg = s.query("iam", s.root, "Action", "CreateUser", "UserName", "bad name!").fail(t, "CreateUser with a space", 400, "Sender", "ValidationError")
	if msg != `1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+` {
		t.Errorf("validation message %q", msg)
	}
	msg = s.query("iam", s.root, "Action", "CreateUser", "Path", "nope").fail(t, "CreateUser without a name, bad path", 400, "Sender", "ValidationError")
	if !strings.HasPrefix(msg, "2 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be null; ") {
		t.Errorf("two validation errors: %q", msg)
	}
	s.query("iam", s.root, "Action", "CreateUser", "UserName", "tagged", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v").
		fail(t, "CreateUser with tags", 400, "Sender", "InvalidInput")
	s.query("iam", s.root, "Action", "CreateGroup", "GroupName", "g").fail(t, "CreateGroup", 400, "Sender", "InvalidAction")
	s.query("iam", s.root, "Version", "2010-05-08").fail(t, "no Action", 400, "Sender", "MissingAction")
	r = s.query("iam", s.root, "Action", "ListUsers").ok(t, "ListUsers")
	if got := r.texts("Users/member/UserName"); len(got) != 1 || got[0] != "alice" {
		t.Errorf("after the refused calls, users = %v", got)
	}

	// Keys: the third is refused.
	for i := 0; i < 2; i++ {
		s.query("iam", s.root, "Action", "CreateAccessKey", "UserName", "alice").ok(t, "CreateAccessKey")
	}
	msg = s.query("iam", s.root, "Action", "CreateAccessKey", "UserName", "alice").fail(t, "third key", 409, "Sender", "LimitExceeded")
	if msg != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Errorf("LimitExceeded message %q", msg)
	}
	r = s.query("iam", s.root, "Action", "ListAccessKeys", "UserName", "alice").ok(t, "ListAccessKeys")
	if ids := r.texts("AccessKeyMetadata/member/AccessKeyId"); len(ids) != 2 || len(r.texts("SecretAccessKey")) != 0 {
		t.Errorf("ListAccessKeys: %s", r.body)
	}
	s.query("iam", s.root, "Action", "DeleteUser", "UserName", "alice").fail(t, "DeleteUser with keys", 409, "Sender", "DeleteConflict")

	// Policy documents come back URL-encoded, as IAM returns them.
	doc := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "codeartifact:Get*", "Resource": "*"}}`
	s.query("iam", s.root, "Action", "PutUserPolicy", "UserName", "alice", "PolicyName", "read", "PolicyDocument", doc).ok(t, "PutUserPolicy")
	r = s.query("iam", s.root, "Action", "GetUserPolicy", "UserName", "alice", "PolicyName", "read").ok(t, "GetUserPolicy")
	enc := r.text(t, "PolicyDocument")
	if dec, err := url.PathUnescape(enc); err != nil || dec != doc || strings.ContainsAny(enc, " {\"+") {
		t.Errorf("PolicyDocument %q decodes to %q (%v)", enc, dec, err)
	}
	s.query("iam", s.root, "Action", "PutUserPolicy", "UserName", "alice", "PolicyName", "bad", "PolicyDocument", `{"Statement":{"Effect":"Allow"}}`).
		fail(t, "PutUserPolicy malformed", 400, "Sender", "MalformedPolicyDocument")
	r = s.query("iam", s.root, "Action", "ListUserPolicies", "UserName", "alice").ok(t, "ListUserPolicies")
	if got := r.texts("PolicyNames/member"); len(got) != 1 || got[0] != "read" {
		t.Errorf("ListUserPolicies = %v", got)
	}
	s.query("iam", s.root, "Action", "GetUserPolicy", "UserName", "alice", "PolicyName", "bad").fail(t, "GetUserPolicy bad", 404, "Sender", "NoSuchEntity")

	// Managed policies.
	const ro = "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"
	s.query("iam", s.root, "Action", "AttachUserPolicy", "UserName", "alice", "PolicyArn", ro).ok(t, "AttachUserPolicy")
	s.query("iam", s.root, "Action", "AttachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam::aws:policy/IAMFullAccess").
		fail(t, "attach an unknown policy", 404, "Sender", "NoSuchEntity")
	r = s.query("iam", s.root, "Action", "GetPolicy", "PolicyArn", ro).ok(t, "GetPolicy")
	if r.text(t, "Policy/AttachmentCount") != "1" || r.text(t, "Policy/DefaultVersionId") != "v1" || r.text(t, "Policy/IsAttachable") != "true" {
		t.Errorf("GetPolicy: %s", r.body)
	}
	r = s.query("iam", s.root, "Action", "GetPolicyVersion", "PolicyArn", ro, "VersionId", "v1").ok(t, "GetPolicyVersion")
	if d, _ := url.PathUnescape(r.text(t, "PolicyVersion/Document")); !json.Valid([]byte(d)) || !strings.Contains(d, "codeartifact:ReadFromRepository") {
		t.Errorf("GetPolicyVersion document: %s", d)
	}
	s.query("iam", s.root, "Action", "GetPolicyVersion", "PolicyArn", ro, "VersionId", "v2").fail(t, "version v2", 404, "Sender", "NoSuchEntity")

	// A user without an identity policy allowing it administers nothing;
	// one whose policy allows iam:CreateUser creates users.
	bob := s.createUserWithKey("bob")
	msg = s.query("iam", bob, "Action", "CreateUser", "UserName", "carol").fail(t, "a user creating a user", 403, "Sender", "AccessDenied")
	if msg != "User: arn:aws:iam::"+acct+":user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+acct+":user/carol because no identity-based policy allows the iam:CreateUser action" {
		t.Errorf("AccessDenied message %q", msg)
	}
	s.query("iam", s.root, "Action", "GetUser", "UserName", "carol").fail(t, "carol after the denial", 404, "Sender", "NoSuchEntity")
	s.query("iam", s.root, "Action", "PutUserPolicy", "UserName", "bob", "PolicyName", "users",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*User","Resource":"arn:aws:iam::`+acct+`:user/c*"}]}`).ok(t, "PutUserPolicy")
	s.query("iam", bob, "Action", "CreateUser", "UserName", "carol").ok(t, "CreateUser")
	s.query("iam", bob, "Action", "CreateUser", "UserName", "dave").fail(t, "a user outside bob's policy", 403, "Sender", "AccessDenied")
	s.query("iam", bob, "Action", "DeleteUser", "UserName", "carol").ok(t, "DeleteUser")
	// A user still learns who it is.
	r = s.query("sts", bob, "Action", "GetCallerIdentity").ok(t, "GetCallerIdentity")
	if r.text(t, "Arn") != "arn:aws:iam::"+acct+":user/bob" || r.text(t, "Account") != acct || !strings.HasPrefix(r.text(t, "UserId"), "AIDA") {
		t.Errorf("GetCallerIdentity: %s", r.body)
	}
}

func TestAuthenticationErrors(t *testing.T) {
	s := start(t)
	s.query("iam", creds{}, "Action", "ListUsers").fail(t, "unsigned ListUsers", 403, "Sender", "MissingAuthenticationToken")
	s.query("sts", creds{}, "Action", "GetCallerIdentity").fail(t, "unsigned GetCallerIdentity", 403, "Sender", "MissingAuthenticationToken")
	s.query("iam", creds{"AKIAUNKNOWNUNKNOWN00", "secretsecretsecret", ""}, "Action", "ListUsers").fail(t, "unknown key", 403, "Sender", "InvalidClientTokenId")
	s.query("iam", creds{servertest.AccessKeyID, "wrong-secret", ""}, "Action", "ListUsers").fail(t, "wrong secret", 403, "Sender", "SignatureDoesNotMatch")
	s.query("codeartifact", s.root, "Action", "ListUsers").fail(t, "signed for codeartifact", 403, "Sender", "SignatureDoesNotMatch")
	s.query("sts", creds{servertest.AccessKeyID, servertest.SecretAccessKey, "token"}, "Action", "GetCallerIdentity").
		fail(t, "long-term key with a session token", 403, "Sender", "InvalidClientTokenId")
	// The STS error document is in STS's namespace.
	r := s.query("sts", s.root, "Action", "AssumeRole")
	r.fail(t, "AssumeRole without parameters", 400, "Sender", "ValidationError")
	if !bytes.Contains(r.body, []byte(`xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`)) {
		t.Errorf("STS error namespace: %s", r.body)
	}
}

// roleFor creates a role trusting principalARN for sts:AssumeRole.
func (s *scenario) roleFor(name, principalARN string, extra ...string) string {
	s.t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principalARN + `"},"Action":"sts:AssumeRole"}]}`
	params := append([]string{"Action", "CreateRole", "RoleName", name, "AssumeRolePolicyDocument", trust}, extra...)
	r := s.query("iam", s.root, params...).ok(s.t, "CreateRole")
	return r.text(s.t, "Role/Arn")
}

func (s *scenario) assume(cr creds, roleARN, session string, seconds int) (creds, time.Time, response) {
	s.t.Helper()
	r := s.query("sts", cr, "Action", "AssumeRole", "RoleArn", roleARN, "RoleSessionName", session, "DurationSeconds", strconv.Itoa(seconds)).ok(s.t, "AssumeRole")
	exp, err := time.Parse(time.RFC3339, r.text(s.t, "Credentials/Expiration"))
	if err != nil {
		s.t.Fatal(err)
	}
	return creds{r.text(s.t, "Credentials/AccessKeyId"), r.text(s.t, "Credentials/SecretAccessKey"), r.text(s.t, "Credentials/SessionToken")}, exp, r
}

// token calls the control plane's GetAuthorizationToken with cr.
func (s *scenario) token(cr creds, domain string, duration int) response {
	s.t.Helper()
	return s.send(http.MethodPost, "/v1/authorization-token?domain="+domain+"&duration="+strconv.Itoa(duration), "codeartifact", cr, "", "")
}

func TestTemporaryCredentials(t *testing.T) {
	s := start(t)
	const acct = servertest.AccountID
	alice := s.createUserWithKey("alice")
	roleARN := s.roleFor("deploy", "arn:aws:iam::"+acct+":user/alice")
	s.query("iam", s.root, "Action", "AttachRolePolicy", "RoleName", "deploy", "PolicyArn", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess").ok(t, "AttachRolePolicy")
	s.send(http.MethodPost, "/v1/domain?domain=my-domain", "codeartifact", s.root, "application/json", "{}")

	issued := s.clock.now()
	sess, exp, r := s.assume(alice, roleARN, "build-7", 900)
	if !exp.Equal(issued.Add(900*time.Second)) || r.text(t, "AssumedRoleUser/Arn") != "arn:aws:sts::"+acct+":assumed-role/deploy/build-7" ||
		!strings.HasSuffix(r.text(t, "AssumedRoleUser/AssumedRoleId"), ":build-7") || !strings.HasPrefix(sess.id, "ASIA") {
		t.Fatalf("AssumeRole: %s", r.body)
	}
	who := s.query("sts", sess, "Action", "GetCallerIdentity").ok(t, "GetCallerIdentity")
	if who.text(t, "Arn") != "arn:aws:sts::"+acct+":assumed-role/deploy/build-7" {
		t.Errorf("session identity: %s", who.body)
	}

	// GetAuthorizationToken with durationSeconds 0 expires with the
	// session; with the user's long-term key it is refused.
	tr := s.token(sess, "my-domain", 0)
	var out struct {
		AuthorizationToken string  `json:"authorizationToken"`
		Expiration         float64 `json:"expiration"`
	}
	if tr.status != 200 || json.Unmarshal(tr.body, &out) != nil || out.AuthorizationToken == "" {
		t.Fatalf("GetAuthorizationToken with the session: %d %s", tr.status, tr.body)
	}
	if got := time.UnixMilli(int64(out.Expiration * 1000)); !got.Equal(exp) {
		t.Errorf("token expiration %v, want the session's %v", got, exp)
	}
	if tr := s.token(alice, "my-domain", 0); tr.status != 400 {
		t.Errorf("durationSeconds 0 with long-term credentials: %d %s", tr.status, tr.body)
	}
	// A session can assume a role for at most an hour (role chaining).
	s.query("sts", sess, "Action", "AssumeRole", "RoleArn", roleARN, "RoleSessionName", "hop", "DurationSeconds", "7200").
		fail(t, "chained two-hour session", 400, "Sender", "ValidationError")

	// Past the expiry the credentials stop, on every surface.
	s.clock.add(900 * time.Second)
	tr = s.token(sess, "my-domain", 900)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	json.Unmarshal(tr.body, &e)
	if tr.status != 403 || tr.header.Get("x-amzn-ErrorType") != "ExpiredTokenException" || e.Type != "ExpiredTokenException" {
		t.Errorf("control plane with expired credentials: %d %v %s", tr.status, tr.header.Get("x-amzn-ErrorType"), tr.body)
	}
	s.query("sts", sess, "Action", "GetCallerIdentity").fail(t, "STS with expired credentials", 403, "Sender", "ExpiredToken")
	s.query("iam", sess, "Action", "ListUsers").fail(t, "IAM with expired credentials", 403, "Sender", "ExpiredToken")

	// Deleting the role stops a live session at once.
	sess2, _, _ := s.assume(alice, roleARN, "build-8", 3600)
	s.query("sts", sess2, "Action", "GetCallerIdentity").ok(t, "GetCallerIdentity")
	s.query("iam", s.root, "Action", "DetachRolePolicy", "RoleName", "deploy", "PolicyArn", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess").ok(t, "DetachRolePolicy")
	s.query("iam", s.root, "Action", "DeleteRole", "RoleName", "deploy").ok(t, "DeleteRole")
	s.query("sts", sess2, "Action", "GetCallerIdentity").fail(t, "session of a deleted role", 403, "Sender", "InvalidClientTokenId")
	if tr := s.token(sess2, "my-domain", 900); tr.status != 403 || tr.header.Get("x-amzn-ErrorType") != "UnrecognizedClientException" {
		t.Errorf("control plane with the session of a deleted role: %d %s", tr.status, tr.body)
	}

	// Deactivating the user's key stops it at once, and so does deleting.
	s.query("sts", alice, "Action", "GetCallerIdentity").ok(t, "GetCallerIdentity")
	s.query("iam", s.root, "Action", "UpdateAccessKey", "UserName", "alice", "AccessKeyId", alice.id, "Status", "Inactive").ok(t, "UpdateAccessKey")
	s.query("sts", alice, "Action", "GetCallerIdentity").fail(t, "inactive key", 403, "Sender", "InvalidClientTokenId")
	if tr := s.token(alice, "my-domain", 900); tr.status != 403 || tr.header.Get("x-amzn-ErrorType") != "UnrecognizedClientException" {
		t.Errorf("control plane with an inactive key: %d %s", tr.status, tr.body)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	s := start(t)
	const acct = servertest.AccountID
	bob := s.createUserWithKey("bob")
	roleARN := s.roleFor("only-alice", "arn:aws:iam::"+acct+":user/alice")
	msg := s.query("sts", bob, "Action", "AssumeRole", "RoleArn", roleARN, "RoleSessionName", "x1").fail(t, "bob assuming alice's role", 403, "Sender", "AccessDenied")
	if msg != "User: arn:aws:iam::"+acct+":user/bob is not authorized to perform: sts:AssumeRole on resource: "+roleARN {
		t.Errorf("message %q", msg)
	}
	s.query("sts", bob, "Action", "AssumeRole", "RoleArn", "arn:aws:iam::"+acct+":role/nope", "RoleSessionName", "x1").fail(t, "missing role", 403, "Sender", "AccessDenied")
	s.query("sts", bob, "Action", "AssumeRole", "RoleArn", roleARN, "RoleSessionName", "x1", "DurationSeconds", "60").fail(t, "60 seconds", 400, "Sender", "ValidationError")
	s.query("sts", bob, "Action", "AssumeRole", "RoleArn", roleARN, "RoleSessionName", "x1", "Policy", "{}").fail(t, "session policy", 400, "Sender", "InvalidInput")
	// The root of the account may assume a role trusting the account.
	acctRole := s.roleFor("any", acct)
	s.assume(s.root, acctRole, "root-session", 900)
	s.query("sts", bob, "Action", "AssumeRole", "RoleArn", acctRole, "RoleSessionName", "x1").fail(t, "bob without identity permission", 403, "Sender", "AccessDenied")
}

func TestWebIdentity(t *testing.T) {
	s := start(t)
	const acct = servertest.AccountID
	iss := oidctest.Start(t)
	r := s.query("iam", s.root, "Action", "CreateOpenIDConnectProvider", "Url", iss.URL, "ClientIDList.member.1", "arca-ci").ok(t, "CreateOpenIDConnectProvider")
	key := strings.TrimPrefix(iss.URL, "http://")
	providerARN := "arn:aws:iam::" + acct + ":oidc-provider/" + key
	if got := r.text(t, "OpenIDConnectProviderArn"); got != providerARN {
		t.Fatalf("provider ARN %s", got)
	}
	r = s.query("iam", s.root, "Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", providerARN).ok(t, "GetOpenIDConnectProvider")
	if r.text(t, "Url") != key || strings.Join(r.texts("ClientIDList/member"), ",") != "arca-ci" {
		t.Errorf("GetOpenIDConnectProvider: %s", r.body)
	}
	s.query("iam", s.root, "Action", "CreateOpenIDConnectProvider", "Url", iss.URL).fail(t, "the provider again", 409, "Sender", "EntityAlreadyExists")
	s.query("iam", s.root, "Action", "CreateOpenIDConnectProvider", "Url", "http://issuer.example.com").fail(t, "plain http", 400, "Sender", "InvalidInput")

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},
		"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"` + key + `:aud":"arca-ci","` + key + `:sub":"repo:arca/demo:ref:refs/heads/main"}}}]}`
	s.query("iam", s.root, "Action", "CreateRole", "RoleName", "ci", "AssumeRolePolicyDocument", trust).ok(t, "CreateRole")
	s.query("iam", s.root, "Action", "AttachRolePolicy", "RoleName", "ci", "PolicyArn", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess").ok(t, "AttachRolePolicy")
	roleARN := "arn:aws:iam::" + acct + ":role/ci"

	tok := iss.Mint(t, "RS256", iss.Claims("repo:arca/demo:ref:refs/heads/main", "arca-ci", s.clock.now()))
	r = s.query("sts", creds{}, "Action", "AssumeRoleWithWebIdentity", "RoleArn", roleARN, "RoleSessionName", "gha", "WebIdentityToken", tok).ok(t, "AssumeRoleWithWebIdentity")
	if r.text(t, "SubjectFromWebIdentityToken") != "repo:arca/demo:ref:refs/heads/main" || r.text(t, "Audience") != "arca-ci" ||
		r.text(t, "Provider") != iss.URL || r.text(t, "AssumedRoleUser/Arn") != "arn:aws:sts::"+acct+":assumed-role/ci/gha" {
		t.Errorf("AssumeRoleWithWebIdentity: %s", r.body)
	}
	sess := creds{r.text(t, "Credentials/AccessKeyId"), r.text(t, "Credentials/SecretAccessKey"), r.text(t, "Credentials/SessionToken")}
	s.send(http.MethodPost, "/v1/domain?domain=ci-domain", "codeartifact", s.root, "application/json", "{}")
	if tr := s.token(sess, "ci-domain", 0); tr.status != 200 {
		t.Errorf("GetAuthorizationToken with the web identity session: %d %s", tr.status, tr.body)
	}

	wrongSub := iss.Mint(t, "RS256", iss.Claims("repo:evil/demo:ref:refs/heads/main", "arca-ci", s.clock.now()))
	msg := s.query("sts", creds{}, "Action", "AssumeRoleWithWebIdentity", "RoleArn", roleARN, "RoleSessionName", "gha", "WebIdentityToken", wrongSub).
		fail(t, "wrong subject", 403, "Sender", "AccessDenied")
	if msg != "Not authorized to perform sts:AssumeRoleWithWebIdentity" {
		t.Errorf("message %q", msg)
	}
	wrongAud := iss.Mint(t, "RS256", iss.Claims("repo:arca/demo:ref:refs/heads/main", "other", s.clock.now()))
	s.query("sts", creds{}, "Action", "AssumeRoleWithWebIdentity", "RoleArn", roleARN, "RoleSessionName", "gha", "WebIdentityToken", wrongAud).
		fail(t, "wrong audience", 400, "Sender", "InvalidIdentityToken")
	s.clock.add(2 * time.Hour)
	s.query("sts", creds{}, "Action", "AssumeRoleWithWebIdentity", "RoleArn", roleARN, "RoleSessionName", "gha", "WebIdentityToken", tok).
		fail(t, "expired token", 400, "Sender", "ExpiredTokenException")
	s.query("sts", creds{}, "Action", "AssumeRoleWithWebIdentity", "RoleArn", roleARN, "RoleSessionName", "gha", "WebIdentityToken", "abcd").
		fail(t, "garbage token", 400, "Sender", "InvalidIdentityToken")

	r = s.query("iam", s.root, "Action", "ListOpenIDConnectProviders").ok(t, "ListOpenIDConnectProviders")
	if got := r.texts("OpenIDConnectProviderList/member/Arn"); len(got) != 1 || got[0] != providerARN {
		t.Errorf("ListOpenIDConnectProviders = %v", got)
	}
	s.query("iam", s.root, "Action", "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", providerARN).ok(t, "DeleteOpenIDConnectProvider")
	s.query("iam", s.root, "Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", providerARN).fail(t, "deleted provider", 404, "Sender", "NoSuchEntity")
}
