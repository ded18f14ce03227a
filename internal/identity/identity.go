// Package identity knows who may call Arca: accounts, their principals (the
// account root, IAM users, roles and the sessions assumed from them), the
// access keys and temporary credentials principals sign requests with, and
// the identity policies attached to them. It also bootstraps the server's
// root account on first start.
//
// A Principal travels in the request context from the authentication edge
// to every decision made on the caller's behalf.
//
// The Directory is the one writer of IAM state (users, keys, roles,
// policies, login profiles, OIDC providers, STS sessions) and applies IAM's rules to it:
// names unique regardless of case, at most two access keys per user, a
// user or role deletable only once its keys and policies are gone, trust
// policies validated when they are put. Every committed write bumps the
// Directory's generation; Lookup, Active and IdentityPolicies cache their
// answers and an answer is good only while the generation it was read
// under holds, so a deleted user, a deactivated key or a deleted role
// stops working on the next request. The generation is the change counter
// IAMChange (package generation): every write announces it in the store
// in its own transaction, so a write made through another server, or by
// `arca admin` beside the server, binds too once the server's counters
// are in step (they are as each request is authenticated).
//
// Temporary credentials: STS issues an ASIA... key id, a secret, and a
// session token of 48 random bytes. The store keeps only the token's
// SHA-256, so the token cannot be forged, and cannot be recovered from a
// copy of the database; a request must present it with the key id
// (X-Amz-Security-Token) and is then checked against the session's expiry
// and against its role, which must still exist.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/generation"
	"github.com/arcahq/arca/internal/oidc"
	"github.com/arcahq/arca/internal/store"
)

// Kind is the kind of a principal.
type Kind string

// The kinds of principals.
const (
	KindRoot        Kind = "root"         // an account's root: arn:aws:iam::ACCOUNT:root
	KindUser        Kind = "user"         // an IAM user: arn:aws:iam::ACCOUNT:user/PATH/NAME
	KindAssumedRole Kind = "assumed-role" // a role session: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
)

