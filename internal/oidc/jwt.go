// Package oidc verifies OpenID Connect ID tokens, the web identities that
// STS's AssumeRoleWithWebIdentity trades for temporary credentials (a CI
// job's token from GitHub Actions, GitLab, Kubernetes, or any issuer).
//
// A token is a JWT in JWS compact serialization (RFC 7519, RFC 7515),
// signed with a key the issuer publishes: the issuer's discovery document
// ({issuer}/.well-known/openid-configuration, OpenID Connect Discovery 1.0
// §4) names its JWKS (RFC 7517), whose keys are cached.
//
// Invariants:
//   - Parse decodes only; nothing in a parsed Token is trusted until Verify
//     (signature) and CheckTime (exp, nbf, iat) succeeded.
//   - Only asymmetric algorithms are accepted: RS256, RS384, RS512, ES256,
//     ES384 and ES512. "none" and the HMAC algorithms never verify, since
//     an issuer's published key is public.
//   - The package fetches keys only from the issuer URL its caller
//     registered, never from a URL a token names.
//   - Errors are errkind Validation errors whose Reason is the STS error
//     code (InvalidIdentityToken, ExpiredTokenException,
//     IDPCommunicationError), so the STS edge renders them as STS does.
package oidc

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/errkind"
)

// The STS error codes this package's errors carry as their Reason.
const (
	ReasonInvalidToken  = "InvalidIdentityToken"
	ReasonExpired       = "ExpiredTokenException"
	ReasonCommunication = "IDPCommunicationError"
)

// MaxTokenSize is the longest web identity token STS accepts.
const MaxTokenSize = 20000

func invalid(format string, args ...any) *errkind.Error {
	return errkind.Validationf(format, args...).WithReason(ReasonInvalidToken)
}

// Claims are the registered claims STS reads from an ID token.
type Claims struct {
	Issuer   string   // iss
	Subject  string   // sub
	Audience []string // aud, one or several
	AMR      []string // amr, if present
	AZP      string   // azp, if present
	Expires  time.Time
	// NotBefore and IssuedAt are zero when the token has no nbf or iat.
	NotBefore time.Time
	IssuedAt  time.Time
}

// Token is a parsed, not yet verified JWT.
type Token struct {
	Alg    string // the header's alg
	KeyID  string // the header's kid, "" if none
	Claims Claims

	signingInput []byte // base64url(header) "." base64url(payload)
	signature    []byte
}

// header is the JOSE header. crit is refused when present: no extension
// is understood.
type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// Parse decodes a compact JWS JWT without verifying it. It fails with an
// InvalidIdentityToken error when the token is not three base64url parts,
// when the header or payload is not a JSON object, when alg is missing or
// not supported, or when a registered claim has the wrong type; iss, sub
// and exp are required, as OpenID Connect Core §2 requires them of an ID
// token.
func Parse(token string) (*Token, error) {
	if len(token) > MaxTokenSize {
		return nil, invalid("The web identity token is longer than %d characters.", MaxTokenSize)
	}
	h64, rest, ok1 := strings.Cut(token, ".")
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s64, ".") {
		return nil, invalid("The web identity token is not a JWT in compact serialization (three base64url parts).")
	}
	hb, err1 := b64(h64)
	pb, err2 := b64(p64)
	sig, err3 := b64(s64)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, invalid("The web identity token is not valid base64url.")
	}
	var h header
	if err := decodeObject(hb, &h); err != nil {
		return nil, invalid("The web identity token's header is not a JSON object.")
	}
	if h.Crit != nil {
		return nil, invalid("The web identity token's header has critical extensions, which are not supported.")
	}
	if _, ok := algorithms[h.Alg]; !ok {
		return nil, invalid("The web identity token's signing algorithm %q is not supported (RS256, RS384, RS512, ES256, ES384, ES512 are).", h.Alg)
	}
	c, err := parseClaims(pb)
	if err != nil {
		return nil, err
	}
	return &Token{
		Alg: h.Alg, KeyID: h.Kid, Claims: c,
		signingInput: []byte(token[:len(h64)+1+len(p64)]), signature: sig,
	}, nil
}

// b64 decodes base64url without padding, strictly; a padded part is
// tolerated, as some issuers emit it.
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
}

// decodeObject decodes a JSON object into v, keeping numbers exact.
func decodeObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errkind.Validationf("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errkind.Validationf("trailing data")
	}
	return nil
}

