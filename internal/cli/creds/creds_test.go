package creds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// clock is a clock the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// server hands out numbered tokens with a fixed lifetime.
type server struct {
	clock    *clock
	lifetime time.Duration
	calls    int
	fail     error
}

func (s *server) fetch(context.Context) (Token, error) {
	if s.fail != nil {
		return Token{}, s.fail
	}
	s.calls++
	return Token{Value: "tok-" + string(rune('0'+s.calls)), Issued: s.clock.now(), Expiration: s.clock.now().Add(s.lifetime)}, nil
}

func TestMargin(t *testing.T) {
	for _, tc := range []struct {
		lifetime, want time.Duration
	}{
		{12 * time.Hour, 72 * time.Minute}, // a tenth
		{15 * time.Minute, MinMargin},      // at least five minutes
		{time.Hour, 6 * time.Minute},
	} {
		tk := Token{Value: "x", Issued: t0, Expiration: t0.Add(tc.lifetime)}
		if got := tk.Margin(); got != tc.want {
			t.Errorf("Margin of a %v token = %v, want %v", tc.lifetime, got, tc.want)
		}
	}
}

func TestGetRefreshesAheadOfExpiry(t *testing.T) {
	clk := &clock{t: t0}
	srv := &server{clock: clk, lifetime: time.Hour}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	k := Key{Principal: "AKIA1", Endpoint: "http://127.0.0.1:1", Domain: "d"}
	get := func() Token {
		t.Helper()
		tk, warn, err := c.Get(context.Background(), k, srv.fetch)
		if err != nil || warn != nil {
			t.Fatalf("Get: %v %v", err, warn)
		}
		return tk
	}
	steps := []struct {
		advance   time.Duration
		wantToken string
		wantCalls int
	}{
		{0, "tok-1", 1},                         // empty cache: fetch
		{30 * time.Minute, "tok-1", 1},          // fresh: cached
		{23 * time.Minute, "tok-1", 1},          // 7 minutes left, margin 6: still cached
		{time.Minute + time.Second, "tok-2", 2}, // under the margin: refreshed
		{time.Minute, "tok-2", 2},
		{2 * time.Hour, "tok-3", 3}, // long expired: never handed out
	}
	for i, s := range steps {
		clk.advance(s.advance)
		if got := get(); got.Value != s.wantToken || srv.calls != s.wantCalls {
			t.Fatalf("step %d (+%v): got %s after %d fetches, want %s after %d", i, s.advance, got.Value, srv.calls, s.wantToken, s.wantCalls)
		}
	}
}

func TestGetWhenTheServerFails(t *testing.T) {
	clk := &clock{t: t0}
	srv := &server{clock: clk, lifetime: time.Hour}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	k := Key{Principal: "AKIA1", Endpoint: "e", Domain: "d"}
	if _, _, err := c.Get(context.Background(), k, srv.fetch); err != nil {
		t.Fatal(err)
	}
	srv.fail = errors.New("connection refused")

	// Within the margin but still valid: the cached token, with a warning.
	clk.advance(57 * time.Minute)
	tk, warn, err := c.Get(context.Background(), k, srv.fetch)
	if err != nil || warn == nil || tk.Value != "tok-1" {
		t.Fatalf("near expiry with the server down: %q %v %v, want tok-1 with a warning", tk.Value, warn, err)
	}
	// Expired: an error, never the expired token.
	clk.advance(3 * time.Minute)
	tk, _, err = c.Get(context.Background(), k, srv.fetch)
	if err == nil || tk.Value != "" {
		t.Fatalf("expired with the server down: %q %v, want an error", tk.Value, err)
	}
	// And nothing at all cached: the error.
	if _, _, err := c.Get(context.Background(), Key{Domain: "other"}, srv.fetch); err == nil {
		t.Fatal("want an error")
	}
}

func TestGetRefusesAnAlreadyExpiredToken(t *testing.T) {
	clk := &clock{t: t0}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	_, _, err := c.Get(context.Background(), Key{Domain: "d"}, func(context.Context) (Token, error) {
		return Token{Value: "x", Expiration: t0.Add(-time.Second)}, nil
	})
	if err == nil {
		t.Fatal("an expired token from the server was handed out")
	}
}

func TestKeysAreSeparate(t *testing.T) {
	clk := &clock{t: t0}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	keys := []Key{
		{Principal: "A", Endpoint: "e", Domain: "d"},
		{Principal: "B", Endpoint: "e", Domain: "d"},
		{Principal: "A", Endpoint: "f", Domain: "d"},
		{Principal: "A", Endpoint: "e", Domain: "d2"},
		{Principal: "A", Endpoint: "e", Domain: "d", Owner: "111122223333"},
	}
	for i, k := range keys {
		if err := c.Store(k, Token{Value: string(rune('a' + i)), Issued: t0, Expiration: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range keys {
		if tk, ok := c.Load(k); !ok || tk.Value != string(rune('a'+i)) {
			t.Errorf("key %d: %q %v", i, tk.Value, ok)
		}
	}
}

func TestFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "arca")
	c := &Cache{Dir: dir}
	k := Key{Principal: "AKIA1", Endpoint: "e", Domain: "d"}
	if err := c.Store(k, Token{Value: "secret", Expiration: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	di, err := os.Stat(dir)
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode %v %v, want 0700", di.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("entries: %v", entries)
	}
	fi, _ := entries[0].Info()
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v, want 0600", fi.Mode().Perm())
	}
	// A damaged entry is a miss, not an error.
	os.WriteFile(filepath.Join(dir, entries[0].Name()), []byte("{"), 0o600)
	if _, ok := c.Load(k); ok {
		t.Error("a damaged entry loaded")
	}
	if err := c.Remove(k); err != nil {
		t.Error(err)
	}
	if err := c.Remove(k); err != nil {
		t.Error("removing a missing entry:", err)
	}
}
