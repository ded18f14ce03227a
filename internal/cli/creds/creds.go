// Package creds keeps authorization tokens between runs of the arca
// command, so a credential helper called for every cargo or pnpm operation
// asks the server for a token only when the one it has is about to run out.
//
// The cache lives in the user's cache directory (os.UserCacheDir()/arca),
// one file per principal, domain and endpoint, mode 0600 in a 0700
// directory. A token is refreshed ahead of its expiry, once less than a
// tenth of its lifetime or five minutes remain, whichever is longer; an
// expired token is never handed out. Time comes from an injectable clock.
package creds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/arcahq/arca/internal/cli/fileedit"
)

// Token is an authorization token and its lifetime.
type Token struct {
	Value      string    `json:"token"`
	Expiration time.Time `json:"expiration"`
	// Issued is when the token was fetched: with Expiration it gives the
	// lifetime the refresh margin is a fraction of.
	Issued time.Time `json:"issued"`
}

// MinMargin is the least time before expiry at which a token is refreshed.
const MinMargin = 5 * time.Minute

// minValid is the least validity a token handed out must still have.
const minValid = 30 * time.Second

// Margin is how long before its expiry a token is refreshed: a tenth of
// its lifetime, at least MinMargin.
func (t Token) Margin() time.Duration {
	m := t.Expiration.Sub(t.Issued) / 10
	if m < MinMargin {
		m = MinMargin
	}
	return m
}

// Fresh reports whether the token can be handed out at now without a
// refresh: it is valid for longer than its refresh margin.
func (t Token) Fresh(now time.Time) bool {
	return t.Value != "" && t.Expiration.Sub(now) > t.Margin()
}

// Usable reports whether the token is still valid at now, with a little
// room for the request it is handed out for.
func (t Token) Usable(now time.Time) bool {
	return t.Value != "" && t.Expiration.Sub(now) > minValid
}

// Key names one cache entry: who asked, for which domain, from which
// server.
type Key struct {
	Principal string // the access key id of the AWS credentials
	Endpoint  string
	Domain    string
	Owner     string // empty when the caller's own account is implied
}

// file is the cache entry's name: a hash, so that the key's parts need no
// escaping and the access key id does not show in a directory listing.
func (k Key) file() string {
	h := sha256.New()
	for _, s := range []string{k.Principal, k.Endpoint, k.Domain, k.Owner} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return "token-" + hex.EncodeToString(h.Sum(nil))[:32] + ".json"
}

// entry is the content of a cache file.
type entry struct {
	Token
	Domain   string `json:"domain"`
	Owner    string `json:"domainOwner,omitempty"`
	Endpoint string `json:"endpoint"`
}

// Cache is a directory of cached tokens.
type Cache struct {
	Dir string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DefaultDir is os.UserCacheDir()/arca.
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for tokens: %w", err)
	}
	return filepath.Join(d, "arca"), nil
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Load returns the cached token for k; ok is false when there is none or
// the entry cannot be read (a damaged entry is treated as missing).
func (c *Cache) Load(k Key) (t Token, ok bool) {
	b, err := os.ReadFile(filepath.Join(c.Dir, k.file()))
	if err != nil {
		return Token{}, false
	}
	var e entry
	if err := json.Unmarshal(b, &e); err != nil || e.Domain != k.Domain || e.Endpoint != k.Endpoint || e.Owner != k.Owner {
		return Token{}, false
	}
	return e.Token, e.Value != ""
}

// Store writes t as the cached token for k.
func (c *Cache) Store(k Key, t Token) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(entry{Token: t, Domain: k.Domain, Owner: k.Owner, Endpoint: k.Endpoint}, "", "  ")
	if err != nil {
		return err
	}
	return fileedit.WriteFile(filepath.Join(c.Dir, k.file()), append(b, '\n'), 0o600)
}

// Remove deletes the cached token for k.
func (c *Cache) Remove(k Key) error {
	err := os.Remove(filepath.Join(c.Dir, k.file()))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Fetch asks the server for a new token.
type Fetch func(ctx context.Context) (Token, error)

// Get returns a token for k: the cached one while it is fresh, else a new
// one from fetch, which is then cached. When fetch fails and the cached
// token is still valid, that token is returned with the fetch error as
// warning, for the caller to show; an expired token is never returned.
// A token that could not be cached also comes with a warning.
func (c *Cache) Get(ctx context.Context, k Key, fetch Fetch) (t Token, warning error, err error) {
	now := c.now()
	cached, ok := c.Load(k)
	if ok && cached.Fresh(now) {
		return cached, nil, nil
	}
	t, err = fetch(ctx)
	if err != nil {
		if ok && cached.Usable(c.now()) {
			return cached, err, nil
		}
		return Token{}, nil, err
	}
	if t.Issued.IsZero() {
		t.Issued = now
	}
	if !t.Usable(c.now()) {
		return Token{}, nil, fmt.Errorf("the server handed out a token that expires at %s", t.Expiration.UTC().Format(time.RFC3339))
	}
	if err := c.Store(k, t); err != nil {
		// The token is good; only the next run will have to fetch again.
		return t, fmt.Errorf("caching the token: %w", err), nil
	}
	return t, nil, nil
}
