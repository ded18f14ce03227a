package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// Resource policies in the User Guide's style.
func domainPolicy(acct string) string {
	return `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ContributorPolicy",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::` + acct + `:root"},
      "Action": ["codeartifact:CreateRepository", "codeartifact:DescribeDomain", "codeartifact:GetAuthorizationToken",
                 "codeartifact:GetDomainPermissionsPolicy", "codeartifact:ListRepositoriesInDomain", "sts:GetServiceBearerToken"],
      "Resource": "*"
    }
  ]
}`
}

func repositoryPolicy(acct string) string {
	return `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::` + acct + `:root"},
      "Action": ["codeartifact:ReadFromRepository"],
      "Resource": "*"
    }
  ]
}`
}

// checkPolicy checks a ResourcePolicy output and returns its revision.
func checkPolicy(t *testing.T, what string, out map[string]any, resourceARN, document string) string {
	t.Helper()
	p := obj(t, out, "policy")
	hasKeys(t, what, p, "resourceArn", "revision", "document")
	onlyKeys(t, what, p, "resourceArn", "revision", "document")
	want(t, what, p, "resourceArn", resourceARN)
	want(t, what, p, "document", document)
	rev := str(t, p, "revision")
	if rev == "" {
		t.Errorf("%s: empty revision", what)
	}
	return rev
}

