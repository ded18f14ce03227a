package token

import (
	"context"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRotationKeepsLiveTokens: after a rotation, a token signed with the
// old key still verifies until it expires; new tokens are signed with the
// new key; once the old key has retired (RetireAfter after the rotation)
// its tokens no longer verify, even one that claims a later expiry, and the
// key is gone from the store after the next rotation.
func TestRotationKeepsLiveTokens(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	clk := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	tk, err := New(ctx, st, Clock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := tk.Mint(claims(clk.now()))
	oldKey := tk.keys.Load().current

	clk.add(time.Hour)
	newKey, err := Rotate(ctx, st, clk.now())
	if err != nil {
		t.Fatal(err)
	}
	// A server picks the new key up within refreshEvery.
	clk.add(refreshEvery)
	after, _ := tk.Mint(claims(clk.now()))
	if got := keyOf(t, after); got != newKey || got == oldKey {
		t.Fatalf("minted after rotation with key %d, want the new key %d", got, newKey)
	}
	for name, tok := range map[string]string{"before": before, "after": after} {
		if _, err := tk.Verify(tok, clk.now()); err != nil {
			t.Errorf("token minted %s the rotation: %v", name, err)
		}
	}
	// A replica that loads the keys now also verifies both.
	other, err := Load(ctx, st, Clock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Authentic(before); err != nil {
		t.Errorf("another replica, token minted before the rotation: %v", err)
	}

	// Just before the old key retires it still verifies (the token
	// minted before the rotation has expired by then, which Verify says).
	retire := clk.now().Add(-refreshEvery).Add(RetireAfter)
	if _, err := tk.Authentic(before); err != nil {
		t.Errorf("old key before retirement: %v", err)
	}
	clk.t = retire.Add(-time.Millisecond)
	if _, err := tk.Authentic(before); err != nil {
		t.Errorf("old key a moment before retirement: %v", err)
	}
	clk.t = retire
	if _, err := tk.Authentic(before); !errors.Is(err, ErrForged) {
		t.Errorf("old key after retirement: %v, want ErrForged", err)
	}
	if _, err := tk.Verify(after, clk.now()); !errors.Is(err, ErrExpired) {
		t.Errorf("token of the current key after 12 h: %v, want only ErrExpired", err)
	}

	// The next rotation deletes the retired key from the store.
	if _, err := Rotate(ctx, st, clk.now()); err != nil {
		t.Fatal(err)
	}
	keys, err := st.ListSigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.ID == oldKey {
			t.Error("the retired key is still in the store")
		}
	}
	if len(keys) != 2 {
		t.Errorf("%d keys in the store, want the current and the one before", len(keys))
	}
}

// TestRotationByAge: a server minting with a key older than RotateEvery
// makes a new current key; tokens of the old one go on verifying.
func TestRotationByAge(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	clk := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	tk, err := New(ctx, st, Clock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	first := tk.keys.Load().current
	clk.add(RotateEvery - time.Hour)
	old, _ := tk.Mint(claims(clk.now()))
	if keyOf(t, old) != first {
		t.Fatal("rotated before RotateEvery")
	}
	clk.add(time.Hour)
	tok, _ := tk.Mint(claims(clk.now()))
	if keyOf(t, tok) == first {
		t.Fatal("no new key after RotateEvery")
	}
	if _, err := tk.Verify(old, clk.now()); err != nil {
		t.Errorf("token of the previous key: %v", err)
	}
	// A server starting on a store whose key is too old makes a new one.
	clk.add(RotateEvery)
	again, err := New(ctx, st, Clock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	if again.keys.Load().current == keyOf(t, tok) {
		t.Error("a start did not rotate a key older than RotateEvery")
	}
}

func keyOf(t *testing.T, tok string) uint32 {
	t.Helper()
	b := mustDecode(t, tok)
	return uint32(b[1])<<24 | uint32(b[2])<<16 | uint32(b[3])<<8 | uint32(b[4])
}

func mustDecode(t *testing.T, tok string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 5 {
		t.Fatalf("token %q: %v", tok, err)
	}
	return b
}