// Principal is an authenticated caller.
type Principal struct {
	Account     string // the 12-digit account the principal belongs to
	ARN         string // arn:aws:iam::ACCOUNT:root, a user's or an assumed role's ARN
	AccessKeyID string // the key that signed the request, "" for token callers
	// SessionExpires is when temporary credentials expire; zero for
	// long-term credentials (and for principals named by a token).
	SessionExpires time.Time

	// Kind is the kind of principal; "" only in a Principal built by hand
	// from an ARN (token claims), which Active completes.
	Kind Kind
	// UserID is the caller's unique id, as GetCallerIdentity's UserId and
	// the aws:userid condition key give it: the account id for a root,
	// AIDA... for a user, AROA...:SESSION for an assumed role.
	UserID   string
	UserName string // users: the user's name
	// RoleARN, RoleName and SessionName name an assumed role's role
	// (arn:aws:iam::ACCOUNT:role/PATH/NAME) and session.
	RoleARN     string
	RoleName    string
	SessionName string
	// IssuedAt is when a session's credentials were issued (zero for
	// long-term credentials and for principals named by a token).
	IssuedAt time.Time
	// SourceIdentity is the session's source identity, if one was set.
	SourceIdentity string
	// WebIdentityProvider is the OIDC provider ARN of a session assumed
	// with AssumeRoleWithWebIdentity, else "".
	WebIdentityProvider string
	// Since is when the user or role behind the principal was created
	// (zero for a root, and for a session found by its credentials): a
	// user or role deleted and created again under the same name is
	// another principal, and what was issued to the old one before Since
	// is not the new one's.
	Since time.Time
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

// Directory resolves credentials to principals and administers IAM state.
type Directory struct {
	st    store.Store
	now   func() time.Time
	oidc  *oidc.Keys
	gens  *generation.Counters
	cache struct {
		keys     cacheMap[keyEntry]         // by access key id
		active   cacheMap[Principal]        // by principal ARN
		policies cacheMap[[]PolicyDocument] // by principal ARN
	}
	lastPurge atomic.Int64 // unix seconds of the last purge of expired sessions
}

// NewDirectory returns a directory over st. Web identity tokens are
// verified with keys fetched from the issuers of registered OIDC
// providers, over the default HTTP client.
func NewDirectory(st store.Store, now func() time.Time) *Directory {
	d := &Directory{st: st, now: now, oidc: oidc.NewKeys(nil, now), gens: &generation.Counters{}}
	d.SetCacheBudget(cachesize.Default)
	return d
}

// CacheBytes is the share of the cache budget (package cachesize) of the
// directory's caches (credentials, principals, their policies), at the
// default budget.
const CacheBytes = 4 << 20

// SetCacheBudget sizes the directory's caches as their share of the
// server's cache budget: half for credentials, a quarter each for
// principals and their policies. Call it before the directory is used.
func (d *Directory) SetCacheBudget(budget int64) {
	share := cachesize.Share(CacheBytes, budget)
	d.cache.keys.m = cachesize.NewMap[string, cached[keyEntry]](share / 2)
	d.cache.active.m = cachesize.NewMap[string, cached[Principal]](share / 4)
	d.cache.policies.m = cachesize.NewMap[string, cached[[]PolicyDocument]](share / 4)
}

// IAMChange names the change counter of IAM state.
const IAMChange = "iam"

// UseGenerations makes the directory key its caches on g, the counters
// the server keeps in step with the other servers over the store. Call
// it before the directory is used.
func (d *Directory) UseGenerations(g *generation.Counters) { d.gens = g }

// Generation returns a number that changes after every committed write of
// IAM state through this directory (users, keys, roles, policies,
// providers). Caches of anything derived from that state (compiled
// identity policies, decisions) can key on it.
func (d *Directory) Generation() uint64 { return d.gens.Load(IAMChange) }

// changed marks IAM state as changed: every cached answer is stale. The
// maps are emptied too, to free what they held.
func (d *Directory) changed() {
	d.gens.Bump(IAMChange)
	d.cache.keys.clear()
	d.cache.active.clear()
	d.cache.policies.clear()
}

// update runs fn in a transaction and marks IAM state changed when it
// commits.
func (d *Directory) update(ctx context.Context, fn func(q store.Queries) error) error {
	err := d.st.Update(ctx, func(q store.Queries) error {
		if err := fn(q); err != nil {
			return err
		}
		return q.BumpGenerations(ctx, IAMChange)
	})
	if err == nil {
		d.changed()
	}
	return err
}

// cacheMap holds entries tagged with the generation they were read
// under (IAM state's counter), within a share of the cache budget in
// bytes. Dropping an entry, to stay within the share or because nobody
// used it lately (cachesize.DropUnused), only makes the next request read
// it again from the store: no answer outlives an IAM write, since every
// hit is checked against the current generation, and a session's expiry
// is checked on every hit (Lookup).
type cacheMap[T any] struct {
	m *cachesize.Map[string, cached[T]]
}

type cached[T any] struct {
	v   T
	gen uint64
}

func cacheLoad[T any](c *cacheMap[T], key string, gen uint64) (T, bool) {
	if e, ok := c.m.Load(key); ok && e.gen == gen {
		return e.v, true
	}
	var zero T
	return zero, false
}

// cacheStore keeps v under the generation read before v was: a write
// committed in between makes the entry stale at once. size is what v
// takes beyond its key.
func cacheStore[T any](c *cacheMap[T], key string, gen uint64, v T, size int64) {
	c.m.Store(key, cached[T]{v: v, gen: gen}, cachesize.StringBytes(key)+8+size)
}

func (c *cacheMap[T]) clear() { c.m.Clear() }

func (c *cacheMap[T]) delete(key string) { c.m.Delete(key) }

// principalBytes is what a Principal takes: its fields and its strings.
func principalBytes(p Principal) int64 {
	return int64(unsafe.Sizeof(p)) + int64(len(p.Account)+len(p.ARN)+len(p.AccessKeyID)+len(p.UserID)+len(p.UserName)+
		len(p.RoleARN)+len(p.RoleName)+len(p.SessionName)+len(p.SourceIdentity)+len(p.WebIdentityProvider)+len(p.Kind))
}

// keyEntryBytes is what a cached credential takes.
func keyEntryBytes(e keyEntry) int64 {
	return int64(unsafe.Sizeof(e)) - int64(unsafe.Sizeof(e.p)) + principalBytes(e.p) + int64(len(e.secret)+len(e.tokenHash))
}

// Errors of Lookup. Both are Unauthenticated; the authentication edge
// renders them as InvalidClientTokenId / UnrecognizedClientException and
// ExpiredToken / ExpiredTokenException.
var (
	ErrUnknownKey   = errkind.Unauthf("The security token included in the request is invalid.")
	ErrExpiredToken = errkind.Unauthf("The security token included in the request is expired").WithReason(ReasonExpiredToken)
)

// ReasonExpiredToken marks the error of expired temporary credentials.
const ReasonExpiredToken = "ExpiredToken"

// keyEntry is a cached credential.
type keyEntry struct {
	secret    string
	p         Principal
	tokenHash []byte    // sessions only
	expires   time.Time // sessions only
}

// Lookup returns the secret and principal of a credential: an active
// long-term access key (AKIA..., no session token) of a root or of an
// existing user, or the temporary credentials of an unexpired session
// (ASIA..., with its session token) whose role still exists. It fails with
// ErrUnknownKey, or ErrExpiredToken for a session past its expiry.
func (d *Directory) Lookup(ctx context.Context, accessKeyID, sessionToken string) (secret string, p Principal, err error) {
	gen := d.Generation()
	e, ok := cacheLoad(&d.cache.keys, accessKeyID, gen)
	if !ok {
		if e, err = d.lookup(ctx, accessKeyID); err != nil {
			return "", Principal{}, err
		}
		cacheStore(&d.cache.keys, accessKeyID, gen, e, keyEntryBytes(e))
	}
	if e.tokenHash == nil {
		if sessionToken != "" {
			// A long-term key never comes with a session token.
			return "", Principal{}, ErrUnknownKey
		}
		return e.secret, e.p, nil
	}
	sum := sha256.Sum256([]byte(sessionToken))
	if subtle.ConstantTimeCompare(sum[:], e.tokenHash) != 1 {
		return "", Principal{}, ErrUnknownKey
	}
	if !d.now().Before(e.expires) {
		d.cache.keys.delete(accessKeyID)
		return "", Principal{}, ErrExpiredToken
	}
	return e.secret, e.p, nil
}

func (d *Directory) lookup(ctx context.Context, accessKeyID string) (keyEntry, error) {
	if strings.HasPrefix(accessKeyID, sessionKeyPrefix) {
		s, err := d.st.GetSession(ctx, accessKeyID)
		if errors.Is(err, errkind.ErrNotFound) {
			return keyEntry{}, ErrUnknownKey
		}
		if err != nil {
			return keyEntry{}, err
		}
		return keyEntry{secret: s.Secret, p: sessionPrincipal(s), tokenHash: s.TokenHash, expires: s.Expires}, nil
	}
	k, err := d.st.GetAccessKey(ctx, accessKeyID)
	if errors.Is(err, errkind.ErrNotFound) || (err == nil && !k.Active) {
		return keyEntry{}, ErrUnknownKey
	}
	if err != nil {
		return keyEntry{}, err
	}
	p := Principal{Account: k.AccountID, ARN: k.PrincipalARN, AccessKeyID: k.ID, Kind: KindRoot, UserID: k.AccountID}
	if k.UserID != "" {
		u, err := d.st.GetUserByID(ctx, k.UserID)
		if errors.Is(err, errkind.ErrNotFound) {
			return keyEntry{}, ErrUnknownKey
		}
		if err != nil {
			return keyEntry{}, err
		}
		p = userPrincipal(u)
		p.AccessKeyID = k.ID
	}
	return keyEntry{secret: k.Secret, p: p}, nil
}

func userPrincipal(u store.User) Principal {
	return Principal{Account: u.AccountID, ARN: UserARN(u.AccountID, u.Path, u.Name), Kind: KindUser, UserID: u.ID, UserName: u.Name, Since: u.CreatedAt}
}

func sessionPrincipal(s store.Session) Principal {
	return Principal{
		Account: s.AccountID, ARN: SessionARN(s.AccountID, s.RoleName, s.SessionName), AccessKeyID: s.AccessKeyID,
		SessionExpires: s.Expires, Kind: KindAssumedRole, UserID: s.RoleID + ":" + s.SessionName,
		RoleARN: RoleARN(s.AccountID, s.RolePath, s.RoleName), RoleName: s.RoleName, SessionName: s.SessionName,
		IssuedAt: s.IssuedAt, SourceIdentity: s.SourceIdentity, WebIdentityProvider: s.ProviderARN,
	}
}

// Root is an account's root and its key pair: the server's root account
// (from the configuration or the data directory), or an account created
// with `arca admin create-account`.
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
	if strings.HasPrefix(r.AccessKeyID, sessionKeyPrefix) {
		return fmt.Errorf("access key id must not start with %s, the prefix of temporary credentials", sessionKeyPrefix)
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
	return d.update(ctx, func(q store.Queries) error {
		if err := q.PutAccount(ctx, store.Account{ID: r.AccountID, CreatedAt: now}); err != nil {
			return err
		}
		return q.PutAccessKey(ctx, store.AccessKey{
			ID: r.AccessKeyID, Secret: r.SecretAccessKey, AccountID: r.AccountID,
			PrincipalARN: arn.AccountRoot(r.AccountID), Active: true, CreatedAt: now,
		})
	})
}

// CreateAccount creates an account with a root access key and returns its
// credentials. An empty accountID draws a random one; an existing account
// is errkind.Conflict.
func (d *Directory) CreateAccount(ctx context.Context, accountID string) (Root, error) {
	r := GenerateRoot()
	if accountID != "" {
		r.AccountID = accountID
	}
	if err := r.Validate(); err != nil {
		return Root{}, errkind.Validationf("%v", err)
	}
	now := d.now().UTC().Truncate(time.Millisecond)
	err := d.update(ctx, func(q store.Queries) error {
		if _, err := q.GetAccount(ctx, r.AccountID); err == nil {
			return errkind.Conflictf("Account %s already exists.", r.AccountID)
		} else if !errors.Is(err, errkind.ErrNotFound) {
			return err
		}
		if err := q.PutAccount(ctx, store.Account{ID: r.AccountID, CreatedAt: now}); err != nil {
			return err
		}
		return q.PutAccessKey(ctx, store.AccessKey{ID: r.AccessKeyID, Secret: r.SecretAccessKey, AccountID: r.AccountID,
			PrincipalARN: arn.AccountRoot(r.AccountID), Active: true, CreatedAt: now})
	})
	if err != nil {
		return Root{}, err
	}
	return r, nil
}

// Account returns an account.
func (d *Directory) Account(ctx context.Context, id string) (store.Account, error) {
	return d.st.GetAccount(ctx, id)
}

// ListAccounts returns every account of the server.
func (d *Directory) ListAccounts(ctx context.Context) ([]store.Account, error) {
	return d.st.ListAccounts(ctx)
}

// Credential alphabets and prefixes, as AWS's.
const (
	keyAlphabet      = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	longKeyPrefix    = "AKIA"
	sessionKeyPrefix = "ASIA"
	userIDPrefix     = "AIDA"
	roleIDPrefix     = "AROA"
)

// GenerateRoot returns fresh random root credentials: a random account id,
// an AKIA-style key id and a 40-character secret.
func GenerateRoot() Root {
	return Root{
		AccountID:       randomString("0123456789", 12, "123456789"),
		AccessKeyID:     newKeyID(longKeyPrefix),
		SecretAccessKey: newSecret(),
	}
}

func newKeyID(prefix string) string { return prefix + randomString(keyAlphabet, 16, "") }
func newUniqueID(prefix string) string {
	return prefix + randomString(keyAlphabet, 17, "")
}
func newSecret() string { return randomString(secretAlphabet, 40, "") }

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