// TestCLIDomainsPoliciesTags runs the domain operations, the domain and
// repository permissions policies and the tag operations through the AWS
// CLI.
func TestCLIDomainsPoliciesTags(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	acct := s.Account
	domainARN := "arn:aws:codeartifact:us-east-1:" + acct + ":domain/cli-domain"
	repoARN := "arn:aws:codeartifact:us-east-1:" + acct + ":repository/cli-domain/cli-repo"

	d := obj(t, aws.OK(t, "create-domain", "--domain", "cli-domain", "--tags", "key=team,value=core"), "domain")
	hasKeys(t, "create-domain", d, "name", "owner", "arn", "status", "createdTime", "encryptionKey", "repositoryCount", "assetSizeBytes")
	onlyKeys(t, "create-domain", d, domainDescriptionKeys...)
	want(t, "create-domain", d, "arn", domainARN)
	want(t, "create-domain", d, "status", "Active")

	if _, err := sdk(s).CreateRepository(context.Background(), &codeartifact.CreateRepositoryInput{Domain: aws_("cli-domain"), Repository: aws_("cli-repo")}); err != nil {
		t.Fatal(err)
	}
	d = obj(t, aws.OK(t, "describe-domain", "--domain", "cli-domain", "--domain-owner", acct), "domain")
	onlyKeys(t, "describe-domain", d, domainDescriptionKeys...)
	want(t, "describe-domain", d, "repositoryCount", 1)
	want(t, "describe-domain", d, "assetSizeBytes", 0)
	want(t, "describe-domain", d, "status", "Active")

	domains := list(t, aws.OK(t, "list-domains"), "domains")
	if len(domains) != 1 {
		t.Fatalf("list-domains: %s", pretty(domains))
	}
	sum := domains[0].(map[string]any)
	hasKeys(t, "list-domains", sum, "name", "owner", "arn", "status", "createdTime", "encryptionKey")
	onlyKeys(t, "list-domains", sum, domainSummaryKeys...)
	want(t, "list-domains", sum, "arn", domainARN)

	// ListDomains pages in the request body: --page-size, --max-items.
	if _, err := sdk(s).CreateDomain(context.Background(), &codeartifact.CreateDomainInput{Domain: aws_("cli-domain-2")}); err != nil {
		t.Fatal(err)
	}
	domainNames := func(out map[string]any) (n []string) {
		for _, x := range list(t, out, "domains") {
			n = append(n, str(t, x.(map[string]any), "name"))
		}
		return n
	}
	if got := domainNames(aws.OK(t, "list-domains", "--page-size", "1")); !slices.Equal(got, []string{"cli-domain", "cli-domain-2"}) {
		t.Errorf("list-domains --page-size 1: %v", got)
	}
	out := aws.OK(t, "list-domains", "--max-items", "1")
	if got := domainNames(out); !slices.Equal(got, []string{"cli-domain"}) || out["NextToken"] == nil {
		t.Errorf("list-domains --max-items 1: %v, NextToken %v", got, out["NextToken"])
	}
	out = aws.OK(t, "list-domains", "--max-items", "1", "--starting-token", str(t, out, "NextToken"))
	if got := domainNames(out); !slices.Equal(got, []string{"cli-domain-2"}) || out["NextToken"] != nil {
		t.Errorf("list-domains --max-items 1 --starting-token: %v, NextToken %v", got, out["NextToken"])
	}
	// The endpoint from the environment instead of --endpoint-url.
	r := runProgram(t, append(append([]string{}, aws.env...), "AWS_ENDPOINT_URL_CODEARTIFACT="+s.URL), aws.Home, tool(t, "aws"),
		"codeartifact", "describe-domain", "--domain", "cli-domain-2")
	want(t, "AWS_ENDPOINT_URL_CODEARTIFACT", obj(t, mustJSON(t, r), "domain"), "name", "cli-domain-2")
	if _, err := sdk(s).DeleteDomain(context.Background(), &codeartifact.DeleteDomainInput{Domain: aws_("cli-domain-2")}); err != nil {
		t.Fatal(err)
	}

	// Domain permissions policy.
	dp := domainPolicy(acct)
	rev := checkPolicy(t, "put-domain-permissions-policy",
		aws.OK(t, "put-domain-permissions-policy", "--domain", "cli-domain", "--policy-document", "file://"+writeFile(t, "domain-policy.json", dp)),
		domainARN, dp)
	got := checkPolicy(t, "get-domain-permissions-policy", aws.OK(t, "get-domain-permissions-policy", "--domain", "cli-domain"), domainARN, dp)
	if got != rev {
		t.Errorf("get-domain-permissions-policy: revision %q, put returned %q", got, rev)
	}
	got = checkPolicy(t, "delete-domain-permissions-policy",
		aws.OK(t, "delete-domain-permissions-policy", "--domain", "cli-domain", "--policy-revision", rev), domainARN, dp)
	if got != rev {
		t.Errorf("delete-domain-permissions-policy: revision %q, want the deleted policy's %q", got, rev)
	}
	before := snapshot(t, s)
	aws.Fail(t, "ResourceNotFoundException", "GetDomainPermissionsPolicy", "get-domain-permissions-policy", "--domain", "cli-domain")
	unchanged(t, s, before, "get-domain-permissions-policy after delete")

	// Repository permissions policy.
	rp := repositoryPolicy(acct)
	rev = checkPolicy(t, "put-repository-permissions-policy",
		aws.OK(t, "put-repository-permissions-policy", "--domain", "cli-domain", "--repository", "cli-repo", "--policy-document", "file://"+writeFile(t, "repo-policy.json", rp)),
		repoARN, rp)
	got = checkPolicy(t, "get-repository-permissions-policy",
		aws.OK(t, "get-repository-permissions-policy", "--domain", "cli-domain", "--repository", "cli-repo"), repoARN, rp)
	if got != rev {
		t.Errorf("get-repository-permissions-policy: revision %q, put returned %q", got, rev)
	}
	checkPolicy(t, "delete-repository-permissions-policy",
		aws.OK(t, "delete-repository-permissions-policy", "--domain", "cli-domain", "--repository", "cli-repo"), repoARN, rp)
	if p, err := sdk(s).GetRepositoryPermissionsPolicy(context.Background(), &codeartifact.GetRepositoryPermissionsPolicyInput{Domain: aws_("cli-domain"), Repository: aws_("cli-repo")}); err == nil {
		t.Errorf("the repository policy is still there after delete-repository-permissions-policy: %+v", p.Policy)
	}

	// Tags: create-domain's tag, then tag-resource, untag-resource.
	if out := aws.OK(t, "tag-resource", "--resource-arn", domainARN, "--tags", "key=env,value=test", "key=team,value=platform"); len(out) != 0 {
		t.Errorf("tag-resource printed %s, want nothing", pretty(out))
	}
	if out := aws.OK(t, "untag-resource", "--resource-arn", domainARN, "--tag-keys", "env"); len(out) != 0 {
		t.Errorf("untag-resource printed %s, want nothing", pretty(out))
	}
	tags := aws.OK(t, "list-tags-for-resource", "--resource-arn", domainARN)
	want(t, "list-tags-for-resource after tag/untag", tags, "tags", []any{map[string]any{"key": "team", "value": "platform"}})
	tags = aws.OK(t, "list-tags-for-resource", "--resource-arn", repoARN)
	want(t, "list-tags-for-resource of an untagged repository", tags, "tags", []any{})

	// Delete the repository (SDK) and the domain (CLI).
	if _, err := sdk(s).DeleteRepository(context.Background(), &codeartifact.DeleteRepositoryInput{Domain: aws_("cli-domain"), Repository: aws_("cli-repo")}); err != nil {
		t.Fatal(err)
	}
	d = obj(t, aws.OK(t, "delete-domain", "--domain", "cli-domain"), "domain")
	want(t, "delete-domain", d, "status", "Deleted")
	want(t, "delete-domain", d, "repositoryCount", 0)
	if state := snapshot(t, s); state != "{}" {
		t.Errorf("after delete-domain the account still has:\n%s", state)
	}
}

