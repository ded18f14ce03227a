package policy

import "testing"

// benchPolicy is a five-statement repository policy with conditions of
// several families, evaluated for a request that reaches every statement.
const benchPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "OrgRead", "Effect": "Allow", "Principal": "*",
     "Action": ["codeartifact:Describe*", "codeartifact:Get*", "codeartifact:List*", "codeartifact:ReadFromRepository"],
     "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5", "o-f6g7h8i9j0"]}}},
    {"Sid": "CIPublish", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/ci", "444455556666"]},
     "Action": ["codeartifact:PublishPackageVersion", "codeartifact:PutPackageMetadata"],
     "Resource": "arn:aws:codeartifact:*:111122223333:package/corp/*/npm/corp/*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci*"}, "ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost-*"]}}},
    {"Sid": "OfficeOnly", "Effect": "Deny", "Principal": "*", "Action": "codeartifact:*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"]}, "BoolIfExists": {"aws:ViaAWSService": "false"}}},
    {"Sid": "Freeze", "Effect": "Deny", "Principal": "*", "Action": ["codeartifact:Delete*", "codeartifact:Dispose*"], "Resource": "*",
     "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}},
    {"Sid": "ShortTokens", "Effect": "Deny", "Principal": {"AWS": "444455556666"}, "Action": "codeartifact:GetAuthorizationToken", "Resource": "*",
     "Condition": {"NumericGreaterThan": {"sts:DurationSeconds": 3600}}}
  ]
}`

var benchRequest = Request{
	Principal: Principal{
		Account: "111122223333",
		ARN:     "arn:aws:sts::111122223333:assumed-role/ci/build-42",
		RoleARN: "arn:aws:iam::111122223333:role/ci",
	},
	Action:   "codeartifact:ReadFromRepository",
	Resource: "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/npm-store",
	Context: map[string][]string{
		"aws:PrincipalOrgID":  {"o-f6g7h8i9j0"},
		"aws:SourceIp":        {"10.20.30.40"},
		"aws:CurrentTime":     {"2026-11-05T10:00:00Z"},
		"aws:TagKeys":         {"team", "cost-center"},
		"aws:SecureTransport": {"true"},
	},
}

func BenchmarkEvaluate(b *testing.B) {
	p := mustParse(b, benchPolicy)
	publish, del := benchRequest, benchRequest
	publish.Action = "codeartifact:PublishPackageVersion"
	publish.Resource = "arn:aws:codeartifact:us-east-1:111122223333:package/corp/npm-store/npm/corp/ui"
	del.Action = "codeartifact:DeleteRepository"
	for _, bc := range []struct {
		name string
		req  *Request
		want Decision
		by   string
	}{
		{"read", &benchRequest, Allow, "OrgRead"},
		{"publish", &publish, Allow, "CIPublish"},
		{"delete", &del, ExplicitDeny, "Freeze"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if d, by := p.Evaluate(bc.req); d != bc.want || by != bc.by {
				b.Fatalf("%v by %q, want %v by %q", d, by, bc.want, bc.by)
			}
			b.ReportAllocs()
			for b.Loop() {
				p.Evaluate(bc.req)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchPolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEvaluateAllocatesNothing(t *testing.T) {
	p := mustParse(t, benchPolicy)
	if n := testing.AllocsPerRun(100, func() { p.Evaluate(&benchRequest) }); n != 0 {
		t.Errorf("Evaluate allocates %v times per call", n)
	}
	vars := mustParse(t, doc(`{"Effect":"Allow","Principal":"*","Action":"*",
		"Resource":"arn:aws:codeartifact:*:*:repository/corp/${aws:username}-*",
		"Condition":{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"},"ArnLike":{"aws:SourceArn":"arn:aws:iam::${aws:PrincipalAccount}:role/*"}}}`))
	req := Request{Principal: bob, Action: read, Resource: "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/bob-store",
		Context: ctx{"aws:username": {"bob"}, "aws:ResourceTag/owner": {"bob"}, "aws:SourceArn": {"arn:aws:iam::111122223333:role/ci"}}}
	if d, _ := vars.Evaluate(&req); d != Allow {
		t.Fatalf("policy with variables: %v", d)
	}
	if n := testing.AllocsPerRun(100, func() { vars.Evaluate(&req) }); n != 0 {
		t.Errorf("Evaluate with policy variables allocates %v times per call", n)
	}
}
