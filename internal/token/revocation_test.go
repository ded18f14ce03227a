package token

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func revoke(t testing.TB, st store.Store, r store.Revocation) {
	t.Helper()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	if err := st.CreateRevocation(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
}

func TestRevocations(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	tk, _ := New(ctx, st)
	now := time.Now().UTC().Truncate(time.Millisecond)
	clock := func() time.Time { return now }
	rv, err := NewRevocations(ctx, st, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	mint := func(principal, domain string, issued time.Time) Claims {
		c := claims(issued)
		c.Principal, c.Domain = principal, domain
		tok, _ := tk.Mint(c)
		got, err := tk.Verify(tok, now)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	alice := "arn:aws:iam::111122223333:user/alice"
	bob := "arn:aws:iam::111122223333:user/bob"
	ciRun1 := "arn:aws:sts::111122223333:assumed-role/ci/run-1"
	ciRun2 := "arn:aws:sts::111122223333:assumed-role/ci/run-2"
	deploy := "arn:aws:sts::111122223333:assumed-role/deploy/run-1"

	a1 := mint(alice, "my-domain", now.Add(-time.Hour))
	a2 := mint(alice, "my-domain", now.Add(-time.Hour))
	b1 := mint(bob, "my-domain", now.Add(-time.Hour))
	b2 := mint(bob, "other", now.Add(-time.Hour))
	b3 := mint(bob, "my-domain", now.Add(time.Minute)) // issued after the revocation below
	c1 := mint(ciRun1, "my-domain", now.Add(-time.Hour))
	c2 := mint(ciRun2, "other", now.Add(-time.Hour))
	d1 := mint(deploy, "my-domain", now.Add(-time.Hour))
	all := []Claims{a1, a2, b1, b2, b3, c1, c2, d1}
	revoked := func(want ...Claims) {
		t.Helper()
		for _, c := range all {
			isWanted := false
			for _, w := range want {
				isWanted = isWanted || w.ID == c.ID
			}
			err := rv.Check(ctx, c)
			if isWanted && !errors.Is(err, ErrRevoked) {
				t.Errorf("%s's token %s in %s: %v, want revoked", c.Principal, c.ID, c.Domain, err)
			}
			if !isWanted && err != nil {
				t.Errorf("%s's token %s in %s: %v, want not revoked", c.Principal, c.ID, c.Domain, err)
			}
		}
	}
	revoked()
	if !errors.Is(ErrRevoked, errkind.ErrUnauthenticated) {
		t.Error("ErrRevoked is not Unauthenticated")
	}

	// One token.
	revoke(t, st, store.Revocation{TokenID: a1.ID.String(), PrincipalARN: alice, IssuedBefore: a1.IssuedAt, Expires: a1.Expires})
	revoked(a1) // Check sees a revocation at once

	// Every token of bob in my-domain issued up to now.
	revoke(t, st, store.Revocation{PrincipalARN: bob, Domain: "my-domain", IssuedBefore: now, Expires: now.Add(MaxLifetime)})
	// Every session of the role ci (its ARN has a path).
	revoke(t, st, store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:role/teams/ci", IssuedBefore: now, Expires: now.Add(MaxLifetime)})
	// Expired revocations are not loaded.
	revoke(t, st, store.Revocation{PrincipalARN: deploy, IssuedBefore: now, Expires: now.Add(-time.Second)})
	revoked(a1, b1, c1, c2)
	if m, ok := rv.Match(c2); !ok || m.PrincipalARN != "arn:aws:iam::111122223333:role/teams/ci" {
		t.Errorf("Match(ci/run-2) = %+v, %v", m, ok)
	}
	if rv.Len() != 3 {
		t.Errorf("Len = %d, want 3", rv.Len())
	}
}

// TestRevocationsOfAnotherProcess: a revocation written through another
// connection to the database (`arca token revoke` beside a running server)
// refuses the token on the very next Check.
func TestRevocationsOfAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	server, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	tk, _ := New(ctx, server)
	rv, err := NewRevocations(ctx, server, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	tok, _ := tk.Mint(claims(now))
	c, _ := tk.Verify(tok, now)
	if err := rv.Check(ctx, c); err != nil {
		t.Fatal(err)
	}
	cli, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	revoke(t, cli, store.Revocation{TokenID: c.ID.String(), IssuedBefore: c.IssuedAt, Expires: c.Expires})
	cli.Close()
	if err := rv.Check(ctx, c); !errors.Is(err, ErrRevoked) {
		t.Fatalf("the next Check after another process revoked the token: %v, want ErrRevoked", err)
	}
}

// TestRevocationsConcurrentChecks: concurrent checks share generation
// queries and all see a revocation made before they were called.
func TestRevocationsConcurrentChecks(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	tk, _ := New(ctx, st)
	rv, _ := NewRevocations(ctx, st, time.Now, nil)
	now := time.Now().UTC().Truncate(time.Millisecond)
	tok, _ := tk.Mint(claims(now))
	c, _ := tk.Verify(tok, now)
	revoke(t, st, store.Revocation{TokenID: c.ID.String(), IssuedBefore: c.IssuedAt, Expires: c.Expires})
	errs := make(chan error, 50)
	for i := 0; i < cap(errs); i++ {
		go func() { errs <- rv.Check(ctx, c) }()
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; !errors.Is(err, ErrRevoked) {
			t.Fatalf("concurrent Check: %v, want ErrRevoked", err)
		}
	}
}

func TestRevocationsWatchPrunes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	revoke(t, st, store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:root", IssuedBefore: now.Add(-13 * time.Hour), Expires: now.Add(-time.Hour)})
	revoke(t, st, store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:user/x", IssuedBefore: now, Expires: now.Add(time.Hour)})
	rv, err := NewRevocations(ctx, st, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { rv.Watch(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, _ := st.ListRevocations(ctx, now.Add(-48*time.Hour))
		if len(left) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Watch did not prune the expired revocation: %d left", len(left))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if rv.Len() != 1 {
		t.Errorf("Len = %d after pruning, want 1", rv.Len())
	}
}

func BenchmarkVerifyAndCheck(b *testing.B) {
	ctx := context.Background()
	st := newStore(b)
	tk, _ := New(ctx, st)
	now := time.Now()
	for i := 0; i < 100; i++ {
		revoke(b, st, store.Revocation{TokenID: NewID().String(), IssuedBefore: now, Expires: now.Add(time.Hour)})
	}
	revoke(b, st, store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:user/x", IssuedBefore: now, Expires: now.Add(time.Hour)})
	rv, _ := NewRevocations(ctx, st, time.Now, nil)
	tok, _ := tk.Mint(claims(now))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := tk.Verify(tok, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := rv.Check(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
