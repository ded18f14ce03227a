package policy

import (
	"testing"
)

// FuzzParse checks that Parse never panics, and that what it accepts can
// be validated and evaluated without panicking either.
func FuzzParse(f *testing.F) {
	for _, b := range guideExamples(f) {
		f.Add(b)
	}
	for _, s := range []string{
		`{`, `[]`, `{"Statement":[]}`, `{"Statement":"x"}`,
		doc(allowRead),
		doc(withCond(`{"ForAnyValue:StringLike":{"aws:TagKeys":["a*","${aws:username}"]},"NumericLessThanIfExists":{"aws:n":[1,"2.5"]}}`)),
		doc(withCond(`{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"ArnLike":{"aws:SourceArn":"arn:aws:*:${aws:x, 'y'}"}}`)),
		doc(`{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/ci"]},"NotAction":"s3:*","NotResource":"arn:aws:s3:::${aws:username}/*"}`),
	} {
		f.Add([]byte(s))
	}
	reqs := []Request{
		basicReq,
		{Principal: session, Action: "s3:GetObject", Resource: "arn:aws:s3:::bob/x", Context: ctx{
			"aws:TagKeys": {"a1", "b"}, "aws:username": {"bob"}, "aws:n": {"1.5"}, "aws:CurrentTime": {"2021-01-01T00:00:00Z"},
			"aws:SourceIp": {"10.1.1.1"}, "aws:SourceArn": {"arn:aws:s3:::b"}, "aws:x": {"a", "b"},
		}},
		{},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			if p != nil {
				t.Fatal("Parse returned a policy with its error")
			}
			return
		}
		_ = p.Validate(IdentityPolicy)
		_ = p.Validate(ResourcePolicy)
		for i := range reqs {
			p.Evaluate(&reqs[i])
		}
	})
}
