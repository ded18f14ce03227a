package iamapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/audit/audittest"
	"github.com/arcahq/arca/internal/servertest"
)

// TestAuditOfIAMAndSTS: every IAM and STS call is an audit event with its
// caller, parameters and error code; the secrets the calls hand out
// (secret access keys, session tokens, authorization tokens) are not in
// the log.
func TestAuditOfIAMAndSTS(t *testing.T) {
	s := start(t)
	const acct = servertest.AccountID
	alice := s.createUserWithKey("alice")
	s.query("iam", s.root, "Action", "ListUsers").ok(t, "ListUsers")
	s.query("iam", s.root, "Action", "GetUser", "UserName", "nobody").fail(t, "GetUser of nobody", 404, "Sender", "NoSuchEntity")
	roleARN := s.roleFor("deploy", "arn:aws:iam::"+acct+":user/alice")
	sess, _, _ := s.assume(alice, roleARN, "build-7", 900)
	s.query("sts", sess, "Action", "GetCallerIdentity").ok(t, "GetCallerIdentity")
	s.send("POST", "/v1/domain?domain=my-domain", "codeartifact", s.root, "application/json", "{}")
	tr := s.token(s.root, "my-domain", 900)
	var tok struct {
		AuthorizationToken string `json:"authorizationToken"`
	}
	if tr.status != 200 || json.Unmarshal(tr.body, &tok) != nil {
		t.Fatalf("GetAuthorizationToken: %d %s", tr.status, tr.body)
	}

	path := filepath.Join(s.srv.Data, "audit", "audit.log")
	events := audittest.Wait(t, path, audittest.Has("GetAuthorizationToken", ""))
	byName := map[string]audittest.Event{}
	for _, e := range events {
		byName[e["eventName"].(string)] = e
	}
	ident := func(e audittest.Event) map[string]any { m, _ := e["userIdentity"].(map[string]any); return m }
	params := func(e audittest.Event) map[string]any { m, _ := e["requestParameters"].(map[string]any); return m }

	if e := byName["CreateUser"]; e == nil || e["eventSource"] != "iam.amazonaws.com" || params(e)["userName"] != "alice" || ident(e)["type"] != "Root" {
		t.Errorf("CreateUser event: %v", e)
	}
	if e := byName["CreateAccessKey"]; e == nil || e.Field("responseElements", "accessKey", "accessKeyId") != alice.id {
		t.Errorf("CreateAccessKey event: %v", e)
	}
	if e := byName["ListUsers"]; e == nil || e["readOnly"] != true || e["errorCode"] != nil {
		t.Errorf("ListUsers event: %v", e)
	}
	if e := byName["GetUser"]; e == nil || e["errorCode"] != "NoSuchEntity" || params(e)["userName"] != "nobody" {
		t.Errorf("GetUser event: %v", e)
	}
	if e := byName["AssumeRole"]; e == nil || e["eventSource"] != "sts.amazonaws.com" || ident(e)["type"] != "IAMUser" ||
		ident(e)["accessKeyId"] != alice.id || params(e)["roleSessionName"] != "build-7" {
		t.Errorf("AssumeRole event: %v", e)
	}
	if e := byName["GetCallerIdentity"]; e == nil || ident(e)["type"] != "AssumedRole" || ident(e)["accessKeyId"] != sess.id ||
		ident(e)["arn"] != "arn:aws:sts::"+acct+":assumed-role/deploy/build-7" {
		t.Errorf("GetCallerIdentity event: %v", e)
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for what, secret := range map[string]string{
		"alice's secret key": alice.secret, "the session's secret key": sess.secret, "the session token": sess.token,
		"the root's secret key": servertest.SecretAccessKey, "the authorization token": tok.AuthorizationToken,
	} {
		if secret == "" || strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds %s (or it is empty)", what)
		}
	}
}
