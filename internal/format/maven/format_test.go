package maven

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/token"
)

// authorizer records the decisions asked and refuses one action.
type authorizer struct {
	asked []string
	deny  string
}

func (a *authorizer) Authorize(_ context.Context, r authz.Request) error {
	a.asked = append(a.asked, r.Action+" "+r.Resource)
	if r.Action == a.deny {
		return errkind.Deniedf("User: %s is not authorized to perform: %s on resource: %s", r.Principal.ARN, r.Action, r.Resource)
	}
	return nil
}

// TestPublishNeedsBothPermissions: every PUT asks for PublishPackageVersion
// and PutPackageMetadata on the package (User Guide, "Publishing
// permissions"), and stops at the first refused, before reading the body.
func TestPublishNeedsBothPermissions(t *testing.T) {
	for _, deny := range []string{actionPublish, actionMetadata} {
		z := &authorizer{deny: deny}
		f := New(Deps{Authz: z, Region: "us-east-1"})
		req := &endpoint.Request{
			Repository: store.Repository{Name: "my-repo", DomainName: "my-domain", DomainOwner: "111122223333"},
			Claims:     token.Claims{Account: "111122223333", Principal: "arn:aws:iam::111122223333:root"},
			Rest:       "com/example/demo/1.0/demo-1.0.jar",
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPut, "/x", strings.NewReader("jar"))
		err := f.Serve(w, r, req)
		if errkind.KindOf(err) != errkind.AccessDenied {
			t.Errorf("deny %s: %v", deny, err)
		}
		const arn = "arn:aws:codeartifact:us-east-1:111122223333:package/my-domain/my-repo/maven/com.example/demo"
		if z.asked[0] != actionPublish+" "+arn || (deny == actionMetadata && z.asked[1] != actionMetadata+" "+arn) {
			t.Errorf("asked %v", z.asked)
		}
	}
	if got := New(Deps{}).Serve(httptest.NewRecorder(), httptest.NewRequest(http.MethodPut, "/x", nil),
		&endpoint.Request{Rest: "com/example/demo/1.0/demo-1.0.jar"}); errkind.KindOf(got) != errkind.AccessDenied {
		t.Errorf("without an authorizer: %v", got)
	}
}
