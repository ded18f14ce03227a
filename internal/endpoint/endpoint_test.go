package endpoint_test

// In-process scenarios of token use on repository endpoints (tier 3 of
// ARCHITECTURE.md): a full server, tokens from GetAuthorizationToken called
// with aws-sdk-go-v2, and package-manager requests sent the way npm, pip,
// Maven and cargo send their credentials.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/servertest"
)

// --- helpers ---

type scenario struct {
	t   *testing.T
	ctx context.Context
	srv *servertest.Server
	ca  *codeartifact.Client
}

func start(t *testing.T, opts ...server.Option) *scenario {
	t.Helper()
	srv := servertest.StartWith(t, opts)
	ca := srv.CodeArtifact()
	return &scenario{t: t, ctx: t.Context(), srv: srv, ca: ca}
}

// setup creates a domain and its repositories.
func (s *scenario) setup(domain string, repos ...string) {
	s.t.Helper()
	if _, err := s.ca.CreateDomain(s.ctx, &codeartifact.CreateDomainInput{Domain: aws.String(domain)}); err != nil {
		s.t.Fatalf("create-domain %s: %v", domain, err)
	}
	for _, r := range repos {
		if _, err := s.ca.CreateRepository(s.ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String(domain), Repository: aws.String(r)}); err != nil {
			s.t.Fatalf("create-repository %s/%s: %v", domain, r, err)
		}
	}
}

// token returns a fresh authorization token for domain.
func (s *scenario) token(domain string, seconds int64) string {
	s.t.Helper()
	in := &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(domain)}
	if seconds != 0 {
		in.DurationSeconds = aws.Int64(seconds)
	}
	out, err := s.ca.GetAuthorizationToken(s.ctx, in)
	if err != nil {
		s.t.Fatalf("get-authorization-token %s: %v", domain, err)
	}
	return *out.AuthorizationToken
}

// endpoint returns the repository endpoint, as `aws codeartifact login` gets it.
func (s *scenario) endpoint(domain, repo string, format types.PackageFormat) string {
	s.t.Helper()
	out, err := s.ca.GetRepositoryEndpoint(s.ctx, &codeartifact.GetRepositoryEndpointInput{Domain: aws.String(domain), Repository: aws.String(repo), Format: format})
	if err != nil {
		s.t.Fatalf("get-repository-endpoint %s/%s %s: %v", domain, repo, format, err)
	}
	return *out.RepositoryEndpoint
}

type response struct {
	status int
	header http.Header
	body   string
}

// get sends GET url with the given Authorization header ("" for none).
func (s *scenario) get(url, authorization string) response {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, url, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
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
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func bearer(tok string) string { return "Bearer " + tok }

func basic(tok string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("aws:"+tok))
}

// want401 asserts an authentication failure as a package manager sees it:
// 401 with a challenge, so Maven and NuGet know to send credentials.
func want401(t *testing.T, doing string, r response) {
	t.Helper()
	if r.status != http.StatusUnauthorized {
		t.Errorf("%s: status %d, want 401 (body %q)", doing, r.status, r.body)
	}
	if r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s: 401 without a WWW-Authenticate challenge", doing)
	}
}

// forge changes the character at i of tok to another base64url character
// whose top bit differs, so the decoded bytes always change.
func forge(tok string, i int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := []byte(tok)
	b[i] = alphabet[strings.IndexByte(alphabet, b[i])^32]
	return string(b)
}

// --- tests ---

func TestTokenForms(t *testing.T) {
	s := start(t)
	// Repository names may hold upper case, dots, underscores and hyphens,
	// and domain names hyphens: the endpoint URL carries them verbatim.
	s.setup("my-domain", "my-repo", "Other.Repo_1")
	tok := s.token("my-domain", 0)
	forms := []struct{ name, header string }{
		{"Bearer (npm, yarn, pnpm)", bearer(tok)},
		{"lower-case bearer", "bearer " + tok},
		{"Basic aws:TOKEN (pip, twine, Maven, NuGet)", basic(tok)},
		{"bare token (cargo)", tok},
	}
	for _, repo := range []string{"my-repo", "Other.Repo_1"} {
		ep := s.endpoint("my-domain", repo, types.PackageFormatNpm)
		for _, f := range forms {
			ping := s.get(ep+"-/ping", f.header)
			if ping.status != http.StatusOK {
				t.Errorf("npm ping on %s with %s: %d %q, want 200", repo, f.name, ping.status, ping.body)
			}
			who := s.get(ep+"-/whoami", f.header)
			var body struct{ Username string }
			if who.status != http.StatusOK || json.Unmarshal([]byte(who.body), &body) != nil || body.Username != "aws" {
				t.Errorf("npm whoami on %s with %s: %d %q, want 200 {\"username\":\"aws\"}", repo, f.name, who.status, who.body)
			}
		}
	}
}

func TestNoCredentialsIsChallenged(t *testing.T) {
	s := start(t)
	s.setup("my-domain", "my-repo")
	cases := []struct {
		format types.PackageFormat
		path   string
		scheme string
	}{
		{types.PackageFormatNpm, "-/ping", "Bearer"},
		{types.PackageFormatMaven, "com/example/lib/1.0/lib-1.0.pom", "Basic"},
	}
	for _, c := range cases {
		url := s.endpoint("my-domain", "my-repo", c.format) + c.path
		r := s.get(url, "")
		want401(t, string(c.format)+" request without credentials", r)
		if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, c.scheme+" ") {
			t.Errorf("%s challenge %q, want the %s scheme its clients answer", c.format, got, c.scheme)
		}
		// The same request with a token gets past authentication.
		if r := s.get(url, basic(s.token("my-domain", 0))); r.status == http.StatusUnauthorized {
			t.Errorf("%s request with a valid token: 401 %q", c.format, r.body)
		}
	}
}

