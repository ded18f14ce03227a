package authz

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/policy"
)

// doc wraps statements in a policy document.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// allow and deny write a statement on actions and resources; principal, if
// not "", is the value of a Principal element (resource policies).
func allow(action, resource, principal string) string {
	return stmt("Allow", action, resource, principal, "")
}
func deny(action, resource, principal string) string {
	return stmt("Deny", action, resource, principal, "")
}

func stmt(effect, action, resource, principal, condition string) string {
	s := `{"Effect":"` + effect + `","Action":"` + action + `","Resource":"` + resource + `"`
	if principal != "" {
		s += `,"Principal":` + principal
	}
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + "}"
}

const (
	read     = "codeartifact:ReadFromRepository"
	anyone   = `"*"`
	accountA = `{"AWS":"` + acctA + `"}`
	accountB = `{"AWS":"arn:aws:iam::` + acctB + `:root"}`
)

var (
	bob   = userOf(acctA, "bob")
	carol = userOf(acctB, "carol")
	ci    = sessionOf(acctA, "ci-build", "job-1")
	rootA = rootOf(acctA)
	rootB = rootOf(acctB)
)

func awsPrincipal(arn string) string { return `{"AWS":"` + arn + `"}` }

// TestCombine decides requests through the Evaluator and checks the
// outcome: explicit deny wins; in the resource's account either side
// allows; across accounts both must; a root is allowed unless denied;
// the put-policy calls ignore the resource's own policy.
func TestCombine(t *testing.T) {
	type policies struct{ bob, carol, ci, domain, repo string }
	cases := []struct {
		name     string
		p        identity.Principal
		action   string
		resource string
		pol      policies
		want     Outcome
	}{
		{"root of the account, no policy", rootA, read, repoARN, policies{}, Allowed},
		{"root, repository policy denies everyone", rootA, read, repoARN,
			policies{repo: doc(deny("codeartifact:*", "*", anyone))}, DeniedByResource},
		{"user without policies", bob, read, repoARN, policies{}, NoIdentityAllow},
		{"user, identity allows", bob, read, repoARN, policies{bob: doc(allow("codeartifact:Read*", "*", ""))}, Allowed},
		{"user, repository policy names the user", bob, read, repoARN,
			policies{repo: doc(allow(read, "*", awsPrincipal(bob.ARN)))}, Allowed},
		{"user, repository policy names everyone", bob, read, repoARN,
			policies{repo: doc(allow(read, "*", anyone))}, Allowed},
		{"user, repository policy names only the account", bob, read, repoARN,
			policies{repo: doc(allow(read, "*", accountA))}, NoIdentityAllow},
		{"user, domain policy names the user, package ARN", bob, "codeartifact:PublishPackageVersion", pkgARN,
			policies{domain: doc(allow("codeartifact:Publish*", "*", awsPrincipal(bob.ARN)))}, Allowed},
		{"identity allows, repository denies", bob, read, repoARN,
			policies{bob: doc(allow("*", "*", "")), repo: doc(deny(read, "*", anyone))}, DeniedByResource},
		{"identity denies, repository allows", bob, read, repoARN,
			policies{bob: doc(deny(read, "*", "")), repo: doc(allow(read, "*", anyone))}, DeniedByIdentity},
		{"identity allows, domain denies", bob, read, repoARN,
			policies{bob: doc(allow("*", "*", "")), domain: doc(deny("codeartifact:*", "*", anyone))}, DeniedByResource},
		{"deny on another action does not apply", bob, read, repoARN,
			policies{bob: doc(allow("*", "*", ""), deny("codeartifact:Publish*", "*", ""))}, Allowed},
		{"cross account, identity only", carol, read, repoARN,
			policies{carol: doc(allow("codeartifact:*", "*", ""))}, NoResourceAllow},
		{"cross account, resource only", carol, read, repoARN,
			policies{repo: doc(allow(read, "*", awsPrincipal(carol.ARN)))}, NoIdentityAllow},
		{"cross account, both allow", carol, read, repoARN,
			policies{carol: doc(allow("codeartifact:*", "*", "")), domain: doc(allow(read, "*", accountB))}, Allowed},
		{"cross account, resource allows another account", carol, read, repoARN,
			policies{carol: doc(allow("codeartifact:*", "*", "")), repo: doc(allow(read, "*", accountA))}, NoResourceAllow},
		{"cross account root, resource allows its account", rootB, read, repoARN,
			policies{repo: doc(allow(read, "*", accountB))}, Allowed},
		{"cross account root, no resource policy", rootB, read, repoARN, policies{}, NoResourceAllow},
		{"cross account, resource allows everyone", carol, read, repoARN,
			policies{carol: doc(allow("codeartifact:*", "*", "")), repo: doc(allow(read, "*", anyone))}, Allowed},
		{"session, role's identity policy", ci, read, repoARN, policies{ci: doc(allow(read, repoARN, ""))}, Allowed},
		{"session, repository policy names the role", ci, read, repoARN,
			policies{repo: doc(allow(read, "*", awsPrincipal(ci.RoleARN)))}, Allowed},
		{"session, repository policy names the session", ci, read, repoARN,
			policies{repo: doc(allow(read, "*", awsPrincipal(ci.ARN)))}, Allowed},
		{"session, repository policy names another session", ci, read, repoARN,
			policies{repo: doc(allow(read, "*", awsPrincipal("arn:aws:sts::"+acctA+":assumed-role/ci-build/job-2")))}, NoIdentityAllow},
		{"PutRepositoryPermissionsPolicy ignores the repository policy", bob, "codeartifact:PutRepositoryPermissionsPolicy", repoARN,
			policies{bob: doc(allow("codeartifact:*", "*", "")), repo: doc(deny("*", "*", anyone))}, Allowed},
		{"PutRepositoryPermissionsPolicy still sees the domain policy", bob, "codeartifact:PutRepositoryPermissionsPolicy", repoARN,
			policies{bob: doc(allow("codeartifact:*", "*", "")), domain: doc(deny("*", "*", anyone))}, DeniedByResource},
		{"PutDomainPermissionsPolicy ignores the domain policy", rootA, "codeartifact:PutDomainPermissionsPolicy", domainARN,
			policies{domain: doc(deny("*", "*", anyone))}, Allowed},
		{"the repository policy does not apply to the domain", bob, "codeartifact:DescribeDomain", domainARN,
			policies{repo: doc(allow("*", "*", anyone))}, NoIdentityAllow},
		{"CreateRepository of another account, granted by the domain policy", carol, "codeartifact:CreateRepository",
			"arn:aws:codeartifact:us-east-1:" + acctA + ":repository/d/new",
			policies{carol: doc(allow("codeartifact:CreateRepository", "*", "")), domain: doc(allow("codeartifact:CreateRepository", "*", accountB))}, Allowed},
		{"IAM action, identity policy", bob, "iam:CreateUser", "arn:aws:iam::" + acctA + ":user/dave",
			policies{bob: doc(allow("iam:*User", "arn:aws:iam::"+acctA+":user/d*", ""))}, Allowed},
		{"action wildcard does not cross services", bob, "sts:GetServiceBearerToken", "*",
			policies{bob: doc(allow("codeartifact:*", "*", ""))}, NoIdentityAllow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(bob, carol, ci, rootA, rootB)
			f.dir.setPolicies(bob.ARN, nonEmpty(c.pol.bob)...)
			f.dir.setPolicies(carol.ARN, nonEmpty(c.pol.carol)...)
			f.dir.setPolicies(ci.RoleARN, nonEmpty(c.pol.ci)...)
			if c.pol.domain != "" {
				f.res.setPolicy(domainRes, c.pol.domain)
			}
			if c.pol.repo != "" {
				f.res.setPolicy(repoRes, c.pol.repo)
			}
			d, err := f.ev.Decide(context.Background(), Request{Principal: c.p, Action: c.action, Resource: c.resource})
			if err != nil {
				t.Fatal(err)
			}
			if d.Outcome != c.want {
				t.Errorf("outcome %d (%s), want %d", d.Outcome, d.Why(c.action), c.want)
			}
		})
	}
}

