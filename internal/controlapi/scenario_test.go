package controlapi_test

// In-process scenarios of the control plane (tier 3 of ARCHITECTURE.md):
// a full server on SQLite in a temporary directory, called over loopback
// HTTP by aws-sdk-go-v2's CodeArtifact client, the way a Go user calls AWS.
// Requests the SDK would never send (values it does not validate, broken
// signatures) are signed by hand with aws-sdk-go-v2's SigV4 signer.
//
// Every error path asserts the AWS error type the client maps the response
// to and then reads the state back to show that nothing changed.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
	"github.com/aws/smithy-go"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
)

// --- helpers ---

// scenario is one running server and an SDK client for its root account.
type scenario struct {
	t   *testing.T
	ctx context.Context
	srv *servertest.Server
	ca  *codeartifact.Client
}

func start(t *testing.T, options ...func(*config.Config)) *scenario {
	t.Helper()
	srv := servertest.Start(t, options...)
	return &scenario{t: t, ctx: t.Context(), srv: srv, ca: newClient(srv.URL)}
}

// newClient returns a CodeArtifact client for the server at url, signing
// with the test root credentials. Retries are off so each call is exactly
// one request and its error is the server's answer.
func newClient(url string) *codeartifact.Client {
	return codeartifact.New(codeartifact.Options{
		Region:       servertest.Region,
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: servertest.AccessKeyID, SecretAccessKey: servertest.SecretAccessKey}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

// wantErr asserts that err is the modeled exception E, as the SDK maps the
// response, with a message and the request id the user would quote.
func wantErr[E smithy.APIError](t *testing.T, err error, doing string) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("%s: the user should get %T, got: %v", doing, e, err)
	}
	if e.ErrorMessage() == "" {
		t.Errorf("%s: %s has no message", doing, e.ErrorCode())
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Errorf("%s: the error has no request id (x-amzn-RequestId): %v", doing, err)
	}
	return e
}

// wantCode asserts the AWS error code of err, for errors the model does
// not list for the operation (the SDK then returns a generic API error).
func wantCode(t *testing.T, err error, code, doing string) {
	t.Helper()
	var e smithy.APIError
	if !errors.As(err, &e) || e.ErrorCode() != code {
		t.Errorf("%s: the user should get %s, got: %v", doing, code, err)
	}
}

// errCheck asserts the kind of an error in table tests.
type errCheck func(t *testing.T, err error, doing string)

func is[E smithy.APIError]() errCheck {
	return func(t *testing.T, err error, doing string) { t.Helper(); wantErr[E](t, err, doing) }
}

// must returns a call's result, failing the test on its error:
// must(s.ca.DescribeDomain(...))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func (s *scenario) createDomain(name string) *types.DomainDescription {
	s.t.Helper()
	out, err := s.ca.CreateDomain(s.ctx, &codeartifact.CreateDomainInput{Domain: aws.String(name)})
	if err != nil {
		s.t.Fatalf("create-domain %s: %v", name, err)
	}
	return out.Domain
}

func (s *scenario) createRepo(domain, name string, upstreams ...string) *types.RepositoryDescription {
	s.t.Helper()
	out, err := s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{
		Domain: aws.String(domain), Repository: aws.String(name), Upstreams: ups(upstreams...),
	})
	if err != nil {
		s.t.Fatalf("create-repository %s/%s: %v", domain, name, err)
	}
	return out.Repository
}

func (s *scenario) deleteRepo(domain, name string) {
	s.t.Helper()
	if _, err := s.ca.DeleteRepository(s.ctx, &codeartifact.DeleteRepositoryInput{Domain: aws.String(domain), Repository: aws.String(name)}); err != nil {
		s.t.Fatalf("delete-repository %s/%s: %v", domain, name, err)
	}
}

func (s *scenario) describeDomain(name string) *types.DomainDescription {
	s.t.Helper()
	out, err := s.ca.DescribeDomain(s.ctx, &codeartifact.DescribeDomainInput{Domain: aws.String(name)})
	if err != nil {
		s.t.Fatalf("describe-domain %s: %v", name, err)
	}
	return out.Domain
}

func (s *scenario) describeRepo(domain, name string) *types.RepositoryDescription {
	s.t.Helper()
	out, err := s.ca.DescribeRepository(s.ctx, &codeartifact.DescribeRepositoryInput{Domain: aws.String(domain), Repository: aws.String(name)})
	if err != nil {
		s.t.Fatalf("describe-repository %s/%s: %v", domain, name, err)
	}
	return out.Repository
}

// domainNames lists every domain, following nextToken.
func (s *scenario) domainNames() []string {
	s.t.Helper()
	names := []string{}
	p := codeartifact.NewListDomainsPaginator(s.ca, &codeartifact.ListDomainsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			s.t.Fatalf("list-domains: %v", err)
		}
		for _, d := range page.Domains {
			names = append(names, *d.Name)
		}
	}
	return names
}

// repoNames lists the repositories of a domain, following nextToken.
func (s *scenario) repoNames(domain string) []string {
	s.t.Helper()
	names := []string{}
	p := codeartifact.NewListRepositoriesInDomainPaginator(s.ca, &codeartifact.ListRepositoriesInDomainInput{Domain: aws.String(domain)})
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			s.t.Fatalf("list-repositories-in-domain %s: %v", domain, err)
		}
		for _, r := range page.Repositories {
			names = append(names, *r.Name)
		}
	}
	return names
}

// repoState is what a user can read about a repository, for before/after
// comparisons.
type repoState struct {
	Description string
	Upstreams   []string
	Connections []string
	Tags        map[string]string
}

// state reads every repository of a domain.
func (s *scenario) state(domain string) map[string]repoState {
	s.t.Helper()
	out := map[string]repoState{}
	for _, name := range s.repoNames(domain) {
		r := s.describeRepo(domain, name)
		st := repoState{Description: aws.ToString(r.Description), Upstreams: upstreamsOf(r), Tags: s.tags(*r.Arn)}
		for _, c := range r.ExternalConnections {
			st.Connections = append(st.Connections, *c.ExternalConnectionName)
		}
		out[name] = st
	}
	return out
}

func (s *scenario) unchanged(doing string, before, after any) {
	s.t.Helper()
	if !reflect.DeepEqual(before, after) {
		s.t.Errorf("%s changed the state:\nbefore %+v\nafter  %+v", doing, before, after)
	}
}

func (s *scenario) tags(resourceARN string) map[string]string {
	s.t.Helper()
	out, err := s.ca.ListTagsForResource(s.ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: aws.String(resourceARN)})
	if err != nil {
		s.t.Fatalf("list-tags-for-resource %s: %v", resourceARN, err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[*tg.Key] = *tg.Value
	}
	return m
}

func ups(names ...string) []types.UpstreamRepository {
	if names == nil {
		return nil
	}
	out := make([]types.UpstreamRepository, len(names))
	for i, n := range names {
		out[i] = types.UpstreamRepository{RepositoryName: aws.String(n)}
	}
	return out
}

func upstreamsOf(r *types.RepositoryDescription) []string {
	out := []string{}
	for _, u := range r.Upstreams {
		out = append(out, *u.RepositoryName)
	}
	return out
}

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

func domainARN(domain string) string {
	return "arn:aws:codeartifact:us-east-1:" + servertest.AccountID + ":domain/" + domain
}

func repoARN(domain, repo string) string {
	return "arn:aws:codeartifact:us-east-1:" + servertest.AccountID + ":repository/" + domain + "/" + repo
}

// --- raw signed requests ---

