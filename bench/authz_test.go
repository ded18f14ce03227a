package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// Accounts of the authorization benchmark: the domain owner and a
// consumer account.
const (
	authzOwner    = "111122223333"
	authzConsumer = "444455556666"
	authzRegion   = "us-east-1"
)

// BenchmarkAuthorize measures one authorization decision with realistic
// policies: identity policies of 20 statements, a domain policy of 15
// and a repository policy of 15 (50 in all), with conditions on tags,
// accounts, addresses and the clock, evaluated by the Evaluator the
// server uses, over the identity directory and the catalog on SQLite (so
// with their caches, as on every request). The target is under
// 2 µs per decision.
func BenchmarkAuthorize(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	dir := identity.NewDirectory(st, time.Now)
	cat := catalog.New(st, authzRegion, time.Now, nil)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, acct := range []string{authzOwner, authzConsumer} {
		_, err := dir.CreateAccount(ctx, acct)
		must(err)
	}
	// The callers are role sessions (a user's inline policies may hold
	// only 2048 bytes in all): the role's identity side is four inline
	// policies of five statements.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + authzOwner + `"},"Action":"sts:AssumeRole"}]}`
	for _, acct := range []string{authzOwner, authzConsumer} {
		_, err := dir.CreateRole(ctx, acct, identity.RoleSpec{Name: "dev", TrustPolicy: trust})
		must(err)
		for i, doc := range identityPolicies(authzOwner) {
			must(dir.PutInlinePolicy(ctx, acct, identity.Owner{Kind: store.OwnerRole, Name: "dev"}, fmt.Sprintf("p%d", i), doc))
		}
	}
	domain := catalog.DomainRef{Owner: authzOwner, Name: "corp"}
	_, err = cat.CreateDomain(ctx, domain, "", []store.Tag{{Key: "team", Value: "platform"}})
	must(err)
	_, err = cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: domain, Name: "web"}, authzOwner, "", nil,
		[]store.Tag{{Key: "team", Value: "web"}, {Key: "stage", Value: "prod"}})
	must(err)
	_, err = cat.PutPolicy(ctx, catalog.Resource{Kind: arn.KindDomain, Domain: domain}, domainPolicy(), nil)
	must(err)
	_, err = cat.PutPolicy(ctx, catalog.Resource{Kind: arn.KindRepository, Domain: domain, Repository: "web"}, repositoryPolicy(), nil)
	must(err)
	ev := authz.New(dir, cat, authzRegion, time.Now)
	reqCtx := middleware.WithClient(ctx, middleware.Client{IP: "10.1.2.3", Secure: true})

	repoARN := arn.Repository(authzRegion, authzOwner, "corp", "web")
	pkgARN := arn.Package(authzRegion, authzOwner, "corp", "web", "npm", "corp", "ui-kit")
	for _, c := range []struct {
		name string
		req  authz.Request
	}{
		{"read/same-account", authz.Request{
			Principal: session(authzOwner),
			Action:    "codeartifact:ReadFromRepository", Resource: repoARN}},
		{"read/cross-account", authz.Request{
			Principal: session(authzConsumer),
			Action:    "codeartifact:ReadFromRepository", Resource: repoARN}},
		{"publish/package", authz.Request{
			Principal: session(authzOwner),
			Action:    "codeartifact:PublishPackageVersion", Resource: pkgARN}},
	} {
		b.Run(c.name, func(b *testing.B) {
			if err := ev.Authorize(reqCtx, c.req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := ev.Authorize(reqCtx, c.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// session names a session of the role dev of account by ARN, as an
// authorization token names its principal.
func session(account string) identity.Principal {
	return identity.Principal{Account: account, ARN: "arn:aws:sts::" + account + ":assumed-role/dev/build"}
}

// policyDoc wraps statements in a policy document.
func policyDoc(statements []string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// identityPolicies are 20 statements in four documents: allows scoped by
// resource and tag, denies that do not apply (other domains, long tokens,
// addresses outside the office) and are evaluated on every request.
func identityPolicies(owner string) []string {
	var s []string
	s = append(s,
		`{"Sid":"Read","Effect":"Allow","Action":["codeartifact:Describe*","codeartifact:Get*","codeartifact:List*","codeartifact:ReadFromRepository"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/stage":"prod"}}}`,
		`{"Sid":"Publish","Effect":"Allow","Action":["codeartifact:PublishPackageVersion","codeartifact:PutPackageMetadata"],"Resource":"arn:aws:codeartifact:*:`+owner+`:package/corp/*/npm/corp/*"}`,
		`{"Sid":"Token","Effect":"Allow","Action":"sts:GetServiceBearerToken","Resource":"*","Condition":{"StringEquals":{"sts:AWSServiceName":"codeartifact.amazonaws.com"}}}`,
		`{"Sid":"NoLongTokens","Effect":"Deny","Action":"sts:GetServiceBearerToken","Resource":"*","Condition":{"NumericGreaterThan":{"sts:DurationSeconds":"3600"}}}`,
		`{"Sid":"Office","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}`,
	)
	for i := len(s); i < 20; i++ {
		s = append(s, fmt.Sprintf(`{"Sid":"OtherDomain%d","Effect":"Deny","Action":"codeartifact:*","Resource":"arn:aws:codeartifact:*:*:*/legacy-%d/*"}`, i, i))
	}
	var docs []string
	for len(s) > 0 {
		docs = append(docs, policyDoc(s[:5]))
		s = s[5:]
	}
	return docs
}

// domainPolicy is 15 statements: the consumer account may read, the
// owner's account administers, nobody deletes, and a schedule.
func domainPolicy() string {
	s := []string{
		`{"Sid":"ConsumerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + authzConsumer + `:root"},"Action":["codeartifact:ReadFromRepository","codeartifact:GetAuthorizationToken","codeartifact:GetRepositoryEndpoint"],"Resource":"*"}`,
		`{"Sid":"OwnerAdmin","Effect":"Allow","Principal":{"AWS":"` + authzOwner + `"},"Action":"codeartifact:*","Resource":"*"}`,
		`{"Sid":"NoDelete","Effect":"Deny","Principal":"*","Action":["codeartifact:DeleteDomain","codeartifact:DeleteRepository"],"Resource":"*"}`,
		`{"Sid":"Window","Effect":"Deny","Principal":"*","Action":"codeartifact:Publish*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2001-01-01T00:00:00Z"}}}`,
	}
	for i := len(s); i < 15; i++ {
		s = append(s, fmt.Sprintf(`{"Sid":"Partner%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%012d:root"},"Action":"codeartifact:ReadFromRepository","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"%012d"}}}`, i, 900000000000+i, 900000000000+i))
	}
	return policyDoc(s)
}

// repositoryPolicy is 15 statements: per-team publishing, a tag guard
// and read access for named roles.
func repositoryPolicy() string {
	s := []string{
		`{"Sid":"TeamOnly","Effect":"Deny","Principal":"*","Action":"codeartifact:Publish*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/team":["web","platform"]}}}`,
		`{"Sid":"Readers","Effect":"Allow","Principal":"*","Action":"codeartifact:ReadFromRepository","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":["` + authzOwner + `","` + authzConsumer + `"]}}}`,
	}
	for i := len(s); i < 15; i++ {
		s = append(s, fmt.Sprintf(`{"Sid":"Role%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:role/team-%d"},"Action":["codeartifact:PublishPackageVersion","codeartifact:PutPackageMetadata"],"Resource":"arn:aws:codeartifact:*:%s:package/corp/web/npm/team-%d/*"}`, i, authzOwner, i, authzOwner, i))
	}
	return policyDoc(s)
}