func TestRejectedTokens(t *testing.T) {
	s := start(t)
	s.setup("my-domain", "my-repo")
	s.setup("other-domain", "my-repo")
	s.setup("reborn", "my-repo")
	tok := s.token("my-domain", 0)
	otherTok := s.token("other-domain", 0)
	oldTok := s.token("reborn", 0)

	// reborn is deleted and created again under the same name, with the
	// same repository: a token minted before is for a domain that is gone.
	if _, err := s.ca.DeleteRepository(s.ctx, &codeartifact.DeleteRepositoryInput{Domain: aws.String("reborn"), Repository: aws.String("my-repo")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ca.DeleteDomain(s.ctx, &codeartifact.DeleteDomainInput{Domain: aws.String("reborn")}); err != nil {
		t.Fatal(err)
	}
	s.setup("reborn", "my-repo")

	ep := s.endpoint("my-domain", "my-repo", types.PackageFormatNpm)
	rebornEP := s.endpoint("reborn", "my-repo", types.PackageFormatNpm)
	cases := []struct{ name, url, header string }{
		{"a token with its first character changed", ep, bearer(forge(tok, 0))},
		{"a token with a middle character changed", ep, bearer(forge(tok, len(tok)/2))},
		{"a token with its last character changed", ep, bearer(forge(tok, len(tok)-1))},
		{"a forged token sent as Basic", ep, basic(forge(tok, len(tok)/2))},
		{"a forged bare token", ep, forge(tok, len(tok)/2)},
		{"a truncated token", ep, bearer(tok[:len(tok)-4])},
		{"garbage", ep, bearer("not-a-token")},
		{"Basic without a colon", ep, "Basic " + base64.StdEncoding.EncodeToString([]byte(tok))},
		{"Basic that is not base64", ep, "Basic !!!"},
		{"another domain's token", ep, bearer(otherTok)},
		{"a token minted before the domain was deleted and created again", rebornEP, bearer(oldTok)},
	}
	for _, c := range cases {
		want401(t, "npm ping with "+c.name, s.get(c.url+"-/ping", c.header))
	}
	// The genuine tokens work, so the 401s above are the tokens' fault.
	for _, ok := range []struct{ url, tok string }{{ep, tok}, {rebornEP, s.token("reborn", 0)}, {s.endpoint("other-domain", "my-repo", types.PackageFormatNpm), otherTok}} {
		if r := s.get(ok.url+"-/ping", bearer(ok.tok)); r.status != http.StatusOK {
			t.Errorf("npm ping on %s with its own domain's token: %d %q", ok.url, r.status, r.body)
		}
	}
}

func TestExpiredToken(t *testing.T) {
	// The server's clock runs offset ahead of the real one. SigV4 requests
	// are signed with the real clock, so mint tokens before moving it.
	var offset atomic.Int64
	s := start(t, server.WithClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	s.setup("my-domain", "my-repo")
	ep := s.endpoint("my-domain", "my-repo", types.PackageFormatNpm) + "-/ping"
	short := s.token("my-domain", 900)
	long := s.token("my-domain", 0)

	steps := []struct {
		at          time.Duration
		short, long int
	}{
		{0, http.StatusOK, http.StatusOK},
		{14*time.Minute + 50*time.Second, http.StatusOK, http.StatusOK},
		{15 * time.Minute, http.StatusUnauthorized, http.StatusOK},
		{12*time.Hour - 10*time.Second, http.StatusUnauthorized, http.StatusOK},
		{12 * time.Hour, http.StatusUnauthorized, http.StatusUnauthorized},
	}
	for _, st := range steps {
		offset.Store(int64(st.at))
		for _, tk := range []struct {
			name, tok string
			want      int
		}{{"900-second token", short, st.short}, {"12-hour token", long, st.long}} {
			doing := tk.name + " " + st.at.String() + " after minting"
			r := s.get(ep, bearer(tk.tok))
			if tk.want == http.StatusUnauthorized {
				want401(t, doing, r)
			} else if r.status != tk.want {
				t.Errorf("%s: %d %q, want %d", doing, r.status, r.body, tk.want)
			}
		}
	}
}

func TestEndpointNotFound(t *testing.T) {
	s := start(t)
	s.setup("my-domain", "my-repo")
	tok := bearer(s.token("my-domain", 0))
	base := s.srv.URL + "/my-domain-" + servertest.AccountID

	r := s.get(base+"/npm/missing-repo/-/ping", tok)
	if r.status != http.StatusNotFound {
		t.Errorf("npm ping on a missing repository: %d %q, want 404", r.status, r.body)
	}
	var body map[string]any
	if json.Unmarshal([]byte(r.body), &body) != nil || body["error"] == nil {
		t.Errorf("npm 404 body %q is not npm's {\"error\": ...}", r.body)
	}

	bad := []struct{ name, path string }{
		{"no owner", "/my-domain/npm/my-repo/-/ping"},
		{"owner of 11 digits", "/my-domain-11112222333/npm/my-repo/-/ping"},
		{"owner with a letter", "/my-domain-11112222333x/npm/my-repo/-/ping"},
		{"unknown format", "/my-domain-" + servertest.AccountID + "/bogus/my-repo/-/ping"},
		{"no repository", "/my-domain-" + servertest.AccountID + "/npm/"},
		{"only a domain", "/my-domain-" + servertest.AccountID + "/"},
		{"root", "/"},
	}
	for _, b := range bad {
		if r := s.get(s.srv.URL+b.path, tok); r.status != http.StatusNotFound {
			t.Errorf("GET %s (%s) with a valid token: %d %q, want 404", b.path, b.name, r.status, r.body)
		}
	}
}
