// Package token mints and verifies CodeArtifact authorization tokens, and
// seals other small opaque values (pagination cursors) the same way.
//
// A token is base64url(payload || HMAC-SHA256(key, purpose || payload)).
// The payload names the signing key, the token's own random id, the domain
// (owner, name and id), the principal and the issue and expiry times. The
// id names one token in revocations and in the audit log without
// revealing it; tokens minted before ids existed (payload version 1) are
// still accepted and are named by a digest of the whole token instead.
// Keys live in the metadata store
// so every replica can verify every other replica's tokens; verifying needs
// no database round trip: keys are held in memory and reloaded when a
// token names a key this replica has not seen yet, and at most once a
// minute before minting, to pick up a new current key. A token found
// authentic is remembered (bounded in bytes), so that the next request
// carrying it skips the decoding and the MAC, never the checks of its
// expiry and of its key being live; the caller checks revocations on
// every request either way.
//
// Keys rotate without invalidating live tokens: the newest key is the
// current one and signs; every key verifies until it is retired, which is
// RetireAfter (the longest a token lives, plus clock skew) after a newer
// key became current, so no token signed with it can still be live. A
// new key is made by `arca admin rotate-signing-key` (Rotate), and by a
// server minting with a key older than RotateEvery. Retired keys are
// deleted from the store.
//
// Invariants: a token cannot be forged or altered without a key; it is
// valid for exactly one domain incarnation (the id changes when a domain is
// deleted and created again) and only until it expires, or until it is
// revoked (see Revocations); comparisons of MACs are constant-time.
package token

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// KeyStore is what tokens need from the metadata store.
type KeyStore interface {
	CreateSigningKey(ctx context.Context, k store.SigningKey) error
	ListSigningKeys(ctx context.Context) ([]store.SigningKey, error)
	DeleteSigningKey(ctx context.Context, id uint32) error
}

// ID names one token. It is not secret: knowing it does not help to forge
// or use the token.
type ID [16]byte

// String returns the id as 32 lower-case hex digits.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == ID{} }

// ParseID parses the 32 hex digits of an ID.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 2*len(id) {
		return ID{}, errkind.Validationf("a token id is 32 hex digits")
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return ID{}, errkind.Validationf("a token id is 32 hex digits")
	}
	return id, nil
}

