package authz_test

import (
	"errors"
	"testing"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
)

// A package group ARN is decided under its domain's policy, with the
// group's own tags as aws:ResourceTag.
func TestPackageGroupARNs(t *testing.T) {
	w := newStoreWorld(t)
	ctx, acct, dir, cat, ev, must, domain := w.ctx, w.acct, w.dir, w.cat, w.ev, w.must, w.domain
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
	_, err := cat.PutPolicy(ctx, catalog.Resource{Kind: arn.KindDomain, Domain: domain},
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:UpdatePackageGroup","Resource":"*"}]}`, nil)
	must(err)
	if err := decide("/npm/web/*"); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("the tagged group under a domain policy's Deny: %v, want AccessDenied", err)
	}
}

// Arca's own actions (the release-age gate) are decided by IAM policies
// like CodeArtifact's: codeartifact:* does not grant them, arca:* does,
// and a Deny of one wins.
func TestArcaActions(t *testing.T) {
	w := newStoreWorld(t)
	ctx, acct, dir, ev, must := w.ctx, w.acct, w.dir, w.ev, w.must
	bob := identity.Owner{Kind: store.OwnerUser, Name: "bob"}
	decide := func(action string) error {
		return ev.Authorize(ctx, authz.Request{
			Principal: identity.Principal{Account: acct, ARN: identity.UserARN(acct, "/", "bob")},
			Action:    action, Resource: arn.PackageGroup("us-east-1", acct, "d", "/npm/*"),
		})
	}
	must(dir.PutInlinePolicy(ctx, acct, bob, "all-codeartifact",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codeartifact:*","Resource":"*"}]}`))
	if err := decide("arca:AllowHeldVersion"); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("codeartifact:* granted arca:AllowHeldVersion: %v", err)
	}
	must(dir.PutInlinePolicy(ctx, acct, bob, "gate",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"arca:*","Resource":"*"},
		{"Effect":"Deny","Action":"arca:AllowHeldVersion","Resource":"*"}]}`))
	if err := decide("arca:PutReleaseGate"); err != nil {
		t.Errorf("arca:* did not grant arca:PutReleaseGate: %v", err)
	}
	if err := decide("arca:AllowHeldVersion"); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("a Deny of arca:AllowHeldVersion did not win: %v", err)
	}
}
