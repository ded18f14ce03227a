package endpoint_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/admin"
	"github.com/arcahq/arca/internal/audit/audittest"
	"github.com/arcahq/arca/internal/servertest"
)

// TestRevocationByTheCLI: `arca token revoke` writes to the data directory
// beside the running server, which refuses the revoked tokens from its
// next request on, in every form they are sent (also a token it verified
// before), and keeps accepting the others and the tokens issued after a
// principal's revocation.
func TestRevocationByTheCLI(t *testing.T) {
	s := start(t)
	s.setup("my-domain", "my-repo")
	s.setup("other-domain", "my-repo")
	ep := s.endpoint("my-domain", "my-repo", types.PackageFormatNpm) + "-/whoami"
	otherEp := s.endpoint("other-domain", "my-repo", types.PackageFormatNpm) + "-/whoami"
	revoked, kept := s.token("my-domain", 0), s.token("my-domain", 0)
	// Used once before it is revoked: the server has verified it already.
	if r := s.get(ep, bearer(revoked)); r.status != http.StatusOK {
		t.Fatalf("the token before its revocation: %d %q", r.status, r.body)
	}

	rv, err := admin.Revoke(s.ctx, admin.Dir{Data: s.srv.Data}, admin.RevokeRequest{Token: revoked, Reason: "leaked"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{bearer(revoked), basic(revoked), revoked} {
		want401(t, "a revoked token", s.get(ep, form))
	}
	if r := s.get(ep, bearer(kept)); r.status != http.StatusOK {
		t.Errorf("another token of the same principal: %d %q", r.status, r.body)
	}
	in, err := admin.Inspect(s.ctx, admin.Dir{Data: s.srv.Data}, revoked, time.Now())
	if err != nil || in.Status != admin.StatusRevoked || in.TokenID != rv.TokenID || in.RevokedBy == nil || in.RevokedBy.Reason != "leaked" {
		t.Errorf("inspect of the revoked token = %+v, %v", in, err)
	}
	if _, err := admin.Revoke(s.ctx, admin.Dir{Data: s.srv.Data}, admin.RevokeRequest{TokenID: rv.TokenID}, time.Now()); err == nil {
		t.Error("revoking a token twice succeeded")
	}

	// Every token of the root, in my-domain only, issued until now.
	otherDomain := s.token("other-domain", 0)
	root := "arn:aws:iam::" + servertest.AccountID + ":root"
	if _, err := admin.Revoke(s.ctx, admin.Dir{Data: s.srv.Data}, admin.RevokeRequest{Principal: root, Domain: "my-domain"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	want401(t, "a token of a revoked principal", s.get(ep, bearer(kept)))
	if r := s.get(otherEp, bearer(otherDomain)); r.status != http.StatusOK {
		t.Errorf("the principal's token for another domain: %d %q", r.status, r.body)
	}
	time.Sleep(2 * time.Millisecond) // tokens carry milliseconds
	if r := s.get(ep, bearer(s.token("my-domain", 0))); r.status != http.StatusOK {
		t.Errorf("a token issued after the principal's revocation: %d %q", r.status, r.body)
	}
	list, err := admin.ListRevocations(s.ctx, admin.Dir{Data: s.srv.Data}, time.Now())
	if err != nil || len(list) != 2 {
		t.Errorf("list-revocations = %+v, %v; want 2", list, err)
	}
}

// TestAuditOfPackageRequests: package requests are audited as
// ReadFromRepository data events naming the domain, repository, token id
// and caller, failures with their error code, and the token never appears.
func TestAuditOfPackageRequests(t *testing.T) {
	s := start(t)
	s.setup("my-domain", "my-repo")
	ep := s.endpoint("my-domain", "my-repo", types.PackageFormatNpm)
	tok := s.token("my-domain", 0)
	if r := s.get(ep+"lodash", bearer(tok)); r.status == http.StatusUnauthorized {
		t.Fatalf("package document: %d %q", r.status, r.body)
	}
	if _, err := admin.Revoke(s.ctx, admin.Dir{Data: s.srv.Data}, admin.RevokeRequest{Token: tok}, time.Now()); err != nil {
		t.Fatal(err)
	}
	want401(t, "revoked", s.get(ep+"lodash", basic(tok)))
	in, _ := admin.Inspect(s.ctx, admin.Dir{Data: s.srv.Data}, tok, time.Now())

	// CreateDomain, CreateRepository, GetRepositoryEndpoint,
	// GetAuthorizationToken, then the two package reads.
	events := audittest.Wait(t, auditPath(s), audittest.AtLeast(6))
	reads := audittest.Named(events, "ReadFromRepository")
	if len(reads) != 2 {
		t.Fatalf("%d ReadFromRepository events, want 2: %v", len(reads), events)
	}
	for i, e := range reads {
		p := e["requestParameters"]
		if e.Field("requestParameters", "domainName") != "my-domain" || e.Field("requestParameters", "repositoryName") != "my-repo" ||
			e.Field("requestParameters", "packageFormat") != "npm" || e.Field("requestParameters", "packageName") != "lodash" {
			t.Errorf("event %d requestParameters = %v", i, p)
		}
		if e.Field("additionalEventData", "tokenId") != in.TokenID || e.Field("additionalEventData", "httpMethod") != "GET" {
			t.Errorf("event %d additionalEventData = %v, want tokenId %s", i, e["additionalEventData"], in.TokenID)
		}
		if e.Field("userIdentity", "arn") != "arn:aws:iam::"+servertest.AccountID+":root" {
			t.Errorf("event %d userIdentity = %v", i, e["userIdentity"])
		}
		if e["readOnly"] != true || e["eventSource"] != "codeartifact.amazonaws.com" {
			t.Errorf("event %d: %v", i, e)
		}
	}
	// lodash is in no repository: the first read is authorized, and finds nothing.
	if reads[0]["errorCode"] != "ResourceNotFoundException" || reads[1]["errorCode"] != "RevokedTokenException" {
		t.Errorf("error codes %v, %v; want ResourceNotFoundException, then RevokedTokenException", reads[0]["errorCode"], reads[1]["errorCode"])
	}
	raw, _ := os.ReadFile(auditPath(s))
	for _, secret := range []string{tok, servertest.SecretAccessKey} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds a secret")
		}
	}
}

func auditPath(s *scenario) string { return filepath.Join(s.srv.Data, "audit", "audit.log") }