// NewID returns a random token id.
func NewID() ID {
	var id ID
	if _, err := rand.Read(id[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return id
}

// MaxLifetime is the longest a token can live: 12 hours, the longest
// GetAuthorizationToken grants and the longest an STS session (whose
// expiry a durationSeconds 0 token takes) lasts.
const MaxLifetime = 12 * time.Hour

// MaxSkew is how far in the future a token's issue time may be, for
// replicas whose clocks disagree a little.
const MaxSkew = 5 * time.Minute

// RetireAfter is how long a key keeps verifying once a newer key is
// current: the longest a token lives, plus the clock skew allowed, which
// also covers the minute (refreshEvery) a replica may go on minting with
// the old key before it rereads the keys.
const RetireAfter = MaxLifetime + MaxSkew

// RotateEvery is the age at which a server minting a token makes a new
// current key.
const RotateEvery = 30 * 24 * time.Hour

// Claims is what an authorization token asserts.
type Claims struct {
	// ID names the token; Mint draws one when it is zero.
	ID          ID
	DomainID    int64
	DomainOwner string // 12 digits
	Domain      string
	Account     string // the principal's account
	Principal   string // the principal's ARN
	IssuedAt    time.Time
	Expires     time.Time
}

// Errors of Verify. All are Unauthenticated.
var (
	ErrMalformed = errkind.Unauthf("The authorization token is malformed.")
	ErrForged    = errkind.Unauthf("The authorization token is not valid.")
	ErrExpired   = errkind.Unauthf("The authorization token has expired.")
	// ErrLifetime is a token whose claimed lifetime no server grants:
	// longer than MaxLifetime, or issued in the future. Only a holder of a
	// signing key can make one.
	ErrLifetime = errkind.Unauthf("The authorization token is not valid.").WithReason("token-lifetime")
)

const (
	// version is the version byte of sealed values and of tokens minted
	// before token ids (whose layout has no id); versionID is that of
	// tokens with an id.
	version    = 1
	versionID  = 2
	macSize    = sha256.Size
	maxPayload = 1024
	// reloadEvery bounds how often an unknown key id makes a replica
	// reread the keys, so garbage tokens cannot hammer the database.
	reloadEvery = time.Second
	// refreshEvery is how often minting rereads the keys, to sign with a
	// key made by another process.
	refreshEvery = time.Minute
)

// Purposes separate the MAC domains: a value sealed for one purpose never
// opens for another.
const (
	purposeAuth = "arca-authorization-token/1"
)

// Tokens mints and verifies tokens with the keys of a KeyStore.
type Tokens struct {
	st   KeyStore
	now  func() time.Time
	keys atomic.Pointer[keyring]
	// rotate: make a new key when the current one is RotateEvery old
	// (servers do; tools that Load keys never write them).
	rotate bool

	reloadMu   sync.Mutex
	lastReload time.Time

	// verified are the tokens Verify found authentic (verifiedCache).
	verified *verifiedCache
}

// Option adjusts Tokens.
type Option func(*Tokens)

// Clock makes Tokens read time from now instead of the system clock.
func Clock(now func() time.Time) Option { return func(t *Tokens) { t.now = now } }

type keyring struct {
	current uint32
	created time.Time // of the current key
	loaded  time.Time
	byID    map[uint32]*key
}

// key is one signing key with a pool of keyed HMAC states, so that
// verifying a token allocates nothing.
type key struct {
	secret []byte
	// retire is when the key stops verifying; zero for the current key.
	retire time.Time
	macs   sync.Pool // of *macState
}

// macState is a keyed HMAC with buffers for its input and its sum: what
// it hashes is copied in, so that callers' buffers (a token decoded on
// the stack) do not escape through the hash.Hash interface to the heap.
type macState struct {
	h   hash.Hash
	in  []byte
	sum [macSize]byte
}

func newKey(secret []byte, retire time.Time) *key {
	k := &key{secret: secret, retire: retire}
	k.macs.New = func() any { return &macState{h: hmac.New(sha256.New, k.secret)} }
	return k
}

// live reports whether the key still verifies at now.
func (k *key) live(now time.Time) bool { return k.retire.IsZero() || now.Before(k.retire) }

// sum computes HMAC(secret, purpose || payload) in a state from the pool,
// which the caller puts back once done with the sum.
func (k *key) sum(purpose string, payload []byte) (*macState, []byte) {
	m := k.macs.Get().(*macState)
	m.in = append(append(m.in[:0], purpose...), payload...)
	m.h.Reset()
	m.h.Write(m.in)
	return m, m.h.Sum(m.sum[:0])
}

// mac appends HMAC(secret, purpose || payload) to dst.
func (k *key) mac(dst []byte, purpose string, payload []byte) []byte {
	m, sum := k.sum(purpose, payload)
	dst = append(dst, sum...)
	k.macs.Put(m)
	return dst
}

// check reports in constant time whether mac is the MAC of payload.
func (k *key) check(purpose string, payload, mac []byte) bool {
	m, sum := k.sum(purpose, payload)
	ok := hmac.Equal(sum, mac)
	k.macs.Put(m)
	return ok
}

// New loads the signing keys, creating the first one if the store has none
// and a new current one if the current key is older than RotateEvery.
func New(ctx context.Context, st KeyStore, opts ...Option) (*Tokens, error) {
	t := &Tokens{st: st, now: time.Now, rotate: true, verified: newVerifiedCache(VerifiedBytes)}
	for _, o := range opts {
		o(t)
	}
	if err := t.reload(ctx); err != nil {
		return nil, err
	}
	if kr := t.keys.Load(); len(kr.byID) > 0 && t.now().Sub(kr.created) < RotateEvery {
		return t, nil
	}
	// Conflict: another replica made a key of the same id at the same
	// moment; use theirs.
	if _, err := Rotate(ctx, st, t.now()); err != nil && !errors.Is(err, errkind.ErrConflict) {
		return nil, err
	}
	return t, t.reload(ctx)
}

// SetCacheBudget bounds the tokens Verify remembers to their share of
// the server's cache budget (package cachesize). Call it before Verify.
func (t *Tokens) SetCacheBudget(budget int64) {
	t.verified = newVerifiedCache(cachesize.Share(VerifiedBytes, budget))
}

// Load loads the signing keys of st without ever creating one: for tools
// that inspect tokens beside a server. A store without keys is
// errkind.NotFound.
func Load(ctx context.Context, st KeyStore, opts ...Option) (*Tokens, error) {
	t := &Tokens{st: st, now: time.Now, verified: newVerifiedCache(VerifiedBytes)}
	for _, o := range opts {
		o(t)
	}
	if err := t.reload(ctx); err != nil {
		return nil, err
	}
	if len(t.keys.Load().byID) == 0 {
		return nil, errkind.NotFoundf("the store has no signing keys: no server has started on it")
	}
	return t, nil
}

// Rotate makes a new current signing key, created at now, deletes the keys
// retired by now, and returns the new key's id. Tokens signed with the
// previous keys verify until those keys retire (RetireAfter).
func Rotate(ctx context.Context, st KeyStore, now time.Time) (uint32, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return 0, err
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	id := binary.BigEndian.Uint32(b[:])
	if err := st.CreateSigningKey(ctx, store.SigningKey{ID: id, Secret: secret, CreatedAt: now.UTC()}); err != nil {
		return 0, err
	}
	return id, prune(ctx, st, now)
}

// prune deletes the keys retired at now.
func prune(ctx context.Context, st KeyStore, now time.Time) error {
	keys, err := st.ListSigningKeys(ctx)
	if err != nil {
		return err
	}
	for i := 1; i < len(keys); i++ {
		if !now.Before(keys[i-1].CreatedAt.Add(RetireAfter)) {
			// Another process may have deleted it at the same moment.
			if err := st.DeleteSigningKey(ctx, keys[i].ID); err != nil && !errors.Is(err, errkind.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// reload rereads the keys. A key retires RetireAfter after the next newer
// key was created (keys are listed newest first).
func (t *Tokens) reload(ctx context.Context) error {
	keys, err := t.st.ListSigningKeys(ctx)
	if err != nil {
		return err
	}
	kr := &keyring{byID: make(map[uint32]*key, len(keys)), loaded: t.now()}
	for i, k := range keys {
		if i == 0 {
			kr.current, kr.created = k.ID, k.CreatedAt
			kr.byID[k.ID] = newKey(k.Secret, time.Time{})
			continue
		}
		kr.byID[k.ID] = newKey(k.Secret, keys[i-1].CreatedAt.Add(RetireAfter))
	}
	t.keys.Store(kr)
	return nil
}

// key returns the key id if it is live at now, rereading the store at
// most once per reloadEvery when the id is unknown (and once per
// refreshEvery in any case, to learn of a newer key that retires this one).
func (t *Tokens) key(id uint32, now time.Time) (*key, bool) {
	if k, ok := t.fresh().byID[id]; ok {
		return k, k.live(now)
	}
	t.reloadMu.Lock()
	defer t.reloadMu.Unlock()
	if k, ok := t.keys.Load().byID[id]; ok {
		return k, k.live(now)
	}
	if time.Since(t.lastReload) < reloadEvery {
		return nil, false
	}
	t.lastReload = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.reload(ctx); err != nil {
		return nil, false
	}
	k, ok := t.keys.Load().byID[id]
	return k, ok && k.live(now)
}

// fresh returns the keys, rereading them first when they were read more
// than refreshEvery ago (another process may have made a new current key,
// which also starts the retirement of the previous one), and making a new
// current key when it is older than RotateEvery (Tokens from New). A store that cannot be
// read leaves the keys as they were; so does a reread already under way.
func (t *Tokens) fresh() *keyring {
	kr := t.keys.Load()
	now := t.now()
	if now.Sub(kr.loaded) < refreshEvery || !t.reloadMu.TryLock() {
		return kr
	}
	defer t.reloadMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.reload(ctx); err != nil {
		return kr
	}
	if kr = t.keys.Load(); t.rotate && now.Sub(kr.created) >= RotateEvery {
		if _, err := Rotate(ctx, t.st, now); err == nil {
			_ = t.reload(ctx)
		}
	}
	return t.keys.Load()
}

// Mint returns a new token for c.
func (t *Tokens) Mint(c Claims) (string, error) {
	if len(c.DomainOwner) != 12 || len(c.Domain) > 255 || len(c.Account) != 12 || len(c.Principal) > 600 ||
		c.Expires.Sub(c.IssuedAt) > MaxLifetime {
		return "", errkind.Validationf("claims out of range")
	}
	kr := t.fresh()
	if c.ID.IsZero() {
		c.ID = NewID()
	}
	// Layout: version(1) key(4) id(16) issued(8) expires(8) domainID(8)
	// owner(12) account(12) len(domain)(1) domain len(principal)(2)
	// principal. Version 1 is the same without the id.
	p := make([]byte, 0, 80+len(c.Domain)+len(c.Principal)+macSize)
	p = append(p, versionID)
	p = binary.BigEndian.AppendUint32(p, kr.current)
	p = append(p, c.ID[:]...)
	p = binary.BigEndian.AppendUint64(p, uint64(c.IssuedAt.UnixMilli()))
	p = binary.BigEndian.AppendUint64(p, uint64(c.Expires.UnixMilli()))
	p = binary.BigEndian.AppendUint64(p, uint64(c.DomainID))
	p = append(p, c.DomainOwner...)
	p = append(p, c.Account...)
	p = append(p, byte(len(c.Domain)))
	p = append(p, c.Domain...)
	p = binary.BigEndian.AppendUint16(p, uint16(len(c.Principal)))
	p = append(p, c.Principal...)
	p = kr.byID[kr.current].mac(p, purposeAuth, p)
	return base64.RawURLEncoding.EncodeToString(p), nil
}

// Verify checks tok and returns its claims. It fails with ErrMalformed,
// ErrForged, ErrExpired or ErrLifetime (a token that claims to live longer
// than MaxLifetime, or to be issued more than MaxSkew after now: no
// server mints one, and a revocation, which lasts MaxLifetime, could not
// outlive it). It does not consult revocations: the caller does, with
// Revocations.Check.
//
// A token verified before is found in a cache of those (verifiedCache):
// its MAC and parse are skipped, nothing else.
func (t *Tokens) Verify(tok string, now time.Time) (Claims, error) {
	var c Claims
	var keyID uint32
	v, hit := t.verified.get(tok)
	if hit {
		// The key that signed it must still be live, as on a miss (which
		// says why not).
		k, ok := t.fresh().byID[v.key]
		hit = ok && k.live(now)
		c = v.claims
	}
	if !hit {
		var err error
		if c, keyID, err = t.open(tok, true, now); err != nil {
			return Claims{}, err
		}
	}
	if c.Expires.Sub(c.IssuedAt) > MaxLifetime || c.IssuedAt.After(now.Add(MaxSkew)) {
		return Claims{}, ErrLifetime
	}
	if !now.Before(c.Expires) {
		return Claims{}, ErrExpired
	}
	if !hit {
		t.verified.put(tok, c, keyID)
	}
	return c, nil
}

// Authentic checks that tok was minted with one of the keys not retired
// and returns its claims, whether or not it has expired. It fails with
// ErrMalformed or ErrForged.
func (t *Tokens) Authentic(tok string) (Claims, error) {
	c, _, err := t.open(tok, true, t.now())
	return c, err
}

// Decode returns the claims tok asserts without checking its MAC or its
// expiry: for showing what a token says, never for trusting it. It fails
// with ErrMalformed.
func Decode(tok string) (Claims, error) {
	c, _, err := (*Tokens)(nil).open(tok, false, time.Time{})
	return c, err
}

// open decodes tok and, when checkMAC is set, checks its MAC with a key
// live at now; it returns the claims and the id of the key named.
func (t *Tokens) open(tok string, checkMAC bool, now time.Time) (Claims, uint32, error) {
	// Both buffers live on the stack: verifying a token allocates only
	// its claims' strings.
	var buf [maxPayload + macSize]byte
	var encoded [(len(buf)*8 + 5) / 6]byte // buf's size in base64
	if len(tok) > len(encoded) {
		return Claims{}, 0, ErrMalformed
	}
	n, err := base64.RawURLEncoding.Strict().Decode(buf[:], encoded[:copy(encoded[:], tok)])
	if err != nil || n < 1+4+macSize {
		return Claims{}, 0, ErrMalformed
	}
	b := buf[:n]
	if b[0] != version && b[0] != versionID {
		return Claims{}, 0, ErrMalformed
	}
	payload, mac := b[:n-macSize], b[n-macSize:]
	keyID := binary.BigEndian.Uint32(payload[1:5])
	if checkMAC {
		key, ok := t.key(keyID, now)
		if !ok || !key.check(purposeAuth, payload, mac) {
			return Claims{}, 0, ErrForged
		}
	}
	// The MAC is good, so the payload is one Mint wrote: parse it plainly,
	// still bounds-checked in case a key ever signed something else.
	r := reader{b: payload[5:]}
	var id ID
	if b[0] == versionID {
		copy(id[:], r.bytes(len(id)))
	} else {
		// A token from before ids: its digest names it.
		sum := sha256.Sum256(b)
		copy(id[:], sum[:])
	}
	issued, expires, domainID := r.u64(), r.u64(), r.u64()
	rest := r.b // owner (12), account (12), len(domain) (1), domain, len(principal) (2), principal
	r.bytes(24)
	dl := int(r.u8())
	r.bytes(dl)
	r.bytes(int(r.u16()))
	if r.bad || len(r.b) != 0 {
		return Claims{}, 0, ErrMalformed
	}
	// The claims' strings share one copy of the rest of the payload.
	text := string(rest)
	return Claims{
		ID: id, DomainID: int64(domainID), DomainOwner: text[:12], Domain: text[25 : 25+dl],
		Account: text[12:24], Principal: text[25+dl+2:],
		IssuedAt: time.UnixMilli(int64(issued)).UTC(), Expires: time.UnixMilli(int64(expires)).UTC(),
	}, keyID, nil
}

// Seal returns data as an opaque, tamper-proof string bound to purpose.
func (t *Tokens) Seal(purpose string, data []byte) string {
	kr := t.fresh()
	p := make([]byte, 0, 5+len(data)+macSize)
	p = append(p, version)
	p = binary.BigEndian.AppendUint32(p, kr.current)
	p = append(p, data...)
	p = kr.byID[kr.current].mac(p, purpose, p)
	return base64.RawURLEncoding.EncodeToString(p)
}

// Open returns the data sealed in s for purpose, or a Validation error if s
// was not sealed by Seal with the same purpose.
func (t *Tokens) Open(purpose, s string) ([]byte, error) {
	bad := errkind.Validationf("The pagination token is not valid.")
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) < 5+macSize || b[0] != version {
		return nil, bad
	}
	payload, mac := b[:len(b)-macSize], b[len(b)-macSize:]
	key, ok := t.key(binary.BigEndian.Uint32(payload[1:5]), t.now())
	if !ok || !key.check(purpose, payload, mac) {
		return nil, bad
	}
	return payload[5:], nil
}

// reader reads big-endian fields, remembering the first overrun.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) bytes(n int) []byte {
	if r.bad || n > len(r.b) {
		r.bad = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if v := r.bytes(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.bytes(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}
