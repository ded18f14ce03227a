package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// guideExamples loads testdata/guide: every example policy of the
// CodeArtifact User Guide, keyed by file name (see its README.md).
func guideExamples(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "guide", "L*_*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no guide examples: %v", err)
	}
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// TestGuideExamples parses every example policy in the User Guide and
// validates it as the kind the guide attaches it as, and checks that it is
// rejected as the other kind.
func TestGuideExamples(t *testing.T) {
	for name, b := range guideExamples(t) {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			kind, other := IdentityPolicy, ResourcePolicy
			if strings.HasSuffix(name, "_resource.json") {
				kind, other = ResourcePolicy, IdentityPolicy
			}
			if err := p.Validate(kind); err != nil {
				t.Errorf("Validate(%v): %v", kind, err)
			}
			if err := p.Validate(other); err == nil {
				t.Errorf("Validate(%v) accepted a %v", other, kind)
			}
		})
	}
}

// TestGuideCoverage checks, when the shared seeds sit beside the checkout,
// that testdata/guide has one file for each "Statement" in the guide.
func TestGuideCoverage(t *testing.T) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "seeds", "004_*.txt"))
	if len(seeds) != 1 {
		t.Skip("the CodeArtifact User Guide (shared/seeds/004_*.txt) is not beside the checkout")
	}
	guide, err := os.ReadFile(seeds[0])
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for i, line := range strings.Split(string(guide), "\n") {
		if strings.Contains(line, `"Statement"`) {
			want = append(want, i+1)
		}
	}
	var got []int
	re := regexp.MustCompile(`^L0*(\d+)_`)
	for name := range guideExamples(t) {
		n, _ := strconv.Atoi(re.FindStringSubmatch(name)[1])
		got = append(got, n)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("guide has examples at lines %v, testdata/guide has %v", want, got)
	}
}

