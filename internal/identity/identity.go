// Package identity knows who may call Arca: accounts, their principals and
// the access keys principals sign requests with. It also bootstraps the
// server's root account on first start.
//
// A Principal travels in the request context from the authentication edge
// to every decision made on the caller's behalf.
package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// Principal is an authenticated caller.
type Principal struct {
	Account     string // the 12-digit account the principal belongs to
	ARN         string // arn:aws:iam::ACCOUNT:root, a user's or an assumed role's ARN
	AccessKeyID string // the key that signed the request, "" for token callers
	// SessionExpires is when temporary credentials expire; zero for
	// long-term credentials.
	SessionExpires time.Time
}

// IsRoot reports whether p is its account's root.
func (p Principal) IsRoot() bool { return p.ARN == arn.AccountRoot(p.Account) }

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal in ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// KeyStore is what the directory needs from the metadata store.
type KeyStore interface {
	PutAccount(ctx context.Context, a store.Account) error
	PutAccessKey(ctx context.Context, k store.AccessKey) error
	GetAccessKey(ctx context.Context, id string) (store.AccessKey, error)
}

// Directory resolves access keys to principals.
type Directory struct {
	st  KeyStore
	now func() time.Time
}

// NewDirectory returns a directory over st.
func NewDirectory(st KeyStore, now func() time.Time) *Directory {
	return &Directory{st: st, now: now}
}

// ErrUnknownKey is returned for an access key that does not exist or is
// inactive.
var ErrUnknownKey = errkind.Unauthf("The security token included in the request is invalid.")

// Lookup returns the secret and principal of an active access key. The
// session token must be empty for long-term keys.
func (d *Directory) Lookup(ctx context.Context, accessKeyID, sessionToken string) (secret string, p Principal, err error) {
	k, err := d.st.GetAccessKey(ctx, accessKeyID)
	if errors.Is(err, errkind.ErrNotFound) || (err == nil && (!k.Active || sessionToken != "")) {
		// Temporary credentials (a session token) arrive with STS; until
		// then a session token never matches a long-term key.
		return "", Principal{}, ErrUnknownKey
	}
	if err != nil {
		return "", Principal{}, err
	}
	return k.Secret, Principal{Account: k.AccountID, ARN: k.PrincipalARN, AccessKeyID: k.ID}, nil
}

// Root is the server's root account and its key pair.
type Root struct {
	AccountID       string `json:"accountId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Validate checks the shape of the root credentials.
func (r Root) Validate() error {
	if !arn.IsAccountID(r.AccountID) {
		return fmt.Errorf("account id %q is not 12 digits", r.AccountID)
	}
	if len(r.AccessKeyID) < 16 || len(r.AccessKeyID) > 128 {
		return fmt.Errorf("access key id must be 16 to 128 characters")
	}
	if len(r.SecretAccessKey) < 16 {
		return fmt.Errorf("secret access key must be at least 16 characters")
	}
	return nil
}

// EnsureRoot makes the root account and its access key exist in the store,
// replacing the key's secret if it changed.
func (d *Directory) EnsureRoot(ctx context.Context, r Root) error {
	if err := r.Validate(); err != nil {
		return err
	}
	now := d.now().UTC()
	if err := d.st.PutAccount(ctx, store.Account{ID: r.AccountID, CreatedAt: now}); err != nil {
		return err
	}
	return d.st.PutAccessKey(ctx, store.AccessKey{
		ID: r.AccessKeyID, Secret: r.SecretAccessKey, AccountID: r.AccountID,
		PrincipalARN: arn.AccountRoot(r.AccountID), Active: true, CreatedAt: now,
	})
}

// GenerateRoot returns fresh random root credentials: a random account id,
// an AKIA-style key id and a 40-character secret.
func GenerateRoot() Root {
	return Root{
		AccountID:       randomString("0123456789", 12, "123456789"),
		AccessKeyID:     "AKIA" + randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, ""),
		SecretAccessKey: randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40, ""),
	}
}

// randomString draws n characters uniformly from alphabet; the first comes
// from first when first is not empty (so account ids never start with 0).
func randomString(alphabet string, n int, first string) string {
	b := make([]byte, n)
	for i := range b {
		set := alphabet
		if i == 0 && first != "" {
			set = first
		}
		b[i] = set[uniform(len(set))]
	}
	return string(b)
}

// uniform returns a uniform random number in [0, n) from crypto/rand.
func uniform(n int) int {
	limit := 256 - 256%n
	var buf [1]byte
	for {
		if _, err := rand.Read(buf[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		if int(buf[0]) < limit {
			return int(buf[0]) % n
		}
	}
}