// rawRequest is a control-plane request built by hand. By default it is
// signed like the AWS CLI signs, with the root credentials, now.
type rawRequest struct {
	method, target, body string
	accessKey, secret    string
	at                   time.Time
	unsigned             bool
	// afterSigning changes the request once it is signed (tampering).
	afterSigning func(*http.Request)
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

func (s *scenario) do(rr rawRequest) rawResponse {
	s.t.Helper()
	var body io.Reader
	if rr.body != "" {
		body = strings.NewReader(rr.body)
	}
	req, err := http.NewRequestWithContext(s.ctx, rr.method, s.srv.URL+rr.target, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if rr.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if !rr.unsigned {
		ak, sk, at := servertest.AccessKeyID, servertest.SecretAccessKey, time.Now()
		if rr.accessKey != "" {
			ak = rr.accessKey
		}
		if rr.secret != "" {
			sk = rr.secret
		}
		if !rr.at.IsZero() {
			at = rr.at
		}
		sum := sha256.Sum256([]byte(rr.body))
		creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
		if err := v4.NewSigner().SignHTTP(s.ctx, creds, req, hex.EncodeToString(sum[:]), "codeartifact", servertest.Region, at); err != nil {
			s.t.Fatal(err)
		}
	}
	if rr.afterSigning != nil {
		rr.afterSigning(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// wantAWSError asserts the AWS error shape every client parses: the
// status, x-amzn-ErrorType, a JSON body with __type and message, and
// x-amzn-RequestId. It returns the decoded body.
func (r rawResponse) wantAWSError(t *testing.T, doing string, status int, typ string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d (body %s)", doing, r.status, status, r.body)
	}
	if got := r.header.Get("X-Amzn-Errortype"); got != typ {
		t.Errorf("%s: x-amzn-ErrorType %q, want %q (body %s)", doing, got, typ, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", doing, ct)
	}
	if r.header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("%s: no x-amzn-RequestId", doing)
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%s: body is not JSON: %v: %q", doing, err, r.body)
	}
	if tp, _ := body["__type"].(string); tp != typ && !strings.HasSuffix(tp, "#"+typ) {
		t.Errorf("%s: __type %q, want %q", doing, body["__type"], typ)
	}
	if msg, _ := body["message"].(string); msg == "" {
		t.Errorf("%s: no message in %s", doing, r.body)
	}
	return body
}

// --- 1. domains ---

func TestDomainLifecycle(t *testing.T) {
	s := start(t)
	before := time.Now().Truncate(time.Millisecond)
	out, err := s.ca.CreateDomain(s.ctx, &codeartifact.CreateDomainInput{
		Domain: aws.String("my-domain"),
		Tags:   []types.Tag{tag("team", "web"), tag("cost-center", "42")},
	})
	if err != nil {
		t.Fatalf("create-domain: %v", err)
	}
	after := time.Now()
	d := out.Domain
	if *d.Name != "my-domain" || *d.Owner != servertest.AccountID || *d.Arn != domainARN("my-domain") ||
		d.Status != types.DomainStatusActive || d.RepositoryCount != 0 || d.AssetSizeBytes != 0 {
		t.Errorf("create-domain returned name %s owner %s arn %s status %s repositoryCount %d assetSizeBytes %d",
			aws.ToString(d.Name), aws.ToString(d.Owner), aws.ToString(d.Arn), d.Status, d.RepositoryCount, d.AssetSizeBytes)
	}
	// Without an encryption key, the domain records a KMS key ARN of the
	// owner's account in the server's region.
	kmsARN := regexp.MustCompile(`^arn:aws:kms:us-east-1:` + servertest.AccountID + `:(key|alias)/\S+$`)
	if !kmsARN.MatchString(aws.ToString(d.EncryptionKey)) {
		t.Errorf("default encryptionKey %q is not a KMS key ARN of account %s in us-east-1", aws.ToString(d.EncryptionKey), servertest.AccountID)
	}
	if d.CreatedTime == nil || d.CreatedTime.Before(before) || d.CreatedTime.After(after) {
		t.Errorf("createdTime %v is not within the call [%v, %v]", d.CreatedTime, before, after)
	}
	wantTags := map[string]string{"team": "web", "cost-center": "42"}
	if got := s.tags(domainARN("my-domain")); !maps.Equal(got, wantTags) {
		t.Errorf("tags given at creation: %v, want %v", got, wantTags)
	}
	if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); !ok || id == "" {
		t.Errorf("create-domain: the response has no request id (x-amzn-RequestId)")
	}
	if got := s.describeDomain("my-domain"); !reflect.DeepEqual(got, d) {
		t.Errorf("describe-domain %+v differs from what create-domain returned %+v", got, d)
	}

	// A second domain of the same name is refused and the first is kept as it was.
	_, err = s.ca.CreateDomain(s.ctx, &codeartifact.CreateDomainInput{Domain: aws.String("my-domain"), Tags: []types.Tag{tag("team", "other")}})
	wantErr[*types.ConflictException](t, err, "create-domain of an existing name")
	s.unchanged("duplicate create-domain", d, s.describeDomain("my-domain"))
	s.unchanged("duplicate create-domain", wantTags, s.tags(domainARN("my-domain")))
	s.unchanged("duplicate create-domain", []string{"my-domain"}, s.domainNames())

	// repositoryCount is true as repositories come and go.
	count := func(want int32) {
		t.Helper()
		got := s.describeDomain("my-domain")
		if got.RepositoryCount != want || got.AssetSizeBytes != 0 {
			t.Errorf("describe-domain: repositoryCount %d assetSizeBytes %d, want %d and 0", got.RepositoryCount, got.AssetSizeBytes, want)
		}
	}
	s.createRepo("my-domain", "repo-a")
	count(1)
	s.createRepo("my-domain", "repo-b", "repo-a")
	count(2)

	// A domain with repositories cannot be deleted.
	_, err = s.ca.DeleteDomain(s.ctx, &codeartifact.DeleteDomainInput{Domain: aws.String("my-domain")})
	wantErr[*types.ConflictException](t, err, "delete-domain with repositories")
	count(2)
	s.unchanged("refused delete-domain", []string{"repo-a", "repo-b"}, s.repoNames("my-domain"))
	s.unchanged("refused delete-domain", wantTags, s.tags(domainARN("my-domain")))

	s.deleteRepo("my-domain", "repo-b")
	count(1)
	s.deleteRepo("my-domain", "repo-a")
	count(0)

	del, err := s.ca.DeleteDomain(s.ctx, &codeartifact.DeleteDomainInput{Domain: aws.String("my-domain")})
	if err != nil {
		t.Fatalf("delete-domain of an empty domain: %v", err)
	}
	if del.Domain == nil || del.Domain.Status != types.DomainStatusDeleted || aws.ToString(del.Domain.Name) != "my-domain" || aws.ToString(del.Domain.Arn) != domainARN("my-domain") {
		t.Errorf("delete-domain returned %+v, want my-domain with status Deleted", del.Domain)
	}

	_, err = s.ca.DescribeDomain(s.ctx, &codeartifact.DescribeDomainInput{Domain: aws.String("my-domain")})
	nf := wantErr[*types.ResourceNotFoundException](t, err, "describe-domain after delete")
	if aws.ToString(nf.ResourceId) != "my-domain" || nf.ResourceType != types.ResourceTypeDomain {
		t.Errorf("ResourceNotFoundException names resourceId %q resourceType %q, want my-domain and domain", aws.ToString(nf.ResourceId), nf.ResourceType)
	}
	// The model lists no ResourceNotFoundException for DeleteDomain, so the
	// SDK cannot map it to its type; the user still sees the error code.
	_, err = s.ca.DeleteDomain(s.ctx, &codeartifact.DeleteDomainInput{Domain: aws.String("my-domain")})
	wantCode(t, err, "ResourceNotFoundException", "delete-domain of a deleted domain")
	s.unchanged("delete-domain", []string{}, s.domainNames())

	// The name is free again, and the new domain starts with nothing of the old one.
	s.createDomain("my-domain")
	if got := s.tags(domainARN("my-domain")); len(got) != 0 {
		t.Errorf("a domain created again under a deleted domain's name has the old tags %v", got)
	}
}

func TestCreateWithBadTagsCreatesNothing(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = tag(fmt.Sprintf("k%02d", i), "v")
	}
	cases := []struct {
		name string
		tags []types.Tag
		want errCheck
	}{
		{"51 tags", many, is[*types.ServiceQuotaExceededException]()},
		{"an aws: key", []types.Tag{tag("team", "web"), tag("aws:owner", "me")}, is[*types.ValidationException]()},
		{"a duplicate key", []types.Tag{tag("team", "web"), tag("team", "ops")}, is[*types.ValidationException]()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.ca.CreateDomain(s.ctx, &codeartifact.CreateDomainInput{Domain: aws.String("tagged"), Tags: c.tags})
			c.want(t, err, "create-domain with "+c.name)
			s.unchanged("create-domain with "+c.name, []string{"dom"}, s.domainNames())

			_, err = s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String("tagged"), Tags: c.tags})
			c.want(t, err, "create-repository with "+c.name)
			s.unchanged("create-repository with "+c.name, []string{}, s.repoNames("dom"))
		})
	}
}

