package audit

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
)

// authorize is what an authorizer does for the audit log: it records
// the permission checked; it allows reads only.
func authorize(r *http.Request, p identity.Principal, action, res string) error {
	From(r.Context()).Authorizing(p, action, res)
	if action != "codeartifact:ReadFromRepository" {
		return errkind.Deniedf("not allowed")
	}
	return nil
}

// serve runs one request through middleware.Wrap and Wrap with handler h
// and returns the event it logged as a generic JSON object. The log
// records every repository's data events.
func serve(t *testing.T, h http.HandlerFunc, req *http.Request) map[string]any {
	return serveWith(t, Config{DataEvents: DataEvents{All: true}}, h, req)
}

// serveWith is serve with the log configured as cfg says.
func serveWith(t *testing.T, cfg Config, h http.HandlerFunc, req *http.Request) map[string]any {
	t.Helper()
	b, w := record(t, cfg, h, req)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 1 || lines[0] == "" {
		t.Fatalf("want one event, got %q", b)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["requestID"] != w.Header().Get("x-amzn-RequestId") || ev["requestID"] == "" {
		t.Errorf("requestID %v, want the response's x-amzn-RequestId %q", ev["requestID"], w.Header().Get("x-amzn-RequestId"))
	}
	if ev["eventTime"] != "2026-11-23T10:11:12Z" || ev["eventVersion"] != EventVersion || ev["eventType"] != "AwsApiCall" || ev["awsRegion"] != "us-west-2" {
		t.Errorf("envelope: %v", ev)
	}
	if id, _ := ev["eventID"].(string); len(id) != 36 {
		t.Errorf("eventID %q is not a UUID", id)
	}
	return ev
}

// record runs one request as serve does and returns what the log wrote.
func record(t *testing.T, cfg Config, h http.HandlerFunc, req *http.Request) ([]byte, *httptest.ResponseRecorder) {
	t.Helper()
	cfg.Path = filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 10, 11, 12, 0, time.UTC)
	handler := middleware.Wrap(Wrap(h, l, "us-west-2", func() time.Time { return at }), slogDiscard(), nil, nil)
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, req)
	l.Close()
	b, err := os.ReadFile(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	return b, w
}

