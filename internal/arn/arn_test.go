package arn

import (
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
)

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		in   string
		want ARN
	}{
		{"arn:aws:codeartifact:us-west-2:111122223333:domain/my-domain",
			ARN{Region: "us-west-2", Account: "111122223333", Kind: KindDomain, Domain: "my-domain"}},
		{"arn:aws:codeartifact:us-west-2:111122223333:repository/my-domain/my-repo",
			ARN{Region: "us-west-2", Account: "111122223333", Kind: KindRepository, Domain: "my-domain", Repository: "my-repo"}},
		{"arn:aws:codeartifact:us-east-1:111122223333:package/my_domain/my_repo/npm//chalk",
			ARN{Region: "us-east-1", Account: "111122223333", Kind: KindPackage, Domain: "my_domain", Repository: "my_repo", Format: "npm", Package: "chalk"}},
		{"arn:aws:codeartifact:us-east-1:111122223333:package/d/r/npm/parity/ui",
			ARN{Region: "us-east-1", Account: "111122223333", Kind: KindPackage, Domain: "d", Repository: "r", Format: "npm", Namespace: "parity", Package: "ui"}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		if got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if s := got.String(); s != c.in {
			t.Errorf("String() = %q, want %q", s, c.in)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{
		"", "arn:aws:codeartifact:us-east-1:111122223333", "arn:aws:s3:::bucket",
		"arn:aws:codeartifact:us-east-1:1111:domain/d", "arn:aws:codeartifact::111122223333:domain/d",
		"arn:aws:codeartifact:us-east-1:111122223333:domain/", "arn:aws:codeartifact:us-east-1:111122223333:domain/a/b",
		"arn:aws:codeartifact:us-east-1:111122223333:repository/d", "arn:aws:codeartifact:us-east-1:111122223333:package/d/r/npm/x",
		"arn:aws:codeartifact:us-east-1:111122223333:widget/d", "arn:aws-cn:codeartifact:us-east-1:111122223333:domain/d",
	} {
		if _, err := Parse(s); !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("Parse(%q) = %v, want a Validation error", s, err)
		}
	}
}

func TestPackageGroupARN(t *testing.T) {
	s := PackageGroup("us-west-2", "111122223333", "my-domain", "/npm/space/*")
	if want := "arn:aws:codeartifact:us-west-2:111122223333:package-group/my-domain/npm/space/%2a"; s != want {
		t.Fatalf("PackageGroup = %s, want %s", s, want)
	}
	a, err := Parse(s)
	if err != nil || a.Kind != KindPackageGroup || a.Domain != "my-domain" || a.PackageGroup != "/npm/space/*" || a.String() != s {
		t.Fatalf("Parse(%s) = %+v, %v", s, a, err)
	}
	if p := PackageGroup("r", "111122223333", "d", "/maven/org.x/a$"); !strings.HasSuffix(p, "package-group/d/maven/org.x/a%24") {
		t.Fatalf("$ not encoded: %s", p)
	}
}