func nonEmpty(docs ...string) []string {
	var out []string
	for _, d := range docs {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// TestRepositoryAdministrator counts the account administering a
// repository in another account's domain as in the repository's account.
func TestRepositoryAdministrator(t *testing.T) {
	f := newFixture(carol)
	f.dir.setPolicies(carol.ARN, doc(allow("codeartifact:*", "*", "")))
	req := Request{Principal: carol, Action: read, Resource: repoARN}
	if d, _ := f.ev.Decide(context.Background(), req); d.Outcome != NoResourceAllow {
		t.Fatalf("before: %+v", d)
	}
	f.res.update(repoRes, func(a *catalog.Attributes) { a.Administrator = acctB })
	if d, _ := f.ev.Decide(context.Background(), req); !d.Allowed() {
		t.Fatalf("administering account: %+v", d)
	}
}

// TestCombineCase checks Combine on cases built by hand: what names the
// deciding statement, and IdentityOnly.
func TestCombineCase(t *testing.T) {
	idAllow := mustPolicy(t, "id", doc(`{"Sid":"ReadAll","Effect":"Allow","Action":"*","Resource":"*"}`))
	resDeny := mustPolicy(t, "repository policy of r", doc(`{"Sid":"NoOne","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`))
	req := caseRequest(bob, read, repoARN)

	d := Combine(Case{Request: req, SameAccount: true, Identity: []Policy{idAllow}, Resource: []Policy{resDeny}})
	if d.Outcome != DeniedByResource || d.Policy != "repository policy of r" || d.Statement != "NoOne" {
		t.Errorf("deny: %+v", d)
	}
	if got := d.Why(read); got != "with an explicit deny in a resource-based policy: the repository policy of r (statement NoOne)" {
		t.Errorf("Why = %q", got)
	}
	d = Combine(Case{Request: req, SameAccount: true, Identity: []Policy{idAllow}})
	if !d.Allowed() || d.Policy != "id" || d.Statement != "ReadAll" {
		t.Errorf("allow: %+v", d)
	}
	// The identity side alone ignores resource policies, and counts a root.
	if d := Combine(Case{Request: req, IdentityOnly: true, Identity: []Policy{idAllow}, Resource: []Policy{resDeny}}); !d.Allowed() {
		t.Errorf("identity only: %+v", d)
	}
	if d := Combine(Case{Request: req, IdentityOnly: true, Root: true}); !d.Allowed() {
		t.Errorf("identity only, root: %+v", d)
	}
	if d := Combine(Case{Request: req, IdentityOnly: true}); d.Outcome != NoIdentityAllow {
		t.Errorf("identity only, nothing: %+v", d)
	}
	// Without a Keys source, aws:PrincipalAccount stays the caller's when
	// a resource policy is looked at by name.
	cond := mustPolicy(t, "repo", doc(stmt("Allow", read, "*", anyone, `{"StringEquals":{"aws:PrincipalAccount":"`+acctA+`"}}`)))
	if d := Combine(Case{Request: req, SameAccount: true, Resource: []Policy{cond}}); !d.Allowed() {
		t.Errorf("by name with aws:PrincipalAccount: %+v", d)
	}
}

// TestDenialMessage checks the AccessDenied error's wording.
func TestDenialMessage(t *testing.T) {
	f := newFixture(bob)
	err := f.ev.Authorize(context.Background(), Request{Principal: bob, Action: read, Resource: repoARN})
	if !errors.Is(err, errkind.ErrAccessDenied) {
		t.Fatalf("err = %v", err)
	}
	want := "User: " + bob.ARN + " is not authorized to perform: " + read + " on resource: " + repoARN +
		" because no identity-based policy allows the " + read + " action"
	if got := errkind.As(err).Message; got != want {
		t.Errorf("message\n got %s\nwant %s", got, want)
	}
	f.dir.setPolicies(bob.ARN, doc(`{"Sid":"NoReads","Effect":"Deny","Action":"codeartifact:Read*","Resource":"*"}`))
	err = f.ev.Authorize(context.Background(), Request{Principal: bob, Action: read, Resource: repoARN})
	if got := errkind.As(err).Message; !strings.HasSuffix(got, "with an explicit deny in an identity-based policy: inline policy p0 (statement NoReads)") {
		t.Errorf("explicit deny message %q", got)
	}
}

// TestPrincipalResolution completes a principal named only by ARN (a
// token's) and refuses one that no longer exists.
func TestPrincipalResolution(t *testing.T) {
	f := newFixture(bob)
	f.dir.setPolicies(bob.ARN, doc(allow(read, "*", "")))
	byARN := identity.Principal{Account: acctA, ARN: bob.ARN}
	if err := f.ev.Authorize(context.Background(), Request{Principal: byARN, Action: read, Resource: repoARN}); err != nil {
		t.Fatalf("token principal: %v", err)
	}
	gone := identity.Principal{Account: acctA, ARN: identity.UserARN(acctA, "/", "gone")}
	err := f.ev.Authorize(context.Background(), Request{Principal: gone, Action: read, Resource: repoARN})
	if !errors.Is(err, errkind.ErrUnauthenticated) {
		t.Fatalf("deleted principal: %v", err)
	}
}

// TestAuthorizeIdentity decides the identity side alone, as AssumeRole
// asks it.
func TestAuthorizeIdentity(t *testing.T) {
	f := newFixture(bob, carol)
	role := identity.RoleARN(acctA, "/", "deploy")
	f.res.setPolicy(repoRes, doc(deny("*", "*", anyone))) // never consulted
	f.dir.setPolicies(bob.ARN, doc(allow("sts:AssumeRole", role, "")))
	if err := f.ev.AuthorizeIdentity(context.Background(), bob, "sts:AssumeRole", role); err != nil {
		t.Errorf("bob: %v", err)
	}
	if err := f.ev.AuthorizeIdentity(context.Background(), carol, "sts:AssumeRole", role); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("carol: %v", err)
	}
	if err := f.ev.AuthorizeIdentity(context.Background(), rootB, "sts:AssumeRole", role); err != nil {
		t.Errorf("a root: %v", err)
	}
}

// TestGeneration checks that a change to identity or resource policies
// binds the next decision, and that unchanged policies are not read again.
func TestGeneration(t *testing.T) {
	f := newFixture(bob)
	ctx := context.Background()
	req := Request{Principal: bob, Action: read, Resource: repoARN}
	f.dir.setPolicies(bob.ARN, doc(allow(read, "*", "")))
	for range 3 {
		if err := f.ev.Authorize(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if f.dir.reads != 1 {
		t.Errorf("identity policies read %d times for one generation", f.dir.reads)
	}
	f.dir.setPolicies(bob.ARN, doc(allow(read, "*", ""), deny(read, repoARN, "")))
	if err := f.ev.Authorize(ctx, req); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Fatalf("after an identity deny: %v", err)
	}
	f.dir.setPolicies(bob.ARN, doc(allow(read, "*", "")))
	if err := f.ev.Authorize(ctx, req); err != nil {
		t.Fatalf("after the deny is lifted: %v", err)
	}
	f.res.setPolicy(repoRes, doc(deny(read, "*", anyone)))
	if err := f.ev.Authorize(ctx, req); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Fatalf("after a repository deny: %v", err)
	}
	f.res.setPolicy(repoRes, doc(allow(read, "*", anyone)))
	if err := f.ev.Authorize(ctx, req); err != nil {
		t.Fatalf("after the repository policy allows: %v", err)
	}
}

// TestUnreadablePolicy fails closed on a stored document that does not
// parse.
func TestUnreadablePolicy(t *testing.T) {
	f := newFixture(bob)
	f.dir.setPolicies(bob.ARN, doc(allow("*", "*", "")))
	f.res.setPolicy(repoRes, `{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps"}]}`)
	d, err := f.ev.Decide(context.Background(), Request{Principal: bob, Action: read, Resource: repoARN})
	if err != nil || d.Outcome != DeniedByResource || d.Statement != "UnreadablePolicy" {
		t.Errorf("decision %+v, %v", d, err)
	}
}

// TestResourceWildcards matches resource ARNs with * and ?.
func TestResourceWildcards(t *testing.T) {
	cases := []struct {
		pattern, resource string
		want              bool
	}{
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":repository/d/*", repoARN, true},
		{"arn:aws:codeartifact:*:" + acctA + ":repository/d/r", repoARN, true},
		{"arn:aws:codeartifact:us-east-1:*:repository/*", repoARN, true},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":repository/d/?", repoARN, true},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":repository/d/??", repoARN, false},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":domain/d", repoARN, false},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":domain/*", domainARN, true},
		{"arn:aws:codeartifact:us-east-1:" + acctB + ":repository/d/r", repoARN, false},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":package/d/r/npm//lod*", pkgARN, true},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":package/d/r/npm/*", pkgARN, true},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":package/d/r/pypi/*", pkgARN, false},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":package/d/r/*/*/*", pkgARN, true},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":repository/d/r", pkgARN, false},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":repository/D/R", repoARN, false}, // ARNs match with case
		{"*", pkgARN, true},
	}
	for _, c := range cases {
		f := newFixture(bob)
		f.dir.setPolicies(bob.ARN, doc(allow("codeartifact:*", c.pattern, "")))
		d, err := f.ev.Decide(context.Background(), Request{Principal: bob, Action: read, Resource: c.resource})
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed() != c.want {
			t.Errorf("%s on %s: allowed %v, want %v", c.pattern, c.resource, d.Allowed(), c.want)
		}
	}
}