func aws_(s string) *string { return sdkaws.String(s) }

// TestCLIRepositories runs the repository operations, external
// connections, repository endpoints, authorization tokens and pagination
// through the AWS CLI.
func TestCLIRepositories(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	acct := s.Account
	ctx := context.Background()
	if _, err := sdk(s).CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("repo-domain")}); err != nil {
		t.Fatal(err)
	}
	arnOf := func(repo string) string {
		return "arn:aws:codeartifact:us-east-1:" + acct + ":repository/repo-domain/" + repo
	}

	r := obj(t, aws.OK(t, "create-repository", "--domain", "repo-domain", "--repository", "base-repo", "--description", "the upstream"), "repository")
	hasKeys(t, "create-repository", r, "name", "administratorAccount", "domainName", "domainOwner", "arn", "description", "upstreams", "externalConnections")
	onlyKeys(t, "create-repository", r, repositoryDescriptionKeys...)
	want(t, "create-repository", r, "arn", arnOf("base-repo"))
	want(t, "create-repository", r, "description", "the upstream")

	r = obj(t, aws.OK(t, "create-repository", "--domain", "repo-domain", "--domain-owner", acct, "--repository", "app-repo",
		"--upstreams", "repositoryName=base-repo", "--tags", "key=k,value=v"), "repository")
	want(t, "create-repository with upstreams", r, "upstreams", []any{map[string]any{"repositoryName": "base-repo"}})
	tags, err := sdk(s).ListTagsForResource(ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: aws_(arnOf("app-repo"))})
	if err != nil || len(tags.Tags) != 1 || sdkaws.ToString(tags.Tags[0].Key) != "k" || sdkaws.ToString(tags.Tags[0].Value) != "v" {
		t.Errorf("create-repository --tags key=k,value=v: tags %+v, %v", tags, err)
	}

	r = obj(t, aws.OK(t, "update-repository", "--domain", "repo-domain", "--repository", "app-repo", "--description", "updated"), "repository")
	want(t, "update-repository --description", r, "description", "updated")
	want(t, "update-repository --description keeps upstreams", r, "upstreams", []any{map[string]any{"repositoryName": "base-repo"}})

	r = obj(t, aws.OK(t, "describe-repository", "--domain", "repo-domain", "--repository", "app-repo"), "repository")
	onlyKeys(t, "describe-repository", r, repositoryDescriptionKeys...)
	want(t, "describe-repository", r, "description", "updated")
	want(t, "describe-repository", r, "upstreams", []any{map[string]any{"repositoryName": "base-repo"}})

	r = obj(t, aws.OK(t, "associate-external-connection", "--domain", "repo-domain", "--repository", "base-repo", "--external-connection", "public:pypi"), "repository")
	// This server has no URL for public:pypi: the status says so.
	want(t, "associate-external-connection", r, "externalConnections",
		[]any{map[string]any{"externalConnectionName": "public:pypi", "packageFormat": "pypi", "status": "NOT_CONFIGURED"}})
	r = obj(t, aws.OK(t, "disassociate-external-connection", "--domain", "repo-domain", "--repository", "base-repo", "--external-connection", "public:pypi"), "repository")
	want(t, "disassociate-external-connection", r, "externalConnections", []any{})

	ep := aws.OK(t, "get-repository-endpoint", "--domain", "repo-domain", "--domain-owner", acct, "--repository", "app-repo", "--format", "npm")
	npmEndpoint := s.URL + "/repo-domain-" + acct + "/npm/app-repo/"
	want(t, "get-repository-endpoint", ep, "repositoryEndpoint", npmEndpoint)

	// Authorization tokens, with and without --duration-seconds; each one
	// authenticates on the repository endpoint.
	for _, tc := range []struct {
		args []string
		life time.Duration
	}{
		{nil, 12 * time.Hour},
		{[]string{"--duration-seconds", "900"}, 15 * time.Minute},
	} {
		asked := time.Now()
		out := aws.OK(t, append([]string{"get-authorization-token", "--domain", "repo-domain", "--domain-owner", acct}, tc.args...)...)
		hasKeys(t, "get-authorization-token", out, "authorizationToken", "expiration")
		onlyKeys(t, "get-authorization-token", out, "authorizationToken", "expiration")
		exp, ok := out["expiration"].(float64)
		if !ok {
			t.Fatalf("get-authorization-token %v: expiration %v is not epoch seconds", tc.args, out["expiration"])
		}
		if d := time.Unix(0, int64(exp*1e9)).Sub(asked); d < tc.life-time.Minute || d > tc.life+time.Minute {
			t.Errorf("get-authorization-token %v: the token lives %v, want %v", tc.args, d, tc.life)
		}
		whoami(t, npmEndpoint, str(t, out, "authorizationToken"), http.StatusOK)
	}

	// Listing and pagination. Three repositories in all.
	if _, err := sdk(s).CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("repo-domain"), Repository: aws_("zz-repo")}); err != nil {
		t.Fatal(err)
	}
	all := []string{"app-repo", "base-repo", "zz-repo"}
	names := func(what string, out map[string]any) []string {
		t.Helper()
		var n []string
		for _, x := range list(t, out, "repositories") {
			r := x.(map[string]any)
			hasKeys(t, what, r, "name", "administratorAccount", "domainName", "domainOwner", "arn", "createdTime")
			onlyKeys(t, what, r, repositorySummaryKeys...)
			n = append(n, str(t, r, "name"))
		}
		return n
	}
	if got := names("list-repositories", aws.OK(t, "list-repositories")); !slices.Equal(got, all) {
		t.Errorf("list-repositories: %v, want %v", got, all)
	}
	if got := names("list-repositories-in-domain", aws.OK(t, "list-repositories-in-domain", "--domain", "repo-domain", "--repository-prefix", "ap")); !slices.Equal(got, []string{"app-repo"}) {
		t.Errorf("list-repositories-in-domain --repository-prefix ap: %v", got)
	}
	if got := names("list-repositories --page-size 1", aws.OK(t, "list-repositories", "--page-size", "1")); !slices.Equal(got, all) {
		t.Errorf("list-repositories --page-size 1 (the CLI follows nextToken): %v, want %v", got, all)
	}
	var paged []string
	next := ""
	for i := 0; i < 4; i++ {
		args := []string{"list-repositories", "--max-items", "1"}
		if next != "" {
			args = append(args, "--starting-token", next)
		}
		out := aws.OK(t, args...)
		got := names("list-repositories --max-items 1", out)
		if len(got) != 1 {
			t.Fatalf("list-repositories --max-items 1: %v", got)
		}
		paged = append(paged, got...)
		next, _ = out["NextToken"].(string)
		if next == "" {
			break
		}
	}
	if !slices.Equal(paged, all) {
		t.Errorf("list-repositories --max-items 1, page by page with --starting-token: %v, want %v", paged, all)
	}

	// Delete: the downstream first, then its upstream.
	r = obj(t, aws.OK(t, "delete-repository", "--domain", "repo-domain", "--repository", "app-repo"), "repository")
	want(t, "delete-repository", r, "name", "app-repo")
	want(t, "delete-repository", r, "upstreams", []any{map[string]any{"repositoryName": "base-repo"}})
	r = obj(t, aws.OK(t, "delete-repository", "--domain", "repo-domain", "--domain-owner", acct, "--repository", "base-repo"), "repository")
	want(t, "delete-repository", r, "name", "base-repo")
	if got := names("list-repositories-in-domain", aws.OK(t, "list-repositories-in-domain", "--domain", "repo-domain")); !slices.Equal(got, []string{"zz-repo"}) {
		t.Errorf("list-repositories-in-domain after the deletes: %v", got)
	}
}

