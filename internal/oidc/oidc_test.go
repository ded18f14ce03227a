package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/oidc"
	"github.com/arcahq/arca/internal/oidc/oidctest"
)

func reason(err error) string {
	var e *errkind.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func enc(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestParse(t *testing.T) {
	now := time.Unix(1_800_000_000, 0).UTC()
	good := map[string]any{"iss": "https://issuer.example", "sub": "repo:a/b:ref:refs/heads/main", "aud": []string{"sts.amazonaws.com", "x"},
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix(), "amr": "pwd", "azp": "client"}
	hdr := enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	tok, err := oidc.Parse(hdr + "." + enc(good) + ".c2ln")
	if err != nil {
		t.Fatal(err)
	}
	c := tok.Claims
	if tok.Alg != "RS256" || tok.KeyID != "k1" || c.Issuer != "https://issuer.example" || c.Subject != "repo:a/b:ref:refs/heads/main" ||
		len(c.Audience) != 2 || c.Audience[1] != "x" || len(c.AMR) != 1 || c.AMR[0] != "pwd" || c.AZP != "client" ||
		!c.Expires.Equal(now.Add(time.Hour)) || !c.IssuedAt.Equal(now) || !c.NotBefore.Equal(now) {
		t.Errorf("Parse = %+v", tok)
	}
	// A fractional exp, and a single aud string.
	frac := map[string]any{"iss": "i", "sub": "s", "aud": "a", "exp": 1800000000.5}
	if tok, err := oidc.Parse(hdr + "." + enc(frac) + ".c2ln"); err != nil || tok.Claims.Expires.UnixMilli() != 1800000000500 || tok.Claims.Audience[0] != "a" {
		t.Errorf("fractional exp: %+v %v", tok, err)
	}

	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	bad := []struct {
		name, token string
	}{
		{"two parts", hdr + "." + enc(good)},
		{"four parts", hdr + "." + enc(good) + ".c2ln.x"},
		{"not base64", hdr + ".!!!." + "c2ln"},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + enc(good) + ".c2ln"},
		{"alg none", enc(map[string]string{"alg": "none"}) + "." + enc(good) + "."},
		{"alg HS256", enc(map[string]string{"alg": "HS256"}) + "." + enc(good) + ".c2ln"},
		{"no alg", enc(map[string]string{"kid": "k"}) + "." + enc(good) + ".c2ln"},
		{"crit", enc(map[string]any{"alg": "RS256", "crit": []string{"b64"}}) + "." + enc(good) + ".c2ln"},
		{"payload array", hdr + "." + base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".c2ln"},
		{"no iss", hdr + "." + enc(with("iss", nil)) + ".c2ln"},
		{"no sub", hdr + "." + enc(with("sub", nil)) + ".c2ln"},
		{"no exp", hdr + "." + enc(with("exp", nil)) + ".c2ln"},
		{"no aud", hdr + "." + enc(with("aud", nil)) + ".c2ln"},
		{"empty sub", hdr + "." + enc(with("sub", "")) + ".c2ln"},
		{"iss number", hdr + "." + enc(with("iss", 7)) + ".c2ln"},
		{"exp string", hdr + "." + enc(with("exp", "soon")) + ".c2ln"},
		{"exp negative", hdr + "." + enc(with("exp", -1)) + ".c2ln"},
		{"aud number", hdr + "." + enc(with("aud", 3)) + ".c2ln"},
		{"aud mixed", hdr + "." + enc(with("aud", []any{"a", 1})) + ".c2ln"},
		{"too long", hdr + "." + enc(with("pad", strings.Repeat("x", oidc.MaxTokenSize))) + ".c2ln"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := oidc.Parse(tc.token)
			if err == nil || reason(err) != oidc.ReasonInvalidToken {
				t.Fatalf("Parse: %v, want an InvalidIdentityToken error", err)
			}
		})
	}
}

