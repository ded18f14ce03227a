package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/oidc/oidctest"
	arcaserver "github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/servertest"
)

// End-to-end tests of policy evaluation: the User Guide's policy examples
// (repository policies, domain policies, cross-account domains, identity
// policies, token duration limits, tag-based access) with the real
// `aws iam`, `aws sts` and `aws codeartifact` CLIs and npm against the arca
// binary; the AWS managed policies; revoking a live npm session by a
// policy change; a CI job's OIDC login with no stored secret; and expired
// temporary credentials.
//
// TestPolicies shares one server and one setup between scenarios that run
// in parallel, each in its own domain or repository, so that the "nothing
// changed" checks of one are not disturbed by another.
// TestPoliciesExpiredCredentials runs an in-process server with a clock
// the test moves (the binary has no clock option, and the shortest
// session lasts 900 seconds), still driven by the real AWS CLI.

// The accounts of the guide's examples: the domain owner (the server's
// root account) and another account, made by `arca admin create-account`.
const (
	ownerAccount = testAccount // 111122223333, as in the guide
	otherAccount = "123456789012"
)

// --- helpers ---

// guide substitutes the guide's placeholders in a policy document.
func guide(doc string, kv ...string) string {
	return strings.NewReplacer(append([]string{"region-id", "us-east-1"}, kv...)...).Replace(doc)
}

// policyFile writes a policy document and returns the file:// argument
// the guide passes to --policy-document.
func policyFile(t testing.TB, doc string) string {
	t.Helper()
	if !json.Valid([]byte(doc)) {
		t.Fatalf("not JSON:\n%s", doc)
	}
	return "file://" + writeFile(t, "policy.json", doc)
}

// queryAs sends an IAM or STS query request signed with the given
// credentials (setup that the CLI would only make slower) and returns the
// status and body.
func queryAs(t testing.TB, s *server, id, secret, service string, kv ...string) (int, string) {
	t.Helper()
	params := url.Values{"Version": {"2010-05-08"}}
	if service == "sts" {
		params.Set("Version", "2011-06-15")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		params.Set(kv[i], kv[i+1])
	}
	body := params.Encode()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkaws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var (
	xmlAccessKeyID = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)
	xmlSecretKey   = regexp.MustCompile(`<SecretAccessKey>([^<]+)</SecretAccessKey>`)
)

// principal is an IAM user with an access key and an AWS CLI of its own
// (its own HOME, so its ~/.npmrc is its own).
type principal struct {
	ARN string
	CLI *cli
}

// newUser creates an IAM user with an access key in the account whose
// root signs with rootID/rootSecret, and returns it with its own CLI.
func newUser(t testing.TB, s *server, account, rootID, rootSecret, name string) principal {
	t.Helper()
	if st, body := queryAs(t, s, rootID, rootSecret, "iam", "Action", "CreateUser", "UserName", name); st != 200 {
		t.Fatalf("CreateUser %s: %d %s", name, st, body)
	}
	st, body := queryAs(t, s, rootID, rootSecret, "iam", "Action", "CreateAccessKey", "UserName", name)
	id, sec := xmlAccessKeyID.FindStringSubmatch(body), xmlSecretKey.FindStringSubmatch(body)
	if st != 200 || id == nil || sec == nil {
		t.Fatalf("CreateAccessKey %s: %d %s", name, st, body)
	}
	return principal{ARN: "arn:aws:iam::" + account + ":user/" + name, CLI: withCreds(newCLI(t, s), id[1], sec[1], "")}
}

// own returns a CLI like c with a HOME of its own.
func own(t testing.TB, c *cli) *cli {
	t.Helper()
	n := newCLI(t, c.srv)
	var env []string
	for _, kv := range c.env {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN":
			env = append(env, kv)
		}
	}
	out := withCreds(n, "", "", "")
	out.env = append(out.env, env...)
	return out
}

// debugStatus finds the HTTP status of the last response in the AWS
// CLI's --debug output (urllib3's `"POST /v1/... HTTP/1.1" 403 232`).
var debugStatus = regexp.MustCompile(`"(?:GET|POST|PUT|DELETE|HEAD|PATCH) [^"]* HTTP/1\.1" (\d{3})`)

// tailOf returns the last n bytes of s.
func tailOf(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// refused runs `aws args... --output json --debug`, which must fail with
// the error errType on operation op and HTTP status (any when 0), and
// returns the message. A mismatch is reported with t.Errorf (ok false),
// so a scenario goes on to report what else is wrong.
func refused(t testing.TB, c *cli, status int, errType, op string, args ...string) (msg string, ok bool) {
	t.Helper()
	r := c.Raw(t, append(args, "--output", "json", "--debug")...)
	prefix := fmt.Sprintf("An error occurred (%s) when calling the %s operation: ", errType, op)
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	last := lines[len(lines)-1]
	got := 0
	if m := debugStatus.FindAllStringSubmatch(r.Stderr, -1); len(m) > 0 {
		fmt.Sscan(m[len(m)-1][1], &got)
	}
	if r.Code != 255 || !strings.HasPrefix(last, prefix) || (status != 0 && got != status) {
		t.Errorf("want exit code 255, HTTP %d and %q<message>; got exit code %d, HTTP %d\n$ %s\n--- stdout:\n%s--- last line of stderr:\n%s",
			status, prefix, r.Code, got, r.Cmd, tailOf(r.Stdout, 2000), last)
		return "", false
	}
	return strings.TrimPrefix(last, prefix), true
}

// denial is what an AccessDenied message must name.
type denial struct {
	Principal, Action, Resource string
	// Why is a phrase the message must contain after the resource, in
	// AWS's words ("because no identity-based policy allows the X action",
	// "with an explicit deny in a resource-based policy"); none when "".
	Why string
}

func (d denial) check(t testing.TB, msg string) {
	t.Helper()
	want := "User: " + d.Principal + " is not authorized to perform: " + d.Action + " on resource: " + d.Resource
	if !strings.HasPrefix(msg, want) || !strings.Contains(msg, d.Why) {
		t.Errorf("AccessDenied message\n  %q\nwant it to start with\n  %q\nand contain %q", msg, want, d.Why)
	}
}

// noIdentityAllow, noResourceAllow, identityDeny, resourceDeny are the
// reasons of AWS's AccessDenied messages.
func noIdentityAllow(action string) string {
	return "because no identity-based policy allows the " + action + " action"
}
func noResourceAllow(action string) string {
	return "because no resource-based policy allows the " + action + " action"
}

const (
	identityDeny = "with an explicit deny in an identity-based policy"
	resourceDeny = "with an explicit deny in a resource-based policy"
)

// denied runs `aws codeartifact args...`, which must be refused with
// AccessDeniedException, HTTP 403, and a message naming d.
func denied(t testing.TB, c *cli, op string, d denial, args ...string) {
	t.Helper()
	if msg, ok := refused(t, c, http.StatusForbidden, "AccessDeniedException", op, append([]string{"codeartifact"}, args...)...); ok {
		d.check(t, msg)
	}
}

// iamDenied runs `aws iam|sts args...`, which must be refused with IAM's
// AccessDenied, HTTP 403, and a message naming d.
func iamDenied(t testing.TB, c *cli, op string, d denial, args ...string) {
	t.Helper()
	if msg, ok := refused(t, c, http.StatusForbidden, "AccessDenied", op, args...); ok {
		d.check(t, msg)
	}
}

// allowed runs `aws codeartifact args...`, which must succeed, and returns
// its output; a failure is reported with t.Errorf (nil output).
func allowed(t testing.TB, c *cli, args ...string) map[string]any {
	t.Helper()
	r := c.Run(t, args...)
	if r.Code != 0 {
		t.Errorf("want success\n%s", r)
		return nil
	}
	var v map[string]any
	if strings.TrimSpace(r.Stdout) != "" {
		if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
			t.Errorf("output is not JSON: %v\n%s", err, r)
		}
	}
	return v
}

func repoARN(owner, domain, repo string) string {
	return "arn:aws:codeartifact:us-east-1:" + owner + ":repository/" + domain + "/" + repo
}

func domainARN(owner, domain string) string {
	return "arn:aws:codeartifact:us-east-1:" + owner + ":domain/" + domain
}

func npmEndpoint(s *server, owner, domain, repo string) string {
	return s.URL + "/" + domain + "-" + owner + "/npm/" + repo + "/"
}

// npmLoginAs runs `aws codeartifact login --tool npm` with c's credentials
// (in c's HOME) and returns the npm user it configured.
func npmLoginAs(t testing.TB, c *cli, owner, domain, repo string, extra ...string) *npmUser {
	t.Helper()
	tool(t, "npm")
	args := append([]string{"codeartifact", "login", "--tool", "npm", "--domain", domain, "--domain-owner", owner, "--repository", repo}, extra...)
	if r := c.Raw(t, args...); r.Code != 0 {
		t.Fatalf("aws codeartifact login --tool npm failed\n%s", r)
	}
	endpoint := npmEndpoint(c.srv, owner, domain, repo)
	npmrc, err := os.ReadFile(filepath.Join(c.Home, ".npmrc"))
	if err != nil || !strings.Contains(string(npmrc), "registry="+endpoint) {
		t.Fatalf("login did not configure registry=%s in ~/.npmrc (%v):\n%s", endpoint, err, npmrc)
	}
	return &npmUser{AWS: c, Home: c.Home, Endpoint: endpoint, Repo: repo, env: npmEnv(c.Home, endpoint)}
}

