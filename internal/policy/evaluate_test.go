package policy

import (
	"testing"
)

type ctx = map[string][]string

func mustParse(t testing.TB, d string) *Policy {
	t.Helper()
	p, err := Parse([]byte(d))
	if err != nil {
		t.Fatalf("Parse(%s): %v", d, err)
	}
	return p
}

var (
	bob      = Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/bob"}
	alice    = Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice"}
	root     = Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root"}
	session  = Principal{Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/ci/build-42", RoleARN: "arn:aws:iam::111122223333:role/ci"}
	other    = Principal{Account: "444455556666", ARN: "arn:aws:iam::444455556666:user/bob"}
	otherCI  = Principal{Account: "444455556666", ARN: "arn:aws:sts::444455556666:assumed-role/ci/build-42", RoleARN: "arn:aws:iam::444455556666:role/ci"}
	service  = Principal{Service: "codebuild.amazonaws.com"}
	fed      = Principal{Federated: "cognito-identity.amazonaws.com"}
	nobody   = Principal{}
	repoARN  = "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/npm-store"
	read     = "codeartifact:ReadFromRepository"
	basicReq = Request{Principal: bob, Action: read, Resource: repoARN}
)

// TestConditionOperators runs each condition in an Allow and in a Deny
// statement. want is the condition's three-valued result: yes allows and
// denies, no does neither, unknown (undecidable) denies but does not allow.
func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name string
		cond string
		ctx  ctx
		want tri
	}{
		// String operators.
		{"StringEquals match", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`, ctx{"aws:PrincipalOrgID": {"o-1"}}, yes},
		{"StringEquals mismatch", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`, ctx{"aws:PrincipalOrgID": {"o-2"}}, no},
		{"StringEquals is case-sensitive", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`, ctx{"aws:PrincipalOrgID": {"O-ABC"}}, no},
		{"StringEquals values are ORed", `{"StringEquals":{"aws:ResourceTag/env":["dev","test"]}}`, ctx{"aws:ResourceTag/env": {"test"}}, yes},
		{"StringEquals missing key", `{"StringEquals":{"aws:ResourceTag/env":"dev"}}`, nil, no},
		{"StringEquals has no wildcards", `{"StringEquals":{"aws:k":"a*"}}`, ctx{"aws:k": {"abc"}}, no},
		{"StringEquals star is literal", `{"StringEquals":{"aws:k":"a*"}}`, ctx{"aws:k": {"a*"}}, yes},
		{"StringEquals number value", `{"StringEquals":{"aws:k":5}}`, ctx{"aws:k": {"5"}}, yes},
		{"StringEquals empty string", `{"StringEquals":{"aws:k":""}}`, ctx{"aws:k": {""}}, yes},
		{"keys are case-insensitive", `{"StringEquals":{"AWS:PRINCIPALORGID":"o-1"}}`, ctx{"aws:PrincipalOrgID": {"o-1"}}, yes},
		{"keys are case-insensitive, lower-case context", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`, ctx{"aws:principalorgid": {"o-1"}}, yes},
		{"StringNotEquals mismatch", `{"StringNotEquals":{"aws:k":"a"}}`, ctx{"aws:k": {"b"}}, yes},
		{"StringNotEquals match", `{"StringNotEquals":{"aws:k":"a"}}`, ctx{"aws:k": {"a"}}, no},
		{"StringNotEquals is NOR of values", `{"StringNotEquals":{"aws:k":["a","b"]}}`, ctx{"aws:k": {"b"}}, no},
		{"StringNotEquals none of the values", `{"StringNotEquals":{"aws:k":["a","b"]}}`, ctx{"aws:k": {"c"}}, yes},
		{"StringNotEquals missing key is true", `{"StringNotEquals":{"aws:k":"a"}}`, nil, yes},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:k":"Team-A"}}`, ctx{"aws:k": {"team-a"}}, yes},
		{"StringEqualsIgnoreCase mismatch", `{"StringEqualsIgnoreCase":{"aws:k":"Team-A"}}`, ctx{"aws:k": {"team-b"}}, no},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:k":"Team-A"}}`, ctx{"aws:k": {"TEAM-A"}}, no},
		{"StringNotEqualsIgnoreCase mismatch", `{"StringNotEqualsIgnoreCase":{"aws:k":"Team-A"}}`, ctx{"aws:k": {"team-b"}}, yes},
		{"StringLike star", `{"StringLike":{"aws:k":"team-*"}}`, ctx{"aws:k": {"team-a"}}, yes},
		{"StringLike star matches empty", `{"StringLike":{"aws:k":"team-*"}}`, ctx{"aws:k": {"team-"}}, yes},
		{"StringLike question", `{"StringLike":{"aws:k":"t?am"}}`, ctx{"aws:k": {"team"}}, yes},
		{"StringLike question is one character", `{"StringLike":{"aws:k":"t?am"}}`, ctx{"aws:k": {"tam"}}, no},
		{"StringLike question is one rune", `{"StringLike":{"aws:k":"t?am"}}`, ctx{"aws:k": {"téam"}}, yes},
		{"StringLike inner stars", `{"StringLike":{"aws:k":"*-ci-*"}}`, ctx{"aws:k": {"corp-ci-build"}}, yes},
		{"StringLike is case-sensitive", `{"StringLike":{"aws:k":"Team*"}}`, ctx{"aws:k": {"team"}}, no},
		{"StringLike whole string", `{"StringLike":{"aws:k":"team"}}`, ctx{"aws:k": {"teams"}}, no},
		{"StringNotLike", `{"StringNotLike":{"aws:k":["team-*","ops-*"]}}`, ctx{"aws:k": {"dev-1"}}, yes},
		{"StringNotLike match", `{"StringNotLike":{"aws:k":["team-*","ops-*"]}}`, ctx{"aws:k": {"ops-1"}}, no},

		// Numeric operators.
		{"NumericEquals", `{"NumericEquals":{"sts:DurationSeconds":43200}}`, ctx{"sts:DurationSeconds": {"43200"}}, yes},
		{"NumericEquals compares numbers", `{"NumericEquals":{"sts:DurationSeconds":"900"}}`, ctx{"sts:DurationSeconds": {"900.0"}}, yes},
		{"NumericEquals mismatch", `{"NumericEquals":{"sts:DurationSeconds":43200}}`, ctx{"sts:DurationSeconds": {"3600"}}, no},
		{"NumericNotEquals", `{"NumericNotEquals":{"sts:DurationSeconds":43200}}`, ctx{"sts:DurationSeconds": {"3600"}}, yes},
		{"NumericNotEquals NOR", `{"NumericNotEquals":{"sts:DurationSeconds":[900,3600]}}`, ctx{"sts:DurationSeconds": {"3600"}}, no},
		{"NumericLessThan", `{"NumericLessThan":{"sts:DurationSeconds":3600}}`, ctx{"sts:DurationSeconds": {"900"}}, yes},
		{"NumericLessThan equal", `{"NumericLessThan":{"sts:DurationSeconds":3600}}`, ctx{"sts:DurationSeconds": {"3600"}}, no},
		{"NumericLessThanEquals equal", `{"NumericLessThanEquals":{"sts:DurationSeconds":3600}}`, ctx{"sts:DurationSeconds": {"3600"}}, yes},
		{"NumericLessThanEquals above", `{"NumericLessThanEquals":{"sts:DurationSeconds":3600}}`, ctx{"sts:DurationSeconds": {"3601"}}, no},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"sts:DurationSeconds":900}}`, ctx{"sts:DurationSeconds": {"901"}}, yes},
		{"NumericGreaterThan equal", `{"NumericGreaterThan":{"sts:DurationSeconds":900}}`, ctx{"sts:DurationSeconds": {"900"}}, no},
		{"NumericGreaterThanEquals equal", `{"NumericGreaterThanEquals":{"sts:DurationSeconds":900}}`, ctx{"sts:DurationSeconds": {"900"}}, yes},
		{"NumericGreaterThanEquals below", `{"NumericGreaterThanEquals":{"sts:DurationSeconds":900}}`, ctx{"sts:DurationSeconds": {"899"}}, no},
		{"Numeric decimals", `{"NumericLessThan":{"aws:n":1.5}}`, ctx{"aws:n": {"1.25"}}, yes},
		{"Numeric negatives", `{"NumericGreaterThan":{"aws:n":-5}}`, ctx{"aws:n": {"-4"}}, yes},
		{"Numeric missing key", `{"NumericLessThan":{"aws:n":5}}`, nil, no},
		{"Numeric request value not a number", `{"NumericLessThan":{"aws:n":5}}`, ctx{"aws:n": {"four"}}, unknown},
		{"NumericNotEquals request value not a number", `{"NumericNotEquals":{"aws:n":5}}`, ctx{"aws:n": {"NaN"}}, unknown},

		// Date operators.
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2020-06-30T23:59:59Z"}}`, ctx{"aws:CurrentTime": {"2020-05-01T00:00:00Z"}}, yes},
		{"DateLessThan after", `{"DateLessThan":{"aws:CurrentTime":"2020-06-30T23:59:59Z"}}`, ctx{"aws:CurrentTime": {"2020-07-01T00:00:00Z"}}, no},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2020-06-30T23:59:59Z"}}`, ctx{"aws:CurrentTime": {"2020-06-30T23:59:59Z"}}, yes},
		{"DateGreaterThan epoch policy value", `{"DateGreaterThan":{"aws:CurrentTime":1577836800}}`, ctx{"aws:CurrentTime": {"2020-05-01T00:00:00Z"}}, yes},
		{"DateGreaterThan epoch request value", `{"DateGreaterThan":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}`, ctx{"aws:EpochTime": {"1588291200"}}, yes},
		{"DateGreaterThanEquals equal", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01"}}`, ctx{"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}, yes},
		{"DateGreaterThanEquals before", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01"}}`, ctx{"aws:CurrentTime": {"2019-12-31T23:59:59Z"}}, no},
		{"DateEquals across time zones", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}`, ctx{"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}, yes},
		{"DateEquals minutes only", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T10:30Z"}}`, ctx{"aws:CurrentTime": {"2020-01-01T10:30:00Z"}}, yes},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2020-01-01T00:00:01Z"}}, yes},
		{"DateNotEquals equal", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2020-01-01T00:00:00.000Z"}}, no},
		{"Date request value not a date", `{"DateLessThan":{"aws:CurrentTime":"2020-01-01"}}`, ctx{"aws:CurrentTime": {"tomorrow"}}, unknown},

		// Bool.
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"true"}}, yes},
		{"Bool false request", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"false"}}, no},
		{"Bool JSON false", `{"Bool":{"aws:SecureTransport":false}}`, ctx{"aws:SecureTransport": {"false"}}, yes},
		{"Bool ignores case", `{"Bool":{"aws:SecureTransport":"True"}}`, ctx{"aws:SecureTransport": {"TRUE"}}, yes},
		{"Bool missing key", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, no},
		{"Bool request value not a boolean", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"1"}}, unknown},
		{"BoolIfExists missing key", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, nil, yes},
		{"BoolIfExists present false", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, ctx{"aws:MultiFactorAuthPresent": {"false"}}, no},

		// IP addresses.
		{"IpAddress in block", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.113.7"}}, yes},
		{"IpAddress outside block", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"198.51.100.1"}}, no},
		{"IpAddress unmasked block", `{"IpAddress":{"aws:SourceIp":"203.0.113.77/24"}}`, ctx{"aws:SourceIp": {"203.0.113.7"}}, yes},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx{"aws:SourceIp": {"203.0.113.7"}}, yes},
		{"IpAddress single address mismatch", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx{"aws:SourceIp": {"203.0.113.8"}}, no},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:SourceIp": {"2001:db8:1::5"}}, yes},
		{"IpAddress IPv6 outside", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:SourceIp": {"2001:db9::1"}}, no},
		{"IpAddress mixed list", `{"IpAddress":{"aws:SourceIp":["2001:db8::/32","10.0.0.0/8"]}}`, ctx{"aws:SourceIp": {"10.9.8.7"}}, yes},
		{"IpAddress IPv4-mapped request", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"::ffff:203.0.113.7"}}, yes},
		{"IpAddress request not an address", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"localhost"}}, unknown},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx{"aws:SourceIp": {"203.0.113.7"}}, yes},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx{"aws:SourceIp": {"10.1.2.3"}}, no},
		{"NotIpAddress missing key", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, yes},

		// ARN operators.
		{"ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:iam::*:role/ci-*"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/ci-build"}}, yes},
		{"ArnLike mismatch", `{"ArnLike":{"aws:SourceArn":"arn:aws:iam::*:role/ci-*"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/deploy"}}, no},
		{"ArnLike wildcard stays in its part", `{"ArnLike":{"aws:SourceArn":"arn:aws:codeartifact:*:repository/d/r"}}`, ctx{"aws:SourceArn": {"arn:aws:codeartifact:us-east-1:111122223333:repository/d/r"}}, no},
		{"ArnLike part by part", `{"ArnLike":{"aws:SourceArn":"arn:aws:codeartifact:us-*:1111*:repository/d/*"}}`, ctx{"aws:SourceArn": {"arn:aws:codeartifact:us-east-1:111122223333:repository/d/r"}}, yes},
		{"ArnLike short pattern takes the rest", `{"ArnLike":{"aws:SourceArn":"arn:aws:*"}}`, ctx{"aws:SourceArn": {"arn:aws:codeartifact:us-east-1:111122223333:repository/d/r"}}, yes},
		{"ArnLike resource part with colons", `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:log-group:/corp/*"}}`, ctx{"aws:SourceArn": {"arn:aws:logs:us-east-1:111122223333:log-group:/corp/app"}}, yes},
		{"ArnLike request not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:*:*:*:*:*"}}`, ctx{"aws:SourceArn": {"not-an-arn"}}, no},
		{"ArnEquals takes wildcards too", `{"ArnEquals":{"aws:SourceArn":"arn:aws:iam::111122223333:role/*"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/ci"}}, yes},
		{"ArnEquals exact", `{"ArnEquals":{"aws:SourceArn":"arn:aws:iam::111122223333:role/ci"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/ci"}}, yes},
		{"ArnEquals is case-sensitive", `{"ArnEquals":{"aws:SourceArn":"arn:aws:iam::111122223333:role/ci"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/CI"}}, no},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:iam::111122223333:role/ci"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/cd"}}, yes},
		{"ArnNotLike", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:iam::111122223333:role/c*"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/ci"}}, no},
		{"ArnNotLike request not an ARN", `{"ArnNotLike":{"aws:SourceArn":"arn:*:*:*:*:*"}}`, ctx{"aws:SourceArn": {"not-an-arn"}}, yes},

		// Null.
		{"Null true, key absent", `{"Null":{"aws:RequestTag/costcenter":"true"}}`, nil, yes},
		{"Null true, key present", `{"Null":{"aws:RequestTag/costcenter":"true"}}`, ctx{"aws:RequestTag/costcenter": {"1"}}, no},
		{"Null false, key present", `{"Null":{"aws:RequestTag/costcenter":false}}`, ctx{"aws:RequestTag/costcenter": {"1"}}, yes},
		{"Null false, key absent", `{"Null":{"aws:RequestTag/costcenter":"false"}}`, nil, no},
		{"Null, empty list is absent", `{"Null":{"aws:TagKeys":"true"}}`, ctx{"aws:TagKeys": {}}, yes},
		{"Null, empty string is present", `{"Null":{"aws:k":"true"}}`, ctx{"aws:k": {""}}, no},

		// IfExists.
		{"StringEqualsIfExists absent", `{"StringEqualsIfExists":{"aws:k":"a"}}`, nil, yes},
		{"StringEqualsIfExists mismatch", `{"StringEqualsIfExists":{"aws:k":"a"}}`, ctx{"aws:k": {"b"}}, no},
		{"StringEqualsIfExists match", `{"StringEqualsIfExists":{"aws:k":"a"}}`, ctx{"aws:k": {"a"}}, yes},
		{"StringNotEqualsIfExists absent", `{"StringNotEqualsIfExists":{"aws:k":"a"}}`, nil, yes},
		{"StringNotEqualsIfExists match", `{"StringNotEqualsIfExists":{"aws:k":"a"}}`, ctx{"aws:k": {"a"}}, no},
		{"NumericLessThanIfExists absent", `{"NumericLessThanIfExists":{"aws:n":5}}`, nil, yes},
		{"IpAddressIfExists absent", `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, yes},
		{"DateLessThanIfExists present", `{"DateLessThanIfExists":{"aws:CurrentTime":"2020-01-01"}}`, ctx{"aws:CurrentTime": {"2021-01-01T00:00:00Z"}}, no},
		{"ArnLikeIfExists absent", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::b"}}`, nil, yes},

		// Set operators and multivalued keys.
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Key1","Key2"]}}`, ctx{"aws:TagKeys": {"Key1"}}, yes},
		{"ForAllValues all listed", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Key1","Key2"]}}`, ctx{"aws:TagKeys": {"Key2", "Key1"}}, yes},
		{"ForAllValues one not listed", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Key1","Key2"]}}`, ctx{"aws:TagKeys": {"Key1", "Key3"}}, no},
		{"ForAllValues missing key is vacuously true", `{"ForAllValues:StringEquals":{"aws:TagKeys":"Key1"}}`, nil, yes},
		{"ForAllValues empty list is vacuously true", `{"ForAllValues:StringEquals":{"aws:TagKeys":"Key1"}}`, ctx{"aws:TagKeys": {}}, yes},
		{"ForAllValues StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":"Created*"}}`, ctx{"aws:TagKeys": {"CreatedBy", "CreatedAt"}}, yes},
		{"ForAllValues StringNotEquals", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"team", "env"}}, yes},
		{"ForAllValues StringNotEquals one listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"team", "secret"}}, no},
		{"ForAnyValue one listed", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["Key1","Key2"]}}`, ctx{"aws:TagKeys": {"x", "Key2"}}, yes},
		{"ForAnyValue none listed", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["Key1","Key2"]}}`, ctx{"aws:TagKeys": {"x"}}, no},
		{"ForAnyValue missing key", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"Key1"}}`, nil, no},
		{"ForAnyValue StringNotEquals", `{"ForAnyValue:StringNotEquals":{"aws:RequestTag/costcenter":["1","2"]}}`, ctx{"aws:RequestTag/costcenter": {"3"}}, yes},
		{"ForAnyValue StringNotEquals listed", `{"ForAnyValue:StringNotEquals":{"aws:RequestTag/costcenter":["1","2"]}}`, ctx{"aws:RequestTag/costcenter": {"1"}}, no},
		{"ForAnyValue StringNotEquals missing", `{"ForAnyValue:StringNotEquals":{"aws:RequestTag/costcenter":["1","2"]}}`, nil, no},
		{"ForAnyValue IfExists missing", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"Key1"}}`, nil, yes},
		{"ForAnyValue numeric", `{"ForAnyValue:NumericGreaterThan":{"aws:n":10}}`, ctx{"aws:n": {"1", "11"}}, yes},
		{"ForAllValues numeric, one not a number", `{"ForAllValues:NumericGreaterThan":{"aws:n":10}}`, ctx{"aws:n": {"11", "x"}}, unknown},
		{"ForAllValues numeric, one too small and one not a number", `{"ForAllValues:NumericGreaterThan":{"aws:n":10}}`, ctx{"aws:n": {"1", "x"}}, no},
		{"no set operator, any value matches", `{"StringEquals":{"aws:k":"b"}}`, ctx{"aws:k": {"a", "b"}}, yes},
		{"no set operator, Not form is NOR", `{"StringNotEquals":{"aws:k":"b"}}`, ctx{"aws:k": {"a", "b"}}, no},

		// Several keys and operators are ANDed.
		{"keys ANDed", `{"StringEquals":{"aws:x":"1","aws:y":"2"}}`, ctx{"aws:x": {"1"}, "aws:y": {"2"}}, yes},
		{"keys ANDed, one fails", `{"StringEquals":{"aws:x":"1","aws:y":"2"}}`, ctx{"aws:x": {"1"}, "aws:y": {"3"}}, no},
		{"operators ANDed", `{"StringEquals":{"aws:x":"1"},"NumericLessThan":{"aws:n":5}}`, ctx{"aws:x": {"1"}, "aws:n": {"4"}}, yes},
		{"operators ANDed, one fails", `{"StringEquals":{"aws:x":"1"},"NumericLessThan":{"aws:n":5}}`, ctx{"aws:x": {"1"}, "aws:n": {"6"}}, no},
		{"false beats unknown", `{"StringEquals":{"aws:x":"1"},"NumericLessThan":{"aws:n":5}}`, ctx{"aws:x": {"2"}, "aws:n": {"six"}}, no},

		// Policy variables in condition values.
		{"variable", `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, ctx{"aws:ResourceTag/owner": {"bob"}, "aws:username": {"bob"}}, yes},
		{"variable mismatch", `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, ctx{"aws:ResourceTag/owner": {"bob"}, "aws:username": {"alice"}}, no},
		{"variable missing", `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, ctx{"aws:ResourceTag/owner": {"bob"}}, unknown},
		{"variable missing but another value matches", `{"StringEquals":{"aws:ResourceTag/owner":["${aws:username}","bob"]}}`, ctx{"aws:ResourceTag/owner": {"bob"}}, yes},
		{"variable default", `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'shared'}"}}`, ctx{"aws:ResourceTag/team": {"shared"}}, yes},
		{"variable multivalued", `{"StringEquals":{"aws:k":"${aws:TagKeys}"}}`, ctx{"aws:k": {"a"}, "aws:TagKeys": {"a", "b"}}, unknown},
		{"variable in StringLike", `{"StringLike":{"aws:k":"home/${aws:username}/*"}}`, ctx{"aws:k": {"home/bob/x"}, "aws:username": {"bob"}}, yes},
		{"variable value is literal", `{"StringLike":{"aws:k":"home/${aws:username}/x"}}`, ctx{"aws:k": {"home/bob/x"}, "aws:username": {"*"}}, no},
		{"variable with IgnoreCase", `{"StringEqualsIgnoreCase":{"aws:k":"${aws:username}"}}`, ctx{"aws:k": {"BOB"}, "aws:username": {"bob"}}, yes},
		{"escaped star", `{"StringLike":{"aws:k":"a${*}"}}`, ctx{"aws:k": {"a*"}}, yes},
		{"escaped star is not a wildcard", `{"StringLike":{"aws:k":"a${*}"}}`, ctx{"aws:k": {"ab"}}, no},
		{"escaped question and dollar", `{"StringEquals":{"aws:k":"${?}${$}"}}`, ctx{"aws:k": {"?$"}}, yes},
		{"variable in ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:iam::${aws:PrincipalAccount}:role/*"}}`, ctx{"aws:SourceArn": {"arn:aws:iam::111122223333:role/ci"}}, yes},

		// Keys derived from the principal (bob) when the context lacks them.
		{"derived aws:PrincipalArn", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/bob"}}`, nil, yes},
		{"derived aws:PrincipalAccount", `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`, nil, yes},
		{"context overrides derived key", `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`, ctx{"aws:PrincipalAccount": {"999999999999"}}, no},
		{"other keys are not derived", `{"Null":{"aws:username":"true"}}`, nil, yes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := basicReq
			req.Context = tt.ctx
			allow := mustParse(t, doc(withCond(tt.cond)))
			wantAllow := ImplicitDeny
			if tt.want == yes {
				wantAllow = Allow
			}
			if got, _ := allow.Evaluate(&req); got != wantAllow {
				t.Errorf("in an Allow statement: %v, want %v", got, wantAllow)
			}
			deny := mustParse(t, doc(`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":`+tt.cond+`}`))
			wantDeny := ImplicitDeny
			if tt.want != no {
				wantDeny = ExplicitDeny
			}
			if got, _ := deny.Evaluate(&req); got != wantDeny {
				t.Errorf("in a Deny statement: %v, want %v", got, wantDeny)
			}
		})
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		element, actions string
		action           string
		want             bool
	}{
		{"Action", `"*"`, read, true},
		{"Action", `"codeartifact:*"`, read, true},
		{"Action", `"codeartifact:*"`, "sts:GetServiceBearerToken", false},
		{"Action", `"codeartifact:ReadFromRepository"`, read, true},
		{"Action", `"codeartifact:readfromrepository"`, read, true},
		{"Action", `"CodeArtifact:ReadFromRepository"`, "codeartifact:readFROMrepository", true},
		{"Action", `"codeartifact:Get*"`, "codeartifact:GetAuthorizationToken", true},
		{"Action", `"codeartifact:get*"`, "codeartifact:GetAuthorizationToken", true},
		{"Action", `"codeartifact:Get*"`, "codeartifact:ListPackages", false},
		{"Action", `"codeartifact:Get*"`, "codeartifact:Ge", false},
		{"Action", `"codeartifact:?escribe*"`, "codeartifact:DescribeDomain", true},
		{"Action", `"codeartifact:*Package*"`, "codeartifact:ListPackageVersions", true},
		{"Action", `"codeartifact:*Package*"`, "codeartifact:ListRepositories", false},
		{"Action", `"codeartifact:Read"`, read, false},
		{"Action", `"codeartifact:ReadFromRepository"`, "codeartifact:ReadFromRepositoryX", false},
		{"Action", `["s3:GetObject","codeartifact:List*"]`, "codeartifact:ListDomains", true},
		{"Action", `["s3:GetObject","codeartifact:List*"]`, "sts:ListX", false},
		{"Action", `"*:Get*"`, "codeartifact:GetRepositoryEndpoint", true},
		{"NotAction", `"codeartifact:Delete*"`, read, true},
		{"NotAction", `"codeartifact:Delete*"`, "codeartifact:DeleteRepository", false},
		{"NotAction", `["codeartifact:Delete*","codeartifact:Put*"]`, "codeartifact:PutDomainPermissionsPolicy", false},
		{"NotAction", `"*"`, read, false},
	}
	for _, tt := range tests {
		p := mustParse(t, doc(`{"Effect":"Allow","Principal":"*","`+tt.element+`":`+tt.actions+`}`))
		req := basicReq
		req.Action = tt.action
		if got, _ := p.Evaluate(&req); (got == Allow) != tt.want {
			t.Errorf("%s %s, action %s: %v, want allowed=%v", tt.element, tt.actions, tt.action, got, tt.want)
		}
	}
}

func TestResources(t *testing.T) {
	tests := []struct {
		version, element, resources string
		resource                    string
		ctx                         ctx
		want                        tri
	}{
		{Version2012, "Resource", `"*"`, repoARN, nil, yes},
		{Version2012, "Resource", `"` + repoARN + `"`, repoARN, nil, yes},
		{Version2012, "Resource", `"` + repoARN + `"`, repoARN + "2", nil, no},
		{Version2012, "Resource", `"arn:aws:codeartifact:us-east-1:111122223333:repository/corp/NPM-store"`, repoARN, nil, no},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:*:repository/*/*test"`, "arn:aws:codeartifact:us-east-2:123456789012:repository/d/mytest", nil, yes},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:*:repository/*/*test"`, "arn:aws:codeartifact:us-east-2:123456789012:repository/d/test2", nil, no},
		{Version2012, "Resource", `"arn:aws:codeartifact:us-east-2:123456789012:domain/my*"`, "arn:aws:codeartifact:us-east-2:123456789012:domain/mydomain", nil, yes},
		{Version2012, "Resource", `"arn:aws:codeartifact:us-east-2:123456789012:domain/My*"`, "arn:aws:codeartifact:us-east-2:123456789012:domain/mydomain", nil, no},
		{Version2012, "Resource", `"arn:aws:codeartifact:us-east-?:111122223333:repository/corp/npm-store"`, repoARN, nil, yes},
		{Version2012, "Resource", `"arn:aws:codeartifact:us-east-?:111122223333:repository/corp/npm-store"`, "arn:aws:codeartifact:us-east-10:111122223333:repository/corp/npm-store", nil, no},
		{Version2012, "Resource", `"arn:aws:codeartifact:*"`, repoARN, nil, yes},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:111122223333:package/corp/npm-store/*"`, "arn:aws:codeartifact:us-east-1:111122223333:package/corp/npm-store/npm//react", nil, yes},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:111122223333:package/corp/npm-store/*"`, repoARN, nil, no},
		{Version2012, "Resource", `["arn:aws:s3:::b","arn:aws:codeartifact:*:*:repository/corp/*"]`, repoARN, nil, yes},
		{Version2012, "NotResource", `"arn:aws:codeartifact:*:*:repository/corp/*"`, repoARN, nil, no},
		{Version2012, "NotResource", `"arn:aws:codeartifact:*:*:repository/prod/*"`, repoARN, nil, yes},
		{Version2012, "NotResource", `["arn:aws:s3:::b","arn:aws:codeartifact:*:*:repository/corp/*"]`, repoARN, nil, no},
		// Policy variables.
		{Version2012, "Resource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}-*"`, "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/bob-store", ctx{"aws:username": {"bob"}}, yes},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}-*"`, "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/alice-store", ctx{"aws:username": {"bob"}}, no},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}-*"`, "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/bob-store", nil, unknown},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}-*"`, "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/x-store", ctx{"aws:username": {"*"}}, no},
		{Version2012, "Resource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username, 'shared'}"`, "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/shared", nil, yes},
		{Version2012, "NotResource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}"`, repoARN, nil, unknown},
		{Version2012, "NotResource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}"`, repoARN, ctx{"aws:username": {"npm-store"}}, no},
		// Version 2008-10-17 reads ${...} literally.
		{Version2008, "Resource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}"`, "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/bob", ctx{"aws:username": {"bob"}}, no},
		{Version2008, "Resource", `"arn:aws:codeartifact:*:*:repository/corp/${aws:username}"`, "arn:aws:codeartifact:us-east-1:111122223333:repository/corp/${aws:username}", nil, yes},
	}
	for _, tt := range tests {
		for _, effect := range []string{"Allow", "Deny"} {
			d := `{"Version":"` + tt.version + `","Statement":{"Effect":"` + effect + `","Principal":"*","Action":"*","` + tt.element + `":` + tt.resources + `}}`
			p := mustParse(t, d)
			req := Request{Principal: bob, Action: read, Resource: tt.resource, Context: tt.ctx}
			got, _ := p.Evaluate(&req)
			want := ImplicitDeny
			switch {
			case effect == "Allow" && tt.want == yes:
				want = Allow
			case effect == "Deny" && tt.want != no:
				want = ExplicitDeny
			}
			if got != want {
				t.Errorf("%s %s %s for %s: %v, want %v", effect, tt.element, tt.resources, tt.resource, got, want)
			}
		}
	}
}

func TestResourcePolicyWithoutResource(t *testing.T) {
	p := mustParse(t, doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"codeartifact:*"}`))
	for _, res := range []string{repoARN, "arn:aws:codeartifact:us-east-1:111122223333:domain/corp", ""} {
		req := Request{Principal: bob, Action: read, Resource: res}
		if got, _ := p.Evaluate(&req); got != Allow {
			t.Errorf("resource %q: %v, want Allow", res, got)
		}
	}
}

func TestPrincipals(t *testing.T) {
	const acctRoot = `"arn:aws:iam::111122223333:root"`
	tests := []struct {
		name      string
		principal string // the Principal element
		caller    Principal
		want      bool
	}{
		{"star, anonymous", `"*"`, nobody, true},
		{"star, user", `"*"`, bob, true},
		{"AWS star, service", `{"AWS":"*"}`, service, true},
		{"account id, user", `{"AWS":"111122223333"}`, bob, true},
		{"account id, root", `{"AWS":"111122223333"}`, root, true},
		{"account id, role session", `{"AWS":"111122223333"}`, session, true},
		{"account id, other account", `{"AWS":"111122223333"}`, other, false},
		{"account id, anonymous", `{"AWS":"111122223333"}`, nobody, false},
		{"account id from the ARN", `{"AWS":"111122223333"}`, Principal{ARN: "arn:aws:iam::111122223333:user/carol"}, true},
		{"account root ARN, user", `{"AWS":` + acctRoot + `}`, alice, true},
		{"account root ARN, other account's user of the same name", `{"AWS":` + acctRoot + `}`, other, false},
		{"user ARN, that user", `{"AWS":"arn:aws:iam::111122223333:user/bob"}`, bob, true},
		{"user ARN, other user", `{"AWS":"arn:aws:iam::111122223333:user/bob"}`, alice, false},
		{"user ARN, account root", `{"AWS":"arn:aws:iam::111122223333:user/bob"}`, root, false},
		{"user ARN, same name elsewhere", `{"AWS":"arn:aws:iam::111122223333:user/bob"}`, other, false},
		{"role ARN, its session", `{"AWS":"arn:aws:iam::111122223333:role/ci"}`, session, true},
		{"role ARN, another role's session", `{"AWS":"arn:aws:iam::111122223333:role/deploy"}`, session, false},
		{"role ARN, same role name elsewhere", `{"AWS":"arn:aws:iam::111122223333:role/ci"}`, otherCI, false},
		{"session ARN, that session", `{"AWS":"arn:aws:sts::111122223333:assumed-role/ci/build-42"}`, session, true},
		{"session ARN, another session", `{"AWS":"arn:aws:sts::111122223333:assumed-role/ci/build-43"}`, session, false},
		{"cross-account list", `{"AWS":["444455556666","arn:aws:iam::111122223333:user/bob"]}`, other, true},
		{"cross-account list, other caller", `{"AWS":["444455556666","arn:aws:iam::111122223333:user/bob"]}`, alice, false},
		{"service", `{"Service":"codebuild.amazonaws.com"}`, service, true},
		{"service, other service", `{"Service":["lambda.amazonaws.com"]}`, service, false},
		{"service, user", `{"Service":"codebuild.amazonaws.com"}`, bob, false},
		{"federated", `{"Federated":"cognito-identity.amazonaws.com"}`, fed, true},
		{"federated, other", `{"Federated":"accounts.google.com"}`, fed, false},
		{"mixed types", `{"AWS":"444455556666","Service":"codebuild.amazonaws.com"}`, service, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Principal":`+tt.principal+`}`))
			req := basicReq
			req.Principal = tt.caller
			if got, _ := p.Evaluate(&req); (got == Allow) != tt.want {
				t.Errorf("%v, want allowed=%v", got, tt.want)
			}
		})
	}
}

// TestNotPrincipal checks IAM's rule: a Deny with NotPrincipal exempts a
// caller only when its account, and its user, or its role and session, are
// all listed.
func TestNotPrincipal(t *testing.T) {
	tests := []struct {
		name   string
		listed string
		caller Principal
		denied bool
	}{
		{"user and account listed", `["arn:aws:iam::111122223333:user/bob","111122223333"]`, bob, false},
		{"other user of the account", `["arn:aws:iam::111122223333:user/bob","111122223333"]`, alice, true},
		{"other account", `["arn:aws:iam::111122223333:user/bob","111122223333"]`, other, true},
		{"user listed without its account", `"arn:aws:iam::111122223333:user/bob"`, bob, true},
		{"account alone does not exempt its users", `"arn:aws:iam::111122223333:root"`, bob, true},
		{"account alone exempts its root", `"arn:aws:iam::111122223333:root"`, root, false},
		{"session, role and account listed", `["arn:aws:sts::111122223333:assumed-role/ci/build-42","arn:aws:iam::111122223333:role/ci","111122223333"]`, session, false},
		{"role and account, not the session", `["arn:aws:iam::111122223333:role/ci","111122223333"]`, session, true},
		{"session and account, not the role", `["arn:aws:sts::111122223333:assumed-role/ci/build-42","111122223333"]`, session, true},
		{"anonymous", `"111122223333"`, nobody, true},
		{"star exempts everyone", `"*"`, other, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, doc(
				`{"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`,
				`{"Sid":"OnlyListed","Effect":"Deny","NotPrincipal":{"AWS":`+tt.listed+`},"Action":"*","Resource":"*"}`))
			req := basicReq
			req.Principal = tt.caller
			got, by := p.Evaluate(&req)
			want, wantBy := Allow, "AllowAll"
			if tt.denied {
				want, wantBy = ExplicitDeny, "OnlyListed"
			}
			if got != want || by != wantBy {
				t.Errorf("got %v by %q, want %v by %q", got, by, want, wantBy)
			}
		})
	}
	p := mustParse(t, doc(`{"Effect":"Deny","NotPrincipal":{"Service":"codebuild.amazonaws.com"},"Action":"*"}`))
	for caller, want := range map[*Principal]Decision{&service: ImplicitDeny, &fed: ExplicitDeny, &bob: ExplicitDeny} {
		req := Request{Principal: *caller, Action: read, Resource: repoARN}
		if got, _ := p.Evaluate(&req); got != want {
			t.Errorf("NotPrincipal Service, caller %+v: %v, want %v", *caller, got, want)
		}
	}
}

func TestDenyOverridesAllow(t *testing.T) {
	tests := []struct {
		name       string
		statements []string
		req        Request
		want       Decision
		by         string
	}{
		{"allow", []string{
			`{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"codeartifact:Read*","Resource":"*"}`,
		}, basicReq, Allow, "Read"},
		{"deny after allow", []string{
			`{"Sid":"All","Effect":"Allow","Principal":"*","Action":"codeartifact:*","Resource":"*"}`,
			`{"Sid":"NoRead","Effect":"Deny","Principal":"*","Action":"codeartifact:ReadFromRepository","Resource":"*"}`,
		}, basicReq, ExplicitDeny, "NoRead"},
		{"deny before allow", []string{
			`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}`,
			`{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`,
		}, basicReq, ExplicitDeny, "Statement[0]"},
		{"deny for someone else", []string{
			`{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`,
			`{"Sid":"NoStrangers","Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"*","Resource":"*"}`,
		}, basicReq, Allow, "All"},
		{"first allow names the decision", []string{
			`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`,
			`{"Effect":"Allow","Principal":"*","Action":"codeartifact:*","Resource":"*"}`,
			`{"Sid":"Also","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`,
		}, basicReq, Allow, "Statement[1]"},
		{"nothing applies", []string{
			`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`,
			`{"Effect":"Deny","Principal":"*","Action":"sts:*","Resource":"*"}`,
		}, basicReq, ImplicitDeny, ""},
		{"deny with a condition that holds", []string{
			`{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`,
			`{"Sid":"OnlyTLS","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
		}, Request{Principal: bob, Action: read, Resource: repoARN, Context: ctx{"aws:SecureTransport": {"false"}}}, ExplicitDeny, "OnlyTLS"},
		{"deny with a condition that does not hold", []string{
			`{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`,
			`{"Sid":"OnlyTLS","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
		}, Request{Principal: bob, Action: read, Resource: repoARN, Context: ctx{"aws:SecureTransport": {"true"}}}, Allow, "All"},
		{"undecidable deny fails closed", []string{
			`{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`,
			`{"Sid":"Office","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`,
		}, Request{Principal: bob, Action: read, Resource: repoARN, Context: ctx{"aws:SourceIp": {"garbage"}}}, ExplicitDeny, "Office"},
		{"undecidable allow fails closed", []string{
			`{"Sid":"Office","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`,
		}, Request{Principal: bob, Action: read, Resource: repoARN, Context: ctx{"aws:SourceIp": {"garbage"}}}, ImplicitDeny, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, doc(tt.statements...))
			got, by := p.Evaluate(&tt.req)
			if got != tt.want || by != tt.by {
				t.Errorf("got %v by %q, want %v by %q", got, by, tt.want, tt.by)
			}
		})
	}
}

// TestCrossAccount shows one repository policy deciding for callers of its
// own account and of another; the authorization layer still needs the
// other account's identity policy to Allow (see the package doc).
func TestCrossAccount(t *testing.T) {
	p := mustParse(t, doc(
		`{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["codeartifact:ReadFromRepository","codeartifact:GetRepositoryEndpoint"],"Resource":"*"}`,
		`{"Sid":"PartnerCIPublish","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/ci"},"Action":"codeartifact:PublishPackageVersion","Resource":"arn:aws:codeartifact:us-east-1:111122223333:package/corp/npm-store/npm/corp/*"}`,
		`{"Sid":"NoPartnerDelete","Effect":"Deny","Principal":{"AWS":"444455556666"},"Action":"codeartifact:Delete*","Resource":"*"}`,
	))
	pkg := "arn:aws:codeartifact:us-east-1:111122223333:package/corp/npm-store/npm/corp/ui"
	tests := []struct {
		caller   Principal
		action   string
		resource string
		want     Decision
		by       string
	}{
		{other, read, repoARN, Allow, "PartnerRead"},
		{otherCI, read, repoARN, Allow, "PartnerRead"},
		{otherCI, "codeartifact:PublishPackageVersion", pkg, Allow, "PartnerCIPublish"},
		{other, "codeartifact:PublishPackageVersion", pkg, ImplicitDeny, ""},
		{otherCI, "codeartifact:PublishPackageVersion", "arn:aws:codeartifact:us-east-1:111122223333:package/corp/npm-store/npm//left-pad", ImplicitDeny, ""},
		{otherCI, "codeartifact:DeletePackageVersions", pkg, ExplicitDeny, "NoPartnerDelete"},
		{bob, read, repoARN, ImplicitDeny, ""},
		{bob, "codeartifact:DeletePackageVersions", pkg, ImplicitDeny, ""},
	}
	for _, tt := range tests {
		req := Request{Principal: tt.caller, Action: tt.action, Resource: tt.resource}
		if got, by := p.Evaluate(&req); got != tt.want || by != tt.by {
			t.Errorf("%s %s on %s: %v by %q, want %v by %q", tt.caller.ARN, tt.action, tt.resource, got, by, tt.want, tt.by)
		}
	}
}

func TestEvaluateNil(t *testing.T) {
	var p *Policy
	if got, by := p.Evaluate(&basicReq); got != ImplicitDeny || by != "" {
		t.Errorf("nil policy: %v %q", got, by)
	}
	p = mustParse(t, doc(allowRead))
	if got, _ := p.Evaluate(nil); got != ImplicitDeny {
		t.Errorf("nil request: %v", got)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"*", "", false, true},
		{"**", "abc", false, true},
		{"a*b*c", "aXbYc", false, true},
		{"a*b*c", "abcabc", false, true},
		{"a*b*c", "acb", false, false},
		{"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
		{"?", "é", false, true},
		{"??", "é", false, false},
		{"ÉCOLE", "école", true, true},
		{"Straße*", "STRASSE", true, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"*c", "abcc", false, true},
	}
	for _, tt := range tests {
		p, err := compilePattern(tt.pattern, patternOpts{wild: true, fold: tt.fold})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.match(tt.s, nil); (got == yes) != tt.want {
			t.Errorf("%q ~ %q (fold %v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
		// The general matcher agrees with the fast paths.
		if got := glob(p.toks, tt.s, tt.fold); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
