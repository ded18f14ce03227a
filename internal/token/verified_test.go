package token

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestVerifiedTokens: a token verified before is answered from the cache
// with the same claims, and still refused once it expires, once its key
// is no longer live, and never confused with another token.
func TestVerifiedTokens(t *testing.T) {
	ctx := context.Background()
	tk, err := New(ctx, newStore(t))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := claims(now)
	c.Expires = now.Add(time.Hour)
	tok, err := tk.Mint(c)
	if err != nil {
		t.Fatal(err)
	}
	first, err := tk.Verify(tok, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tk.verified.get(tok); !ok {
		t.Fatal("a verified token is not kept")
	}
	// The copy of the token the client sends next is another string.
	again, err := tk.Verify(strings.Clone(tok), now.Add(time.Minute))
	if err != nil || again != first {
		t.Fatalf("Verify again = %+v, %v; want %+v", again, err, first)
	}

	// Expiry binds a kept token.
	if _, err := tk.Verify(tok, c.Expires); !errors.Is(err, ErrExpired) {
		t.Errorf("a kept token at its expiry: %v, want ErrExpired", err)
	}

	// Another token of the same length, one character changed: never the
	// kept one, even when it lands in the kept one's slot.
	forged := []byte(tok)
	i := len(forged) / 2
	if forged[i] == 'A' {
		forged[i] = 'B'
	} else {
		forged[i] = 'A'
	}
	if _, err := tk.Verify(string(forged), now); err == nil {
		t.Error("a token with one character changed verified")
	}
	v, _ := tk.verified.get(tok)
	h := tk.verified.slotHash(string(forged))
	tk.verified.slots[h%verifiedSlots].Store(&verified{hash: h, tok: tok, claims: v.claims, key: v.key})
	if _, ok := tk.verified.get(string(forged)); ok {
		t.Error("a token was taken for the kept one of its hash")
	}

	// A key gone from the keys (retired and deleted) no longer verifies
	// what it signed, kept or not.
	kr := tk.keys.Load()
	tk.keys.Store(&keyring{current: kr.current, created: kr.created, loaded: kr.loaded, byID: map[uint32]*key{}})
	tk.lastReload = time.Now() // no reload brings it back meanwhile
	if _, err := tk.Verify(tok, now); !errors.Is(err, ErrForged) {
		t.Errorf("a kept token of a key gone: %v, want ErrForged", err)
	}
	// A key retired by now.
	retired := map[uint32]*key{}
	for id, k := range kr.byID {
		retired[id] = newKey(k.secret, now.Add(-time.Second))
	}
	tk.keys.Store(&keyring{current: kr.current, created: kr.created, loaded: kr.loaded, byID: retired})
	if _, err := tk.Verify(tok, now); !errors.Is(err, ErrForged) {
		t.Errorf("a kept token of a retired key: %v, want ErrForged", err)
	}
}

// TestVerifiedTokensBounded: the tokens kept stay within the cache's bytes,
// and those unused go when the server is quiet.
func TestVerifiedTokensBounded(t *testing.T) {
	tk, err := New(context.Background(), newStore(t))
	if err != nil {
		t.Fatal(err)
	}
	tk.SetCacheBudget(1 << 20) // 1 KiB of tokens: a few
	now := time.Now().UTC().Truncate(time.Millisecond)
	kept := 0
	for range 50 {
		tok, err := tk.Mint(claims(now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tk.Verify(tok, now); err != nil {
			t.Fatal(err)
		}
		if _, ok := tk.verified.get(tok); ok {
			kept++
		}
	}
	if size := tk.verified.size.Load(); size > tk.verified.max || kept == 0 || kept == 50 {
		t.Errorf("%d of 50 tokens kept in %d bytes, bound %d", kept, size, tk.verified.max)
	}
	if freed := tk.verified.dropUnused(^uint32(0)); freed == 0 || tk.verified.size.Load() != 0 {
		t.Errorf("dropping the unused freed %d, left %d bytes", freed, tk.verified.size.Load())
	}
}