// npmEnv is the environment of npm for a HOME configured for endpoint:
// npm_config_registry repeats the registry, so that npm can never fall
// back to its public default, even if ~/.npmrc were missing.
func npmEnv(home, endpoint string) []string {
	return clientEnv(home, "npm_config_registry="+endpoint)
}

// npmWithToken configures npm in c's HOME by hand, as the guide's manual
// configuration does: the endpoint as registry and the token for it.
func npmWithToken(t testing.TB, c *cli, owner, domain, repo, token string) *npmUser {
	t.Helper()
	tool(t, "npm")
	endpoint := npmEndpoint(c.srv, owner, domain, repo)
	npmrc := "registry=" + endpoint + "\n" + strings.TrimPrefix(endpoint, "http:") + ":_authToken=" + token + "\n"
	if err := os.WriteFile(filepath.Join(c.Home, ".npmrc"), []byte(npmrc), 0o600); err != nil {
		t.Fatal(err)
	}
	return &npmUser{AWS: c, Home: c.Home, Endpoint: endpoint, Repo: repo, env: npmEnv(c.Home, endpoint)}
}

// npmRefused checks that an npm command failed with one of the HTTP
// error codes npm prints as "npm error code E403".
func npmRefused(t testing.TB, r result, codes ...string) {
	t.Helper()
	for _, c := range codes {
		if r.Code != 0 && strings.Contains(r.Stderr, "code "+c) {
			for _, line := range strings.Split(r.Stderr, "\n") {
				if strings.HasPrefix(line, "npm error "+strings.TrimPrefix(c, "E")+" "+strings.TrimPrefix(c, "E")) {
					t.Logf("%s: %s", r.Cmd, line)
					break
				}
			}
			return
		}
	}
	t.Errorf("want npm to fail with %v\n%s", codes, r)
}

// installs runs npm install spec in a new project and checks what
// require() returns.
func installs(t testing.TB, u *npmUser, spec string, p pkgSpec) {
	t.Helper()
	dir := newProject(t)
	if r := u.Install(t, dir, spec); r.Code != 0 {
		t.Errorf("npm install %s failed (registry %s)\n%s", spec, u.Endpoint, r)
		return
	}
	if got := requireIn(t, dir, p.Name); got != p.export() {
		t.Errorf("require(%q) = %q, want %q", p.Name, got, p.export())
	}
}

// endpointStatus returns the status of GET endpoint+path with a bearer
// token.
func endpointStatus(t testing.TB, endpoint, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, endpoint+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// domainState returns what the control plane says about one domain owned
// by the server's root account: its description, policy and tags, the
// names of its repositories, and for each of repos (absent ones too) its
// description, policy and tags. Scenarios running in parallel each check
// their own part of the server.
func domainState(t testing.TB, s *server, domain string, repos ...string) string {
	t.Helper()
	ctx := context.Background()
	c := sdk(s)
	d := sdkaws.String(domain)
	state := map[string]any{}
	dd, err := c.DescribeDomain(ctx, &codeartifact.DescribeDomainInput{Domain: d})
	if err != nil {
		t.Fatalf("domain state: DescribeDomain %s: %v", domain, err)
	}
	state["domain"] = dd.Domain
	if p, err := c.GetDomainPermissionsPolicy(ctx, &codeartifact.GetDomainPermissionsPolicyInput{Domain: d}); err == nil {
		state["policy"] = p.Policy
	}
	tags, err := c.ListTagsForResource(ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: dd.Domain.Arn})
	if err != nil {
		t.Fatalf("domain state: ListTagsForResource: %v", err)
	}
	state["tags"] = tags.Tags
	var names []string
	pages := codeartifact.NewListRepositoriesInDomainPaginator(c, &codeartifact.ListRepositoriesInDomainInput{Domain: d})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("domain state: ListRepositoriesInDomain: %v", err)
		}
		for _, r := range page.Repositories {
			names = append(names, sdkaws.ToString(r.Name))
		}
	}
	state["repositories"] = names
	for _, name := range repos {
		rs := map[string]any{}
		rd, err := c.DescribeRepository(ctx, &codeartifact.DescribeRepositoryInput{Domain: d, Repository: sdkaws.String(name)})
		if err != nil {
			if !strings.Contains(err.Error(), "ResourceNotFoundException") {
				t.Fatalf("domain state: DescribeRepository %s: %v", name, err)
			}
			state["repository "+name] = "absent"
			continue
		}
		rs["description"] = rd.Repository
		if p, err := c.GetRepositoryPermissionsPolicy(ctx, &codeartifact.GetRepositoryPermissionsPolicyInput{Domain: d, Repository: sdkaws.String(name)}); err == nil {
			rs["policy"] = p.Policy
		}
		tags, err := c.ListTagsForResource(ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: rd.Repository.Arn})
		if err != nil {
			t.Fatalf("domain state: ListTagsForResource: %v", err)
		}
		rs["tags"] = tags.Tags
		state["repository "+name] = rs
	}
	b, _ := json.MarshalIndent(state, "", "  ")
	return string(b)
}

// sameDomain reports (t.Errorf) a change in a domainState.
func sameDomain(t testing.TB, s *server, before, what, domain string, repos ...string) {
	t.Helper()
	if after := domainState(t, s, domain, repos...); after != before {
		t.Errorf("%s changed the domain\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// samePackageState reports (t.Errorf) a change in a packageState.
func samePackageState(t testing.TB, s *server, domain, before, what string) {
	t.Helper()
	if after := packageState(t, s, domain); after != before {
		t.Errorf("%s changed the domain's packages\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// repoVersionsSDK lists the versions of an npm package in a repository,
// with the server's root credentials.
func repoVersionsSDK(t testing.TB, s *server, domain, repo, namespace, pkg string) []string {
	t.Helper()
	in := &codeartifact.ListPackageVersionsInput{Domain: sdkaws.String(domain), Repository: sdkaws.String(repo),
		Format: types.PackageFormatNpm, Package: sdkaws.String(pkg)}
	if namespace != "" {
		in.Namespace = sdkaws.String(namespace)
	}
	out, err := sdk(s).ListPackageVersions(context.Background(), in)
	if err != nil {
		if strings.Contains(err.Error(), "ResourceNotFoundException") {
			return nil
		}
		t.Fatalf("ListPackageVersions %s/%s: %v", namespace, pkg, err)
	}
	var vs []string
	for _, v := range out.Versions {
		vs = append(vs, sdkaws.ToString(v.Version))
	}
	return vs
}

// --- the guide's policy documents, verbatim but for names ---

// The Repository policies section: read access for another account, the
// minimal form and the form the guide recommends.
const guideReadPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "codeartifact:ReadFromRepository"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "Resource": "*"
    }
  ]
}`

const guideReadPolicyFull = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "codeartifact:DescribePackageVersion",
        "codeartifact:DescribeRepository",
        "codeartifact:GetPackageVersionReadme",
        "codeartifact:GetRepositoryEndpoint",
        "codeartifact:ListPackages",
        "codeartifact:ListPackageVersions",
        "codeartifact:ListPackageVersionAssets",
        "codeartifact:ListPackageVersionDependencies",
        "codeartifact:ReadFromRepository"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "Resource": "*"
    }
  ]
}`

// The recommended read policy, the guide's "Grant write access to
// packages" statement for @parity/ui, and a statement that tries to let
// the other account replace the policy, which the guide says a resource
// policy cannot grant.
const guideReadAndPublishOnePackage = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "codeartifact:DescribePackageVersion",
        "codeartifact:DescribeRepository",
        "codeartifact:GetPackageVersionReadme",
        "codeartifact:GetRepositoryEndpoint",
        "codeartifact:ListPackages",
        "codeartifact:ListPackageVersions",
        "codeartifact:ListPackageVersionAssets",
        "codeartifact:ListPackageVersionDependencies",
        "codeartifact:ReadFromRepository"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "Resource": "*"
    },
    {
      "Action": [
        "codeartifact:PublishPackageVersion"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "Resource": "arn:aws:codeartifact:region-id:111122223333:package/my_domain/example-repo/npm/parity/ui"
    },
    {
      "Sid": "NotGrantable",
      "Action": [
        "codeartifact:PutRepositoryPermissionsPolicy"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "Resource": "*"
    }
  ]
}`

// The Domain policies section's "Domain policy example".
const guideDomainPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "BasicDomainPolicy",
      "Action": [
        "codeartifact:GetDomainPermissionsPolicy",
        "codeartifact:ListRepositoriesInDomain",
        "codeartifact:GetAuthorizationToken",
        "codeartifact:DescribeDomain",
        "codeartifact:CreateRepository"
      ],
      "Effect": "Allow",
      "Resource": "*",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      }
    }
  ]
}`

// Identity policy example "Allow a user to get information about specific
// repositories" (repositories whose names end with test).
const guideTestReposPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "codeartifact:List*",
        "codeartifact:Describe*",
        "codeartifact:Get*",
        "codeartifact:Read*"
      ],
      "Resource": "arn:aws:codeartifact:*:*:repository/*/*test"
    },
    {
      "Effect": "Allow",
      "Action": [
        "codeartifact:List*",
        "codeartifact:Describe*"
      ],
      "Resource": "arn:aws:codeartifact:*:*:package/*/*test/*/*/*"
    },
    {
      "Effect": "Allow",
      "Action": "sts:GetServiceBearerToken",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "sts:AWSServiceName": "codeartifact.amazonaws.com"
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "codeartifact:GetAuthorizationToken",
      "Resource": "*"
    }
  ]
}`

// "Limit authorization token duration": exactly 12 hours, and 15 minutes
// to 1 hour (or the session's length with 0).
const guideToken12h = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "codeartifact:*",
      "Resource": "*"
    },
    {
      "Sid": "sts",
      "Effect": "Allow",
      "Action": "sts:GetServiceBearerToken",
      "Resource": "*",
      "Condition": {
        "NumericEquals": {
          "sts:DurationSeconds": 43200
        },
        "StringEquals": {
          "sts:AWSServiceName": "codeartifact.amazonaws.com"
        }
      }
    }
  ]
}`

