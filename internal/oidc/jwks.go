package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"

	"github.com/arcahq/arca/internal/errkind"
)

// Key is one verification key of an issuer.
type Key struct {
	ID     string // kid
	Alg    string // alg, "" when the JWK does not restrict it
	Public crypto.PublicKey
}

// MinRSABits is the smallest RSA modulus accepted.
const MinRSABits = 2048

// ParseJWKS reads a JWK Set and returns its signature keys. Keys it cannot
// use (encryption keys, private or symmetric keys, key types other than
// RSA and EC on P-256, P-384 and P-521, short RSA moduli, malformed
// values) are skipped, as RFC 7517 §5 asks: an issuer may publish keys for
// other purposes beside its signing keys. Each key is decoded on its own,
// so one malformed key does not hide the others.
func ParseJWKS(b []byte) ([]Key, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("JWKS is not a JSON object with keys: %w", err)
	}
	var keys []Key
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil || (k.Use != "" && k.Use != "sig") || !k.IsPublic() || !k.Valid() {
			continue
		}
		switch pub := k.Key.(type) {
		case *rsa.PublicKey:
			if pub.N.BitLen() < MinRSABits {
				continue
			}
		case *ecdsa.PublicKey:
			// go-jose decodes P-256, P-384 and P-521 only.
		default:
			continue
		}
		keys = append(keys, Key{ID: k.KeyID, Alg: k.Algorithm, Public: k.Key})
	}
	return keys, nil
}

// Keys fetches and caches the verification keys of issuers. It is safe for
// concurrent use; concurrent fetches for one issuer are made once.
type Keys struct {
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*keysEntry
	flight  singleflight.Group
}

type keysEntry struct {
	keys    []Key
	fetched time.Time
}

// Cache timing: keys are refetched after KeysTTL, and an unknown kid
// refetches them at most once per RefetchInterval.
const (
	KeysTTL         = 10 * time.Minute
	RefetchInterval = 30 * time.Second
	maxDocument     = 1 << 20
)

// NewKeys returns a key cache fetching with client (nil: a client with a
// 10-second timeout).
func NewKeys(client *http.Client, now func() time.Time) *Keys {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Keys{client: client, now: now, entries: map[string]*keysEntry{}}
}

// VerifyToken checks t's signature with the keys of issuerURL (the URL
// registered for the provider): from the cache, or fetched through the
// issuer's discovery document. A token whose key is not among the cached
// ones refetches them, at most once per RefetchInterval, so that an issuer
// can rotate its keys.
func (k *Keys) VerifyToken(ctx context.Context, issuerURL string, t *Token) error {
	keys, fetched, err := k.get(ctx, issuerURL, false)
	if err != nil {
		return err
	}
	err = t.Verify(keys)
	if err == nil || k.now().Sub(fetched) < RefetchInterval {
		return err
	}
	if keys, _, err = k.get(ctx, issuerURL, true); err != nil {
		return err
	}
	return t.Verify(keys)
}

func (k *Keys) get(ctx context.Context, issuer string, refresh bool) ([]Key, time.Time, error) {
	k.mu.Lock()
	e := k.entries[issuer]
	k.mu.Unlock()
	if e != nil && !refresh && k.now().Sub(e.fetched) < KeysTTL {
		return e.keys, e.fetched, nil
	}
	v, err, _ := k.flight.Do(issuer, func() (any, error) {
		// The fetch outlives one caller's cancellation: others wait on it.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		keys, err := k.fetch(fctx, issuer)
		if err != nil {
			return nil, err
		}
		e := &keysEntry{keys: keys, fetched: k.now()}
		k.mu.Lock()
		k.entries[issuer] = e
		k.mu.Unlock()
		return e, nil
	})
	if err != nil {
		if e != nil {
			// Keep verifying with the keys we have while the issuer is
			// unreachable; they were good when fetched.
			return e.keys, e.fetched, nil
		}
		return nil, time.Time{}, err
	}
	e = v.(*keysEntry)
	return e.keys, e.fetched, nil
}

// communication is the error for an issuer that could not be read.
func communication(err error) error {
	return errkind.Wrap(errkind.Validation, err,
		"Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements").
		WithReason(ReasonCommunication)
}

// fetch reads the discovery document, then the JWKS it names.
func (k *Keys) fetch(ctx context.Context, issuer string) ([]Key, error) {
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	b, err := k.getDocument(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return nil, communication(err)
	}
	if err := json.Unmarshal(b, &disc); err != nil {
		return nil, communication(fmt.Errorf("discovery document: %w", err))
	}
	if strings.TrimSuffix(disc.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return nil, communication(fmt.Errorf("discovery document names issuer %q, not %q", disc.Issuer, issuer))
	}
	if err := CheckURL(disc.JWKSURI); err != nil {
		return nil, communication(fmt.Errorf("jwks_uri: %w", err))
	}
	if b, err = k.getDocument(ctx, disc.JWKSURI); err != nil {
		return nil, communication(err)
	}
	keys, err := ParseJWKS(b)
	if err != nil {
		return nil, communication(err)
	}
	return keys, nil
}

func (k *Keys) getDocument(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDocument {
		return nil, fmt.Errorf("GET %s: document larger than %d bytes", u, maxDocument)
	}
	return b, nil
}

// CheckURL checks an issuer or JWKS URL: https, or http to a loopback
// host (a local issuer for tests and development); no query, fragment or
// user information.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have user information, a query or a fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("%q must begin with https:// (http:// is allowed only for loopback hosts)", raw)
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
