package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

func revocationTests() []namedTest {
	return []namedTest{
		{"Revocations", testRevocations},
		{"RevocationGenerationAfterPrune", testRevocationGenerationAfterPrune},
	}
}

func testRevocations(t *testing.T, s store.Store) {
	gen, err := s.RevocationGeneration(ctx)
	must(t, err)
	if gen != 0 {
		t.Fatalf("empty store: generation %d, want 0", gen)
	}
	t0 := now()
	one := store.Revocation{
		TokenID: "00112233445566778899aabbccddeeff", PrincipalARN: "arn:aws:iam::111122223333:user/alice",
		DomainOwner: "111122223333", Domain: "my-domain", IssuedBefore: t0.Add(-time.Minute),
		Expires: t0.Add(time.Hour), Reason: "laptop lost", CreatedAt: t0,
	}
	must(t, s.CreateRevocation(ctx, &one))
	if one.ID == 0 {
		t.Fatal("CreateRevocation did not set the id")
	}
	gen1, err := s.RevocationGeneration(ctx)
	must(t, err)
	if gen1 == gen {
		t.Fatal("the generation did not change with a revocation")
	}
	dup := one
	dup.ID, dup.Reason = 0, "again"
	wantKind(t, s.CreateRevocation(ctx, &dup), errkind.ErrConflict, "second revocation of one token")

	// Any number of principal revocations (no token id).
	all := store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:role/ci", IssuedBefore: t0, Expires: t0.Add(12 * time.Hour), CreatedAt: t0}
	scoped := store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:role/ci", Domain: "other", IssuedBefore: t0, Expires: t0.Add(12 * time.Hour), CreatedAt: t0}
	expired := store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:root", IssuedBefore: t0.Add(-13 * time.Hour), Expires: t0.Add(-time.Hour), CreatedAt: t0}
	for _, r := range []*store.Revocation{&all, &scoped, &expired} {
		must(t, s.CreateRevocation(ctx, r))
	}
	if !(one.ID < all.ID && all.ID < scoped.ID && scoped.ID < expired.ID) {
		t.Errorf("ids do not increase: %d %d %d %d", one.ID, all.ID, scoped.ID, expired.ID)
	}
	gen2, err := s.RevocationGeneration(ctx)
	must(t, err)
	if gen2 == gen1 {
		t.Error("the generation did not change with more revocations")
	}

	list, err := s.ListRevocations(ctx, t0)
	must(t, err)
	if want := []store.Revocation{one, all, scoped}; !reflect.DeepEqual(list, want) {
		t.Errorf("ListRevocations(now) =\n%+v\nwant the unexpired ones by id\n%+v", list, want)
	}
	list, err = s.ListRevocations(ctx, t0.Add(-2*time.Hour))
	must(t, err)
	if len(list) != 4 {
		t.Errorf("ListRevocations(2h ago) has %d, want all 4", len(list))
	}

	n, err := s.DeleteExpiredRevocations(ctx, t0)
	must(t, err)
	if n != 1 {
		t.Errorf("DeleteExpiredRevocations removed %d, want 1", n)
	}
	list, err = s.ListRevocations(ctx, t0.Add(-2*time.Hour))
	must(t, err)
	if len(list) != 3 {
		t.Errorf("after pruning, %d revocations, want 3", len(list))
	}
	// The token's revocation expires after an hour; the others after 12.
	n, err = s.DeleteExpiredRevocations(ctx, t0.Add(time.Hour))
	must(t, err)
	if n != 1 {
		t.Errorf("DeleteExpiredRevocations(+1h) removed %d, want 1", n)
	}
	// With its row gone, the token can be revoked again.
	dup.ID = 0
	must(t, s.CreateRevocation(ctx, &dup))
	must(t, s.Update(ctx, func(q store.Queries) error {
		r := store.Revocation{TokenID: "ffeeddccbbaa99887766554433221100", IssuedBefore: t0, Expires: t0.Add(time.Hour), CreatedAt: t0}
		return q.CreateRevocation(ctx, &r)
	}))
}

// testRevocationGenerationAfterPrune: pruning every row must not let a
// later revocation reuse an id, or a poller that saw the old generation
// would miss it.
func testRevocationGenerationAfterPrune(t *testing.T, s store.Store) {
	t0 := now()
	var seen []int64
	for i := 0; i < 3; i++ {
		r := store.Revocation{PrincipalARN: "arn:aws:iam::111122223333:root", IssuedBefore: t0, Expires: t0.Add(time.Minute), CreatedAt: t0}
		must(t, s.CreateRevocation(ctx, &r))
		gen, err := s.RevocationGeneration(ctx)
		must(t, err)
		for _, g := range seen {
			if g == gen {
				t.Fatalf("round %d: generation %d was seen before (%v)", i, gen, seen)
			}
		}
		seen = append(seen, gen)
		_, err = s.DeleteExpiredRevocations(ctx, t0.Add(time.Hour))
		must(t, err)
		gen, err = s.RevocationGeneration(ctx)
		must(t, err)
		seen = append(seen, gen)
	}
}
