package bench

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/auth"
	"github.com/arcahq/arca/internal/generation"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store/sqlite"
	"github.com/arcahq/arca/internal/token"
)

// BenchmarkTokenOnPackageRequest measures what a package request pays to
// authenticate: reading the Authorization header and verifying the token,
// without and then with the revocation check: asking the store for its
// revocation generation on every request, and as the server does, through
// the change counters shared by replicas (package generation), read from
// the store at most once a millisecond (generation.DefaultWindow) and,
// for comparison, on every request (window 0).
func BenchmarkTokenOnPackageRequest(b *testing.B) {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	tokens, err := token.New(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	tok, err := tokens.Mint(token.Claims{
		DomainID: 1, DomainOwner: "111122223333", Domain: "my-domain", Account: "111122223333",
		Principal: "arn:aws:iam::111122223333:root", IssuedAt: now, Expires: now.Add(12 * time.Hour),
	})
	if err != nil {
		b.Fatal(err)
	}
	revocations, err := token.NewRevocations(context.Background(), st, time.Now, nil)
	if err != nil {
		b.Fatal(err)
	}
	withCounters := func(window time.Duration) *auth.Authenticator {
		gens, err := generation.New(context.Background(), st, window)
		if err != nil {
			b.Fatal(err)
		}
		rv, err := token.NewRevocations(context.Background(), st, time.Now, nil)
		if err != nil {
			b.Fatal(err)
		}
		rv.UseGenerations(gens)
		a := auth.New(identity.NewDirectory(st, time.Now), tokens, time.Now)
		a.SetRevocations(rv)
		a.SetFreshness(gens)
		return a
	}
	plain := auth.New(identity.NewDirectory(st, time.Now), tokens, time.Now)
	checked := auth.New(identity.NewDirectory(st, time.Now), tokens, time.Now)
	checked.SetRevocations(revocations)
	for _, form := range []struct {
		name, header string
		a            *auth.Authenticator
	}{
		{"bearer", "Bearer " + tok, plain},
		{"basic", "Basic " + basic("aws:"+tok), plain},
		{"bearer+revocations", "Bearer " + tok, checked},
		{"bearer+revocations+generations", "Bearer " + tok, withCounters(generation.DefaultWindow)},
		{"bearer+revocations+generations-every-request", "Bearer " + tok, withCounters(0)},
	} {
		b.Run(form.name, func(b *testing.B) {
			r, _ := http.NewRequest(http.MethodGet, "http://h/my-domain-111122223333/npm/r/lodash", nil)
			r.Header.Set("Authorization", form.header)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := form.a.Token(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
