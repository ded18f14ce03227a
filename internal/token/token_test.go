package token

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func newStore(t testing.TB) store.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func claims(now time.Time) Claims {
	return Claims{
		DomainID: 42, DomainOwner: "111122223333", Domain: "my-domain",
		Account: "111122223333", Principal: "arn:aws:iam::111122223333:root",
		IssuedAt: now, Expires: now.Add(12 * time.Hour),
	}
}

func TestMintVerify(t *testing.T) {
	tk, err := New(context.Background(), newStore(t))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := claims(now)
	tok, err := tk.Mint(c)
	if err != nil {
		t.Fatal(err)
	}
	// The token travels in URLs (pip's index URL) and headers unescaped.
	if strings.ContainsAny(tok, "+/=:@% ") {
		t.Errorf("token %q has characters that need escaping", tok)
	}
	got, err := tk.Verify(tok, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID.IsZero() {
		t.Fatal("Mint gave the token no id")
	}
	c.ID = got.ID
	if got != c {
		t.Errorf("Verify = %+v, want %+v", got, c)
	}
	if _, err := tk.Verify(tok, c.Expires); !errors.Is(err, ErrExpired) {
		t.Errorf("at expiry: %v, want ErrExpired", err)
	}
}

func TestIDs(t *testing.T) {
	tk, _ := New(context.Background(), newStore(t))
	now := time.Now().UTC().Truncate(time.Millisecond)
	a, _ := tk.Mint(claims(now))
	b, _ := tk.Mint(claims(now))
	ca, _ := tk.Verify(a, now)
	cb, _ := tk.Verify(b, now)
	if ca.ID == cb.ID {
		t.Errorf("two tokens minted with the same claims share the id %s", ca.ID)
	}
	// An id chosen by the caller is kept.
	want := NewID()
	c := claims(now)
	c.ID = want
	tok, _ := tk.Mint(c)
	if got, _ := tk.Verify(tok, now); got.ID != want {
		t.Errorf("id %s, want the caller's %s", got.ID, want)
	}
	if id, err := ParseID(want.String()); err != nil || id != want {
		t.Errorf("ParseID(%s) = %s, %v", want, id, err)
	}
	for _, bad := range []string{"", "xyz", want.String()[1:], want.String() + "00", strings.Repeat("g", 32)} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

// mintV1 mints a token in the layout of version 1, which had no id, as
// servers before token ids did.
func mintV1(tk *Tokens, c Claims) string {
	kr := tk.keys.Load()
	p := []byte{version}
	p = binary.BigEndian.AppendUint32(p, kr.current)
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
	return base64.RawURLEncoding.EncodeToString(p)
}

func TestVersion1TokensStillVerify(t *testing.T) {
	tk, _ := New(context.Background(), newStore(t))
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := claims(now)
	tok := mintV1(tk, c)
	got, err := tk.Verify(tok, now)
	if err != nil {
		t.Fatalf("a version 1 token: %v", err)
	}
	// Its id is a digest of the token: stable, and different per token.
	if got.ID.IsZero() {
		t.Fatal("a version 1 token has no id")
	}
	again, _ := tk.Verify(tok, now)
	other, _ := tk.Verify(mintV1(tk, claims(now.Add(time.Millisecond))), now)
	if again.ID != got.ID || other.ID == got.ID {
		t.Errorf("version 1 ids: %s, again %s, another token %s", got.ID, again.ID, other.ID)
	}
	c.ID = got.ID
	if got != c {
		t.Errorf("Verify = %+v, want %+v", got, c)
	}
}

func TestDecodeAndAuthentic(t *testing.T) {
	tk, _ := New(context.Background(), newStore(t))
	other, _ := New(context.Background(), newStore(t))
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := claims(now.Add(-13 * time.Hour)) // expired an hour ago
	tok, _ := tk.Mint(c)
	if _, err := tk.Verify(tok, now); !errors.Is(err, ErrExpired) {
		t.Fatalf("Verify of an expired token: %v", err)
	}
	got, err := tk.Authentic(tok)
	if err != nil || got.Principal != c.Principal || got.Expires != c.Expires {
		t.Fatalf("Authentic of an expired token = %+v, %v", got, err)
	}
	if _, err := other.Authentic(tok); !errors.Is(err, ErrForged) {
		t.Errorf("Authentic with other keys: %v, want ErrForged", err)
	}
	d, err := Decode(tok)
	if err != nil || d != got {
		t.Errorf("Decode = %+v, %v; want %+v", d, err, got)
	}
	if _, err := Decode("not a token"); !errors.Is(err, ErrMalformed) {
		t.Errorf("Decode of garbage: %v", err)
	}
	loaded, err := Load(context.Background(), tk.st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loaded.Authentic(tok); err != nil {
		t.Errorf("Load: %v", err)
	}
	if _, err := Load(context.Background(), newStore(t)); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("Load of a store without keys: %v, want NotFound", err)
	}
}

func TestTamperingIsDetected(t *testing.T) {
	tk, _ := New(context.Background(), newStore(t))
	now := time.Now()
	tok, _ := tk.Mint(claims(now))
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		_, err := tk.Verify(base64.RawURLEncoding.EncodeToString(b), now)
		if err == nil {
			t.Fatalf("flipping a bit of byte %d went unnoticed", i)
		}
		if !errors.Is(err, errkind.ErrUnauthenticated) {
			t.Fatalf("byte %d: error %v is not Unauthenticated", i, err)
		}
	}
	for _, bad := range []string{"", "x", "!!!!", tok[:len(tok)-1], tok + "AA", strings.Repeat("A", 5000)} {
		if _, err := tk.Verify(bad, now); err == nil {
			t.Errorf("Verify(%.20q) accepted garbage", bad)
		}
	}
}

func TestAnotherServersKeyIsRejected(t *testing.T) {
	a, _ := New(context.Background(), newStore(t))
	b, _ := New(context.Background(), newStore(t))
	tok, _ := a.Mint(claims(time.Now()))
	if _, err := b.Verify(tok, time.Now()); !errors.Is(err, ErrForged) {
		t.Errorf("a token of another key ring: %v, want ErrForged", err)
	}
}

func TestReplicasShareKeys(t *testing.T) {
	st := newStore(t)
	a, err := New(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := a.Mint(claims(time.Now()))
	if _, err := b.Verify(tok, time.Now()); err != nil {
		t.Fatalf("replica b rejects replica a's token: %v", err)
	}
	// A key added after b started (a rotation on another replica) is
	// picked up on first sight.
	if err := st.CreateSigningKey(context.Background(), store.SigningKey{ID: 99, Secret: []byte("rotated-key-material-32-bytes!!"), CreatedAt: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	c, _ := New(context.Background(), st)
	tok, _ = c.Mint(claims(time.Now()))
	b.lastReload = time.Time{}
	if _, err := b.Verify(tok, time.Now()); err != nil {
		t.Fatalf("replica b rejects a token signed with a newer key: %v", err)
	}
}

func TestSealOpen(t *testing.T) {
	tk, _ := New(context.Background(), newStore(t))
	s := tk.Seal("ListDomains", []byte("cursor-after-alpha"))
	got, err := tk.Open("ListDomains", s)
	if err != nil || string(got) != "cursor-after-alpha" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := tk.Open("ListRepositories", s); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("a cursor opened for another purpose: %v", err)
	}
	// One character in the middle changed (changing the last ones to a
	// fixed "AA" left the cursor as it was when it ended so, 1 run in 256).
	mid := len(s) / 2
	flipped := byte('A')
	if s[mid] == 'A' {
		flipped = 'B'
	}
	if _, err := tk.Open("ListDomains", s[:mid]+string(flipped)+s[mid+1:]); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("a tampered cursor: %v", err)
	}
	// An authorization token is not a cursor.
	tok, _ := tk.Mint(claims(time.Now()))
	if _, err := tk.Open("ListDomains", tok); err == nil {
		t.Error("an authorization token opened as a cursor")
	}
}

func BenchmarkVerify(b *testing.B) {
	tk, _ := New(context.Background(), newStore(b))
	now := time.Now()
	tok, _ := tk.Mint(claims(now))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tk.Verify(tok, now); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLifetimeIsBounded checks that a token signed with a real key but
// claiming a lifetime no server grants is refused: a 100-year token, a
// token issued in the future. Minting such claims is refused too.
func TestLifetimeIsBounded(t *testing.T) {
	tk, _ := New(context.Background(), newStore(t))
	now := time.Now().UTC().Truncate(time.Millisecond)
	century := claims(now)
	century.Expires = now.Add(100 * 365 * 24 * time.Hour)
	future := claims(now.Add(time.Hour))
	longest := claims(now)
	longest.Expires = now.Add(MaxLifetime)
	skewed := claims(now.Add(MaxSkew))
	cases := []struct {
		name string
		c    Claims
		want error
	}{
		{"a 100-year token", century, ErrLifetime},
		{"a token issued an hour from now", future, ErrLifetime},
		{"a token of exactly MaxLifetime", longest, nil},
		{"a token issued MaxSkew from now", skewed, nil},
	}
	for _, c := range cases {
		_, err := tk.Verify(mintV1(tk, c.c), now)
		if !errors.Is(err, c.want) || (c.want != nil && !errors.Is(err, errkind.ErrUnauthenticated)) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := tk.Mint(century); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("Mint of a 100-year token: %v, want a Validation error", err)
	}
}
