package e2e

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
)

// tokenFixture creates my-domain/my-repo and returns an authorization
// token for my-domain and the repository's npm endpoint.
func tokenFixture(t *testing.T, s *server) (tok, npmEndpoint string) {
	t.Helper()
	ctx := context.Background()
	c := sdk(s)
	if _, err := c.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("my-domain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("my-domain"), Repository: aws_("my-repo")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws_("my-domain")})
	if err != nil {
		t.Fatal(err)
	}
	npmEndpoint = s.URL + "/my-domain-" + s.Account + "/npm/my-repo/"
	whoami(t, npmEndpoint, *out.AuthorizationToken, http.StatusOK)
	return *out.AuthorizationToken, npmEndpoint
}

// TestTokenStringIsCanonical: an authorization token is accepted only as
// it was issued. Base64url without padding leaves unused low bits in the
// last character (4 of them when the length is 2 mod 4); a decoder that
// ignores them accepts other strings for the same token.
func TestTokenStringIsCanonical(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	tok, npmEndpoint := tokenFixture(t, s)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(tok)%4 == 0 || len(tok)%4 == 1 {
		t.Fatalf("token length %d leaves no unused bits; this test needs another domain name", len(tok))
	}
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	if last < 0 {
		t.Fatalf("token %q is not base64url", tok)
	}
	variant := tok[:len(tok)-1] + string(alphabet[last^1]) // flips an unused bit
	whoami(t, npmEndpoint, variant, http.StatusUnauthorized)
}

// TestTokenOfDeletedDomain: a token does not outlive its domain. Once the
// domain is deleted, the token is refused as a token (401, so clients ask
// for a new one), as it is once a domain of the same name is created again.
func TestTokenOfDeletedDomain(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	tok, npmEndpoint := tokenFixture(t, s)
	ctx := context.Background()
	c := sdk(s)
	if _, err := c.DeleteRepository(ctx, &codeartifact.DeleteRepositoryInput{Domain: aws_("my-domain"), Repository: aws_("my-repo")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDomain(ctx, &codeartifact.DeleteDomainInput{Domain: aws_("my-domain")}); err != nil {
		t.Fatal(err)
	}
	t.Run("deleted", func(t *testing.T) { whoami(t, npmEndpoint, tok, http.StatusUnauthorized) })
	if _, err := c.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("my-domain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("my-domain"), Repository: aws_("my-repo")}); err != nil {
		t.Fatal(err)
	}
	t.Run("created again", func(t *testing.T) { whoami(t, npmEndpoint, tok, http.StatusUnauthorized) })
}

// TestRotateSigningKey: `arca admin rotate-signing-key` beside a running
// server makes a new current key without breaking a live token: the token
// minted before the rotation still opens the repository, before and after
// a restart; a token minted after the restart is signed with the new key
// (the id the command printed) and works too.
func TestRotateSigningKey(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	s := start(t, startOpts{Data: data, Env: rootEnv(), RootFromEnv: true})
	before, npmEndpoint := tokenFixture(t, s)

	r := runArca(t, "", "admin", "rotate-signing-key", "--data", data)
	if r.Code != 0 {
		t.Fatalf("rotate-signing-key: %s", r)
	}
	var rotated struct {
		KeyID string `json:"keyId"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &rotated); err != nil || len(rotated.KeyID) != 8 {
		t.Fatalf("rotate-signing-key printed %q: %v", r.Stdout, err)
	}
	if keyID(t, before) == rotated.KeyID {
		t.Fatal("the rotation made no new key")
	}
	whoami(t, npmEndpoint, before, http.StatusOK)

	s.Stop(t)
	s = start(t, startOpts{Data: data, Addr: s.Addr, Env: rootEnv(), RootFromEnv: true})
	whoami(t, npmEndpoint, before, http.StatusOK)
	out, err := sdk(s).GetAuthorizationToken(context.Background(), &codeartifact.GetAuthorizationTokenInput{Domain: aws_("my-domain")})
	if err != nil {
		t.Fatal(err)
	}
	after := *out.AuthorizationToken
	if got := keyID(t, after); got != rotated.KeyID {
		t.Errorf("token minted after the rotation is signed with key %s, want the new key %s", got, rotated.KeyID)
	}
	whoami(t, npmEndpoint, after, http.StatusOK)
}

// keyID returns the id of the key that signed tok, as 8 hex digits: the
// 4 bytes after the version byte.
func keyID(t *testing.T, tok string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 5 {
		t.Fatalf("token %q: %v", tok, err)
	}
	return hex.EncodeToString(b[1:5])
}