func get(ev map[string]any, path string) any {
	var v any = ev
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func wantFields(t *testing.T, ev map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if got := get(ev, k); got != w {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
}

func TestControlPlaneEvent(t *testing.T) {
	session := identity.Principal{
		Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/Console/example",
		AccessKeyID: "ASIAIJI0BJBSREXAMPLE", Kind: identity.KindAssumedRole, UserID: "AROACKCEVSQ6C2EXAMPLE:example",
		RoleARN: "arn:aws:iam::123456789012:role/Console", RoleName: "Console", SessionName: "example",
		IssuedAt: time.Date(2018, 12, 11, 13, 31, 37, 0, time.UTC),
	}
	req := httptest.NewRequest("POST", "/v1/authorization-token?domain=example-domain&domain-owner=123456789012", nil)
	req.RemoteAddr = "205.251.233.50:41234"
	req.Header.Set("User-Agent", "aws-cli/1.16.37 Python/2.7.10")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ASIAIJI0BJBSREXAMPLE/20181211/us-west-2/codeartifact/aws4_request, SignedHeaders=host, Signature=abc")
	ev := serve(t, func(w http.ResponseWriter, r *http.Request) {
		rec := From(r.Context())
		rec.Call(SourceCodeArtifact, "GetAuthorizationToken")
		rec.SetPrincipal(session)
		rec.Params(map[string]any{"domain": "example-domain", "domainOwner": "123456789012", "nextToken": "sealed", "durationSeconds": 0})
		rec.Response(map[string]any{"authorizationToken": "HIDDEN_DUE_TO_SECURITY_REASONS"})
	}, req)
	wantFields(t, ev, map[string]any{
		"eventSource": "codeartifact.amazonaws.com", "eventName": "GetAuthorizationToken", "readOnly": false,
		"sourceIPAddress": "205.251.233.50", "userAgent": "aws-cli/1.16.37 Python/2.7.10",
		"userIdentity.type": "AssumedRole", "userIdentity.arn": session.ARN, "userIdentity.accountId": "123456789012",
		"userIdentity.principalId": "AROACKCEVSQ6C2EXAMPLE:example", "userIdentity.accessKeyId": "ASIAIJI0BJBSREXAMPLE",
		"userIdentity.sessionContext.attributes.creationDate":     "2018-12-11T13:31:37Z",
		"userIdentity.sessionContext.attributes.mfaAuthenticated": "false",
		"userIdentity.sessionContext.sessionIssuer.type":          "Role",
		"userIdentity.sessionContext.sessionIssuer.arn":           "arn:aws:iam::123456789012:role/Console",
		"userIdentity.sessionContext.sessionIssuer.principalId":   "AROACKCEVSQ6C2EXAMPLE",
		"userIdentity.sessionContext.sessionIssuer.userName":      "Console",
		"requestParameters.domain":                                "example-domain",
		"requestParameters.domainOwner":                           "123456789012",
		"requestParameters.durationSeconds":                       float64(0),
		"requestParameters.nextToken":                             nil, // named like a token: never recorded
		"responseElements.authorizationToken":                     "HIDDEN_DUE_TO_SECURITY_REASONS",
		"recipientAccountId":                                      "123456789012",
		"errorCode":                                               nil,
		"managementEvent":                                         true,
		"eventCategory":                                           "Management",
	})
}

func TestPackageRequestEvents(t *testing.T) {
	tokenPrincipal := func(r *http.Request) *Record {
		rec := From(r.Context())
		rec.PackageRequest(Package{Domain: "my-domain", DomainOwner: "111122223333", Repository: "my-repo", Format: "npm"})
		rec.SetToken(testTokenID, "111122223333", "arn:aws:iam::111122223333:user/alice")
		return rec
	}
	repoARN := "arn:aws:codeartifact:us-west-2:111122223333:repository/my-domain/my-repo"
	pkgARN := "arn:aws:codeartifact:us-west-2:111122223333:package/my-domain/my-repo/npm/arca/util"

	download := func(w http.ResponseWriter, r *http.Request) {
		rec := tokenPrincipal(r)
		p := identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice"}
		if err := authorize(r, p, "codeartifact:ReadFromRepository", repoARN); err != nil {
			t.Fatal(err)
		}
		rec.Param("packageName", "lodash")
		rec.Param("packageVersion", "4.17.20")
	}
	downloadRequest := func() *http.Request {
		req := httptest.NewRequest("GET", "/my-domain-111122223333/npm/my-repo/lodash/-/lodash-4.17.20.tgz", nil)
		req.Header.Set("Authorization", "Bearer SECRET-TOKEN")
		return req
	}
	t.Run("download not recorded by default", func(t *testing.T) {
		// Package reads are data events: recorded only when selected.
		for _, cfg := range []Config{{}, {DataEvents: DataEvents{Repositories: map[string]bool{"my-domain/other-repo": true}}}} {
			if b, _ := record(t, cfg, download, downloadRequest()); len(b) != 0 {
				t.Errorf("data events %+v: a download was recorded: %s", cfg.DataEvents, b)
			}
		}
	})
	t.Run("download of a selected repository", func(t *testing.T) {
		ev := serveWith(t, Config{DataEvents: DataEvents{Repositories: map[string]bool{"my-domain/my-repo": true}}}, download, downloadRequest())
		wantFields(t, ev, map[string]any{"eventName": "ReadFromRepository", "eventCategory": "Data", "managementEvent": false})
	})
	t.Run("download", func(t *testing.T) {
		ev := serve(t, download, downloadRequest())
		wantFields(t, ev, map[string]any{
			"eventName": "ReadFromRepository", "readOnly": true,
			"userIdentity.type": "IAMUser", "userIdentity.userName": "alice", "userIdentity.arn": "arn:aws:iam::111122223333:user/alice",
			"requestParameters.repositoryName": "my-repo", "requestParameters.packageName": "lodash",
			"requestParameters.packageVersion": "4.17.20", "requestParameters.packageFormat": "npm",
			"additionalEventData.httpMethod": "GET", "additionalEventData.requestUri": "/my-domain-111122223333/npm/my-repo/lodash/-/lodash-4.17.20.tgz",
			"additionalEventData.tokenId": "00112233445566778899aabbccddeeff",
		})
	})
	t.Run("denied publish", func(t *testing.T) {
		// A denial is recorded whatever the data events selected.
		req := httptest.NewRequest("PUT", "/my-domain-111122223333/npm/my-repo/@arca%2futil", nil)
		ev := serveWith(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
			rec := tokenPrincipal(r)
			p := identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice"}
			authorize(r, p, "codeartifact:ReadFromRepository", repoARN)
			err := authorize(r, p, "codeartifact:PublishPackageVersion", pkgARN)
			rec.Fail("AccessDeniedException", errkind.As(err).Message)
		}, req)
		wantFields(t, ev, map[string]any{
			"eventName": "PublishPackageVersion", "readOnly": false, "errorCode": "AccessDeniedException",
			"errorMessage": "not allowed", "requestParameters.packageNamespace": "arca", "requestParameters.packageName": "util",
		})
	})
	t.Run("unauthenticated", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/my-domain-111122223333/npm/my-repo/-/user/token/SECRET-TOKEN", nil)
		ev := serveWith(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
			rec := From(r.Context())
			rec.PackageRequest(Package{})
			rec.Fail("UnauthorizedException", "The authorization token is not valid.")
		}, req)
		wantFields(t, ev, map[string]any{
			"eventName": "ReadFromRepository", "userIdentity.type": "Unknown", "errorCode": "UnauthorizedException",
			"additionalEventData.requestUri": "/my-domain-111122223333/npm/my-repo/-/user/token/REDACTED",
		})
	})
}

func TestUnclaimedRequestsMakeNoEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, _ := Open(Config{Path: path})
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), l, "us-east-1", time.Now)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	l.Close()
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("a health check made an event: %s", b)
	}
	if Wrap(h, nil, "", time.Now) == nil {
		t.Error("Wrap with no log returned nil")
	}
	// Without a log, records are nil and ignore everything.
	var rec *Record
	rec.Call(SourceIAM, "CreateUser")
	rec.Param("userName", "x")
	rec.Fail("x", "y")
}

func TestIdentityTypes(t *testing.T) {
	for _, tc := range []struct {
		p    identity.Principal
		want UserIdentity
	}{
		{identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root", AccessKeyID: "AKIAROOT", Kind: identity.KindRoot, UserID: "111122223333"},
			UserIdentity{Type: "Root", PrincipalID: "111122223333", ARN: "arn:aws:iam::111122223333:root", AccountID: "111122223333", AccessKeyID: "AKIAROOT"}},
		{identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root"},
			UserIdentity{Type: "Root", PrincipalID: "111122223333", ARN: "arn:aws:iam::111122223333:root", AccountID: "111122223333"}},
		{identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/dev/bob", Kind: identity.KindUser, UserID: "AIDABOB", UserName: "bob", AccessKeyID: "AKIABOB"},
			UserIdentity{Type: "IAMUser", PrincipalID: "AIDABOB", ARN: "arn:aws:iam::111122223333:user/dev/bob", AccountID: "111122223333", AccessKeyID: "AKIABOB", UserName: "bob"}},
	} {
		rec := &Record{}
		rec.SetPrincipal(tc.p)
		if got := rec.userIdentity(httptest.NewRequest("GET", "/", nil)); got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.p.ARN, got, tc.want)
		}
	}
	rec := &Record{}
	rec.SetWebIdentity("token.actions.example.com", "repo:arca/demo:ref:refs/heads/main", "sts.amazonaws.com")
	got := rec.userIdentity(httptest.NewRequest("POST", "/", nil))
	if got.Type != "WebIdentityUser" || got.UserName != "repo:arca/demo:ref:refs/heads/main" || got.IdentityProvider != "token.actions.example.com" {
		t.Errorf("web identity: %+v", got)
	}
	// A token's principal (ARN only) does not replace a resolved one.
	rec = &Record{}
	full := identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/bob", Kind: identity.KindUser, UserID: "AIDABOB", UserName: "bob"}
	rec.SetPrincipal(full)
	rec.SetToken(testTokenID, "111122223333", full.ARN)
	if rec.principal != full {
		t.Errorf("principal %+v, want the resolved one kept", rec.principal)
	}
	// An unauthenticated call names the key id it was signed with.
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	if got := (&Record{}).userIdentity(req); got.Type != "Unknown" || got.AccessKeyID != "AKIAUNKNOWN" {
		t.Errorf("unknown signer: %+v", got)
	}
}

func TestSecretNames(t *testing.T) {
	for _, name := range []string{"WebIdentityToken", "nextToken", "SessionToken", "SecretAccessKey", "password", "Authorization", "X-Amz-Credential", "X-Amz-Signature", "TOKEN", "xPassWordx"} {
		if !Secret(name) {
			t.Errorf("Secret(%q) = false", name)
		}
	}
	for _, name := range []string{"domain", "repository", "policyDocument", "userName", "roleArn", "durationSeconds", "tok", "", "Toke"} {
		if Secret(name) {
			t.Errorf("Secret(%q) = true", name)
		}
	}
	if LowerFirst("PolicyDocument") != "policyDocument" || LowerFirst("") != "" || LowerFirst("roleArn") != "roleArn" {
		t.Error("LowerFirst")
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// eventTime, remembering the last second formatted, answers what
// formatting each time would: within a second, across seconds (either
// way), in any zone, before 1970.
func TestEventTime(t *testing.T) {
	base := time.Date(2026, 12, 8, 1, 2, 3, 0, time.UTC)
	east := time.FixedZone("east", 5*3600+1800)
	for _, at := range []time.Time{
		base, base.Add(999 * time.Millisecond), base.Add(time.Second), base.Add(-time.Nanosecond),
		base.In(east), base.Add(1500 * time.Millisecond).In(east), base.Add(time.Hour),
		time.Date(1969, 12, 31, 23, 59, 59, 500, time.UTC), time.Date(1969, 12, 31, 23, 59, 58, 999999999, time.UTC),
	} {
		if got, want := eventTime(at), at.UTC().Format(timeFormat); got != want {
			t.Errorf("eventTime(%v) = %s, want %s", at, got, want)
		}
	}
}
