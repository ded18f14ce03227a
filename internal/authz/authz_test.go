package authz

import (
	"context"
	"errors"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
)

func TestAccountBoundary(t *testing.T) {
	z := New()
	root := identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root"}
	cases := []struct {
		resource string
		allowed  bool
	}{
		{"*", true},
		{"arn:aws:codeartifact:us-east-1:111122223333:domain/d", true},
		{"arn:aws:codeartifact:us-east-1:111122223333:repository/d/r", true},
		{"arn:aws:codeartifact:us-east-1:444455556666:domain/d", false},
		{"arn:aws:codeartifact:us-east-1:444455556666:repository/d/r", false},
		{"garbage", false},
	}
	for _, c := range cases {
		err := z.Authorize(context.Background(), root, "codeartifact:DescribeDomain", c.resource)
		if c.allowed && err != nil {
			t.Errorf("%s: denied: %v", c.resource, err)
		}
		if !c.allowed && !errors.Is(err, errkind.ErrAccessDenied) {
			t.Errorf("%s: got %v, want AccessDenied", c.resource, err)
		}
	}
}