// TestParseResource checks which ARNs have resource policies.
func TestParseResource(t *testing.T) {
	cases := []struct {
		s    string
		want resource
	}{
		{domainARN, resource{kind: "domain", account: acctA, domain: "d"}},
		{repoARN, resource{kind: "repository", account: acctA, domain: "d", repo: "r"}},
		{pkgARN, resource{kind: "package", account: acctA, domain: "d", repo: "r"}},
		{"*", resource{}},
		{"arn:aws:iam::" + acctA + ":user/bob", resource{account: acctA}},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":domain/d/extra", resource{account: acctA}},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":repository/d", resource{account: acctA}},
		{"arn:aws:codeartifact:us-east-1:" + acctA + ":repository//r", resource{account: acctA}},
		{"arn:aws:codeartifact:us-east-1:nope:domain/d", resource{account: "nope"}},
		{"arn:aws:codeartifact", resource{}},
	}
	for _, c := range cases {
		if got := parseResource(c.s); got != c.want {
			t.Errorf("parseResource(%q) = %+v, want %+v", c.s, got, c.want)
		}
	}
}

// TestPolicyName turns identity policy keys into the names denials show.
func TestPolicyName(t *testing.T) {
	for key, want := range map[string]string{
		"inline/user/AIDA1/readers#0a1b":                                   "inline policy readers",
		"managed/arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess#v1": "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess",
		"other": "other",
	} {
		if got := policyName(key); got != want {
			t.Errorf("policyName(%q) = %q, want %q", key, got, want)
		}
	}
}

// withClient returns a context carrying the client aws:SourceIp and
// aws:SecureTransport come from.
func withClient(ip string, secure bool) context.Context {
	return middleware.WithClient(context.Background(), middleware.Client{IP: ip, Secure: secure})
}

// mustPolicy compiles a policy for Combine.
func mustPolicy(t *testing.T, name, document string) Policy {
	t.Helper()
	p, err := policy.Parse([]byte(document))
	if err != nil {
		t.Fatal(err)
	}
	return Policy{Name: name, Policy: p}
}

// caseRequest is the policy request of a Case for p.
func caseRequest(p identity.Principal, action, resource string) *policy.Request {
	return &policy.Request{
		Principal: policy.Principal{Account: p.Account, ARN: p.ARN, RoleARN: p.RoleARN},
		Action:    action, Resource: resource,
	}
}