// TestDeletedResourcesLeaveNothingBehind checks that a domain or repository created
// again under a deleted one's name starts without its tags and policy.
func TestDeletedResourcesLeaveNothingBehind(t *testing.T) {
	s := start(t)
	create := func() {
		t.Helper()
		must(s.ca.CreateDomain(s.ctx, &codeartifact.CreateDomainInput{Domain: aws.String("dom"), Tags: []types.Tag{tag("k", "v")}}))(t)
		must(s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String("repo"), Tags: []types.Tag{tag("k", "v")}}))(t)
	}
	create()
	must(s.domainPolicy("dom").put(guideDomainPolicy, nil))(t)
	must(s.repoPolicy("dom", "repo").put(guideRepoPolicy, nil))(t)

	// The repository alone first, then the whole domain.
	s.deleteRepo("dom", "repo")
	must(s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String("repo")}))(t)
	if got := s.tags(repoARN("dom", "repo")); len(got) != 0 {
		t.Errorf("a repository created again has the deleted one's tags %v", got)
	}
	_, err := s.repoPolicy("dom", "repo").get()
	wantErr[*types.ResourceNotFoundException](t, err, "get-repository-permissions-policy of a repository created again")

	s.deleteRepo("dom", "repo")
	must(s.ca.DeleteDomain(s.ctx, &codeartifact.DeleteDomainInput{Domain: aws.String("dom")}))(t)
	create()
	for _, arn := range []string{domainARN("dom"), repoARN("dom", "repo")} {
		if got := s.tags(arn); !maps.Equal(got, map[string]string{"k": "v"}) {
			t.Errorf("%s created again: tags %v, want only those given now", arn, got)
		}
	}
	_, err = s.domainPolicy("dom").get()
	wantErr[*types.ResourceNotFoundException](t, err, "get-domain-permissions-policy of a domain created again")
	_, err = s.repoPolicy("dom", "repo").get()
	wantErr[*types.ResourceNotFoundException](t, err, "get-repository-permissions-policy in a domain created again")
}

func TestListDomainsPaging(t *testing.T) {
	s := start(t)
	names := []string{"golf", "alpha", "echo", "charlie", "bravo", "foxtrot", "delta"}
	for _, n := range names {
		s.createDomain(n)
	}
	want := slices.Sorted(slices.Values(names))

	var got []string
	var sizes []int
	var token *string
	for page := 0; ; page++ {
		if page > len(names) {
			t.Fatalf("list-domains never ends: %d pages", page)
		}
		out, err := s.ca.ListDomains(s.ctx, &codeartifact.ListDomainsInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatalf("list-domains page %d: %v", page+1, err)
		}
		sizes = append(sizes, len(out.Domains))
		for _, d := range out.Domains {
			got = append(got, *d.Name)
			if *d.Owner != servertest.AccountID || *d.Arn != domainARN(*d.Name) || d.Status != types.DomainStatusActive ||
				aws.ToString(d.EncryptionKey) == "" || d.CreatedTime == nil {
				t.Errorf("list-domains summary %+v is incomplete", d)
			}
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if !slices.Equal(got, want) {
		t.Errorf("list-domains --page-size 2 gave %v, want every domain once in name order %v", got, want)
	}
	if !slices.Equal(sizes, []int{2, 2, 2, 1}) {
		t.Errorf("page sizes %v, want [2 2 2 1]", sizes)
	}

	// A page that holds exactly what is left has no nextToken.
	out := must(s.ca.ListDomains(s.ctx, &codeartifact.ListDomainsInput{MaxResults: aws.Int32(7)}))(t)
	if len(out.Domains) != 7 || out.NextToken != nil {
		t.Errorf("list-domains --max-results 7 of 7 domains: %d domains, nextToken %v; want 7 and none", len(out.Domains), aws.ToString(out.NextToken))
	}
	// The SDK's paginator (what aws-cli does by default) sees them all.
	if got := s.domainNames(); !slices.Equal(got, want) {
		t.Errorf("list-domains without a page size: %v, want %v", got, want)
	}
}

// --- 2. repositories ---

func TestRepositoryLifecycle(t *testing.T) {
	s := start(t)
	s.createDomain("my-domain")
	for _, n := range []string{"up-1", "up-2", "up-3"} {
		s.createRepo("my-domain", n)
	}
	before := time.Now().Truncate(time.Millisecond)
	out, err := s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{
		Domain: aws.String("my-domain"), Repository: aws.String("my-repo"),
		Description: aws.String("desc"), Upstreams: ups("up-2", "up-1"), Tags: []types.Tag{tag("k", "v")},
	})
	if err != nil {
		t.Fatalf("create-repository: %v", err)
	}
	r := out.Repository
	if aws.ToString(r.Name) != "my-repo" || aws.ToString(r.DomainName) != "my-domain" || aws.ToString(r.DomainOwner) != servertest.AccountID ||
		aws.ToString(r.AdministratorAccount) != servertest.AccountID || aws.ToString(r.Arn) != repoARN("my-domain", "my-repo") ||
		aws.ToString(r.Description) != "desc" || len(r.ExternalConnections) != 0 {
		t.Errorf("create-repository returned %+v", r)
	}
	if got := upstreamsOf(r); !slices.Equal(got, []string{"up-2", "up-1"}) {
		t.Errorf("create-repository upstreams %v, want [up-2 up-1] in the order given", got)
	}
	if r.CreatedTime == nil || r.CreatedTime.Before(before) || r.CreatedTime.After(time.Now()) {
		t.Errorf("createdTime %v is not within the call", r.CreatedTime)
	}
	if got := s.tags(repoARN("my-domain", "my-repo")); !maps.Equal(got, map[string]string{"k": "v"}) {
		t.Errorf("tags given at creation: %v", got)
	}
	if got := s.describeRepo("my-domain", "my-repo"); !reflect.DeepEqual(got, r) {
		t.Errorf("describe-repository %+v differs from what create-repository returned %+v", got, r)
	}
	state := s.state("my-domain")

	_, err = s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{
		Domain: aws.String("my-domain"), Repository: aws.String("my-repo"), Description: aws.String("other"), Tags: []types.Tag{tag("k", "other")},
	})
	wantErr[*types.ConflictException](t, err, "create-repository of an existing name")
	s.unchanged("duplicate create-repository", state, s.state("my-domain"))

	_, err = s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("no-such-domain"), Repository: aws.String("my-repo")})
	wantErr[*types.ResourceNotFoundException](t, err, "create-repository in a missing domain")
	s.unchanged("create-repository in a missing domain", []string{"my-domain"}, s.domainNames())

	update := func(in *codeartifact.UpdateRepositoryInput) *types.RepositoryDescription {
		t.Helper()
		in.Domain, in.Repository = aws.String("my-domain"), aws.String("my-repo")
		out, err := s.ca.UpdateRepository(s.ctx, in)
		if err != nil {
			t.Fatalf("update-repository: %v", err)
		}
		if got := s.describeRepo("my-domain", "my-repo"); !reflect.DeepEqual(got, out.Repository) {
			t.Errorf("describe-repository %+v differs from what update-repository returned %+v", got, out.Repository)
		}
		return out.Repository
	}
	check := func(r *types.RepositoryDescription, doing, desc string, upstreams ...string) {
		t.Helper()
		if aws.ToString(r.Description) != desc || !slices.Equal(upstreamsOf(r), upstreams) {
			t.Errorf("after %s: description %q upstreams %v, want %q and %v", doing, aws.ToString(r.Description), upstreamsOf(r), desc, upstreams)
		}
	}

	r = update(&codeartifact.UpdateRepositoryInput{Description: aws.String("new desc")})
	check(r, "update-repository --description (no --upstreams)", "new desc", "up-2", "up-1")
	r = update(&codeartifact.UpdateRepositoryInput{Upstreams: ups("up-3", "up-1", "up-2")})
	check(r, "update-repository --upstreams up-3 up-1 up-2", "new desc", "up-3", "up-1", "up-2")
	r = update(&codeartifact.UpdateRepositoryInput{})
	check(r, "update-repository with neither member", "new desc", "up-3", "up-1", "up-2")
	r = update(&codeartifact.UpdateRepositoryInput{Upstreams: []types.UpstreamRepository{}})
	check(r, "update-repository --upstreams with an empty list", "new desc")

	_, err = s.ca.UpdateRepository(s.ctx, &codeartifact.UpdateRepositoryInput{Domain: aws.String("my-domain"), Repository: aws.String("missing"), Description: aws.String("x")})
	wantErr[*types.ResourceNotFoundException](t, err, "update-repository of a missing repository")
	_, err = s.ca.DescribeRepository(s.ctx, &codeartifact.DescribeRepositoryInput{Domain: aws.String("my-domain"), Repository: aws.String("missing")})
	nf := wantErr[*types.ResourceNotFoundException](t, err, "describe-repository of a missing repository")
	if aws.ToString(nf.ResourceId) != "missing" || nf.ResourceType != types.ResourceTypeRepository {
		t.Errorf("ResourceNotFoundException names resourceId %q resourceType %q, want missing and repository", aws.ToString(nf.ResourceId), nf.ResourceType)
	}

	del, err := s.ca.DeleteRepository(s.ctx, &codeartifact.DeleteRepositoryInput{Domain: aws.String("my-domain"), Repository: aws.String("my-repo")})
	if err != nil {
		t.Fatalf("delete-repository: %v", err)
	}
	if aws.ToString(del.Repository.Name) != "my-repo" || aws.ToString(del.Repository.Description) != "new desc" {
		t.Errorf("delete-repository returned %+v, want the repository as it was", del.Repository)
	}
	_, err = s.ca.DeleteRepository(s.ctx, &codeartifact.DeleteRepositoryInput{Domain: aws.String("my-domain"), Repository: aws.String("my-repo")})
	wantErr[*types.ResourceNotFoundException](t, err, "delete-repository of a deleted repository")
	s.unchanged("delete-repository", []string{"up-1", "up-2", "up-3"}, s.repoNames("my-domain"))
}