const guideToken1h = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "codeartifact:*",
      "Resource": "*"
    },
    {
      "Sid": "sts",
      "Effect": "Allow",
      "Action": "sts:GetServiceBearerToken",
      "Resource": "*",
      "Condition": {
        "NumericLessThanEquals": {
          "sts:DurationSeconds": 3600
        },
        "StringEquals": {
          "sts:AWSServiceName": "codeartifact.amazonaws.com"
        }
      }
    }
  ]
}`

// "Using tags to control access", examples 1 to 4.
const guideTagEx1 = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "codeartifact:CreateRepository",
      "Resource": "*",
      "Condition": {
        "Null": {
          "aws:RequestTag/costcenter": "true"
        }
      }
    },
    {
      "Effect": "Deny",
      "Action": "codeartifact:CreateRepository",
      "Resource": "*",
      "Condition": {
        "ForAnyValue:StringNotEquals": {
          "aws:RequestTag/costcenter": [
            "1",
            "2"
          ]
        }
      }
    }
  ]
}`

const guideTagEx2 = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": [
        "codeartifact:TagResource",
        "codeartifact:UntagResource",
        "codeartifact:DescribeDomain",
        "codeartifact:DescribeRepository",
        "codeartifact:PutDomainPermissionsPolicy",
        "codeartifact:PutRepositoryPermissionsPolicy",
        "codeartifact:ListRepositoriesInDomain",
        "codeartifact:UpdateRepository",
        "codeartifact:ReadFromRepository",
        "codeartifact:ListPackages",
        "codeartifact:ListTagsForResource"
      ],
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "aws:ResourceTag/Key1": ["Value1", "Value2"]
        }
      }
    }
  ]
}`

const guideTagEx3 = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "codeartifact:UpdateRepository",
        "codeartifact:DeleteRepository",
        "codeartifact:ListPackages",
        "codeartifact:ListPackageVersions"
      ],
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "aws:ResourceTag/Key1": "Value1"
        },
        "ForAllValues:StringEquals": {
          "aws:TagKeys": [ "Key1" ]
        }
      }
    }
  ]
}`

