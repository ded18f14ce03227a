package oidc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/oidc"
	"github.com/arcahq/arca/internal/oidc/oidctest"
)

// FuzzParse feeds arbitrary strings to the JWT parser: it must never
// panic, must fail with an InvalidIdentityToken error when it fails, and
// what it accepts must carry the claims an ID token requires. A parsed
// token never verifies against keys that did not sign it.
func FuzzParse(f *testing.F) {
	iss := oidctest.Start(f)
	now := time.Unix(1_800_000_000, 0)
	f.Add(iss.Mint(f, "RS256", iss.Claims("repo:arca/demo:ref:refs/heads/main", "sts.amazonaws.com", now)))
	f.Add(iss.Mint(f, "ES256", iss.Claims("s", "a", now)))
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJpIn0.")
	f.Add("a.b.c")
	f.Add("..")
	f.Add(strings.Repeat("e", 100) + ".." + strings.Repeat("x", 10))
	other := oidctest.Start(f)
	keys, err := oidc.ParseJWKS(mustJSON(map[string]any{"keys": other.JWKS()}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := oidc.Parse(raw)
		if err != nil {
			if reason(err) != oidc.ReasonInvalidToken {
				t.Fatalf("Parse(%q) failed without the InvalidIdentityToken reason: %v", raw, err)
			}
			return
		}
		c := tok.Claims
		if c.Issuer == "" || c.Subject == "" || len(c.Audience) == 0 || c.Expires.IsZero() {
			t.Fatalf("Parse(%q) accepted a token without iss, sub, aud or exp: %+v", raw, c)
		}
		if tok.Verify(keys) == nil {
			t.Fatalf("Parse(%q) verified with keys that never signed it", raw)
		}
		_ = tok.CheckTime(now)
	})
}
