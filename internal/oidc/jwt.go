// Package oidc verifies OpenID Connect ID tokens, the web identities that
// STS's AssumeRoleWithWebIdentity trades for temporary credentials (a CI
// job's token from GitHub Actions, GitLab, Kubernetes, or any issuer).
//
// A token is a JWT in JWS compact serialization (RFC 7519, RFC 7515),
// signed with a key the issuer publishes: the issuer's discovery document
// ({issuer}/.well-known/openid-configuration, OpenID Connect Discovery 1.0
// §4) names its JWKS (RFC 7517), whose keys are cached.
//
// The JOSE layer is go-jose (github.com/go-jose/go-jose/v4), a maintained
// library: it splits and decodes the compact serialization, restricts the
// algorithm to the allowed list, decodes JWKs (curves, points on them) and
// verifies signatures. This package keeps what is STS's: the claims an ID
// token must have and their types, the time checks with their error codes,
// the choice of keys by kid and alg, and discovery and caching.
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
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

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

	jws *jose.JSONWebSignature
}

// algorithms are the supported JWS algorithms (RFC 7518 §3.1): the
// asymmetric ones an issuer's published key can verify.
var algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512}

// Parse decodes a compact JWS JWT without verifying it. It fails with an
// InvalidIdentityToken error when the token is not three base64url parts,
// when the header or payload is not a JSON object, when alg is missing or
// not supported, when the header has critical extensions (none is
// understood; RFC 7797's unencoded payload included), or when a registered
// claim has the wrong type; iss, sub and exp are required, as OpenID
// Connect Core §2 requires them of an ID token.
func Parse(token string) (*Token, error) {
	if len(token) > MaxTokenSize {
		return nil, invalid("The web identity token is longer than %d characters.", MaxTokenSize)
	}
	if strings.Count(token, ".") != 2 {
		return nil, invalid("The web identity token is not a JWT in compact serialization (three base64url parts).")
	}
	jws, err := jose.ParseSignedCompact(token, algorithms)
	if err != nil {
		return nil, invalid("The web identity token is not a signed JWT with a supported algorithm (RS256, RS384, RS512, ES256, ES384, ES512): %v", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid("The web identity token is not a JWT in compact serialization (three base64url parts).")
	}
	h := jws.Signatures[0].Protected
	if _, ok := h.ExtraHeaders["crit"]; ok {
		return nil, invalid("The web identity token's header has critical extensions, which are not supported.")
	}
	if _, ok := h.ExtraHeaders["b64"]; ok {
		return nil, invalid("The web identity token's header has critical extensions, which are not supported.")
	}
	c, err := parseClaims(jws.UnsafePayloadWithoutVerification())
	if err != nil {
		return nil, err
	}
	return &Token{Alg: h.Algorithm, KeyID: h.KeyID, Claims: c, jws: jws}, nil
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

// ErrNoKey is the error when no key of the issuer verifies the token: the
// caller may refresh the keys once and try again.
var ErrNoKey = invalid("The web identity token's signature does not verify with any key of its issuer.")

// Verify checks the token's signature with the keys of its issuer: the key
// named by kid when the token names one, else every key that fits the
// algorithm. It fails with ErrNoKey.
func (t *Token) Verify(keys []Key) error {
	for _, k := range keys {
		if t.KeyID != "" && k.ID != t.KeyID {
			continue
		}
		if k.Alg != "" && k.Alg != t.Alg {
			continue
		}
		if _, err := t.jws.Verify(k.Public); err == nil {
			return nil
		}
	}
	return ErrNoKey
}