const guideTagEx4 = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "codeartifact:CreateRepository",
        "codeartifact:TagResource"
      ],
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "aws:RequestTag/Key1": "Value1"
        },
        "ForAllValues:StringEquals": {
          "aws:TagKeys": [ "Key1" ]
        }
      }
    }
  ]
}`

const (
	adminAccess    = "arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess"
	readOnlyAccess = "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"
)

// --- the scenarios ---

// policyFixture is what the scenarios of TestPolicies share: the server,
// the roots of the two accounts, and my-domain, whose repository source
// holds arca-lib@1.0.0 published with npm, copied to revoke-repo,
// unit-test and prod.
type policyFixture struct {
	s           *server
	root        *cli // the domain owner's root
	other       *cli // the other account's root
	otherID     string
	otherSecret string
	lib         pkgSpec
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	tool(t, "npm")
	start := time.Now()
	s := startServer(t)
	f := &policyFixture{s: s, root: newCLI(t, s), lib: pkgSpec{Name: "arca-lib", Version: "1.0.0", Mark: "source"}}

	r := runProgram(t, clientEnv(t.TempDir()), "", arcaBin, "admin", "create-account", "--data", s.Data, "--account-id", otherAccount)
	var acct rootFile
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &acct) != nil {
		t.Fatalf("arca admin create-account\n%s", r)
	}
	f.otherID, f.otherSecret = acct.AccessKeyID, acct.SecretAccessKey
	f.other = withCreds(newCLI(t, s), acct.AccessKeyID, acct.SecretAccessKey, "")

	ctx := context.Background()
	c := sdk(s)
	if _, err := c.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("my-domain")}); err != nil {
		t.Fatal(err)
	}
	for _, repo := range []string{"source", "revoke-repo", "unit-test", "prod", "named-repo"} {
		if _, err := c.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("my-domain"), Repository: aws_(repo)}); err != nil {
			t.Fatal(err)
		}
	}
	admin := npmLoginAs(t, own(t, f.root), ownerAccount, "my-domain", "source")
	admin.PublishOK(t, f.lib)
	for _, repo := range []string{"revoke-repo", "unit-test", "prod", "named-repo"} {
		if _, err := c.CopyPackageVersions(ctx, &codeartifact.CopyPackageVersionsInput{Domain: aws_("my-domain"),
			SourceRepository: aws_("source"), DestinationRepository: aws_(repo), Format: types.PackageFormatNpm,
			Package: aws_("arca-lib"), Versions: []string{"1.0.0"}}); err != nil {
			t.Fatalf("CopyPackageVersions to %s: %v", repo, err)
		}
	}
	t.Logf("setup took %v", time.Since(start).Round(time.Millisecond))

	t.Run("cross-account repository and domain policies", func(t *testing.T) { t.Parallel(); f.crossAccount(t) })
	t.Run("managed policies", func(t *testing.T) { t.Parallel(); f.managedPolicies(t) })
	t.Run("identity policy for repositories ending in test", func(t *testing.T) { t.Parallel(); f.testRepositories(t) })
	t.Run("list specific domains", func(t *testing.T) { t.Parallel(); f.specificDomains(t) })
	t.Run("token duration limits", func(t *testing.T) { t.Parallel(); f.tokenDuration(t) })
	t.Run("tag-based access", func(t *testing.T) { t.Parallel(); f.tags(t) })
	t.Run("read access for one user", func(t *testing.T) { t.Parallel(); f.namedPrincipal(t) })
	t.Run("revocation during an npm session", func(t *testing.T) { t.Parallel(); f.revocation(t) })
	t.Run("CI login with OIDC", func(t *testing.T) { t.Parallel(); f.webIdentity(t) })
}

// crossAccount: the guide's repository policies (read access, write access
// to one package) and domain policy (cross-account repository creation and
// token access), for another account's root and one of its users.
func (f *policyFixture) crossAccount(t *testing.T) {
	s, root, other := f.s, f.root, f.other
	const domain, repo = "xacct", "example-repo"
	names := []string{"my_domain", domain}
	otherRoot := "arn:aws:iam::" + otherAccount + ":root"
	step := steps(t)
	ui := func(v string) pkgSpec { return pkgSpec{Name: "@parity/ui", Version: v, Mark: repo} }
	lib := func(v string) pkgSpec { return pkgSpec{Name: "arca-lib", Version: v, Mark: repo} }

	step("the owner publishes @parity/ui and arca-lib", func(t *testing.T) {
		root.OK(t, "create-domain", "--domain", domain)
		root.OK(t, "create-repository", "--domain", domain, "--repository", repo)
		u := npmLoginAs(t, own(t, root), ownerAccount, domain, repo)
		u.PublishOK(t, ui("1.0.0"))
		u.PublishOK(t, lib("1.0.0"))
	})

	step("without a domain policy the other account gets nothing", func(t *testing.T) {
		before := domainState(t, s, domain, repo, "other-repo")
		denied(t, other, "GetAuthorizationToken",
			denial{otherRoot, "codeartifact:GetAuthorizationToken", domainARN(ownerAccount, domain), noResourceAllow("codeartifact:GetAuthorizationToken")},
			"get-authorization-token", "--domain", domain, "--domain-owner", ownerAccount)
		denied(t, other, "CreateRepository",
			denial{otherRoot, "codeartifact:CreateRepository", repoARN(ownerAccount, domain, "other-repo"), noResourceAllow("codeartifact:CreateRepository")},
			"create-repository", "--domain", domain, "--domain-owner", ownerAccount, "--repository", "other-repo")
		denied(t, other, "DescribeDomain",
			denial{otherRoot, "codeartifact:DescribeDomain", domainARN(ownerAccount, domain), noResourceAllow("codeartifact:DescribeDomain")},
			"describe-domain", "--domain", domain, "--domain-owner", ownerAccount)
		sameDomain(t, s, before, "the other account's refused calls", domain, repo, "other-repo")
	})

	step("the guide's domain policy", func(t *testing.T) {
		out := root.OK(t, "put-domain-permissions-policy", "--domain", domain, "--domain-owner", ownerAccount,
			"--policy-document", policyFile(t, guide(guideDomainPolicy, names...)))
		want(t, "put-domain-permissions-policy", obj(t, out, "policy"), "resourceArn", domainARN(ownerAccount, domain))
	})

	var token string
	step("the other account creates a repository and gets a token", func(t *testing.T) {
		r := allowed(t, other, "create-repository", "--domain", domain, "--domain-owner", ownerAccount, "--repository", "other-repo")
		if r != nil {
			rep := obj(t, r, "repository")
			want(t, "create-repository by the other account", rep, "administratorAccount", otherAccount)
			want(t, "create-repository by the other account", rep, "domainOwner", ownerAccount)
		}
		allowed(t, other, "describe-domain", "--domain", domain, "--domain-owner", ownerAccount)
		if r := allowed(t, other, "list-repositories-in-domain", "--domain", domain, "--domain-owner", ownerAccount); r != nil {
			if n := len(list(t, r, "repositories")); n != 2 {
				t.Errorf("list-repositories-in-domain by the other account: %d repositories, want 2\n%s", n, pretty(r))
			}
		}
		tok := allowed(t, other, "get-authorization-token", "--domain", domain, "--domain-owner", ownerAccount, "--duration-seconds", "900")
		if tok == nil {
			t.FailNow()
		}
		token = str(t, tok, "authorizationToken")
		// The domain policy grants nothing else: the domain stays.
		before := domainState(t, s, domain, repo, "tagged-repo")
		denied(t, other, "DeleteDomain",
			denial{otherRoot, "codeartifact:DeleteDomain", domainARN(ownerAccount, domain), noResourceAllow("codeartifact:DeleteDomain")},
			"delete-domain", "--domain", domain, "--domain-owner", ownerAccount)
		// "To allow creating repositories with tags, you must include the
		// codeartifact:TagResource permission", which this policy lacks.
		denied(t, other, "CreateRepository",
			denial{otherRoot, "codeartifact:TagResource", repoARN(ownerAccount, domain, "tagged-repo"), noResourceAllow("codeartifact:TagResource")},
			"create-repository", "--domain", domain, "--domain-owner", ownerAccount, "--repository", "tagged-repo", "--tags", "key=team,value=other")
		denied(t, other, "PutDomainPermissionsPolicy",
			denial{otherRoot, "codeartifact:PutDomainPermissionsPolicy", domainARN(ownerAccount, domain), noResourceAllow("codeartifact:PutDomainPermissionsPolicy")},
			"put-domain-permissions-policy", "--domain", domain, "--domain-owner", ownerAccount,
			"--policy-document", policyFile(t, guide(guideDomainPolicy, names...)))
		sameDomain(t, s, before, "the other account's refused calls", domain, repo, "tagged-repo")
	})

	otherNPM := npmWithToken(t, own(t, other), ownerAccount, domain, repo, token)
	otherLogin := own(t, other) // a HOME that outlives the step logging in
	step("a token alone does not read a repository without a repository policy", func(t *testing.T) {
		npmRefused(t, otherNPM.Install(t, newProject(t), "arca-lib@1.0.0"), "E403")
	})

	step("the guide's read-only repository policy: install, but no publish", func(t *testing.T) {
		root.OK(t, "put-repository-permissions-policy", "--domain", domain, "--domain-owner", ownerAccount, "--repository", repo,
			"--policy-document", policyFile(t, guide(guideReadPolicy, names...)))
		installs(t, otherNPM, "arca-lib@1.0.0", lib("1.0.0"))
		installs(t, otherNPM, "@parity/ui", ui("1.0.0"))
		before := packageState(t, s, domain)
		npmRefused(t, otherNPM.Publish(t, lib("1.0.1")), "E403")
		npmRefused(t, otherNPM.Publish(t, ui("1.0.1")), "E403")
		samePackageState(t, s, domain, before, "the other account's refused npm publish")
		// "they can't perform other actions on them (for example, listing
		// package names and versions)".
		denied(t, other, "ListPackages",
			denial{otherRoot, "codeartifact:ListPackages", repoARN(ownerAccount, domain, repo), noResourceAllow("codeartifact:ListPackages")},
			"list-packages", "--domain", domain, "--domain-owner", ownerAccount, "--repository", repo)
	})

	step("the guide's recommended read policy: login and list too", func(t *testing.T) {
		root.OK(t, "put-repository-permissions-policy", "--domain", domain, "--domain-owner", ownerAccount, "--repository", repo,
			"--policy-document", policyFile(t, guide(guideReadPolicyFull, names...)))
		otherNPM = npmLoginAs(t, otherLogin, ownerAccount, domain, repo)
		installs(t, otherNPM, "@parity/ui@1.0.0", ui("1.0.0"))
		if out := allowed(t, other, "list-packages", "--domain", domain, "--domain-owner", ownerAccount, "--repository", repo); out != nil {
			if got := packageNames(t, out); len(got) != 2 {
				t.Errorf("list-packages by the other account: %v, want arca-lib and @parity/ui", got)
			}
		}
	})

	step("publish access to one package only", func(t *testing.T) {
		doc := guide(guideReadAndPublishOnePackage, names...)
		root.OK(t, "put-repository-permissions-policy", "--domain", domain, "--domain-owner", ownerAccount, "--repository", repo,
			"--policy-document", policyFile(t, doc))
		otherNPM.PublishOK(t, ui("1.1.0"))
		if got := repoVersionsSDK(t, s, domain, repo, "parity", "ui"); !sameList(sorted(got), []string{"1.0.0", "1.1.0"}) {
			t.Errorf("@parity/ui versions after the other account's publish: %v, want [1.0.0 1.1.0]", got)
		}
		before := packageState(t, s, domain)
		npmRefused(t, otherNPM.Publish(t, lib("1.0.1")), "E403")
		npmRefused(t, otherNPM.Publish(t, pkgSpec{Name: "@parity/other", Version: "1.0.0", Mark: repo}), "E403")
		samePackageState(t, s, domain, before, "npm publish of packages the policy does not name")
		// The policy's own statement cannot let the other account replace
		// the policy: put-repository-permissions-policy ignores it.
		stateBefore := domainState(t, s, domain, repo)
		denied(t, other, "PutRepositoryPermissionsPolicy",
			denial{otherRoot, "codeartifact:PutRepositoryPermissionsPolicy", repoARN(ownerAccount, domain, repo), noResourceAllow("codeartifact:PutRepositoryPermissionsPolicy")},
			"put-repository-permissions-policy", "--domain", domain, "--domain-owner", ownerAccount, "--repository", repo,
			"--policy-document", policyFile(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+otherRoot+`"},"Action":"codeartifact:*","Resource":"*"}]}`))
		sameDomain(t, s, stateBefore, "the other account's refused put-repository-permissions-policy", domain, repo)
	})

	step("a user of the other account needs its own identity policy too", func(t *testing.T) {
		bob := newUser(t, s, otherAccount, f.otherID, f.otherSecret, "bob")
		denied(t, bob.CLI, "GetAuthorizationToken",
			denial{bob.ARN, "codeartifact:GetAuthorizationToken", domainARN(ownerAccount, domain), noIdentityAllow("codeartifact:GetAuthorizationToken")},
			"get-authorization-token", "--domain", domain, "--domain-owner", ownerAccount)
		other.iam(t, "attach-user-policy", "--user-name", "bob", "--policy-arn", readOnlyAccess)
		u := npmLoginAs(t, bob.CLI, ownerAccount, domain, repo)
		installs(t, u, "@parity/ui@1.1.0", ui("1.1.0"))
		// The repository lets the account publish @parity/ui; bob's
		// read-only identity policy does not.
		before := packageState(t, s, domain)
		npmRefused(t, u.Publish(t, ui("1.2.0")), "E403")
		samePackageState(t, s, domain, before, "npm publish by a read-only user of the other account")
	})
}

