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
	const acct = "111122223333"
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := identity.NewDirectory(st, time.Now)
	cat := catalog.New(st, "us-east-1", time.Now, nil)
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
	_, err = cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: domain, Name: "r"}, acct, "", nil, nil)
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
