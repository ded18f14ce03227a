package token

import (
	"crypto/subtle"
	"hash/maphash"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/arcahq/arca/internal/cachesize"
)

// VerifiedBytes is the share of the cache budget (package cachesize) of
// the tokens Verify has checked: some 800 tokens in use at once.
const VerifiedBytes = 256 << 10

// verifiedSlots is how many tokens the cache has room for at most: each
// token goes in the slot its hash picks, replacing the one there.
const verifiedSlots = 1024

// verifiedCache remembers the tokens Verify found authentic, so that a
// client sending the same token again and again (every request of an
// install) skips the decoding and the MAC. A token is found by a keyed
// hash of its text and then compared whole, in constant time, with the
// one kept: a hit is exactly the token verified before. What a hit
// skips is the MAC and the parse alone: expiry, the claimed lifetime and
// the signing key still being live are checked on every hit as on a
// miss, and revocations are checked by the caller after Verify either
// way. A lookup takes no lock and allocates nothing.
//
// Bounded in bytes: a token is kept only while the bytes kept stay
// within the bound, and tokens unused for a while go when the server is
// quiet (cachesize.DropUnused).
type verifiedCache struct {
	seed  maphash.Seed
	max   int64
	size  atomic.Int64
	slots [verifiedSlots]atomic.Pointer[verified]
}

// verified is one token found authentic, with its claims and the id of
// the key that signed it.
type verified struct {
	hash    uint64
	tok     string
	claims  Claims
	key     uint32
	size    int64
	lastUse atomic.Uint32
}

func newVerifiedCache(max int64) *verifiedCache {
	c := &verifiedCache{seed: maphash.MakeSeed(), max: max}
	cachesize.Register(c, (*verifiedCache).dropUnused)
	return c
}

// get returns the entry kept for tok, if tok is the token it was kept for.
func (c *verifiedCache) get(tok string) (*verified, bool) {
	h := c.slotHash(tok)
	v := c.slots[h%verifiedSlots].Load()
	if v == nil || v.hash != h || len(v.tok) != len(tok) ||
		subtle.ConstantTimeCompare(bytesOf(v.tok), bytesOf(tok)) != 1 {
		return nil, false
	}
	if now := cachesize.Now(); v.lastUse.Load() != now {
		v.lastUse.Store(now)
	}
	return v, true
}

// put keeps tok, verified with key key, and its claims, unless that would
// take the cache past its bound.
func (c *verifiedCache) put(tok string, cl Claims, key uint32) {
	h := c.slotHash(tok)
	v := &verified{hash: h, tok: strings.Clone(tok), claims: cl, key: key,
		// The token's text, the claims' one string (as long as the
		// token's payload, at most) and the entry.
		size: 2*cachesize.StringBytes(tok) + int64(unsafe.Sizeof(verified{}))}
	v.lastUse.Store(cachesize.Now())
	slot := &c.slots[h%verifiedSlots]
	old := slot.Load()
	grow := v.size
	if old != nil {
		grow -= old.size
	}
	if c.size.Load()+grow > c.max || !slot.CompareAndSwap(old, v) {
		return // full, or another request just filled the slot
	}
	c.size.Add(grow)
}

// slotHash is tok's keyed hash, which picks its slot.
func (c *verifiedCache) slotHash(tok string) uint64 { return maphash.String(c.seed, tok) }

// dropUnused drops the tokens last used before tick before.
func (c *verifiedCache) dropUnused(before uint32) int64 {
	var freed int64
	for i := range c.slots {
		if v := c.slots[i].Load(); v != nil && v.lastUse.Load() < before && c.slots[i].CompareAndSwap(v, nil) {
			c.size.Add(-v.size)
			freed += v.size
		}
	}
	return freed
}

// bytesOf returns s's bytes without copying them; nothing writes to them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