// managedPolicies: AWSCodeArtifactReadOnlyAccess and
// AWSCodeArtifactAdminAccess attached to users, and a user with no policy.
func (f *policyFixture) managedPolicies(t *testing.T) {
	s, root := f.s, f.root
	const domain = "my-domain"
	reader := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "reader")
	admin := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "admin")
	nobody := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "nobody")
	root.iam(t, "attach-user-policy", "--user-name", "reader", "--policy-arn", readOnlyAccess)
	root.iam(t, "attach-user-policy", "--user-name", "admin", "--policy-arn", adminAccess)

	t.Run("AWSCodeArtifactReadOnlyAccess reads", func(t *testing.T) {
		if out := allowed(t, reader.CLI, "list-domains"); out != nil && len(list(t, out, "domains")) == 0 {
			t.Errorf("list-domains by the read-only user: no domains")
		}
		allowed(t, reader.CLI, "describe-domain", "--domain", domain)
		allowed(t, reader.CLI, "describe-repository", "--domain", domain, "--repository", "source")
		if out := allowed(t, reader.CLI, "list-packages", "--domain", domain, "--repository", "source"); out != nil {
			if got := packageNames(t, out); !sameList(got, []string{"npm:/arca-lib"}) {
				t.Errorf("list-packages by the read-only user: %v", got)
			}
		}
		u := npmLoginAs(t, reader.CLI, ownerAccount, domain, "source")
		installs(t, u, "arca-lib@1.0.0", f.lib)

		t.Run("and changes nothing", func(t *testing.T) {
			before := domainState(t, s, domain, "source", "reader-repo")
			pkgs := packageState(t, s, domain)
			npmRefused(t, u.Publish(t, pkgSpec{Name: "arca-lib", Version: "9.0.0", Mark: "reader"}), "E403")
			d := func(action, resource string) denial {
				return denial{reader.ARN, action, resource, noIdentityAllow(action)}
			}
			denied(t, reader.CLI, "CreateRepository", d("codeartifact:CreateRepository", repoARN(ownerAccount, domain, "reader-repo")),
				"create-repository", "--domain", domain, "--repository", "reader-repo")
			denied(t, reader.CLI, "DeleteDomain", d("codeartifact:DeleteDomain", domainARN(ownerAccount, domain)),
				"delete-domain", "--domain", domain)
			denied(t, reader.CLI, "DeleteRepository", d("codeartifact:DeleteRepository", repoARN(ownerAccount, domain, "source")),
				"delete-repository", "--domain", domain, "--repository", "source")
			denied(t, reader.CLI, "PutRepositoryPermissionsPolicy", d("codeartifact:PutRepositoryPermissionsPolicy", repoARN(ownerAccount, domain, "source")),
				"put-repository-permissions-policy", "--domain", domain, "--repository", "source", "--policy-document", policyFile(t, guide(guideReadPolicy)))
			denied(t, reader.CLI, "TagResource", d("codeartifact:TagResource", repoARN(ownerAccount, domain, "source")),
				"tag-resource", "--resource-arn", repoARN(ownerAccount, domain, "source"), "--tags", "key=owner,value=reader")
			iamDenied(t, reader.CLI, "ListUsers", denial{reader.ARN, "iam:ListUsers", "arn:aws:iam::" + ownerAccount + ":user/", noIdentityAllow("iam:ListUsers")},
				"iam", "list-users")
			sameDomain(t, s, before, "the read-only user's refused calls", domain, "source", "reader-repo")
			samePackageState(t, s, domain, pkgs, "the read-only user's refused npm publish")
		})
	})

	t.Run("AWSCodeArtifactAdminAccess administers CodeArtifact, not IAM", func(t *testing.T) {
		c := admin.CLI
		allowed(t, c, "create-domain", "--domain", "admin-domain")
		allowed(t, c, "create-repository", "--domain", "admin-domain", "--repository", "admin-repo", "--tags", "key=team,value=admins")
		allowed(t, c, "put-repository-permissions-policy", "--domain", "admin-domain", "--repository", "admin-repo",
			"--policy-document", policyFile(t, guide(guideReadPolicy)))
		allowed(t, c, "put-domain-permissions-policy", "--domain", "admin-domain", "--policy-document", policyFile(t, guide(guideDomainPolicy)))
		u := npmLoginAs(t, c, ownerAccount, "admin-domain", "admin-repo")
		p := pkgSpec{Name: "admin-pkg", Version: "1.0.0", Mark: "admin-repo"}
		u.PublishOK(t, p)
		installs(t, u, "admin-pkg", p)
		// An owner cannot lock itself out: put-*-permissions-policy
		// ignores the resource's own policy.
		denyAll := policyFile(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Lockout","Effect":"Deny","Principal":"*","Action":"codeartifact:*","Resource":"*"}]}`)
		allowed(t, c, "put-repository-permissions-policy", "--domain", "admin-domain", "--repository", "admin-repo", "--policy-document", denyAll)
		denied(t, c, "DescribeRepository", denial{admin.ARN, "codeartifact:DescribeRepository", repoARN(ownerAccount, "admin-domain", "admin-repo"), resourceDeny},
			"describe-repository", "--domain", "admin-domain", "--repository", "admin-repo")
		allowed(t, c, "put-repository-permissions-policy", "--domain", "admin-domain", "--repository", "admin-repo",
			"--policy-document", policyFile(t, guide(guideReadPolicy)))
		allowed(t, c, "put-domain-permissions-policy", "--domain", "admin-domain", "--policy-document", denyAll)
		denied(t, c, "DescribeDomain", denial{admin.ARN, "codeartifact:DescribeDomain", domainARN(ownerAccount, "admin-domain"), resourceDeny},
			"describe-domain", "--domain", "admin-domain")
		// The domain policy binds the domain's repositories too.
		denied(t, c, "DeleteRepository", denial{admin.ARN, "codeartifact:DeleteRepository", repoARN(ownerAccount, "admin-domain", "admin-repo"), resourceDeny},
			"delete-repository", "--domain", "admin-domain", "--repository", "admin-repo")
		allowed(t, c, "put-domain-permissions-policy", "--domain", "admin-domain", "--policy-document", policyFile(t, guide(guideDomainPolicy)))
		allowed(t, c, "delete-repository", "--domain", "admin-domain", "--repository", "admin-repo")
		allowed(t, c, "delete-domain", "--domain", "admin-domain")
		iamDenied(t, c, "CreateUser",
			denial{admin.ARN, "iam:CreateUser", "arn:aws:iam::" + ownerAccount + ":user/mallory", noIdentityAllow("iam:CreateUser")},
			"iam", "create-user", "--user-name", "mallory")
		if _, ok := refused(t, root, 404, "NoSuchEntity", "GetUser", "iam", "get-user", "--user-name", "mallory"); !ok {
			t.Errorf("the refused create-user created the user")
		}
	})

	t.Run("no policy, no access", func(t *testing.T) {
		denied(t, nobody.CLI, "ListDomains", denial{nobody.ARN, "codeartifact:ListDomains", "*", noIdentityAllow("codeartifact:ListDomains")}, "list-domains")
		denied(t, nobody.CLI, "GetAuthorizationToken",
			denial{nobody.ARN, "codeartifact:GetAuthorizationToken", domainARN(ownerAccount, domain), noIdentityAllow("codeartifact:GetAuthorizationToken")},
			"get-authorization-token", "--domain", domain)
	})
}

// testRepositories: the identity policy example "Allow a user to get
// information about specific repositories" (names ending in test).
func (f *policyFixture) testRepositories(t *testing.T) {
	s, root := f.s, f.root
	const domain = "my-domain"
	tester := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "tester")
	root.iam(t, "put-user-policy", "--user-name", "tester", "--policy-name", "test-repos", "--policy-document", policyFile(t, guideTestReposPolicy))

	allowed(t, tester.CLI, "describe-repository", "--domain", domain, "--repository", "unit-test")
	allowed(t, tester.CLI, "list-package-versions", "--domain", domain, "--repository", "unit-test", "--format", "npm", "--package", "arca-lib")
	denied(t, tester.CLI, "DescribeRepository",
		denial{tester.ARN, "codeartifact:DescribeRepository", repoARN(ownerAccount, domain, "prod"), noIdentityAllow("codeartifact:DescribeRepository")},
		"describe-repository", "--domain", domain, "--repository", "prod")
	u := npmLoginAs(t, tester.CLI, ownerAccount, domain, "unit-test")
	installs(t, u, "arca-lib@1.0.0", f.lib)
	before := packageState(t, s, domain)
	npmRefused(t, u.Publish(t, pkgSpec{Name: "arca-lib", Version: "1.0.1", Mark: "unit-test"}), "E403")
	samePackageState(t, s, domain, before, "npm publish by the test-repositories user")
	tok := str(t, mustJSON(t, tester.CLI.Run(t, "get-authorization-token", "--domain", domain, "--duration-seconds", "900")), "authorizationToken")
	prod := npmEndpoint(s, ownerAccount, domain, "prod")
	if st := endpointStatus(t, prod, "arca-lib", tok); st != http.StatusForbidden {
		t.Errorf("GET %sarca-lib with the test-repositories user's token: %d, want 403", prod, st)
	}
}