func TestCheckTime(t *testing.T) {
	now := time.Unix(1_800_000_000, 0).UTC()
	mk := func(c map[string]any) *oidc.Token {
		c["iss"], c["sub"], c["aud"] = "i", "s", "a"
		tok, err := oidc.Parse(enc(map[string]string{"alg": "RS256"}) + "." + enc(c) + ".c2ln")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	cases := []struct {
		name   string
		claims map[string]any
		reason string
	}{
		{"valid", map[string]any{"exp": now.Add(time.Minute).Unix(), "iat": now.Unix(), "nbf": now.Unix()}, ""},
		{"expired within skew", map[string]any{"exp": now.Add(-30 * time.Second).Unix()}, ""},
		{"expired", map[string]any{"exp": now.Add(-2 * time.Minute).Unix()}, oidc.ReasonExpired},
		{"expired exactly at skew", map[string]any{"exp": now.Add(-oidc.Skew).Unix()}, oidc.ReasonExpired},
		{"nbf in skew", map[string]any{"exp": now.Add(time.Hour).Unix(), "nbf": now.Add(30 * time.Second).Unix()}, ""},
		{"not yet valid", map[string]any{"exp": now.Add(time.Hour).Unix(), "nbf": now.Add(5 * time.Minute).Unix()}, oidc.ReasonInvalidToken},
		{"issued in the future", map[string]any{"exp": now.Add(time.Hour).Unix(), "iat": now.Add(5 * time.Minute).Unix()}, oidc.ReasonInvalidToken},
	}
	for _, tc := range cases {
		err := mk(tc.claims).CheckTime(now)
		if got := reason(err); got != tc.reason || (tc.reason == "") != (err == nil) {
			t.Errorf("%s: CheckTime = %v, want reason %q", tc.name, err, tc.reason)
		}
	}
}

func TestVerify(t *testing.T) {
	iss := oidctest.Start(t)
	keys, err := oidc.ParseJWKS(mustJSON(map[string]any{"keys": iss.JWKS()}))
	if err != nil || len(keys) != 2 {
		t.Fatalf("ParseJWKS: %d keys, %v", len(keys), err)
	}
	claims := iss.Claims("sub", "aud", time.Now())
	for _, alg := range []string{"RS256", "ES256"} {
		raw := iss.Mint(t, alg, claims)
		tok, err := oidc.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.Verify(keys); err != nil {
			t.Errorf("%s: Verify: %v", alg, err)
		}
		// Any change to the signed bytes breaks the signature.
		parts := strings.Split(raw, ".")
		other := iss.Claims("someone-else", "aud", time.Now())
		forged, _ := oidc.Parse(parts[0] + "." + enc(other) + "." + parts[2])
		if err := forged.Verify(keys); !errors.Is(err, oidc.ErrNoKey) {
			t.Errorf("%s: a changed payload verified: %v", alg, err)
		}
	}
	// A key id the issuer does not have, and keys of the wrong type.
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, raw := range map[string]string{
		"unknown kid":      must(oidctest.Sign("RS256", "nope", rk, ek, claims)),
		"other RSA key":    must(oidctest.Sign("RS256", "", rk, ek, claims)),
		"other EC key":     must(oidctest.Sign("ES256", oidctest.ECKeyID, rk, ek, claims)),
		"ES256 on RSA kid": must(oidctest.Sign("ES256", oidctest.RSAKeyID, rk, ek, claims)),
	} {
		tok, err := oidc.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.Verify(keys); !errors.Is(err, oidc.ErrNoKey) {
			t.Errorf("%s: Verify = %v, want ErrNoKey", name, err)
		}
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestParseJWKSSkipsUnusableKeys(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	set := map[string]any{"keys": []any{
		map[string]string{"kty": "RSA", "kid": "small", "n": base64.RawURLEncoding.EncodeToString(small.N.Bytes()), "e": "AQAB"},
		map[string]string{"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
		map[string]string{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
		map[string]string{"kty": "EC", "kid": "bad-point", "crv": "P-256", "x": base64.RawURLEncoding.EncodeToString(make([]byte, 32)), "y": base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
		map[string]string{"kty": "EC", "kid": "secp256k1", "crv": "secp256k1", "x": "AA", "y": "AA"},
		"not an object",
	}}
	keys, err := oidc.ParseJWKS(mustJSON(set))
	if err != nil || len(keys) != 0 {
		t.Errorf("ParseJWKS = %d keys, %v; want none usable", len(keys), err)
	}
	if _, err := oidc.ParseJWKS([]byte("[]")); err == nil {
		t.Error("a JWKS that is not an object was accepted")
	}
}

func TestKeysFetchCacheAndRotation(t *testing.T) {
	iss := oidctest.Start(t)
	now := time.Now()
	clock := func() time.Time { return now }
	k := oidc.NewKeys(nil, clock)
	ctx := context.Background()
	tok, _ := oidc.Parse(iss.Mint(t, "RS256", iss.Claims("s", "a", now)))
	for i := 0; i < 3; i++ {
		if err := k.VerifyToken(ctx, iss.URL, tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := iss.Fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times for three verifications, want 1 (cached)", n)
	}
	// A token signed by an unknown key refetches, but not more than once
	// per RefetchInterval.
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	stranger, _ := oidc.Parse(must(oidctest.Sign("RS256", "", rk, nil, iss.Claims("s", "a", now))))
	if err := k.VerifyToken(ctx, iss.URL, stranger); !errors.Is(err, oidc.ErrNoKey) {
		t.Errorf("stranger's token: %v", err)
	}
	if n := iss.Fetches.Load(); n != 1 {
		t.Errorf("refetched within the refetch interval: %d fetches", n)
	}
	now = now.Add(oidc.RefetchInterval + time.Second)
	k.VerifyToken(ctx, iss.URL, stranger)
	if n := iss.Fetches.Load(); n != 2 {
		t.Errorf("an unknown key after the interval: %d fetches, want 2", n)
	}
	// After the TTL the keys are fetched again; an issuer that is down
	// then leaves the cached keys in use.
	iss.Down.Store(true)
	now = now.Add(oidc.KeysTTL + time.Second)
	if err := k.VerifyToken(ctx, iss.URL, tok); err != nil {
		t.Errorf("cached keys not used while the issuer is down: %v", err)
	}
	// A fresh cache with the issuer down cannot verify.
	err := oidc.NewKeys(nil, clock).VerifyToken(ctx, iss.URL, tok)
	if reason(err) != oidc.ReasonCommunication {
		t.Errorf("issuer down, nothing cached: %v, want IDPCommunicationError", err)
	}
}

func TestDiscoveryMustNameTheIssuer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": "https://elsewhere.example", "jwks_uri": "http://" + r.Host + "/keys"})
	}))
	defer srv.Close()
	tok, _ := oidc.Parse(enc(map[string]string{"alg": "RS256"}) + "." + enc(map[string]any{"iss": srv.URL, "sub": "s", "aud": "a", "exp": 2e9}) + ".c2ln")
	err := oidc.NewKeys(nil, time.Now).VerifyToken(context.Background(), srv.URL, tok)
	if reason(err) != oidc.ReasonCommunication {
		t.Errorf("discovery naming another issuer: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://token.actions.githubusercontent.com": true,
		"https://gitlab.example.com/path":             true,
		"http://127.0.0.1:8080":                       true,
		"http://localhost:9000/issuer":                true,
		"http://[::1]:9000":                           true,
		"http://issuer.example.com":                   false,
		"ftp://x":                                     false,
		"https://x/?q=1":                              false,
		"https://u:p@x":                               false,
		"https://x#f":                                 false,
		"token.actions.githubusercontent.com":         false,
		"":                                            false,
	} {
		if err := oidc.CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", u, err, ok)
		}
	}
}
