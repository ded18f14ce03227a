package authz

import (
	"context"
	"testing"

	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
)

// TestConditionKeys decides requests whose identity policy has one
// conditional Allow statement, with the request context the Evaluator
// builds: the principal's keys, the resource's tags, the request's tags
// and token lifetime, the client and the clock.
func TestConditionKeys(t *testing.T) {
	domainTags := []store.Tag{{Key: "team", Value: "platform"}}
	repoTags := []store.Tag{{Key: "team", Value: "web"}, {Key: "Stage", Value: "prod"}}
	seconds := func(n int64) *int64 { return &n }
	const bearer = "sts:GetServiceBearerToken"
	const createRepo = "codeartifact:CreateRepository"
	cases := []struct {
		name      string
		p         identity.Principal
		condition string
		req       Request // Principal is p; Action and Resource default to read on repoARN
		ctx       context.Context
		want      bool
	}{
		// aws:ResourceTag: the repository's tags for repository and
		// package ARNs, the domain's for the domain ARN.
		{"ResourceTag of the repository", bob, `{"StringEquals":{"aws:ResourceTag/team":"web"}}`, Request{}, nil, true},
		{"ResourceTag mismatch", bob, `{"StringEquals":{"aws:ResourceTag/team":"ops"}}`, Request{}, nil, false},
		{"ResourceTag key without case", bob, `{"StringEquals":{"aws:ResourceTag/stage":"prod"}}`, Request{}, nil, true},
		{"ResourceTag of a package's repository", bob, `{"StringEquals":{"aws:ResourceTag/team":"web"}}`,
			Request{Action: "codeartifact:PublishPackageVersion", Resource: pkgARN}, nil, true},
		{"ResourceTag of the domain", bob, `{"StringEquals":{"aws:ResourceTag/team":"platform"}}`,
			Request{Action: "codeartifact:DescribeDomain", Resource: domainARN}, nil, true},
		{"ResourceTag StringLike", bob, `{"StringLike":{"aws:ResourceTag/team":"w*"}}`, Request{}, nil, true},
		{"ResourceTag StringNotEquals", bob, `{"StringNotEquals":{"aws:ResourceTag/team":"web"}}`, Request{}, nil, false},
		{"Null: tag absent", bob, `{"Null":{"aws:ResourceTag/owner":"true"}}`, Request{}, nil, true},
		{"Null: tag present", bob, `{"Null":{"aws:ResourceTag/team":"true"}}`, Request{}, nil, false},
		{"Null false: tag present", bob, `{"Null":{"aws:ResourceTag/team":"false"}}`, Request{}, nil, true},

		// aws:RequestTag and aws:TagKeys.
		{"RequestTag", bob, `{"StringEquals":{"aws:RequestTag/team":"web"}}`,
			Request{Action: createRepo, Resource: repoARN, Tags: []store.Tag{{Key: "team", Value: "web"}}}, nil, true},
		{"RequestTag absent", bob, `{"StringEquals":{"aws:RequestTag/team":"web"}}`,
			Request{Action: createRepo, Resource: repoARN}, nil, false},
		{"ForAllValues: every key listed", bob, `{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}`,
			Request{Action: createRepo, Resource: repoARN, Tags: []store.Tag{{Key: "team"}, {Key: "env"}}}, nil, true},
		{"ForAllValues: a key not listed", bob, `{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}`,
			Request{Action: createRepo, Resource: repoARN, Tags: []store.Tag{{Key: "team"}, {Key: "owner"}}}, nil, false},
		{"ForAllValues: no keys at all", bob, `{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`,
			Request{Action: createRepo, Resource: repoARN}, nil, true},
		{"ForAnyValue: one key listed", bob, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}`,
			Request{Action: "codeartifact:UntagResource", Resource: repoARN, TagKeys: []string{"owner", "team"}}, nil, true},
		{"ForAnyValue: none listed", bob, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}`,
			Request{Action: "codeartifact:UntagResource", Resource: repoARN, TagKeys: []string{"owner"}}, nil, false},
		{"ForAnyValue: no keys at all", bob, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}`,
			Request{Action: createRepo, Resource: repoARN}, nil, false},

		// sts:DurationSeconds and sts:AWSServiceName (numeric operators).
		{"DurationSeconds within the limit", bob, `{"NumericLessThanEquals":{"sts:DurationSeconds":"3600"}}`,
			Request{Action: bearer, Resource: "*", DurationSeconds: seconds(900)}, nil, true},
		{"DurationSeconds at the limit", bob, `{"NumericLessThanEquals":{"sts:DurationSeconds":3600}}`,
			Request{Action: bearer, Resource: "*", DurationSeconds: seconds(3600)}, nil, true},
		{"DurationSeconds over the limit", bob, `{"NumericLessThanEquals":{"sts:DurationSeconds":"3600"}}`,
			Request{Action: bearer, Resource: "*", DurationSeconds: seconds(43200)}, nil, false},
		{"DurationSeconds absent", bob, `{"NumericLessThanEquals":{"sts:DurationSeconds":"3600"}}`,
			Request{Action: bearer, Resource: "*"}, nil, false},
		{"NumericGreaterThan", bob, `{"NumericGreaterThan":{"sts:DurationSeconds":"0"}}`,
			Request{Action: bearer, Resource: "*", DurationSeconds: seconds(0)}, nil, false},
		{"NumericNotEquals", bob, `{"NumericNotEquals":{"sts:DurationSeconds":"0"}}`,
			Request{Action: bearer, Resource: "*", DurationSeconds: seconds(900)}, nil, true},
		{"AWSServiceName", bob, `{"StringEquals":{"sts:AWSServiceName":"codeartifact.amazonaws.com"}}`,
			Request{Action: bearer, Resource: "*", ServiceName: "codeartifact.amazonaws.com"}, nil, true},
		{"AWSServiceName of another service", bob, `{"StringEquals":{"sts:AWSServiceName":"codeartifact.amazonaws.com"}}`,
			Request{Action: bearer, Resource: "*", ServiceName: "codecatalyst.amazonaws.com"}, nil, false},

		// The principal's keys.
		{"PrincipalArn of a user", bob, `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::` + acctA + `:user/bob"}}`, Request{}, nil, true},
		{"PrincipalArn of a session is its role", ci, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::` + acctA + `:role/ci-*"}}`, Request{}, nil, true},
		{"PrincipalArn ArnLike mismatch", ci, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`, Request{}, nil, false},
		{"ArnNotLike", bob, `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}`, Request{}, nil, true},
		{"PrincipalAccount", bob, `{"StringEquals":{"aws:PrincipalAccount":"` + acctA + `"}}`, Request{}, nil, true},
		{"PrincipalType of a session", ci, `{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`, Request{}, nil, true},
		{"username", bob, `{"StringEquals":{"aws:username":"bob"}}`, Request{}, nil, true},
		{"username of a session is absent", ci, `{"StringLike":{"aws:username":"*"}}`, Request{}, nil, false},
		{"userid of a session", ci, `{"StringLike":{"aws:userid":"*:job-1"}}`, Request{}, nil, true},
		{"policy variable", bob, `{"StringEquals":{"aws:ResourceTag/team":"${aws:username}"}}`, Request{}, nil, false},
		{"RequestedRegion", bob, `{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`, Request{}, nil, true},

		// The client: aws:SourceIp, aws:SecureTransport (Bool).
		{"SourceIp in range", bob, `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.7/32"]}}`, Request{}, withClient("10.1.2.3", false), true},
		{"SourceIp out of range", bob, `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, Request{}, withClient("192.168.1.1", false), false},
		{"SourceIp IPv6", bob, `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, Request{}, withClient("2001:db8::1", false), true},
		{"NotIpAddress", bob, `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, Request{}, withClient("192.168.1.1", false), true},
		{"SourceIp unknown", bob, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, Request{}, nil, false},
		{"SecureTransport true", bob, `{"Bool":{"aws:SecureTransport":"true"}}`, Request{}, withClient("10.1.2.3", true), true},
		{"SecureTransport false", bob, `{"Bool":{"aws:SecureTransport":"true"}}`, Request{}, withClient("10.1.2.3", false), false},

		// The clock: aws:CurrentTime (dates), aws:EpochTime.
		{"CurrentTime before", bob, `{"DateLessThan":{"aws:CurrentTime":"2026-04-01T00:00:00Z"}}`, Request{}, nil, true},
		{"CurrentTime after", bob, `{"DateGreaterThan":{"aws:CurrentTime":"2026-04-01T00:00:00Z"}}`, Request{}, nil, false},
		{"CurrentTime as epoch", bob, `{"DateGreaterThanEquals":{"aws:CurrentTime":"1772366400"}}`, Request{}, nil, true},
		{"EpochTime", bob, `{"NumericEquals":{"aws:EpochTime":"1772366400"}}`, Request{}, nil, true},

		// IfExists and unknown keys.
		{"IfExists, key absent", bob, `{"StringEqualsIfExists":{"aws:RequestTag/team":"web"}}`, Request{}, nil, true},
		{"unknown key", bob, `{"StringEquals":{"aws:SomethingElse":"x"}}`, Request{}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(bob, ci)
			f.res.setTags(domainRes, domainTags...)
			f.res.setTags(repoRes, repoTags...)
			owner := c.p.ARN
			if c.p.RoleARN != "" {
				owner = c.p.RoleARN
			}
			f.dir.setPolicies(owner, doc(stmt("Allow", "*", "*", "", c.condition)))
			r := c.req
			r.Principal = c.p
			if r.Action == "" {
				r.Action, r.Resource = read, repoARN
			}
			ctx := c.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			d, err := f.ev.Decide(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed() != c.want {
				t.Errorf("allowed %v, want %v (%s)", d.Allowed(), c.want, d.Why(r.Action))
			}
		})
	}
}

// TestDenyConditions checks the guide's uses of conditions in Deny
// statements: a Deny whose condition cannot be decided applies.
func TestDenyConditions(t *testing.T) {
	f := newFixture(bob)
	f.dir.setPolicies(bob.ARN, doc(
		allow("*", "*", ""),
		stmt("Deny", "sts:GetServiceBearerToken", "*", "", `{"NumericGreaterThan":{"sts:DurationSeconds":"3600"}}`),
		stmt("Deny", "codeartifact:UntagResource", "*", "", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["protected"]}}`),
		stmt("Deny", read, "*", "", `{"StringNotEquals":{"aws:ResourceTag/team":"${aws:username}"}}`),
	))
	n := func(v int64) *int64 { return &v }
	cases := []struct {
		req  Request
		want bool
	}{
		{Request{Action: "sts:GetServiceBearerToken", Resource: "*", DurationSeconds: n(3600)}, true},
		{Request{Action: "sts:GetServiceBearerToken", Resource: "*", DurationSeconds: n(3601)}, false},
		{Request{Action: "codeartifact:UntagResource", Resource: repoARN, TagKeys: []string{"a", "protected"}}, false},
		{Request{Action: "codeartifact:UntagResource", Resource: repoARN, TagKeys: []string{"a"}}, true},
		{Request{Action: read, Resource: repoARN}, false}, // no team tag: the Deny applies
	}
	for i, c := range cases {
		c.req.Principal = bob
		d, err := f.ev.Decide(context.Background(), c.req)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed() != c.want {
			t.Errorf("case %d (%s): allowed %v, want %v", i, c.req.Action, d.Allowed(), c.want)
		}
	}
	f.res.setTags(repoRes, store.Tag{Key: "team", Value: "bob"})
	if d, _ := f.ev.Decide(context.Background(), Request{Principal: bob, Action: read, Resource: repoARN}); !d.Allowed() {
		t.Errorf("team tag naming the user: %s", d.Why(read))
	}
}

// TestKeysPrincipalType names each kind of principal as IAM does.
func TestKeysPrincipalType(t *testing.T) {
	for _, c := range []struct {
		p    identity.Principal
		want string
	}{{rootA, "Account"}, {bob, "User"}, {ci, "AssumedRole"}} {
		if got := principalType(&c.p); got != c.want {
			t.Errorf("%s: %s, want %s", c.p.ARN, got, c.want)
		}
	}
}