// guideSpecificDomainsPolicy is the guide's "Allow a user to get
// information about specific domains", verbatim.
const guideSpecificDomainsPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "codeartifact:ListDomains",
      "Resource": "arn:aws:codeartifact:us-east-2:123456789012:domain/my*"
    }
  ]
}`

// specificDomains: ListDomains allowed only on domain/my* lists the
// domains whose names start with "my", and nothing else; with no policy,
// list-domains is denied.
func (f *policyFixture) specificDomains(t *testing.T) {
	s, root := f.s, f.root
	root.OK(t, "create-domain", "--domain", "zz-not-mine")
	lister := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "lister")
	denied(t, lister.CLI, "ListDomains", denial{lister.ARN, "codeartifact:ListDomains", "*", noIdentityAllow("codeartifact:ListDomains")}, "list-domains")
	root.iam(t, "put-user-policy", "--user-name", "lister", "--policy-name", "my-domains",
		"--policy-document", policyFile(t, guide(guideSpecificDomainsPolicy, "us-east-2", "us-east-1", "123456789012", ownerAccount)))
	var names []string
	for _, d := range allowed(t, lister.CLI, "list-domains")["domains"].([]any) {
		names = append(names, d.(map[string]any)["name"].(string))
	}
	if !slices.Contains(names, "my-domain") {
		t.Errorf("list-domains by the lister: %v, want my-domain among them", names)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "my") {
			t.Errorf("list-domains by the lister shows %s, which the policy does not allow", n)
		}
	}
}

// namedPrincipal: the guide's "Grant read access to principals": a
// repository policy naming one IAM user lets that user read, with no more
// on its identity side than what getting a token takes; another user of
// the account is not let in. Naming the account's root instead delegates
// to the account's identity policies, which grant these users no read.
func (f *policyFixture) namedPrincipal(t *testing.T) {
	s, root := f.s, f.root
	const domain, repo = "my-domain", "named-repo"
	const tokenOnly = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"codeartifact:GetAuthorizationToken","Resource":"*"},
		{"Effect":"Allow","Action":"sts:GetServiceBearerToken","Resource":"*","Condition":{"StringEquals":{"sts:AWSServiceName":"codeartifact.amazonaws.com"}}}]}`
	npmOf := func(p principal) *npmUser {
		root.iam(t, "put-user-policy", "--user-name", strings.TrimPrefix(p.ARN, "arn:aws:iam::"+ownerAccount+":user/"),
			"--policy-name", "token-only", "--policy-document", policyFile(t, tokenOnly))
		tok := str(t, mustJSON(t, p.CLI.Run(t, "get-authorization-token", "--domain", domain, "--duration-seconds", "900")), "authorizationToken")
		return npmWithToken(t, p.CLI, ownerAccount, domain, repo, tok)
	}
	bob, carol := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "bob"), newUser(t, s, ownerAccount, s.KeyID, s.Secret, "carol")
	bobNPM, carolNPM := npmOf(bob), npmOf(carol)
	root.OK(t, "put-repository-permissions-policy", "--domain", domain, "--repository", repo,
		"--policy-document", policyFile(t, guide(guideReadPolicy, "arn:aws:iam::123456789012:root", bob.ARN)))
	installs(t, bobNPM, "arca-lib@1.0.0", f.lib)
	npmRefused(t, carolNPM.Install(t, newProject(t), "arca-lib@1.0.0"), "E403")
	root.OK(t, "put-repository-permissions-policy", "--domain", domain, "--repository", repo,
		"--policy-document", policyFile(t, guide(guideReadPolicy, "123456789012", ownerAccount)))
	npmRefused(t, bobNPM.Install(t, newProject(t), "arca-lib@1.0.0"), "E403")
}

// tokenDuration: the guide's "Limit authorization token duration" policies.
func (f *policyFixture) tokenDuration(t *testing.T) {
	s, root := f.s, f.root
	const domain = "my-domain"
	twelve := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "twelve")
	hourly := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "hourly")
	root.iam(t, "put-user-policy", "--user-name", "twelve", "--policy-name", "tokens-12h", "--policy-document", policyFile(t, guideToken12h))
	root.iam(t, "put-user-policy", "--user-name", "hourly", "--policy-name", "tokens-1h", "--policy-document", policyFile(t, guideToken1h))
	bearer := func(p principal) denial {
		return denial{p.ARN, "sts:GetServiceBearerToken", "*", noIdentityAllow("sts:GetServiceBearerToken")}
	}
	tokenIn := func(t *testing.T, out map[string]any, d time.Duration) {
		t.Helper()
		if out == nil {
			return
		}
		sec, _ := out["expiration"].(float64)
		if got := time.Until(time.UnixMilli(int64(sec * 1000))); got < d-time.Minute || got > d+time.Minute {
			t.Errorf("the token expires in %v, want %v", got.Round(time.Second), d)
		}
	}

	t.Run("exactly 12 hours", func(t *testing.T) {
		tokenIn(t, allowed(t, twelve.CLI, "get-authorization-token", "--domain", domain), 12*time.Hour)
		tokenIn(t, allowed(t, twelve.CLI, "get-authorization-token", "--domain", domain, "--duration-seconds", "43200"), 12*time.Hour)
		denied(t, twelve.CLI, "GetAuthorizationToken", bearer(twelve), "get-authorization-token", "--domain", domain, "--duration-seconds", "3600")
		denied(t, twelve.CLI, "GetAuthorizationToken", bearer(twelve), "get-authorization-token", "--domain", domain, "--duration-seconds", "43199")
	})

	t.Run("15 minutes to 1 hour, or the session's length", func(t *testing.T) {
		tokenIn(t, allowed(t, hourly.CLI, "get-authorization-token", "--domain", domain, "--duration-seconds", "900"), 15*time.Minute)
		tokenIn(t, allowed(t, hourly.CLI, "get-authorization-token", "--domain", domain, "--duration-seconds", "3600"), time.Hour)
		denied(t, hourly.CLI, "GetAuthorizationToken", bearer(hourly), "get-authorization-token", "--domain", domain, "--duration-seconds", "3601")
		denied(t, hourly.CLI, "GetAuthorizationToken", bearer(hourly), "get-authorization-token", "--domain", domain) // 12 hours by default
		// A role with the same policy: 0 gives a token that lasts as long
		// as the session.
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + hourly.ARN + `"},"Action":"sts:AssumeRole"}]}`
		root.iam(t, "create-role", "--role-name", "hourly-role", "--assume-role-policy-document", trust)
		root.iam(t, "put-role-policy", "--role-name", "hourly-role", "--policy-name", "tokens-1h", "--policy-document", policyFile(t, guideToken1h))
		id, secret, token, expires := sessionCreds(t, hourly.CLI.sts(t, "assume-role", "--role-arn", "arn:aws:iam::"+ownerAccount+":role/hourly-role",
			"--role-session-name", "short", "--duration-seconds", "900"))
		sess := withCreds(own(t, root), id, secret, token)
		sessARN := "arn:aws:sts::" + ownerAccount + ":assumed-role/hourly-role/short"
		if out := allowed(t, sess, "get-authorization-token", "--domain", domain, "--duration-seconds", "0"); out != nil {
			sec, _ := out["expiration"].(float64)
			if got := time.UnixMilli(int64(sec * 1000)); !got.Equal(expires) {
				t.Errorf("a token with --duration-seconds 0 expires at %v, want the session's %v", got, expires)
			}
		}
		denied(t, sess, "GetAuthorizationToken", denial{sessARN, "sts:GetServiceBearerToken", "*", noIdentityAllow("sts:GetServiceBearerToken")},
			"get-authorization-token", "--domain", domain, "--duration-seconds", "7200")
	})
}