func TestUpstreamRules(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	s.createDomain("other")
	s.createRepo("other", "elsewhere")
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("u%02d", i+1)
		s.createRepo("dom", eleven[i])
	}
	// a -> b -> c: a's upstream is b, b's is c.
	s.createRepo("dom", "repo-c")
	s.createRepo("dom", "repo-b", "repo-c")
	s.createRepo("dom", "repo-a", "repo-b")

	create := func(name string, upstreams ...string) func() error {
		return func() error {
			_, err := s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String(name), Upstreams: ups(upstreams...)})
			return err
		}
	}
	update := func(name string, upstreams ...string) func() error {
		return func() error {
			_, err := s.ca.UpdateRepository(s.ctx, &codeartifact.UpdateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String(name), Upstreams: ups(upstreams...)})
			return err
		}
	}
	cases := []struct {
		name string
		call func() error
		want errCheck
	}{
		{"create with a missing upstream", create("new", "repo-c", "missing"), is[*types.ResourceNotFoundException]()},
		{"update with a missing upstream", update("repo-c", "missing"), is[*types.ResourceNotFoundException]()},
		{"create naming itself", create("new", "new"), is[*types.ValidationException]()},
		{"update naming itself", update("repo-b", "repo-b"), is[*types.ValidationException]()},
		{"create with a duplicate", create("new", "repo-c", "u01", "repo-c"), is[*types.ValidationException]()},
		{"update with a duplicate", update("repo-c", "u01", "u01"), is[*types.ValidationException]()},
		{"create with 11 upstreams", create("new", eleven...), is[*types.ServiceQuotaExceededException]()},
		{"update with 11 upstreams", update("repo-c", eleven...), is[*types.ServiceQuotaExceededException]()},
		{"cycle a->b->a", update("repo-b", "repo-a"), is[*types.ValidationException]()},
		{"cycle a->b->c->a", update("repo-c", "repo-a"), is[*types.ValidationException]()},
		{"cycle through the second upstream", update("repo-c", "u01", "repo-a"), is[*types.ValidationException]()},
		{"create with an upstream in another domain", create("new", "elsewhere"), is[*types.ResourceNotFoundException]()},
		{"update with an upstream in another domain", update("repo-c", "elsewhere"), is[*types.ResourceNotFoundException]()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, beforeOther := s.state("dom"), s.state("other")
			c.want(t, c.call(), c.name)
			s.unchanged(c.name, before, s.state("dom"))
			s.unchanged(c.name, beforeOther, s.state("other"))
		})
	}

	// The limit is 10 direct upstreams, so 10 are accepted, in order; and
	// a diamond (two paths to one repository) is not a cycle.
	r := s.createRepo("dom", "ten", eleven[:10]...)
	if got := upstreamsOf(r); !slices.Equal(got, eleven[:10]) {
		t.Errorf("create-repository with 10 upstreams: %v", got)
	}
	r = must(s.ca.UpdateRepository(s.ctx, &codeartifact.UpdateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String("ten"), Upstreams: ups("repo-a", "repo-b", "repo-c")}))(t).Repository
	if got := upstreamsOf(r); !slices.Equal(got, []string{"repo-a", "repo-b", "repo-c"}) {
		t.Errorf("upstreams a, b, c (b and c also reachable through a): %v", got)
	}
}

func TestDeleteRepositoryUsedAsUpstream(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	s.createRepo("dom", "base")
	s.createRepo("dom", "down-1", "base")
	s.createRepo("dom", "down-2", "base")
	deleteBase := func() error {
		_, err := s.ca.DeleteRepository(s.ctx, &codeartifact.DeleteRepositoryInput{Domain: aws.String("dom"), Repository: aws.String("base")})
		return err
	}
	before := s.state("dom")
	wantErr[*types.ConflictException](t, deleteBase(), "delete-repository of an upstream of two repositories")
	s.unchanged("refused delete-repository", before, s.state("dom"))

	// Deleting a downstream repository removes its upstream edges.
	s.deleteRepo("dom", "down-1")
	before = s.state("dom")
	wantErr[*types.ConflictException](t, deleteBase(), "delete-repository of an upstream of one repository")
	s.unchanged("refused delete-repository", before, s.state("dom"))

	// So does clearing the downstream's upstreams.
	must(s.ca.UpdateRepository(s.ctx, &codeartifact.UpdateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String("down-2"), Upstreams: []types.UpstreamRepository{}}))(t)
	if err := deleteBase(); err != nil {
		t.Errorf("delete-repository once no repository uses it as an upstream: %v", err)
	}
	s.unchanged("delete-repository", []string{"down-2"}, s.repoNames("dom"))
}

func TestExternalConnections(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	s.createRepo("dom", "npm-store")
	s.createRepo("dom", "my-repo", "npm-store")

	associate := func(repo, conn string) (*types.RepositoryDescription, error) {
		out, err := s.ca.AssociateExternalConnection(s.ctx, &codeartifact.AssociateExternalConnectionInput{
			Domain: aws.String("dom"), Repository: aws.String(repo), ExternalConnection: aws.String(conn)})
		if err != nil {
			return nil, err
		}
		return out.Repository, nil
	}
	disassociate := func(repo, conn string) (*types.RepositoryDescription, error) {
		out, err := s.ca.DisassociateExternalConnection(s.ctx, &codeartifact.DisassociateExternalConnectionInput{
			Domain: aws.String("dom"), Repository: aws.String(repo), ExternalConnection: aws.String(conn)})
		if err != nil {
			return nil, err
		}
		return out.Repository, nil
	}

	r, err := associate("npm-store", "public:npmjs")
	if err != nil {
		t.Fatalf("associate-external-connection public:npmjs: %v", err)
	}
	if len(r.ExternalConnections) != 1 {
		t.Fatalf("after associate: externalConnections %+v, want public:npmjs", r.ExternalConnections)
	}
	conn := r.ExternalConnections[0]
	if aws.ToString(conn.ExternalConnectionName) != "public:npmjs" || conn.PackageFormat != types.PackageFormatNpm || conn.Status == "" {
		t.Errorf("external connection %s format %s status %q, want public:npmjs, npm and a status",
			aws.ToString(conn.ExternalConnectionName), conn.PackageFormat, conn.Status)
	}
	if got := s.describeRepo("dom", "npm-store"); !reflect.DeepEqual(got, r) {
		t.Errorf("describe-repository %+v differs from what associate returned %+v", got, r)
	}

	cases := []struct {
		name string
		call func() error
		want errCheck
	}{
		{"a second connection", func() error { _, err := associate("npm-store", "public:pypi"); return err }, is[*types.ConflictException]()},
		{"the same connection again", func() error { _, err := associate("npm-store", "public:npmjs"); return err }, is[*types.ConflictException]()},
		{"an unknown connection name", func() error { _, err := associate("my-repo", "public:nope"); return err }, is[*types.ValidationException]()},
		{"a connection on a repository with upstreams", func() error { _, err := associate("my-repo", "public:npmjs"); return err }, is[*types.ConflictException]()},
		{"upstreams on a repository with a connection", func() error {
			_, err := s.ca.UpdateRepository(s.ctx, &codeartifact.UpdateRepositoryInput{Domain: aws.String("dom"), Repository: aws.String("npm-store"), Upstreams: ups("my-repo")})
			return err
		}, is[*types.ConflictException]()},
		{"a connection on a missing repository", func() error { _, err := associate("missing", "public:npmjs"); return err }, is[*types.ResourceNotFoundException]()},
		{"disassociate a connection the repository does not have", func() error { _, err := disassociate("npm-store", "public:pypi"); return err }, is[*types.ResourceNotFoundException]()},
		{"disassociate on a repository without connections", func() error { _, err := disassociate("my-repo", "public:npmjs"); return err }, is[*types.ResourceNotFoundException]()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.state("dom")
			c.want(t, c.call(), c.name)
			s.unchanged(c.name, before, s.state("dom"))
		})
	}

	r, err = disassociate("npm-store", "public:npmjs")
	if err != nil {
		t.Fatalf("disassociate-external-connection: %v", err)
	}
	if len(r.ExternalConnections) != 0 || len(s.describeRepo("dom", "npm-store").ExternalConnections) != 0 {
		t.Errorf("after disassociate the repository still has %+v", r.ExternalConnections)
	}
	_, err = disassociate("npm-store", "public:npmjs")
	wantErr[*types.ResourceNotFoundException](t, err, "disassociate of a connection already removed")

	// Every connection of the User Guide's list, with its package format.
	formats := map[string]types.PackageFormat{
		"public:npmjs": types.PackageFormatNpm, "public:pypi": types.PackageFormatPypi,
		"public:maven-central": types.PackageFormatMaven, "public:maven-googleandroid": types.PackageFormatMaven,
		"public:maven-gradleplugins": types.PackageFormatMaven, "public:maven-commonsware": types.PackageFormatMaven,
		"public:maven-clojars": types.PackageFormatMaven, "public:nuget-org": types.PackageFormatNuget,
		"public:ruby-gems-org": types.PackageFormatRuby, "public:crates-io": types.PackageFormatCargo,
	}
	for name, format := range formats {
		repo := "store-" + strings.TrimPrefix(name, "public:")
		s.createRepo("dom", repo)
		r, err := associate(repo, name)
		if err != nil {
			t.Errorf("associate %s: %v", name, err)
			continue
		}
		if len(r.ExternalConnections) != 1 || r.ExternalConnections[0].PackageFormat != format {
			t.Errorf("associate %s: %+v, want package format %s", name, r.ExternalConnections, format)
		}
	}
}