// TestGuideSemantics evaluates some guide examples the way the guide says
// they behave.
func TestGuideSemantics(t *testing.T) {
	ex := guideExamples(t)
	parse := func(name string) *Policy {
		p, err := Parse(ex[name])
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const acct = "123456789012"
	bob := Principal{Account: acct, ARN: "arn:aws:iam::123456789012:user/bob"}
	alice := Principal{Account: acct, ARN: "arn:aws:iam::123456789012:user/alice"}
	stranger := Principal{Account: "444455556666", ARN: "arn:aws:iam::444455556666:user/bob"}
	repo := "arn:aws:codeartifact:us-east-2:111122223333:repository/my_domain/my_repo"
	tests := []struct {
		file string
		req  Request
		want Decision
	}{
		// Repository policies.
		{"L1326_resource.json", Request{Principal: alice, Action: "codeartifact:ReadFromRepository", Resource: repo}, Allow},
		{"L1326_resource.json", Request{Principal: alice, Action: "codeartifact:ListPackages", Resource: repo}, ImplicitDeny},
		{"L1326_resource.json", Request{Principal: stranger, Action: "codeartifact:ReadFromRepository", Resource: repo}, ImplicitDeny},
		{"L1470_resource.json", Request{Principal: bob, Action: "codeartifact:ReadFromRepository", Resource: repo}, Allow},
		{"L1470_resource.json", Request{Principal: alice, Action: "codeartifact:ReadFromRepository", Resource: repo}, ImplicitDeny},
		{"L1470_resource.json", Request{Principal: stranger, Action: "codeartifact:ReadFromRepository", Resource: repo}, ImplicitDeny},
		{"L1510_resource.json", Request{Principal: alice, Action: "codeartifact:PublishPackageVersion",
			Resource: "arn:aws:codeartifact:region-id:111122223333:package/my_domain/example-repo/npm/parity/ui"}, Allow},
		{"L1510_resource.json", Request{Principal: alice, Action: "codeartifact:PublishPackageVersion",
			Resource: "arn:aws:codeartifact:region-id:111122223333:package/my_domain/example-repo/npm//react"}, ImplicitDeny},
		// The organization domain policy.
		{"L4070_resource.json", Request{Principal: stranger, Action: "codeartifact:GetAuthorizationToken", Resource: "*",
			Context: map[string][]string{"aws:PrincipalOrgID": {"o-xxxxxxxxxx"}}}, Allow},
		{"L4070_resource.json", Request{Principal: stranger, Action: "codeartifact:GetAuthorizationToken", Resource: "*",
			Context: map[string][]string{"aws:PrincipalOrgID": {"o-other"}}}, ImplicitDeny},
		// Identity policies.
		{"L7111_identity.json", Request{Principal: bob, Action: "codeartifact:ListDomains", Resource: "arn:aws:codeartifact:us-east-2:123456789012:domain/my-domain"}, Allow},
		{"L7111_identity.json", Request{Principal: bob, Action: "codeartifact:ListDomains", Resource: "arn:aws:codeartifact:us-west-2:123456789012:domain/my-domain"}, ImplicitDeny},
		{"L7128_identity.json", Request{Principal: bob, Action: "codeartifact:DescribeRepository", Resource: "arn:aws:codeartifact:us-east-2:123456789012:repository/d/mytest"}, Allow},
		{"L7128_identity.json", Request{Principal: bob, Action: "codeartifact:DescribeRepository", Resource: "arn:aws:codeartifact:us-east-2:123456789012:repository/d/prod"}, ImplicitDeny},
		{"L7128_identity.json", Request{Principal: bob, Action: "codeartifact:PublishPackageVersion", Resource: "arn:aws:codeartifact:us-east-2:123456789012:package/d/mytest/npm//left-pad"}, ImplicitDeny},
		{"L7128_identity.json", Request{Principal: bob, Action: "codeartifact:DescribePackageVersion", Resource: "arn:aws:codeartifact:us-east-2:123456789012:package/d/mytest/npm//left-pad"}, Allow},
		{"L7269_identity.json", Request{Principal: bob, Action: "sts:GetServiceBearerToken", Resource: "*",
			Context: map[string][]string{"sts:DurationSeconds": {"43200"}, "sts:AWSServiceName": {"codeartifact.amazonaws.com"}}}, Allow},
		{"L7269_identity.json", Request{Principal: bob, Action: "sts:GetServiceBearerToken", Resource: "*",
			Context: map[string][]string{"sts:DurationSeconds": {"3600"}, "sts:AWSServiceName": {"codeartifact.amazonaws.com"}}}, ImplicitDeny},
		{"L7300_identity.json", Request{Principal: bob, Action: "sts:GetServiceBearerToken", Resource: "*",
			Context: map[string][]string{"sts:DurationSeconds": {"0"}, "sts:AWSServiceName": {"codeartifact.amazonaws.com"}}}, Allow},
		{"L7300_identity.json", Request{Principal: bob, Action: "sts:GetServiceBearerToken", Resource: "*",
			Context: map[string][]string{"sts:DurationSeconds": {"7200"}, "sts:AWSServiceName": {"codeartifact.amazonaws.com"}}}, ImplicitDeny},
		// Tag examples 1 to 4.
		{"L7356_identity.json", Request{Principal: bob, Action: "codeartifact:CreateRepository", Resource: repo}, ExplicitDeny},
		{"L7356_identity.json", Request{Principal: bob, Action: "codeartifact:CreateRepository", Resource: repo,
			Context: map[string][]string{"aws:RequestTag/costcenter": {"3"}}}, ExplicitDeny},
		{"L7356_identity.json", Request{Principal: bob, Action: "codeartifact:CreateRepository", Resource: repo,
			Context: map[string][]string{"aws:RequestTag/costcenter": {"2"}}}, ImplicitDeny},
		{"L7395_identity.json", Request{Principal: bob, Action: "codeartifact:ReadFromRepository", Resource: repo,
			Context: map[string][]string{"aws:ResourceTag/Key1": {"Value2"}}}, ExplicitDeny},
		{"L7395_identity.json", Request{Principal: bob, Action: "codeartifact:ReadFromRepository", Resource: repo,
			Context: map[string][]string{"aws:ResourceTag/Key1": {"Value3"}}}, ImplicitDeny},
		{"L7431_identity.json", Request{Principal: bob, Action: "codeartifact:ListPackages", Resource: repo,
			Context: map[string][]string{"aws:ResourceTag/Key1": {"Value1"}}}, Allow},
		{"L7463_identity.json", Request{Principal: bob, Action: "codeartifact:CreateRepository", Resource: repo,
			Context: map[string][]string{"aws:RequestTag/Key1": {"Value1"}, "aws:TagKeys": {"Key1"}}}, Allow},
		{"L7463_identity.json", Request{Principal: bob, Action: "codeartifact:CreateRepository", Resource: repo,
			Context: map[string][]string{"aws:RequestTag/Key1": {"Value1"}, "aws:TagKeys": {"Key1", "key1"}}}, ImplicitDeny},
	}
	for i, tt := range tests {
		if got, by := parse(tt.file).Evaluate(&tt.req); got != tt.want {
			t.Errorf("%d: %s for %s on %s = %v (by %q), want %v", i, tt.file, tt.req.Action, tt.req.Resource, got, by, tt.want)
		}
	}
}