// tags: the four examples of "Using tags to control access to CodeArtifact
// resources", in a domain of their own, one after the other.
func (f *policyFixture) tags(t *testing.T) {
	s, root := f.s, f.root
	const domain = "tag-domain"
	ctx := context.Background()
	c := sdk(s)
	if _, err := c.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_(domain)}); err != nil {
		t.Fatal(err)
	}
	for repo, value := range map[string]string{"tagged": "Value1", "tagged2": "Value1", "plain": "", "valued2": "Value2"} {
		in := &codeartifact.CreateRepositoryInput{Domain: aws_(domain), Repository: aws_(repo)}
		if value != "" {
			in.Tags = []types.Tag{{Key: aws_("Key1"), Value: aws_(value)}}
		}
		if _, err := c.CreateRepository(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	arnOf := func(repo string) string { return repoARN(ownerAccount, domain, repo) }
	user := func(t *testing.T, name, doc string, managed ...string) principal {
		t.Helper()
		p := newUser(t, s, ownerAccount, s.KeyID, s.Secret, name)
		for _, m := range managed {
			root.iam(t, "attach-user-policy", "--user-name", name, "--policy-arn", m)
		}
		root.iam(t, "put-user-policy", "--user-name", name, "--policy-name", "tags", "--policy-document", policyFile(t, doc))
		return p
	}
	tagsOf := func(t *testing.T, resourceARN string) string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: aws_(resourceARN)})
		if err != nil {
			t.Fatalf("ListTagsForResource %s: %v", resourceARN, err)
		}
		var kv []string
		for _, tg := range out.Tags {
			kv = append(kv, sdkaws.ToString(tg.Key)+"="+sdkaws.ToString(tg.Value))
		}
		return strings.Join(kv, ",")
	}

	t.Run("example 1: limit actions based on tags in the request", func(t *testing.T) {
		u := user(t, "tags1", guideTagEx1, adminAccess)
		d := func(repo string) denial {
			return denial{u.ARN, "codeartifact:CreateRepository", arnOf(repo), identityDeny}
		}
		before := domainState(t, s, domain, "cc-none", "cc-three")
		denied(t, u.CLI, "CreateRepository", d("cc-none"), "create-repository", "--domain", domain, "--repository", "cc-none")
		denied(t, u.CLI, "CreateRepository", d("cc-three"), "create-repository", "--domain", domain, "--repository", "cc-three", "--tags", "key=costcenter,value=3")
		sameDomain(t, s, before, "CreateRepository refused for its tags", domain, "cc-none", "cc-three")
		allowed(t, u.CLI, "create-repository", "--domain", domain, "--repository", "cc-one", "--tags", "key=costcenter,value=1")
		if got := tagsOf(t, arnOf("cc-one")); got != "costcenter=1" {
			t.Errorf("tags of cc-one: %q, want costcenter=1", got)
		}
		// The rest of the managed policy is intact.
		allowed(t, u.CLI, "describe-repository", "--domain", domain, "--repository", "tagged")
	})

	t.Run("example 2: limit actions based on resource tags", func(t *testing.T) {
		u := user(t, "tags2", guideTagEx2, adminAccess)
		d := func(action, resource string) denial { return denial{u.ARN, action, resource, identityDeny} }
		before := domainState(t, s, domain, "tagged", "valued2", "plain")
		denied(t, u.CLI, "DescribeRepository", d("codeartifact:DescribeRepository", arnOf("tagged")), "describe-repository", "--domain", domain, "--repository", "tagged")
		denied(t, u.CLI, "DescribeRepository", d("codeartifact:DescribeRepository", arnOf("valued2")), "describe-repository", "--domain", domain, "--repository", "valued2")
		denied(t, u.CLI, "ListPackages", d("codeartifact:ListPackages", arnOf("tagged")), "list-packages", "--domain", domain, "--repository", "tagged")
		denied(t, u.CLI, "UpdateRepository", d("codeartifact:UpdateRepository", arnOf("tagged")), "update-repository", "--domain", domain, "--repository", "tagged", "--description", "changed")
		denied(t, u.CLI, "TagResource", d("codeartifact:TagResource", arnOf("tagged")), "tag-resource", "--resource-arn", arnOf("tagged"), "--tags", "key=Key2,value=x")
		denied(t, u.CLI, "UntagResource", d("codeartifact:UntagResource", arnOf("tagged")), "untag-resource", "--resource-arn", arnOf("tagged"), "--tag-keys", "Key1")
		denied(t, u.CLI, "ListTagsForResource", d("codeartifact:ListTagsForResource", arnOf("tagged")), "list-tags-for-resource", "--resource-arn", arnOf("tagged"))
		denied(t, u.CLI, "PutRepositoryPermissionsPolicy", d("codeartifact:PutRepositoryPermissionsPolicy", arnOf("tagged")),
			"put-repository-permissions-policy", "--domain", domain, "--repository", "tagged", "--policy-document", policyFile(t, guide(guideReadPolicy)))
		sameDomain(t, s, before, "calls refused for the resource's tags", domain, "tagged", "valued2", "plain")
		// Untagged resources are the managed policy's.
		allowed(t, u.CLI, "describe-repository", "--domain", domain, "--repository", "plain")
		allowed(t, u.CLI, "list-packages", "--domain", domain, "--repository", "plain")
		allowed(t, u.CLI, "describe-domain", "--domain", domain)
		tok := allowed(t, u.CLI, "get-authorization-token", "--domain", domain, "--duration-seconds", "900")
		if tok != nil {
			token := str(t, tok, "authorizationToken")
			// ReadFromRepository: npm's requests to the endpoint.
			if st := endpointStatus(t, npmEndpoint(s, ownerAccount, domain, "tagged"), "-/whoami", token); st != http.StatusForbidden {
				t.Errorf("GET -/whoami on the tagged repository's endpoint: %d, want 403", st)
			}
			if st := endpointStatus(t, npmEndpoint(s, ownerAccount, domain, "plain"), "-/whoami", token); st != http.StatusOK {
				t.Errorf("GET -/whoami on the untagged repository's endpoint: %d, want 200", st)
			}
		}
		// A tagged domain.
		if _, err := c.TagResource(ctx, &codeartifact.TagResourceInput{ResourceArn: aws_(domainARN(ownerAccount, domain)),
			Tags: []types.Tag{{Key: aws_("Key1"), Value: aws_("Value2")}}}); err != nil {
			t.Fatal(err)
		}
		denied(t, u.CLI, "DescribeDomain", d("codeartifact:DescribeDomain", domainARN(ownerAccount, domain)), "describe-domain", "--domain", domain)
		denied(t, u.CLI, "ListRepositoriesInDomain", d("codeartifact:ListRepositoriesInDomain", domainARN(ownerAccount, domain)), "list-repositories-in-domain", "--domain", domain)
		if _, err := c.UntagResource(ctx, &codeartifact.UntagResourceInput{ResourceArn: aws_(domainARN(ownerAccount, domain)), TagKeys: []string{"Key1"}}); err != nil {
			t.Fatal(err)
		}
		allowed(t, u.CLI, "describe-domain", "--domain", domain)
	})

	t.Run("example 3: allow actions based on resource tags", func(t *testing.T) {
		u := user(t, "tags3", guideTagEx3)
		d := func(action, repo string) denial { return denial{u.ARN, action, arnOf(repo), noIdentityAllow(action)} }
		allowed(t, u.CLI, "update-repository", "--domain", domain, "--repository", "tagged", "--description", "updated under example 3")
		allowed(t, u.CLI, "list-packages", "--domain", domain, "--repository", "tagged")
		before := domainState(t, s, domain, "plain", "valued2")
		denied(t, u.CLI, "UpdateRepository", d("codeartifact:UpdateRepository", "plain"), "update-repository", "--domain", domain, "--repository", "plain", "--description", "x")
		denied(t, u.CLI, "DeleteRepository", d("codeartifact:DeleteRepository", "plain"), "delete-repository", "--domain", domain, "--repository", "plain")
		denied(t, u.CLI, "DeleteRepository", d("codeartifact:DeleteRepository", "valued2"), "delete-repository", "--domain", domain, "--repository", "valued2")
		denied(t, u.CLI, "ListPackages", d("codeartifact:ListPackages", "plain"), "list-packages", "--domain", domain, "--repository", "plain")
		sameDomain(t, s, before, "calls on repositories without Key1=Value1", domain, "plain", "valued2")
		allowed(t, u.CLI, "delete-repository", "--domain", domain, "--repository", "tagged2")
		if after := domainState(t, s, domain, "tagged2"); !strings.Contains(after, `"repository tagged2": "absent"`) {
			t.Errorf("tagged2 still exists after delete-repository:\n%s", after)
		}
	})

	t.Run("example 4: allow actions based on tags in the request", func(t *testing.T) {
		u := user(t, "tags4", guideTagEx4)
		d := func(action, repo string) denial { return denial{u.ARN, action, arnOf(repo), noIdentityAllow(action)} }
		before := domainState(t, s, domain, "ex4-none", "ex4-value2", "ex4-case", "ex4-extra")
		denied(t, u.CLI, "CreateRepository", d("codeartifact:CreateRepository", "ex4-none"), "create-repository", "--domain", domain, "--repository", "ex4-none")
		denied(t, u.CLI, "CreateRepository", d("codeartifact:CreateRepository", "ex4-value2"), "create-repository", "--domain", domain, "--repository", "ex4-value2", "--tags", "key=Key1,value=Value2")
		// aws:TagKeys keeps the key's case.
		denied(t, u.CLI, "CreateRepository", d("codeartifact:CreateRepository", "ex4-case"), "create-repository", "--domain", domain, "--repository", "ex4-case", "--tags", "key=key1,value=Value1")
		denied(t, u.CLI, "CreateRepository", d("codeartifact:CreateRepository", "ex4-extra"), "create-repository", "--domain", domain, "--repository", "ex4-extra", "--tags", "key=Key1,value=Value1", "key=Other,value=x")
		sameDomain(t, s, before, "CreateRepository refused for its tags", domain, "ex4-none", "ex4-value2", "ex4-case", "ex4-extra")
		allowed(t, u.CLI, "create-repository", "--domain", domain, "--repository", "ex4-good", "--tags", "key=Key1,value=Value1")
		allowed(t, u.CLI, "tag-resource", "--resource-arn", arnOf("ex4-good"), "--tags", "key=Key1,value=Value1")
		denied(t, u.CLI, "TagResource", d("codeartifact:TagResource", "ex4-good"), "tag-resource", "--resource-arn", arnOf("ex4-good"), "--tags", "key=Other,value=x")
		if got := tagsOf(t, arnOf("ex4-good")); got != "Key1=Value1" {
			t.Errorf("tags of ex4-good: %q, want Key1=Value1", got)
		}
	})
}

