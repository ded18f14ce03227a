package authz_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// A package group ARN is decided under its domain's policy, with the
// group's own tags as aws:ResourceTag.
func TestPackageGroupARNs(t *testing.T) {
	const acct = "111122223333"
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := identity.NewDirectory(st, time.Now)
	cat := catalog.New(st, "us-east-1", time.Now)
	ev := authz.New(dir, cat, "us-east-1", time.Now)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(dir.EnsureRoot(ctx, identity.Root{AccountID: acct, AccessKeyID: "AKIAROOTAAAAAAAAAAAA", SecretAccessKey: "root-secret-aaaaaaaa"}))
	_, err = dir.CreateUser(ctx, acct, "bob", "/")
	must(err)
	domain := catalog.DomainRef{Owner: acct, Name: "d"}
	_, err = cat.CreateDomain(ctx, domain, "", nil)
	must(err)
	must(cat.CreatePackageGroup(ctx, domain, "/npm/web/*", "", "", []store.Tag{{Key: "team", Value: "web"}}))
	must(cat.CreatePackageGroup(ctx, domain, "/npm/ops/*", "", "", nil))
	must(dir.PutInlinePolicy(ctx, acct, identity.Owner{Kind: store.OwnerUser, Name: "bob"}, "groups",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codeartifact:UpdatePackageGroup","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"web"}}}]}`))
	decide := func(pattern string) error {
		return ev.Authorize(ctx, authz.Request{
			Principal: identity.Principal{Account: acct, ARN: identity.UserARN(acct, "/", "bob")},
			Action:    "codeartifact:UpdatePackageGroup", Resource: arn.PackageGroup("us-east-1", acct, "d", pattern),
		})
	}
	if err := decide("/npm/web/*"); err != nil {
		t.Errorf("the tagged group: %v", err)
	}
	if err := decide("/npm/ops/*"); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("the untagged group: %v, want AccessDenied", err)
	}
	_, err = cat.PutPolicy(ctx, catalog.Resource{Kind: arn.KindDomain, Domain: domain},
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:UpdatePackageGroup","Resource":"*"}]}`, nil)
	must(err)
	if err := decide("/npm/web/*"); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("the tagged group under a domain policy's Deny: %v, want AccessDenied", err)
	}
}