// whoami asks the npm endpoint who the token is, expecting status.
func whoami(t *testing.T, npmEndpoint, token string, status int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, npmEndpoint+"-/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s-/whoami with Authorization: Bearer <token>: %d %v, want %d", npmEndpoint, resp.StatusCode, body, status)
	}
	if status == http.StatusOK && body["username"] != "aws" {
		t.Errorf("GET %s-/whoami: %v, want username aws", npmEndpoint, body)
	}
}

// TestCLIErrors: the errors users see, as the CLI prints them (exit code
// 255, "An error occurred (Type) when calling the Op operation: message"),
// each leaving the server's state as it was.
func TestCLIErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	ctx := context.Background()
	c := sdk(s)
	if _, err := c.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("err-domain"), Tags: []types.Tag{{Key: aws_("a"), Value: aws_("b")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("err-domain"), Repository: aws_("err-repo")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutDomainPermissionsPolicy(ctx, &codeartifact.PutDomainPermissionsPolicyInput{Domain: aws_("err-domain"), PolicyDocument: aws_(domainPolicy(s.Account))}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)

	cases := []struct {
		errType, op string
		args        []string
		msg         []string // substrings of the message
	}{
		{"ResourceNotFoundException", "DescribeDomain", []string{"describe-domain", "--domain", "no-such-domain"}, []string{"no-such-domain"}},
		{"ResourceNotFoundException", "DescribeRepository", []string{"describe-repository", "--domain", "err-domain", "--repository", "no-such-repo"}, []string{"no-such-repo"}},
		{"ConflictException", "DeleteDomain", []string{"delete-domain", "--domain", "err-domain"}, []string{"err-domain"}},
		{"ConflictException", "CreateDomain", []string{"create-domain", "--domain", "err-domain"}, []string{"err-domain"}},
		{"ValidationException", "CreateDomain", []string{"create-domain", "--domain", "My_Domain"}, nil},
		{"ValidationException", "GetAuthorizationToken", []string{"get-authorization-token", "--domain", "err-domain", "--duration-seconds", "99999"}, nil},
		{"ValidationException", "GetRepositoryEndpoint", []string{"get-repository-endpoint", "--domain", "err-domain", "--repository", "err-repo", "--format", "bogus"}, nil},
		{"ConflictException", "PutDomainPermissionsPolicy", []string{"put-domain-permissions-policy", "--domain", "err-domain", "--policy-revision", "stale", "--policy-document", domainPolicy(s.Account)}, nil},
	}
	for _, tc := range cases {
		msg := aws.Fail(t, tc.errType, tc.op, tc.args...)
		for _, m := range tc.msg {
			if !strings.Contains(msg, m) {
				t.Errorf("aws codeartifact %s: message %q does not name %q", shellQuote(tc.args), msg, m)
			}
		}
		unchanged(t, s, before, "aws codeartifact "+shellQuote(tc.args))
	}
}
