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

// TestChangesBindNextDecision runs the Evaluator over the real identity
// directory and catalog on SQLite, whose caches answer most decisions, and
// checks that every kind of change binds the very next decision: an
// identity policy, a repository policy, a domain policy, a tag, deleting
// the user.
func TestChangesBindNextDecision(t *testing.T) {
	w := newStoreWorld(t)
	ctx, acct, dir, cat, ev, must, domain := w.ctx, w.acct, w.dir, w.cat, w.ev, w.must, w.domain
	_, err := cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: domain, Name: "r"}, acct, "", nil, nil)
	must(err)
	repo := catalog.Resource{Kind: arn.KindRepository, Domain: domain, Repository: "r"}
	dom := catalog.Resource{Kind: arn.KindDomain, Domain: domain}
	bob := identity.Owner{Kind: store.OwnerUser, Name: "bob"}

	// A token names its principal by ARN only.
	req := authz.Request{
		Principal: identity.Principal{Account: acct, ARN: identity.UserARN(acct, "/", "bob")},
		Action:    "codeartifact:ReadFromRepository", Resource: arn.Repository("us-east-1", acct, "d", "r"),
	}
	steps := []struct {
		name   string
		change func() error
		want   error // nil: allowed
	}{
		{"no policy", func() error { return nil }, errkind.ErrAccessDenied},
		{"identity policy allows", func() error {
			return dir.PutInlinePolicy(ctx, acct, bob, "read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codeartifact:ReadFromRepository","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/frozen":"yes"}}}]}`)
		}, nil},
		{"repository policy denies", func() error {
			_, err := cat.PutPolicy(ctx, repo, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:*","Resource":"*"}]}`, nil)
			return err
		}, errkind.ErrAccessDenied},
		{"repository policy deleted", func() error { _, err := cat.DeletePolicy(ctx, repo, nil); return err }, nil},
		{"domain policy denies", func() error {
			_, err := cat.PutPolicy(ctx, dom, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:ReadFromRepository","Resource":"*"}]}`, nil)
			return err
		}, errkind.ErrAccessDenied},
		{"domain policy relaxed", func() error {
			_, err := cat.PutPolicy(ctx, dom, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:DeleteDomain","Resource":"*"}]}`, nil)
			return err
		}, nil},
		{"repository tagged frozen", func() error {
			return cat.TagResource(ctx, repo, []store.Tag{{Key: "frozen", Value: "yes"}})
		}, errkind.ErrAccessDenied},
		{"tag removed", func() error { return cat.UntagResource(ctx, repo, []string{"frozen"}) }, nil},
		{"identity policy deleted", func() error { return dir.DeleteInlinePolicy(ctx, acct, bob, "read") }, errkind.ErrAccessDenied},
		{"user deleted", func() error { return dir.DeleteUser(ctx, acct, "bob") }, errkind.ErrUnauthenticated},
	}
	for _, s := range steps {
		must(s.change())
		// Twice: the first decision may fill a cache, the second reads it.
		for range 2 {
			err := ev.Authorize(ctx, req)
			if (s.want == nil) != (err == nil) || s.want != nil && !errors.Is(err, s.want) {
				t.Fatalf("after %s: %v, want %v", s.name, err, s.want)
			}
		}
	}
}

// storeWorld is an Evaluator over the real identity directory and catalog
// on SQLite, with account 111122223333, its user bob (no policies) and
// its domain d.
type storeWorld struct {
	ctx    context.Context
	acct   string
	dir    *identity.Directory
	cat    *catalog.Catalog
	ev     *authz.Evaluator
	must   func(error)
	domain catalog.DomainRef
}

func newStoreWorld(t *testing.T) *storeWorld {
	w := &storeWorld{ctx: context.Background(), acct: "111122223333"}
	w.must = func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(w.ctx, filepath.Join(t.TempDir(), "arca.db"))
	w.must(err)
	t.Cleanup(func() { st.Close() })
	w.dir = identity.NewDirectory(st, time.Now)
	w.cat = catalog.New(st, "us-east-1", time.Now, nil)
	w.ev = authz.New(w.dir, w.cat, "us-east-1", time.Now)
	w.must(w.dir.EnsureRoot(w.ctx, identity.Root{AccountID: w.acct, AccessKeyID: "AKIAROOTAAAAAAAAAAAA", SecretAccessKey: "root-secret-aaaaaaaa"}))
	_, err = w.dir.CreateUser(w.ctx, w.acct, "bob", "/")
	w.must(err)
	w.domain = catalog.DomainRef{Owner: w.acct, Name: "d"}
	_, err = w.cat.CreateDomain(w.ctx, w.domain, "", nil)
	w.must(err)
	return w
}