// revocation: a deny put on the repository cuts off a live npm session's
// token on its next request, and lifting it restores the same token; an
// identity policy's deny does the same.
func (f *policyFixture) revocation(t *testing.T) {
	s, root := f.s, f.root
	const domain, repo = "my-domain", "revoke-repo"
	dev := newUser(t, s, ownerAccount, s.KeyID, s.Secret, "dev")
	root.iam(t, "attach-user-policy", "--user-name", "dev", "--policy-arn", readOnlyAccess)
	step := steps(t)
	var u *npmUser
	step("npm works", func(t *testing.T) {
		u = npmLoginAs(t, dev.CLI, ownerAccount, domain, repo)
		installs(t, u, "arca-lib@1.0.0", f.lib)
	})
	deny := `{"Version":"2012-10-17","Statement":[{"Sid":"Revoke","Effect":"Deny","Principal":{"AWS":"` + dev.ARN + `"},"Action":"codeartifact:ReadFromRepository","Resource":"*"}]}`
	step("a deny in the repository policy stops the token at once", func(t *testing.T) {
		root.OK(t, "put-repository-permissions-policy", "--domain", domain, "--repository", repo, "--policy-document", policyFile(t, deny))
		npmRefused(t, u.Install(t, newProject(t), "arca-lib@1.0.0"), "E403", "E401")
		npmRefused(t, u.NPM(t, "", "view", "arca-lib", "version"), "E403", "E401")
	})
	step("lifting it restores the same token", func(t *testing.T) {
		root.OK(t, "delete-repository-permissions-policy", "--domain", domain, "--repository", repo)
		installs(t, u, "arca-lib@1.0.0", f.lib)
	})
	step("a deny in an identity policy stops it too", func(t *testing.T) {
		root.iam(t, "put-user-policy", "--user-name", "dev", "--policy-name", "revoke", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"codeartifact:ReadFromRepository","Resource":"*"}]}`)
		npmRefused(t, u.Install(t, newProject(t), "arca-lib@1.0.0"), "E403", "E401")
	})
}

// webIdentity: a CI job trades its OIDC token for a role session (trust
// policy conditioned on sub and aud), the session for a CodeArtifact
// token, and npm installs with it; nothing secret is stored anywhere.
func (f *policyFixture) webIdentity(t *testing.T) {
	s, root := f.s, f.root
	const domain, repo = "my-domain", "source"
	iss := oidctest.Start(t)
	key := strings.TrimPrefix(iss.URL, "http://")
	providerARN := "arn:aws:iam::" + ownerAccount + ":oidc-provider/" + key
	roleARN := "arn:aws:iam::" + ownerAccount + ":role/ci-npm"
	const sub, aud = "repo:arca/demo:ref:refs/heads/main", "sts.amazonaws.com"
	root.iam(t, "create-open-id-connect-provider", "--url", iss.URL, "--client-id-list", aud)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},
		"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"` + key + `:aud":"` + aud + `","` + key + `:sub":"` + sub + `"}}}]}`
	root.iam(t, "create-role", "--role-name", "ci-npm", "--assume-role-policy-document", trust)
	root.iam(t, "attach-role-policy", "--role-name", "ci-npm", "--policy-arn", readOnlyAccess)
	step := steps(t)

	step("assume-role-with-web-identity, get-authorization-token, npm install", func(t *testing.T) {
		nobody := withCreds(own(t, root), "", "", "")
		out := nobody.sts(t, "assume-role-with-web-identity", "--role-arn", roleARN, "--role-session-name", "gha-1",
			"--web-identity-token", iss.Mint(t, "RS256", iss.Claims(sub, aud, time.Now())))
		id, secret, token, expires := sessionCreds(t, out)
		sess := withCreds(own(t, root), id, secret, token)
		tok := allowed(t, sess, "get-authorization-token", "--domain", domain, "--duration-seconds", "0")
		if tok == nil {
			t.FailNow()
		}
		if sec, _ := tok["expiration"].(float64); !time.UnixMilli(int64(sec * 1000)).Equal(expires) {
			t.Errorf("token expiration %v, want the session's %v", tok["expiration"], expires)
		}
		u := npmWithToken(t, sess, ownerAccount, domain, repo, str(t, tok, "authorizationToken"))
		installs(t, u, "arca-lib@1.0.0", f.lib)
		// The role is read-only.
		before := packageState(t, s, domain)
		npmRefused(t, u.Publish(t, pkgSpec{Name: "arca-lib", Version: "1.0.1", Mark: "ci"}), "E403")
		samePackageState(t, s, domain, before, "npm publish by the read-only CI role")
	})

	step("the CLI's web identity provider: aws codeartifact login with no secret", func(t *testing.T) {
		ci := withCreds(own(t, root), "", "", "")
		tokFile := writeFile(t, "oidc-token", iss.Mint(t, "RS256", iss.Claims(sub, aud, time.Now())))
		ci.env = append(ci.env, "AWS_ROLE_ARN="+roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE="+tokFile,
			"AWS_ROLE_SESSION_NAME=gha-2", "AWS_ENDPOINT_URL_STS="+s.URL)
		u := npmLoginAs(t, ci, ownerAccount, domain, repo)
		installs(t, u, "arca-lib@1.0.0", f.lib)
		for _, name := range []string{".aws/credentials", ".aws/config"} {
			if _, err := os.Stat(filepath.Join(ci.Home, name)); err == nil {
				t.Errorf("~/%s exists after the CI login", name)
			}
		}
	})

	step("the trust policy's conditions", func(t *testing.T) {
		nobody := withCreds(own(t, root), "", "", "")
		wrongSub := iss.Mint(t, "RS256", iss.Claims("repo:arca/demo:ref:refs/heads/feature", aud, time.Now()))
		if msg, ok := refused(t, nobody, http.StatusForbidden, "AccessDenied", "AssumeRoleWithWebIdentity", "sts", "assume-role-with-web-identity",
			"--role-arn", roleARN, "--role-session-name", "gha-3", "--web-identity-token", wrongSub); ok && !strings.Contains(msg, "sts:AssumeRoleWithWebIdentity") {
			t.Errorf("AccessDenied message %q does not name sts:AssumeRoleWithWebIdentity", msg)
		}
		wrongAud := iss.Mint(t, "RS256", iss.Claims(sub, "someone-else", time.Now()))
		refused(t, nobody, http.StatusBadRequest, "InvalidIdentityToken", "AssumeRoleWithWebIdentity", "sts", "assume-role-with-web-identity",
			"--role-arn", roleARN, "--role-session-name", "gha-4", "--web-identity-token", wrongAud)
	})
}

// movableClock is the system clock plus an offset the test changes.
type movableClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *movableClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *movableClock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

// TestPoliciesExpiredCredentials: temporary credentials, and a token tied
// to them with --duration-seconds 0, stop working when the session ends.
// The shortest session lasts 900 seconds and the arca binary has no clock
// option, so this runs the server in-process with a clock the test moves
// (server.WithClock), still driven by the real AWS CLI and npm. The clock
// starts 10 minutes behind and is moved to 5 minutes ahead, past the
// session's end, keeping the CLI's signatures within SigV4's 15 minutes.
func TestPoliciesExpiredCredentials(t *testing.T) {
	t.Parallel()
	clock := &movableClock{offset: -10 * time.Minute}
	ts := servertest.StartWith(t, []arcaserver.Option{arcaserver.WithClock(clock.now)})
	s := &server{URL: ts.URL, Addr: strings.TrimPrefix(ts.URL, "http://"), Data: ts.Data,
		Account: servertest.AccountID, KeyID: servertest.AccessKeyID, Secret: servertest.SecretAccessKey}
	const acct = servertest.AccountID
	root := newCLI(t, s)
	ctx := context.Background()
	if _, err := sdk(s).CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("exp-domain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk(s).CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("exp-domain"), Repository: aws_("exp-repo")}); err != nil {
		t.Fatal(err)
	}
	alice := newUser(t, s, acct, s.KeyID, s.Secret, "alice")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice.ARN + `"},"Action":"sts:AssumeRole"}]}`
	for _, kv := range [][]string{
		{"Action", "CreateRole", "RoleName", "deploy", "AssumeRolePolicyDocument", trust},
		{"Action", "AttachRolePolicy", "RoleName", "deploy", "PolicyArn", readOnlyAccess},
	} {
		if st, body := queryAs(t, s, s.KeyID, s.Secret, "iam", kv...); st != 200 {
			t.Fatalf("%s: %d %s", kv[1], st, body)
		}
	}

	id, secret, token, expires := sessionCreds(t, alice.CLI.sts(t, "assume-role", "--role-arn", "arn:aws:iam::"+acct+":role/deploy",
		"--role-session-name", "short", "--duration-seconds", "900"))
	if d := expires.Sub(clock.now()); d < 870*time.Second || d > 900*time.Second {
		t.Errorf("the session ends %v after the server's now, want 900s", d)
	}
	sess := withCreds(own(t, root), id, secret, token)
	sess.sts(t, "get-caller-identity")
	tok := str(t, mustJSON(t, sess.Run(t, "get-authorization-token", "--domain", "exp-domain", "--duration-seconds", "0")), "authorizationToken")
	endpoint := npmEndpoint(s, acct, "exp-domain", "exp-repo")
	u := npmWithToken(t, sess, acct, "exp-domain", "exp-repo", tok)
	if r := u.NPM(t, "", "whoami"); r.Code != 0 || strings.TrimSpace(r.Stdout) != "aws" {
		t.Errorf("npm whoami with the session's token\n%s", r)
	}

	clock.set(expires.Sub(time.Now()) + 10*time.Second) // 10 seconds past the session's end
	refused(t, sess, 0, "ExpiredToken", "GetCallerIdentity", "sts", "get-caller-identity")
	refused(t, sess, 0, "ExpiredTokenException", "ListDomains", "codeartifact", "list-domains")
	refused(t, sess, 0, "ExpiredTokenException", "GetAuthorizationToken", "codeartifact", "get-authorization-token", "--domain", "exp-domain", "--duration-seconds", "900")
	refused(t, sess, 0, "ExpiredToken", "ListUsers", "iam", "list-users")
	if st := endpointStatus(t, endpoint, "-/whoami", tok); st != http.StatusUnauthorized {
		t.Errorf("GET -/whoami with a token that ended with its session: %d, want 401", st)
	}
	npmRefused(t, u.NPM(t, "", "whoami"), "E401")
	// Long-term credentials are unaffected.
	root.OK(t, "list-domains")
	alice.CLI.sts(t, "get-caller-identity")
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}
