package token

import (
	"context"
	"encoding/base64"
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
	if got != c {
		t.Errorf("Verify = %+v, want %+v", got, c)
	}
	if _, err := tk.Verify(tok, c.Expires); !errors.Is(err, ErrExpired) {
		t.Errorf("at expiry: %v, want ErrExpired", err)
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
	if _, err := tk.Open("ListDomains", s[:len(s)-2]+"AA"); !errors.Is(err, errkind.ErrValidation) {
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