func parseClaims(b []byte) (Claims, error) {
	var raw map[string]json.RawMessage
	if err := decodeObject(b, &raw); err != nil {
		return Claims{}, invalid("The web identity token's payload is not a JSON object.")
	}
	var c Claims
	var err error
	str := func(name string, dst *string, required bool) {
		if err != nil {
			return
		}
		v, ok := raw[name]
		if !ok {
			if required {
				err = invalid("The web identity token has no %s claim.", name)
			}
			return
		}
		if json.Unmarshal(v, dst) != nil {
			err = invalid("The web identity token's %s claim is not a string.", name)
		}
	}
	strs := func(name string, dst *[]string) {
		if err != nil {
			return
		}
		v, ok := raw[name]
		if !ok {
			return
		}
		var one string
		if json.Unmarshal(v, &one) == nil {
			*dst = []string{one}
			return
		}
		if json.Unmarshal(v, dst) != nil {
			err = invalid("The web identity token's %s claim is not a string or an array of strings.", name)
		}
	}
	date := func(name string, dst *time.Time, required bool) {
		if err != nil {
			return
		}
		v, ok := raw[name]
		if !ok {
			if required {
				err = invalid("The web identity token has no %s claim.", name)
			}
			return
		}
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if d.Decode(&n) != nil {
			err = invalid("The web identity token's %s claim is not a number.", name)
			return
		}
		f, ferr := n.Float64()
		if ferr != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
			err = invalid("The web identity token's %s claim is not a time.", name)
			return
		}
		sec, frac := math.Modf(f)
		*dst = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	str("iss", &c.Issuer, true)
	str("sub", &c.Subject, true)
	str("azp", &c.AZP, false)
	strs("aud", &c.Audience)
	strs("amr", &c.AMR)
	date("exp", &c.Expires, true)
	date("nbf", &c.NotBefore, false)
	date("iat", &c.IssuedAt, false)
	if err != nil {
		return Claims{}, err
	}
	if c.Issuer == "" || c.Subject == "" {
		return Claims{}, invalid("The web identity token's iss and sub claims must not be empty.")
	}
	if len(c.Audience) == 0 {
		return Claims{}, invalid("The web identity token has no aud claim.")
	}
	return c, nil
}

// Skew is how far the token's times may be off the server's clock.
const Skew = time.Minute

// CheckTime checks exp, nbf and iat against now, allowing Skew: a token
// expired for longer than Skew fails with ExpiredTokenException; one not
// yet valid, or issued in the future, with InvalidIdentityToken.
func (t *Token) CheckTime(now time.Time) error {
	c := &t.Claims
	if !now.Before(c.Expires.Add(Skew)) {
		return errkind.Validationf("Token expired: current date/time %s must be before the expiration date/time %s",
			now.UTC().Format(time.RFC3339), c.Expires.Format(time.RFC3339)).WithReason(ReasonExpired)
	}
	if !c.NotBefore.IsZero() && now.Add(Skew).Before(c.NotBefore) {
		return invalid("The web identity token is not valid before %s.", c.NotBefore.Format(time.RFC3339))
	}
	if !c.IssuedAt.IsZero() && now.Add(Skew).Before(c.IssuedAt) {
		return invalid("The web identity token was issued in the future (%s).", c.IssuedAt.Format(time.RFC3339))
	}
	return nil
}

// algorithm is how one JWS alg verifies.
type algorithm struct {
	hash  crypto.Hash
	curve string // "" for RSA; the JWK crv for ECDSA
}

// algorithms are the supported JWS algorithms (RFC 7518 §3.1).
var algorithms = map[string]algorithm{
	"RS256": {crypto.SHA256, ""},
	"RS384": {crypto.SHA384, ""},
	"RS512": {crypto.SHA512, ""},
	"ES256": {crypto.SHA256, "P-256"},
	"ES384": {crypto.SHA384, "P-384"},
	"ES512": {crypto.SHA512, "P-521"},
}

// ErrNoKey is the error when no key of the issuer verifies the token: the
// caller may refresh the keys once and try again.
var ErrNoKey = invalid("The web identity token's signature does not verify with any key of its issuer.")

// Verify checks the token's signature with the keys of its issuer: the key
// named by kid when the token names one, else every key that fits the
// algorithm. It fails with ErrNoKey.
func (t *Token) Verify(keys []Key) error {
	alg := algorithms[t.Alg]
	for _, k := range keys {
		if t.KeyID != "" && k.ID != t.KeyID {
			continue
		}
		if k.Alg != "" && k.Alg != t.Alg {
			continue
		}
		if verify(alg, k.Public, t.signingInput, t.signature) {
			return nil
		}
	}
	return ErrNoKey
}

func verify(alg algorithm, pub crypto.PublicKey, input, sig []byte) bool {
	h := alg.hash.New()
	h.Write(input)
	digest := h.Sum(nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return alg.curve == "" && rsa.VerifyPKCS1v15(k, alg.hash, digest, sig) == nil
	case *ecdsa.PublicKey:
		if alg.curve == "" || k.Curve.Params().Name != alg.curve {
			return false
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}
