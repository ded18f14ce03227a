package npm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/token"
)

// denyAll refuses everything and records what it was asked.
type denyAll struct{ asked []string }

func (d *denyAll) Authorize(_ context.Context, r authz.Request) error {
	d.asked = append(d.asked, r.Principal.ARN+" "+r.Action+" "+r.Resource)
	return errkind.Deniedf("User: %s is not authorized to perform: %s on resource: %s", r.Principal.ARN, r.Action, r.Resource)
}

// TestWritesAreAuthorized checks that every write asks for its permission
// on the package ARN before touching storage: the Format has no catalog,
// resolver or blob store, so reaching them would panic.
func TestWritesAreAuthorized(t *testing.T) {
	req := func(rest string) *endpoint.Request {
		return &endpoint.Request{
			Format: "npm", Rest: rest, BaseURL: "http://x/d-111122223333/npm/r/",
			Repository: store.Repository{ID: 1, DomainID: 1, DomainName: "d", DomainOwner: "111122223333", Name: "r"},
			Claims:     token.Claims{Account: "111122223333", Principal: "arn:aws:iam::111122223333:user/u"},
			Principal:  identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/u", Kind: identity.KindUser},
		}
	}
	for _, tc := range []struct {
		method, rest, body, action string
	}{
		{http.MethodPut, "@s%2fp", npmBody, "arn:aws:iam::111122223333:user/u codeartifact:PublishPackageVersion arn:aws:codeartifact:us-east-1:111122223333:package/d/r/npm/s/p"},
		{http.MethodPut, "hello-unscoped", yarnBody, "arn:aws:iam::111122223333:user/u codeartifact:PublishPackageVersion arn:aws:codeartifact:us-east-1:111122223333:package/d/r/npm//hello-unscoped"},
		{http.MethodPut, "p", `{"name":"p","versions":{"1.0.0":{"deprecated":"x"}}}`, "arn:aws:iam::111122223333:user/u codeartifact:PutPackageMetadata arn:aws:codeartifact:us-east-1:111122223333:package/d/r/npm//p"},
		{http.MethodPut, "-/package/p/dist-tags/beta", `"1.0.0"`, "arn:aws:iam::111122223333:user/u codeartifact:PutPackageMetadata arn:aws:codeartifact:us-east-1:111122223333:package/d/r/npm//p"},
		{http.MethodDelete, "-/package/@s%2Fp/dist-tags/beta", ``, "arn:aws:iam::111122223333:user/u codeartifact:PutPackageMetadata arn:aws:codeartifact:us-east-1:111122223333:package/d/r/npm/s/p"},
	} {
		z := &denyAll{}
		f := New(Deps{Authz: z, Region: "us-east-1"})
		r := httptest.NewRequest(tc.method, "/d-111122223333/npm/r/"+tc.rest, strings.NewReader(tc.body))
		err := f.Serve(httptest.NewRecorder(), r, req(tc.rest))
		if !errors.Is(err, errkind.ErrAccessDenied) || len(z.asked) != 1 || z.asked[0] != tc.action {
			t.Errorf("%s %s: %v, asked %q; want %q", tc.method, tc.rest, err, z.asked, tc.action)
		}
		// Without an authorizer, writes fail closed.
		r = httptest.NewRequest(tc.method, "/d-111122223333/npm/r/"+tc.rest, strings.NewReader(tc.body))
		if err := New(Deps{}).Serve(httptest.NewRecorder(), r, req(tc.rest)); !errors.Is(err, errkind.ErrAccessDenied) {
			t.Errorf("%s %s without an authorizer: %v", tc.method, tc.rest, err)
		}
	}
}

func TestWriteError(t *testing.T) {
	f := New(Deps{})
	for _, tc := range []struct {
		err    error
		status int
		says   string
		allow  string
	}{
		{errkind.NotFoundf("Package npm x not found"), 404, "Package npm x not found", ""},
		{errkind.Conflictf("You cannot publish over the previously published versions: 1.0.0."), 409, "previously published", ""},
		{errkind.Quotaf("too big"), 413, "too big", ""},
		{errors.New("disk on fire at /var/lib/arca"), 500, "internal error (request id ", ""},
		{&format.Refusal{Status: 405, Message: "npm unpublish is not supported", Allow: []string{"GET", "HEAD"}}, 405, "unpublish", "GET, HEAD"},
	} {
		w := httptest.NewRecorder()
		w.Header().Set("Content-Encoding", "gzip") // set before the failure
		f.WriteError(w, httptest.NewRequest(http.MethodGet, "/x", nil), tc.err)
		var body struct{ Error string }
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if w.Code != tc.status || !strings.Contains(body.Error, tc.says) || w.Header().Get("Allow") != tc.allow ||
			w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Content-Encoding") != "" {
			t.Errorf("%v: %d %v %s", tc.err, w.Code, w.Header(), w.Body)
		}
		if strings.Contains(body.Error, "disk on fire") {
			t.Error("an internal error reached the client")
		}
	}
}
