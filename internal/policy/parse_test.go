package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
)

// doc wraps statements in a 2012-10-17 document.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// allowRead is a statement that is valid in any policy but an identity one.
const allowRead = `{"Effect":"Allow","Principal":"*","Action":"codeartifact:ReadFromRepository","Resource":"*"}`

// withCond returns an Allow statement for every caller and resource with
// the given Condition element.
func withCond(condition string) string {
	return `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":` + condition + `}`
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, doc string
		want      string // a substring of the message
	}{
		{"not JSON", `{"Version":`, "not valid JSON"},
		{"syntax error", `{"Version" "2012-10-17"}`, "not valid JSON"},
		{"trailing data", doc(allowRead) + ` {}`, "unexpected data after the policy document"},
		{"invalid UTF-8", "{\"Id\":\"\xff\",\"Statement\":" + allowRead + "}", "not valid UTF-8"},
		{"array document", `[` + allowRead + `]`, "must be a JSON object, not an array"},
		{"too large", `{"Id":"` + strings.Repeat("x", MaxSize) + `"}`, "more than the 65536 allowed"},
		{"too deep", `{"Statement":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`, "nests deeper than"},
		{"unknown top-level element", `{"Version":"2012-10-17","Statment":[` + allowRead + `]}`, `unknown element "Statment"`},
		{"bad version", `{"Version":"2012-10-18","Statement":[` + allowRead + `]}`, `Version: must be "2012-10-17" or "2008-10-17", not the string "2012-10-18"`},
		{"version as number", `{"Version":2012,"Statement":[` + allowRead + `]}`, "Version: must be"},
		{"id as number", `{"Id":1,"Statement":[` + allowRead + `]}`, "Id: must be a string, not a number"},
		{"missing Statement", `{"Version":"2012-10-17"}`, "missing required element Statement"},
		{"empty Statement", `{"Version":"2012-10-17","Statement":[]}`, "Statement: must not be empty"},
		{"Statement a string", `{"Statement":"allow everything"}`, "Statement: must be an object or an array of objects"},
		{"statement not an object", doc(`"x"`), "Statement[0]: a statement must be an object"},
		{"duplicate key", `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}`, `Statement: duplicate key "Effect"`},
		{"duplicate condition operator", doc(withCond(`{"StringEquals":{"aws:a":"1"},"StringEquals":{"aws:b":"2"}}`)), `Statement[0].Condition: duplicate key "StringEquals"`},
		{"unknown statement element", doc(`{"Effect":"Allow","Actions":"*","Resource":"*"}`), `Statement[0]: unknown element "Actions"`},
		{"missing Effect", doc(`{"Action":"*","Resource":"*"}`), "Statement[0]: missing required element Effect"},
		{"lower-case Effect", doc(`{"Effect":"allow","Action":"*","Resource":"*"}`), `Statement[0].Effect: must be "Allow" or "Deny", not the string "allow"`},
		{"null Effect", doc(`{"Effect":null,"Action":"*","Resource":"*"}`), `Effect: must be "Allow" or "Deny", not null`},
		{"Sid a number", doc(`{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}`), "Statement[0].Sid: must be a string"},
		{"duplicate Sid", doc(`{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}`, `{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}`), `Statement[1].Sid: Sid "A" is already used by Statement[0]`},
		{"missing Action", doc(`{"Effect":"Allow","Resource":"*"}`), "missing required element Action or NotAction"},
		{"Action and NotAction", doc(`{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}`), "has both Action and NotAction"},
		{"Resource and NotResource", doc(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}`), "has both Resource and NotResource"},
		{"Principal and NotPrincipal", doc(`{"Effect":"Deny","Action":"*","Principal":"*","NotPrincipal":"*"}`), "has both Principal and NotPrincipal"},
		{"action without a service", doc(`{"Effect":"Allow","Action":"ReadFromRepository","Resource":"*"}`), `action "ReadFromRepository" must be "*" or prefaced by a service`},
		{"action with a space", doc(`{"Effect":"Allow","Action":"codeartifact:Read From","Resource":"*"}`), "prefaced by a service"},
		{"empty Action array", doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "Statement[0].Action: must not be an empty array"},
		{"Action a number", doc(`{"Effect":"Allow","Action":5,"Resource":"*"}`), "Action: must be a string or an array of strings, not a number"},
		{"Action list with a number", doc(`{"Effect":"Allow","Action":["s3:Get",5],"Resource":"*"}`), "Statement[0].Action[1]: must be a string"},
		{"resource not an ARN", doc(`{"Effect":"Allow","Action":"*","Resource":"my-repo"}`), `resource "my-repo" must be an ARN`},
		{"resource ARN too short", doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:codeartifact"}`), "must be an ARN"},
		{"Principal a bare account", doc(`{"Effect":"Allow","Action":"*","Principal":"123456789012"}`), `Principal: must be "*" or an object`},
		{"Principal empty object", doc(`{"Effect":"Allow","Action":"*","Principal":{}}`), "Principal: names no principal"},
		{"wildcard in a principal", doc(`{"Effect":"Allow","Action":"*","Principal":{"AWS":"arn:aws:iam::*:root"}}`), `Principal.AWS: invalid principal "arn:aws:iam::*:root"`},
		{"variable in a principal", doc(`{"Effect":"Allow","Action":"*","Principal":{"AWS":"arn:aws:iam::123456789012:user/${aws:username}"}}`), "no wildcards or variables"},
		{"short account id", doc(`{"Effect":"Allow","Action":"*","Principal":{"AWS":"12345"}}`), `invalid principal "12345"`},
		{"group as principal", doc(`{"Effect":"Allow","Action":"*","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:group/devs"]}}`), `Principal.AWS[1]: invalid principal`},
		{"unknown principal type", doc(`{"Effect":"Allow","Action":"*","Principal":{"Amazon":"123456789012"}}`), `unknown principal type "Amazon"`},
		{"CanonicalUser", doc(`{"Effect":"Allow","Action":"*","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}`), "CanonicalUser principals (Amazon S3 only) are not supported"},
		{"wildcard service", doc(`{"Effect":"Allow","Action":"*","Principal":{"Service":"*.amazonaws.com"}}`), "want a service principal"},
		{"NotPrincipal with Allow", doc(`{"Effect":"Allow","Action":"*","NotPrincipal":{"AWS":"123456789012"}}`), `NotPrincipal may only be used with "Effect": "Deny"`},
		{"Condition not an object", doc(withCond(`[]`)), "Condition: must be an object of condition operators"},
		{"unknown operator", doc(withCond(`{"StringEqual":{"aws:SourceVpc":"vpc-1"}}`)), `unknown condition operator "StringEqual"`},
		{"operator in lower case", doc(withCond(`{"stringequals":{"aws:SourceVpc":"vpc-1"}}`)), `unknown condition operator "stringequals"`},
		{"unsupported Binary operator", doc(withCond(`{"BinaryEquals":{"aws:k":"QmluYXJ5"}}`)), `unknown condition operator "BinaryEquals"`},
		{"NullIfExists", doc(withCond(`{"NullIfExists":{"aws:k":"true"}}`)), `unknown condition operator "NullIfExists"`},
		{"set operator on Null", doc(withCond(`{"ForAnyValue:Null":{"aws:k":"true"}}`)), `unknown condition operator "ForAnyValue:Null"`},
		{"unknown set operator", doc(withCond(`{"ForSomeValues:StringEquals":{"aws:k":"v"}}`)), "unknown condition operator"},
		{"operator block not an object", doc(withCond(`{"StringEquals":"aws:k"}`)), "StringEquals: must be an object of condition keys"},
		{"empty operator block", doc(withCond(`{"StringEquals":{}}`)), "Condition.StringEquals: names no condition key"},
		{"key without a vendor", doc(withCond(`{"IpAddress":{"SourceIp":"10.0.0.0/8"}}`)), `condition key "SourceIp" must be prefaced by a vendor`},
		{"key with a space in the vendor", doc(withCond(`{"StringEquals":{"my host:sub":"x"}}`)), `condition key "my host:sub" must be prefaced by a vendor`},
		{"key with nothing after the vendor", doc(withCond(`{"StringEquals":{"issuer.example.com:":"x"}}`)), "must be prefaced by a vendor"},
		{"empty value list", doc(withCond(`{"StringEquals":{"aws:k":[]}}`)), `Condition.StringEquals["aws:k"]: lists no values`},
		{"object as value", doc(withCond(`{"StringEquals":{"aws:k":{"v":1}}}`)), "a condition value must be a string, number or boolean, not an object"},
		{"null value", doc(withCond(`{"StringEquals":{"aws:k":[null]}}`)), `["aws:k"][0]: a condition value must be a string, number or boolean, not null`},
		{"numeric not a number", doc(withCond(`{"NumericLessThan":{"sts:DurationSeconds":"an hour"}}`)), `"an hour" is not a number`},
		{"numeric NaN", doc(withCond(`{"NumericEquals":{"sts:DurationSeconds":"NaN"}}`)), `"NaN" is not a number`},
		{"numeric exponent", doc(withCond(`{"NumericEquals":{"sts:DurationSeconds":1e3}}`)), `"1e3" is not a number`},
		{"bad date", doc(withCond(`{"DateLessThan":{"aws:CurrentTime":"yesterday"}}`)), `"yesterday" is not a date`},
		{"impossible date", doc(withCond(`{"DateLessThan":{"aws:CurrentTime":"2020-02-30T00:00:00Z"}}`)), "is not a date"},
		{"bad CIDR", doc(withCond(`{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`)), `"10.0.0.0/33" is not an IP address or CIDR block`},
		{"host name as IP", doc(withCond(`{"NotIpAddress":{"aws:SourceIp":"example.com"}}`)), "is not an IP address"},
		{"Bool not a boolean", doc(withCond(`{"Bool":{"aws:SecureTransport":"yes"}}`)), `"yes" is not true or false`},
		{"Null not a boolean", doc(withCond(`{"Null":{"aws:RequestTag/team":"maybe"}}`)), `"maybe" is not true or false`},
		{"unterminated variable", doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:codeartifact:*:*:repository/d/${aws:username"}`), "unterminated policy variable"},
		{"variable without vendor", doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:codeartifact:*:*:repository/d/${username}"}`), "is not of the form ${vendor:key}"},
		{"unquoted variable default", doc(withCond(`{"StringEquals":{"aws:k":"${aws:username, nobody}"}}`)), "must be in single quotes"},
	}
	if len(tests) < 20 {
		t.Fatalf("only %d bad documents", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse accepted %s", tt.doc)
			}
			if p != nil {
				t.Errorf("Parse returned a policy with its error")
			}
			if !errors.Is(err, errkind.ErrValidation) {
				t.Errorf("error %v is of kind %v, want Validation", err, errkind.KindOf(err))
			}
			if !strings.HasPrefix(err.Error(), "malformed policy document: ") {
				t.Errorf("message %q does not start like IAM's", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q\n does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseReasons(t *testing.T) {
	_, err := Parse([]byte(`{`))
	if got := errkind.As(err).Reason; got != "CANNOT_PARSE" {
		t.Errorf("reason for bad JSON = %q", got)
	}
	_, err = Parse([]byte(`{}`))
	if got := errkind.As(err).Reason; got != "FIELD_VALIDATION_FAILED" {
		t.Errorf("reason for a grammar error = %q", got)
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, doc   string
		version, id string
		statements  int
	}{
		{"no Version reads as 2008", `{"Statement":` + allowRead + `}`, Version2008, "", 1},
		{"2008 with an Id", `{"Version":"2008-10-17","Id":"p1","Statement":[` + allowRead + `]}`, Version2008, "p1", 1},
		{"statement object", `{"Version":"2012-10-17","Statement":` + allowRead + `}`, Version2012, "", 1},
		{"several statements, some without Sid", doc(allowRead, allowRead, `{"Sid":"x","Effect":"Deny","Action":"*","Principal":"*"}`), Version2012, "", 3},
		{"empty Condition", doc(withCond(`{}`)), Version2012, "", 1},
		{"numbers and booleans as condition values", doc(withCond(`{"NumericEquals":{"sts:DurationSeconds":[900,3600.5,"-1"]},"Bool":{"aws:SecureTransport":true},"StringEquals":{"aws:k":[1,false,"x"]}}`)), Version2012, "", 1},
		{"every operator", doc(withCond(`{
			"StringEquals":{"aws:a":"x"},"StringNotEquals":{"aws:a":"x"},"StringEqualsIgnoreCase":{"aws:a":"x"},
			"StringNotEqualsIgnoreCase":{"aws:a":"x"},"StringLike":{"aws:a":"x*"},"StringNotLike":{"aws:a":"x?"},
			"NumericEquals":{"aws:n":1},"NumericNotEquals":{"aws:n":1},"NumericLessThan":{"aws:n":1},
			"NumericLessThanEquals":{"aws:n":1},"NumericGreaterThan":{"aws:n":1},"NumericGreaterThanEquals":{"aws:n":1},
			"DateEquals":{"aws:CurrentTime":"2020-01-01"},"DateNotEquals":{"aws:CurrentTime":"2020-01-01T10:00Z"},
			"DateLessThan":{"aws:CurrentTime":"2020-01-01T10:00:00Z"},"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01T10:00:00.5+02:00"},
			"DateGreaterThan":{"aws:EpochTime":1577836800},"DateGreaterThanEquals":{"aws:EpochTime":"1577836800"},
			"Bool":{"aws:SecureTransport":"TRUE"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","203.0.113.7"]},
			"NotIpAddress":{"aws:SourceIp":"::1"},"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/r"},
			"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/r*"},"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b"},
			"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::b*"},"Null":{"aws:TokenIssueTime":"false"},
			"StringEqualsIfExists":{"aws:a":"x"},"ForAnyValue:StringLike":{"aws:TagKeys":"team*"},
			"ForAllValues:StringEqualsIgnoreCase":{"aws:TagKeys":["a","b"]},"ForAnyValue:NumericLessThanIfExists":{"aws:n":2}
		}`)), Version2012, "", 1},
		{"principal forms", doc(`{"Effect":"Allow","Action":"*","Principal":{
			"AWS":["*","123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/path/bob",
			       "arn:aws:iam::123456789012:role/R","arn:aws:sts::123456789012:assumed-role/R/session",
			       "arn:aws:sts::123456789012:federated-user/fed","arn:aws-cn:iam::123456789012:root"],
			"Service":["codebuild.amazonaws.com"],
			"Federated":"arn:aws:iam::123456789012:saml-provider/corp"}}`), Version2012, "", 1},
		{"NotPrincipal with Deny", doc(`{"Effect":"Deny","Action":"*","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:root"]}}`), Version2012, "", 1},
		{"variables", doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:codeartifact:*:*:repository/${aws:username}/${aws:PrincipalTag/team, 'shared'}-${*}"}`), Version2012, "", 1},
		{"variable-like text in 2008", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${oops"}}`, Version2008, "", 1},
		{"action wildcards", doc(`{"Effect":"Allow","Action":["codeartifact:Get*","codeartifact:?escribe*","*"],"Resource":"*"}`), Version2012, "", 1},
		{"tag key with spaces", doc(withCond(`{"StringEquals":{"aws:ResourceTag/Cost Center":"42"}}`)), Version2012, "", 1},
		{"OIDC provider keys in a trust policy", doc(`{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
			"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
			"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",
				"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE_1:sub":"system:serviceaccount:ci:builder"},
				"StringLike":{"127.0.0.1:9000:sub":"repo:arca/*"}}}`), Version2012, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Version() != tt.version || p.ID() != tt.id || len(p.stmts) != tt.statements {
				t.Errorf("got version %q id %q with %d statements, want %q %q %d", p.Version(), p.ID(), len(p.stmts), tt.version, tt.id, tt.statements)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	const (
		identity  = `{"Effect":"Allow","Action":"*","Resource":"*"}`
		notRes    = `{"Effect":"Allow","Action":"*","NotResource":"arn:aws:codeartifact:*:*:domain/prod"}`
		resource  = `{"Effect":"Allow","Action":"*","Principal":{"AWS":"123456789012"}}`
		notPrinc  = `{"Effect":"Deny","Action":"*","NotPrincipal":{"AWS":"123456789012"},"Resource":"*"}`
		noResNoPr = `{"Effect":"Allow","Action":"*"}`
	)
	tests := []struct {
		name string
		doc  string
		kind Kind
		want string // "" for valid
	}{
		{"identity", doc(identity), IdentityPolicy, ""},
		{"identity with NotResource", doc(notRes), IdentityPolicy, ""},
		{"identity with Principal", doc(identity, resource), IdentityPolicy, "Statement[1]: an identity policy must not specify a Principal"},
		{"identity with NotPrincipal", doc(notPrinc), IdentityPolicy, "must not specify a Principal or NotPrincipal"},
		{"identity without Resource", doc(noResNoPr), IdentityPolicy, "Statement[0]: missing required element Resource or NotResource"},
		{"resource without Resource", doc(resource), ResourcePolicy, ""},
		{"resource with NotPrincipal", doc(notPrinc), ResourcePolicy, ""},
		{"resource without Principal", doc(resource, identity), ResourcePolicy, "Statement[1]: missing required element Principal or NotPrincipal"},
		{"unknown kind", doc(identity), Kind(7), "unknown policy kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = p.Validate(tt.kind)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate(%v): %v", tt.kind, err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate(%v) accepted it", tt.kind)
			case tt.want != "" && (!errors.Is(err, errkind.ErrValidation) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate(%v) = %v, want a Validation error containing %q", tt.kind, err, tt.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	for v, want := range map[interface{ String() string }]string{
		ImplicitDeny: "ImplicitDeny", Allow: "Allow", ExplicitDeny: "ExplicitDeny", Decision(9): "Decision(9)",
		IdentityPolicy: "IdentityPolicy", ResourcePolicy: "ResourcePolicy", Kind(5): "Kind(5)",
	} {
		if got := v.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