func TestListRepositories(t *testing.T) {
	s := start(t)
	s.createDomain("d1")
	s.createDomain("d2")
	for _, n := range []string{"shared", "lib-one", "app-two", "app-one"} {
		s.createRepo("d1", n)
	}
	for _, n := range []string{"shared", "app-three"} {
		s.createRepo("d2", n)
	}
	type ref struct{ domain, name string }
	summaries := func(rs []types.RepositorySummary) []ref {
		out := []ref{}
		for _, r := range rs {
			if aws.ToString(r.AdministratorAccount) != servertest.AccountID || aws.ToString(r.DomainOwner) != servertest.AccountID ||
				aws.ToString(r.Arn) != repoARN(aws.ToString(r.DomainName), aws.ToString(r.Name)) || r.CreatedTime == nil {
				t.Errorf("repository summary %+v is incomplete", r)
			}
			out = append(out, ref{*r.DomainName, *r.Name})
		}
		return out
	}
	// pages follows nextToken through a listing, returning the pages' contents.
	pages := func(doing string, list func(token *string) ([]types.RepositorySummary, *string, error)) [][]ref {
		t.Helper()
		var out [][]ref
		var token *string
		for {
			rs, next, err := list(token)
			if err != nil {
				t.Fatalf("%s page %d: %v", doing, len(out)+1, err)
			}
			out = append(out, summaries(rs))
			if next == nil {
				return out
			}
			if len(out) > 10 {
				t.Fatalf("%s never ends", doing)
			}
			token = next
		}
	}
	listAll := func(prefix *string, max *int32) func(*string) ([]types.RepositorySummary, *string, error) {
		return func(token *string) ([]types.RepositorySummary, *string, error) {
			out, err := s.ca.ListRepositories(s.ctx, &codeartifact.ListRepositoriesInput{RepositoryPrefix: prefix, MaxResults: max, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.Repositories, out.NextToken, nil
		}
	}
	inDomain := func(domain string, admin, prefix *string, max *int32) func(*string) ([]types.RepositorySummary, *string, error) {
		return func(token *string) ([]types.RepositorySummary, *string, error) {
			out, err := s.ca.ListRepositoriesInDomain(s.ctx, &codeartifact.ListRepositoriesInDomainInput{
				Domain: aws.String(domain), AdministratorAccount: admin, RepositoryPrefix: prefix, MaxResults: max, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.Repositories, out.NextToken, nil
		}
	}

	cases := []struct {
		name string
		list func(*string) ([]types.RepositorySummary, *string, error)
		want [][]ref
	}{
		{"list-repositories", listAll(nil, nil), [][]ref{{
			{"d1", "app-one"}, {"d2", "app-three"}, {"d1", "app-two"}, {"d1", "lib-one"}, {"d1", "shared"}, {"d2", "shared"}}}},
		{"list-repositories --repository-prefix app", listAll(aws.String("app"), nil), [][]ref{{
			{"d1", "app-one"}, {"d2", "app-three"}, {"d1", "app-two"}}}},
		{"list-repositories --max-results 1 (one name in two domains)", listAll(nil, aws.Int32(1)), [][]ref{
			{{"d1", "app-one"}}, {{"d2", "app-three"}}, {{"d1", "app-two"}}, {{"d1", "lib-one"}}, {{"d1", "shared"}}, {{"d2", "shared"}}}},
		{"list-repositories --repository-prefix app --max-results 2", listAll(aws.String("app"), aws.Int32(2)), [][]ref{
			{{"d1", "app-one"}, {"d2", "app-three"}}, {{"d1", "app-two"}}}},
		{"list-repositories-in-domain d1", inDomain("d1", nil, nil, nil), [][]ref{{
			{"d1", "app-one"}, {"d1", "app-two"}, {"d1", "lib-one"}, {"d1", "shared"}}}},
		{"list-repositories-in-domain d1 --repository-prefix app", inDomain("d1", nil, aws.String("app"), nil), [][]ref{{
			{"d1", "app-one"}, {"d1", "app-two"}}}},
		{"list-repositories-in-domain d1 --administrator-account (caller)", inDomain("d1", aws.String(servertest.AccountID), nil, nil), [][]ref{{
			{"d1", "app-one"}, {"d1", "app-two"}, {"d1", "lib-one"}, {"d1", "shared"}}}},
		{"list-repositories-in-domain d1 --administrator-account (another account)", inDomain("d1", aws.String("444455556666"), nil, nil), [][]ref{{}}},
		{"list-repositories-in-domain d1 --max-results 3", inDomain("d1", nil, nil, aws.Int32(3)), [][]ref{
			{{"d1", "app-one"}, {"d1", "app-two"}, {"d1", "lib-one"}}, {{"d1", "shared"}}}},
		{"list-repositories-in-domain d2 --max-results 1", inDomain("d2", nil, nil, aws.Int32(1)), [][]ref{
			{{"d2", "app-three"}}, {{"d2", "shared"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pages(c.name, c.list); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s pages:\n got %v\nwant %v", c.name, got, c.want)
			}
		})
	}

	// A nextToken is good only for the listing that produced it.
	first := must(s.ca.ListRepositoriesInDomain(s.ctx, &codeartifact.ListRepositoriesInDomainInput{
		Domain: aws.String("d1"), RepositoryPrefix: aws.String("app"), MaxResults: aws.Int32(1)}))(t)
	if first.NextToken == nil {
		t.Fatal("list-repositories-in-domain --max-results 1 of two matches has no nextToken")
	}
	misuse := []struct {
		name string
		call func() error
	}{
		{"with another prefix", func() error {
			_, err := s.ca.ListRepositoriesInDomain(s.ctx, &codeartifact.ListRepositoriesInDomainInput{Domain: aws.String("d1"), RepositoryPrefix: aws.String("lib"), NextToken: first.NextToken})
			return err
		}},
		{"in another domain", func() error {
			_, err := s.ca.ListRepositoriesInDomain(s.ctx, &codeartifact.ListRepositoriesInDomainInput{Domain: aws.String("d2"), RepositoryPrefix: aws.String("app"), NextToken: first.NextToken})
			return err
		}},
		{"on list-repositories", func() error {
			_, err := s.ca.ListRepositories(s.ctx, &codeartifact.ListRepositoriesInput{RepositoryPrefix: aws.String("app"), NextToken: first.NextToken})
			return err
		}},
	}
	for _, m := range misuse {
		wantErr[*types.ValidationException](t, m.call(), "a list-repositories-in-domain nextToken used "+m.name)
	}

	_, err := s.ca.ListRepositoriesInDomain(s.ctx, &codeartifact.ListRepositoriesInDomainInput{Domain: aws.String("missing")})
	wantErr[*types.ResourceNotFoundException](t, err, "list-repositories-in-domain of a missing domain")
}

// --- 3. resource policies ---

// Policies from the User Guide ("Repository policies" and "Domain
// policies"), verbatim: the document must come back byte for byte.
const (
	guideRepoPolicy = `{  
  "Version": "2012-10-17",  
  "Statement": [  
    {  
      "Action": [  
        "codeartifact:ReadFromRepository"  
      ],  
      "Effect": "Allow",  
      "Principal": {  
        "AWS": "arn:aws:iam::123456789012:root"  
      },  
      "Resource": "*"   
    }  
  ]  
}`
	guideRepoPolicyFull = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "codeartifact:DescribePackageVersion",
        "codeartifact:DescribeRepository",
        "codeartifact:GetPackageVersionReadme",
        "codeartifact:GetRepositoryEndpoint",
        "codeartifact:ListPackages",
        "codeartifact:ListPackageVersions",
        "codeartifact:ListPackageVersionAssets",
        "codeartifact:ListPackageVersionDependencies",
        "codeartifact:ReadFromRepository"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "Resource": "*"
    }
  ]
}`
	guideDomainPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "codeartifact:CreateRepository"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "Resource": "*"
    }
  ]
}`
	guideDomainPolicyFull = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "BasicDomainPolicy",
      "Action": [
        "codeartifact:GetDomainPermissionsPolicy",
        "codeartifact:ListRepositoriesInDomain",
        "codeartifact:GetAuthorizationToken",
        "codeartifact:DescribeDomain",
        "codeartifact:CreateRepository"
      ],
      "Effect": "Allow",
      "Resource": "*",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      }
    }
  ]
}`
)

// policyOps are the three policy operations of one resource.
type policyOps struct {
	name       string
	arn        string
	doc1, doc2 string
	put        func(doc string, revision *string) (*types.ResourcePolicy, error)
	get        func() (*types.ResourcePolicy, error)
	del        func(revision *string) (*types.ResourcePolicy, error)
}

func (s *scenario) domainPolicy(domain string) policyOps {
	d := aws.String(domain)
	return policyOps{
		name: "domain " + domain, arn: domainARN(domain), doc1: guideDomainPolicy, doc2: guideDomainPolicyFull,
		put: func(doc string, rev *string) (*types.ResourcePolicy, error) {
			out, err := s.ca.PutDomainPermissionsPolicy(s.ctx, &codeartifact.PutDomainPermissionsPolicyInput{Domain: d, PolicyDocument: aws.String(doc), PolicyRevision: rev})
			if err != nil {
				return nil, err
			}
			return out.Policy, nil
		},
		get: func() (*types.ResourcePolicy, error) {
			out, err := s.ca.GetDomainPermissionsPolicy(s.ctx, &codeartifact.GetDomainPermissionsPolicyInput{Domain: d})
			if err != nil {
				return nil, err
			}
			return out.Policy, nil
		},
		del: func(rev *string) (*types.ResourcePolicy, error) {
			out, err := s.ca.DeleteDomainPermissionsPolicy(s.ctx, &codeartifact.DeleteDomainPermissionsPolicyInput{Domain: d, PolicyRevision: rev})
			if err != nil {
				return nil, err
			}
			return out.Policy, nil
		},
	}
}

func (s *scenario) repoPolicy(domain, repo string) policyOps {
	d, r := aws.String(domain), aws.String(repo)
	return policyOps{
		name: "repository " + domain + "/" + repo, arn: repoARN(domain, repo), doc1: guideRepoPolicy, doc2: guideRepoPolicyFull,
		put: func(doc string, rev *string) (*types.ResourcePolicy, error) {
			out, err := s.ca.PutRepositoryPermissionsPolicy(s.ctx, &codeartifact.PutRepositoryPermissionsPolicyInput{Domain: d, Repository: r, PolicyDocument: aws.String(doc), PolicyRevision: rev})
			if err != nil {
				return nil, err
			}
			return out.Policy, nil
		},
		get: func() (*types.ResourcePolicy, error) {
			out, err := s.ca.GetRepositoryPermissionsPolicy(s.ctx, &codeartifact.GetRepositoryPermissionsPolicyInput{Domain: d, Repository: r})
			if err != nil {
				return nil, err
			}
			return out.Policy, nil
		},
		del: func(rev *string) (*types.ResourcePolicy, error) {
			out, err := s.ca.DeleteRepositoryPermissionsPolicy(s.ctx, &codeartifact.DeleteRepositoryPermissionsPolicyInput{Domain: d, Repository: r, PolicyRevision: rev})
			if err != nil {
				return nil, err
			}
			return out.Policy, nil
		},
	}
}

// wantPolicy asserts a returned policy: the document as put, the
// resource's ARN, a revision.
func wantPolicy(t *testing.T, doing string, got *types.ResourcePolicy, arn, doc string) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no policy in the response", doing)
	}
	if aws.ToString(got.Document) != doc {
		t.Errorf("%s: document\n%s\nwant the document as put\n%s", doing, aws.ToString(got.Document), doc)
	}
	if aws.ToString(got.ResourceArn) != arn {
		t.Errorf("%s: resourceArn %q, want %q", doing, aws.ToString(got.ResourceArn), arn)
	}
	if aws.ToString(got.Revision) == "" {
		t.Errorf("%s: no revision", doing)
	}
}

func TestPermissionsPolicies(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	s.createRepo("dom", "repo")
	for _, p := range []policyOps{s.domainPolicy("dom"), s.repoPolicy("dom", "repo")} {
		t.Run(p.name, func(t *testing.T) {
			_, err := p.get()
			wantErr[*types.ResourceNotFoundException](t, err, "get before any put")

			// A revision given when there is no policy is stale too.
			_, err = p.put(p.doc1, aws.String("no-such-revision"))
			wantErr[*types.ConflictException](t, err, "put with a revision when no policy is set")
			_, err = p.get()
			wantErr[*types.ResourceNotFoundException](t, err, "get after a refused first put")

			put1, err := p.put(p.doc1, nil)
			if err != nil {
				t.Fatalf("put of the User Guide's policy: %v", err)
			}
			wantPolicy(t, "put", put1, p.arn, p.doc1)
			rev1 := aws.ToString(put1.Revision)
			got := must(p.get())(t)
			wantPolicy(t, "get", got, p.arn, p.doc1)
			if aws.ToString(got.Revision) != rev1 {
				t.Errorf("get revision %q, want the revision put returned %q", aws.ToString(got.Revision), rev1)
			}

			put2, err := p.put(p.doc2, aws.String(rev1))
			if err != nil {
				t.Fatalf("put with the current revision: %v", err)
			}
			wantPolicy(t, "put with the current revision", put2, p.arn, p.doc2)
			rev2 := aws.ToString(put2.Revision)
			if rev2 == rev1 {
				t.Errorf("put with the current revision kept the revision %q; it must change", rev1)
			}
			current := must(p.get())(t)

			_, err = p.put(p.doc1, aws.String(rev1))
			wantErr[*types.ConflictException](t, err, "put with a stale revision")
			s.unchanged("put with a stale revision", current, must(p.get())(t))

			_, err = p.del(aws.String(rev1))
			wantErr[*types.ConflictException](t, err, "delete with a stale revision")
			s.unchanged("delete with a stale revision", current, must(p.get())(t))

			old, err := p.del(aws.String(rev2))
			if err != nil {
				t.Fatalf("delete with the current revision: %v", err)
			}
			wantPolicy(t, "delete (returns the old policy)", old, p.arn, p.doc2)
			if aws.ToString(old.Revision) != rev2 {
				t.Errorf("delete returned revision %q, want the deleted policy's %q", aws.ToString(old.Revision), rev2)
			}
			_, err = p.get()
			wantErr[*types.ResourceNotFoundException](t, err, "get after delete")
			_, err = p.del(nil)
			wantErr[*types.ResourceNotFoundException](t, err, "delete when no policy is set")

			// Without revisions: put, put again (overwrite), delete.
			must(p.put(p.doc1, nil))(t)
			must(p.put(p.doc2, nil))(t)
			wantPolicy(t, "get after an unconditional overwrite", must(p.get())(t), p.arn, p.doc2)
			wantPolicy(t, "unconditional delete", must(p.del(nil))(t), p.arn, p.doc2)
		})
	}

	t.Run("missing resources", func(t *testing.T) {
		for _, p := range []policyOps{s.domainPolicy("missing"), s.repoPolicy("dom", "missing"), s.repoPolicy("missing", "repo")} {
			_, err := p.put(p.doc1, nil)
			wantErr[*types.ResourceNotFoundException](t, err, "put on "+p.name)
			_, err = p.get()
			wantErr[*types.ResourceNotFoundException](t, err, "get on "+p.name)
			_, err = p.del(nil)
			wantErr[*types.ResourceNotFoundException](t, err, "delete on "+p.name)
		}
		s.unchanged("policy calls on missing resources", []string{"dom"}, s.domainNames())
		s.unchanged("policy calls on missing resources", []string{"repo"}, s.repoNames("dom"))
	})
}

func TestPermissionsPolicyValidation(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	s.createRepo("dom", "repo")
	s.createRepo("dom", "with-policy")
	withPolicy := s.repoPolicy("dom", "with-policy")
	must(withPolicy.put(guideRepoPolicy, nil))(t)

	bad := []struct{ name, doc string }{
		{"invalid JSON", `{"Version": "2012-10-17", "Statement": [`},
		{"not an object", `"codeartifact:*"`},
		{"no Principal", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codeartifact:ReadFromRepository", "Resource": "*"}]}`},
		{"unknown key", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "codeartifact:ReadFromRepository", "Resource": "*", "Condtion": {}}]}`},
		{"unknown top-level key", `{"Version": "2012-10-17", "Statment": []}`},
		{"bad Effect", `{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "codeartifact:*", "Resource": "*"}]}`},
	}
	for _, p := range []policyOps{s.domainPolicy("dom"), s.repoPolicy("dom", "repo"), withPolicy} {
		before, beforeErr := p.get()
		for _, b := range bad {
			t.Run(p.name+"/"+b.name, func(t *testing.T) {
				_, err := p.put(b.doc, nil)
				wantErr[*types.ValidationException](t, err, "put of a policy with "+b.name)
				after, afterErr := p.get()
				if (beforeErr == nil) != (afterErr == nil) || !reflect.DeepEqual(before, after) {
					t.Errorf("a refused put (%s) changed the stored policy: before %+v (%v), after %+v (%v)", b.name, before, beforeErr, after, afterErr)
				}
			})
		}
	}
}

// --- 4. tags ---

func TestTags(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	s.createRepo("dom", "repo")
	for _, arn := range []string{domainARN("dom"), repoARN("dom", "repo")} {
		t.Run(arn, func(t *testing.T) {
			tagRes := func(tags ...types.Tag) error {
				_, err := s.ca.TagResource(s.ctx, &codeartifact.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags})
				return err
			}
			untag := func(keys ...string) error {
				_, err := s.ca.UntagResource(s.ctx, &codeartifact.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: keys})
				return err
			}
			want := func(doing string, w map[string]string) {
				t.Helper()
				if got := s.tags(arn); !maps.Equal(got, w) {
					t.Errorf("after %s: tags %v, want %v", doing, got, w)
				}
			}
			want("nothing", map[string]string{})
			if err := tagRes(tag("env", "prod"), tag("team", "web")); err != nil {
				t.Fatalf("tag-resource: %v", err)
			}
			want("tag-resource env=prod team=web", map[string]string{"env": "prod", "team": "web"})
			if err := tagRes(tag("env", "staging")); err != nil {
				t.Fatalf("tag-resource overwrite: %v", err)
			}
			want("tag-resource env=staging", map[string]string{"env": "staging", "team": "web"})
			if err := untag("team", "never-set"); err != nil {
				t.Fatalf("untag-resource with an absent key: %v", err)
			}
			want("untag-resource team never-set", map[string]string{"env": "staging"})
			if err := untag("never-set"); err != nil {
				t.Fatalf("untag-resource of only an absent key: %v", err)
			}
			want("untag-resource never-set", map[string]string{"env": "staging"})

			// Up to 50 tags; overwriting one at the limit is fine; a 51st is not.
			full := map[string]string{"env": "staging"}
			var more []types.Tag
			for i := 1; i < 50; i++ {
				k := fmt.Sprintf("k%02d", i)
				more = append(more, tag(k, "v"))
				full[k] = "v"
			}
			if err := tagRes(more...); err != nil {
				t.Fatalf("tag-resource up to 50 tags: %v", err)
			}
			want("50 tags", full)
			if err := tagRes(tag("env", "prod")); err != nil {
				t.Errorf("tag-resource overwriting a key at 50 tags: %v", err)
			}
			full["env"] = "prod"
			want("overwrite at 50 tags", full)

			wantErr[*types.ServiceQuotaExceededException](t, tagRes(tag("k50", "v")), "tag-resource of a 51st tag")
			want("a refused 51st tag", full)
			wantErr[*types.ValidationException](t, tagRes(tag("aws:createdBy", "me")), "tag-resource with an aws: key")
			want("a refused aws: tag", full)
			wantErr[*types.ValidationException](t, tagRes(tag("env", "dev"), tag("AWS:x", "y")), "tag-resource of a good tag with an AWS: key")
			want("a refused batch with an aws: key", full)
		})
	}

	unknown := []string{
		domainARN("missing"),
		repoARN("dom", "missing"),
		repoARN("missing", "repo"),
		"arn:aws:codeartifact:eu-west-1:" + servertest.AccountID + ":domain/d",
		"arn:aws:codeartifact:us-east-1:" + servertest.AccountID + ":package/d/r/npm//left-pad",
		"not-an-arn",
	}
	for _, arn := range unknown {
		_, err := s.ca.ListTagsForResource(s.ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		wantErr[*types.ResourceNotFoundException](t, err, "list-tags-for-resource "+arn)
		_, err = s.ca.TagResource(s.ctx, &codeartifact.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{tag("k", "v")}})
		wantErr[*types.ResourceNotFoundException](t, err, "tag-resource "+arn)
		_, err = s.ca.UntagResource(s.ctx, &codeartifact.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"k"}})
		wantErr[*types.ResourceNotFoundException](t, err, "untag-resource "+arn)
	}
	s.unchanged("tag calls on unknown ARNs", []string{"dom"}, s.domainNames())
}

// --- 5. repository endpoints ---

func TestGetRepositoryEndpoint(t *testing.T) {
	// Every format of the model has repository endpoints.
	formats := []types.PackageFormat{"npm", "pypi", "maven", "nuget", "ruby", "generic", "swift", "cargo"}
	check := func(t *testing.T, s *scenario, base string) {
		s.createDomain("my-domain")
		s.createRepo("my-domain", "my-repo")
		for _, f := range formats {
			for _, owner := range []*string{nil, aws.String(servertest.AccountID)} {
				out, err := s.ca.GetRepositoryEndpoint(s.ctx, &codeartifact.GetRepositoryEndpointInput{
					Domain: aws.String("my-domain"), DomainOwner: owner, Repository: aws.String("my-repo"), Format: f})
				if err != nil {
					t.Errorf("get-repository-endpoint --format %s: %v", f, err)
					continue
				}
				want := base + "/my-domain-" + servertest.AccountID + "/" + string(f) + "/my-repo/"
				if got := aws.ToString(out.RepositoryEndpoint); got != want {
					t.Errorf("get-repository-endpoint --format %s: %q, want %q (aws codeartifact login appends to it verbatim)", f, got, want)
				}
			}
		}
		for _, missing := range [][2]string{{"my-domain", "missing"}, {"missing", "my-repo"}} {
			_, err := s.ca.GetRepositoryEndpoint(s.ctx, &codeartifact.GetRepositoryEndpointInput{
				Domain: aws.String(missing[0]), Repository: aws.String(missing[1]), Format: types.PackageFormatNpm})
			wantErr[*types.ResourceNotFoundException](t, err, "get-repository-endpoint of "+missing[0]+"/"+missing[1])
		}
	}
	t.Run("default public URL", func(t *testing.T) {
		s := start(t)
		check(t, s, s.srv.URL)
	})
	t.Run("configured public URL", func(t *testing.T) {
		s := start(t, func(c *config.Config) { c.PublicURL = "https://arca.example.com:8443/" })
		check(t, s, "https://arca.example.com:8443")
	})
}

// --- 6. authorization tokens ---

func TestGetAuthorizationToken(t *testing.T) {
	s := start(t)
	s.createDomain("my-domain")
	cases := []struct {
		name     string
		duration *int64
		lifetime time.Duration
	}{
		{"default", nil, 12 * time.Hour},
		{"900", aws.Int64(900), 15 * time.Minute},
		{"43200", aws.Int64(43200), 12 * time.Hour},
		{"3600", aws.Int64(3600), time.Hour},
	}
	for _, c := range cases {
		before := time.Now().Truncate(time.Millisecond)
		out, err := s.ca.GetAuthorizationToken(s.ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String("my-domain"), DurationSeconds: c.duration})
		after := time.Now()
		if err != nil {
			t.Errorf("get-authorization-token (%s): %v", c.name, err)
			continue
		}
		if aws.ToString(out.AuthorizationToken) == "" {
			t.Errorf("get-authorization-token (%s): no token", c.name)
		}
		if out.Expiration == nil {
			t.Errorf("get-authorization-token (%s): no expiration", c.name)
			continue
		}
		exp := *out.Expiration
		issued := exp.Add(-c.lifetime)
		if issued.Before(before) || issued.After(after) {
			t.Errorf("get-authorization-token (%s): expiration %v is not %v after the call [%v, %v]", c.name, exp, c.lifetime, before, after)
		}
		if !exp.Equal(exp.Truncate(time.Millisecond)) {
			t.Errorf("get-authorization-token (%s): expiration %v has more than millisecond precision", c.name, exp)
		}
	}

	bad := []struct {
		name     string
		domain   string
		duration *int64
		want     errCheck
	}{
		{"899 seconds", "my-domain", aws.Int64(899), is[*types.ValidationException]()},
		{"43201 seconds", "my-domain", aws.Int64(43201), is[*types.ValidationException]()},
		{"1 second", "my-domain", aws.Int64(1), is[*types.ValidationException]()},
		{"0 seconds with long-term credentials", "my-domain", aws.Int64(0), is[*types.ValidationException]()},
		{"a missing domain", "missing", nil, is[*types.ResourceNotFoundException]()},
	}
	for _, b := range bad {
		_, err := s.ca.GetAuthorizationToken(s.ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(b.domain), DurationSeconds: b.duration})
		b.want(t, err, "get-authorization-token for "+b.name)
	}
	s.unchanged("get-authorization-token", []string{"my-domain"}, s.domainNames())
}

// --- 7. server-side validation of what the SDKs leave unchecked ---

func TestServerSideValidation(t *testing.T) {
	s := start(t)
	for _, d := range []string{"alpha", "bravo", "charlie"} {
		s.createDomain(d)
	}
	s.createRepo("alpha", "my-repo")
	page := must(s.ca.ListDomains(s.ctx, &codeartifact.ListDomainsInput{MaxResults: aws.Int32(1)}))(t)
	if page.NextToken == nil {
		t.Fatal("list-domains --max-results 1 of 3 domains has no nextToken")
	}
	domainsToken := *page.NextToken
	// Change one character in the middle of the token.
	tampered := []byte(domainsToken)
	mid := len(tampered) / 2
	tampered[mid] = map[bool]byte{true: 'B', false: 'A'}[tampered[mid] == 'A']

	long := strings.Repeat("a", 60)
	cases := []struct {
		name string
		req  rawRequest
		// inMessage is what the message must name for the user to find the fault.
		inMessage string
	}{
		{"create-domain, 60-character name", rawRequest{method: "POST", target: "/v1/domain?domain=" + long, body: "{}"}, "domain"},
		{"create-domain My_Domain", rawRequest{method: "POST", target: "/v1/domain?domain=My_Domain", body: "{}"}, "domain"},
		{"create-repository, bad name", rawRequest{method: "POST", target: "/v1/repository?domain=alpha&repository=-bad", body: "{}"}, "repository"},
		{"create-repository, 101-character name", rawRequest{method: "POST", target: "/v1/repository?domain=alpha&repository=" + strings.Repeat("r", 101), body: "{}"}, "repository"},
		{"get-repository-endpoint --format bogus", rawRequest{method: "GET", target: "/v1/repository/endpoint?domain=alpha&repository=my-repo&format=bogus"}, "format"},
		{"get-authorization-token --duration-seconds 99999", rawRequest{method: "POST", target: "/v1/authorization-token?domain=alpha&duration=99999"}, "durationSeconds"},
		{"get-authorization-token --duration-seconds abc", rawRequest{method: "POST", target: "/v1/authorization-token?domain=alpha&duration=abc"}, "durationSeconds"},
		{"list-repositories --max-results 0", rawRequest{method: "POST", target: "/v1/repositories?max-results=0"}, "maxResults"},
		{"list-repositories --max-results 1001", rawRequest{method: "POST", target: "/v1/repositories?max-results=1001"}, "maxResults"},
		{"list-repositories-in-domain --max-results 0", rawRequest{method: "POST", target: "/v1/domain/repositories?domain=alpha&max-results=0"}, "maxResults"},
		{"list-repositories-in-domain --max-results 1001", rawRequest{method: "POST", target: "/v1/domain/repositories?domain=alpha&max-results=1001"}, "maxResults"},
		{"list-domains maxResults 0", rawRequest{method: "POST", target: "/v1/domains", body: `{"maxResults": 0}`}, "maxResults"},
		{"list-domains maxResults 1001", rawRequest{method: "POST", target: "/v1/domains", body: `{"maxResults": 1001}`}, "maxResults"},
		{"list-domains, malformed nextToken", rawRequest{method: "POST", target: "/v1/domains", body: `{"nextToken": "not-a-token"}`}, "token"},
		{"list-domains, tampered nextToken", rawRequest{method: "POST", target: "/v1/domains", body: `{"nextToken": "` + string(tampered) + `"}`}, "token"},
		{"list-repositories with a list-domains nextToken", rawRequest{method: "POST", target: "/v1/repositories?next-token=" + domainsToken}, "token"},
		{"list-repositories-in-domain with a list-domains nextToken", rawRequest{method: "POST", target: "/v1/domain/repositories?domain=alpha&next-token=" + domainsToken}, "token"},
		{"create-domain, body not JSON", rawRequest{method: "POST", target: "/v1/domain?domain=fine-name", body: `{"tags": [`}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			domains, repos := s.domainNames(), s.state("alpha")
			resp := s.do(c.req)
			body := resp.wantAWSError(t, c.name, http.StatusBadRequest, "ValidationException")
			if msg, _ := body["message"].(string); !strings.Contains(msg, c.inMessage) {
				t.Errorf("%s: message %q does not name %q", c.name, msg, c.inMessage)
			}
			s.unchanged(c.name, domains, s.domainNames())
			s.unchanged(c.name, repos, s.state("alpha"))
		})
	}

	// The limits themselves are accepted, and the untampered token works
	// where it came from.
	for _, ok := range []rawRequest{
		{method: "POST", target: "/v1/domains", body: `{"nextToken": "` + domainsToken + `"}`},
		{method: "POST", target: "/v1/domains", body: `{"maxResults": 1000}`},
		{method: "POST", target: "/v1/repositories?max-results=1"},
		{method: "POST", target: "/v1/domain/repositories?domain=alpha&max-results=1000"},
		{method: "POST", target: "/v1/authorization-token?domain=alpha&duration=43200"},
		{method: "POST", target: "/v1/domain?domain=" + strings.Repeat("b", 50), body: "{}"},
	} {
		if resp := s.do(ok); resp.status != http.StatusOK {
			t.Errorf("%s %s %s: %d %s, want 200", ok.method, ok.target, ok.body, resp.status, resp.body)
		}
	}
}

// --- 8. SigV4 failures ---

func TestSigV4Failures(t *testing.T) {
	s := start(t)
	const target = "/v1/domain?domain=sig-test"
	cases := []struct {
		name      string
		req       rawRequest
		typ       string
		inMessage string
	}{
		{"no Authorization header", rawRequest{unsigned: true}, "MissingAuthenticationTokenException", ""},
		{"unknown access key", rawRequest{accessKey: "AKIAUNKNOWNUNKNOWN00"}, "UnrecognizedClientException", ""},
		{"wrong secret", rawRequest{secret: "not-the-secret-access-key-of-the-root-00"}, "InvalidSignatureException", ""},
		{"X-Amz-Date 20 minutes old", rawRequest{at: time.Now().Add(-20 * time.Minute)}, "InvalidSignatureException", "Signature expired"},
		{"X-Amz-Date 20 minutes ahead", rawRequest{at: time.Now().Add(20 * time.Minute)}, "InvalidSignatureException", ""},
		{"query changed after signing", rawRequest{afterSigning: func(r *http.Request) { r.URL.RawQuery = "domain=sig-test-2" }}, "InvalidSignatureException", ""},
		{"body changed after signing", rawRequest{afterSigning: func(r *http.Request) {
			b := `{"tags":[{"key":"k","value":"v"}]}`
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
		}}, "InvalidSignatureException", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.method, c.req.target, c.req.body = "POST", target, "{}"
			resp := s.do(c.req)
			body := resp.wantAWSError(t, "create-domain with "+c.name, http.StatusForbidden, c.typ)
			if msg, _ := body["message"].(string); !strings.Contains(msg, c.inMessage) {
				t.Errorf("message %q, want it to say %q", msg, c.inMessage)
			}
			s.unchanged("create-domain with "+c.name, []string{}, s.domainNames())
		})
	}

	// The same request, signed properly, creates the domain (so the
	// failures above are the server refusing, not a broken test signer).
	resp := s.do(rawRequest{method: "POST", target: target, body: "{}"})
	if resp.status != http.StatusOK || resp.header.Get("X-Amzn-Requestid") == "" {
		t.Fatalf("properly signed create-domain: %d %s (x-amzn-RequestId %q)", resp.status, resp.body, resp.header.Get("X-Amzn-Requestid"))
	}
	s.unchanged("properly signed create-domain", []string{"sig-test"}, s.domainNames())
}

// --- 9. unknown paths ---

func TestUnknownPaths(t *testing.T) {
	s := start(t)
	s.createDomain("dom")
	s.createRepo("dom", "repo")

	for _, rr := range []rawRequest{
		{method: "GET", target: "/v1/no-such-operation"},
		{method: "GET", target: "/v1/no-such-operation", unsigned: true},
		{method: "DELETE", target: "/v1/domains"},
	} {
		resp := s.do(rr)
		doing := rr.method + " " + rr.target
		if resp.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", doing, resp.status)
		}
		if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q, want JSON", doing, ct)
		}
		var b map[string]any
		if err := json.Unmarshal(resp.body, &b); err != nil || b["message"] == "" || b["__type"] == nil {
			t.Errorf("%s: body %q is not an AWS JSON error", doing, resp.body)
		}
		if resp.header.Get("X-Amzn-Errortype") == "" || resp.header.Get("X-Amzn-Requestid") == "" {
			t.Errorf("%s: x-amzn-ErrorType %q x-amzn-RequestId %q", doing, resp.header.Get("X-Amzn-Errortype"), resp.header.Get("X-Amzn-Requestid"))
		}
	}
	s.unchanged("unknown paths", []string{"dom"}, s.domainNames())
	s.unchanged("unknown paths", []string{"repo"}, s.repoNames("dom"))
}
