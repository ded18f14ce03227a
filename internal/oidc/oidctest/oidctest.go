// Package oidctest runs a local OpenID Connect issuer for tests: an HTTP
// server publishing a discovery document and a JWKS, and minting tokens
// signed with its keys (an RSA key for RS256 and a P-256 key for ES256).
// It stands in for a CI provider's token service.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Issuer is a running test issuer.
type Issuer struct {
	URL string // the issuer, http://127.0.0.1:PORT

	rsaKey *rsa.PrivateKey
	ecKey  *ecdsa.PrivateKey
	srv    *httptest.Server
	// Fetches counts requests for the JWKS.
	Fetches atomic.Int64
	// Down makes every request fail with 503 while set.
	Down atomic.Bool
}

// Key ids of the issuer's keys.
const (
	RSAKeyID = "test-rsa"
	ECKeyID  = "test-ec"
)

// Start starts an issuer, stopped when the test ends.
func Start(t testing.TB) *Issuer {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{rsaKey: rk, ecKey: ek}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                                iss.URL,
			"jwks_uri":                              iss.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		iss.Fetches.Add(1)
		writeJSON(w, map[string]any{"keys": iss.JWKS()})
	})
	iss.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if iss.Down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	iss.URL = iss.srv.URL
	t.Cleanup(iss.srv.Close)
	return iss
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// JWKS returns the issuer's public keys as JWKs.
func (i *Issuer) JWKS() []map[string]string {
	point, _ := i.ecKey.PublicKey.Bytes() // 0x04 || x || y
	return []map[string]string{
		{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": RSAKeyID,
			"n": b64(i.rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(i.rsaKey.E)).Bytes())},
		{"kty": "EC", "use": "sig", "alg": "ES256", "kid": ECKeyID, "crv": "P-256",
			"x": b64(point[1:33]), "y": b64(point[33:])},
	}
}

// Claims returns the claims of a typical CI token: this issuer, the
// subject and audience given, issued now and valid for an hour.
func (i *Issuer) Claims(sub, aud string, now time.Time) map[string]any {
	return map[string]any{
		"iss": i.URL, "sub": sub, "aud": aud,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"jti": "test", "repository": "arca/demo",
	}
}

// Mint signs claims with alg ("RS256" or "ES256") and the matching key.
func (i *Issuer) Mint(t testing.TB, alg string, claims map[string]any) string {
	t.Helper()
	tok, err := i.Sign(alg, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Sign is Mint without a test.
func (i *Issuer) Sign(alg string, claims map[string]any) (string, error) {
	kid := RSAKeyID
	if alg == "ES256" {
		kid = ECKeyID
	}
	return Sign(alg, kid, i.rsaKey, i.ecKey, claims)
}

// Sign signs claims as a compact JWS with an RSA key (RS256) or a P-256
// key (ES256); kid may be empty.
func Sign(alg, kid string, rk *rsa.PrivateKey, ek *ecdsa.PrivateKey, claims map[string]any) (string, error) {
	h := map[string]string{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	hb, _ := json.Marshal(h)
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(hb) + "." + b64(cb)
	sum := sha256.Sum256([]byte(input))
	var sig []byte
	switch alg {
	case "RS256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, sum[:])
	case "ES256":
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, ek, sum[:])
		if err == nil {
			sig = append(append(make([]byte, 0, 64), pad32(r)...), pad32(s)...)
		}
	default:
		sig = []byte("unsigned")
	}
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

func pad32(n *big.Int) []byte {
	b := n.Bytes()
	return append(make([]byte, 32-len(b)), b...)
}
