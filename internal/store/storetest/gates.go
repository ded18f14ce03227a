package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

func testReleaseGates(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "gates")
	g := store.PackageGroup{DomainID: d.ID, Pattern: "/npm/*", Modes: map[string]string{}, CreatedAt: now()}
	must(t, s.CreatePackageGroup(ctx, &g))
	gen := func() int64 {
		n, err := s.PackageGroupGeneration(ctx, d.ID)
		must(t, err)
		return n
	}
	before := gen()
	gate := store.ReleaseGate{GroupID: g.ID, MinAge: 72 * time.Hour, Cutoff: now().Add(-time.Hour), UpdatedAt: now()}
	must(t, s.PutReleaseGate(ctx, d.ID, gate))
	if gen() == before {
		t.Fatal("the generation did not move with a gate put")
	}
	list, err := s.ListReleaseGates(ctx, d.ID)
	must(t, err)
	if len(list) != 1 || !reflect.DeepEqual(list[0], gate) {
		t.Fatalf("listed %+v, want %+v", list, gate)
	}
	// A second put replaces it: no cut-off now, missing times allowed.
	gate = store.ReleaseGate{GroupID: g.ID, MinAge: time.Hour, AllowMissingTime: true, UpdatedAt: now()}
	must(t, s.PutReleaseGate(ctx, d.ID, gate))
	if list, _ = s.ListReleaseGates(ctx, d.ID); len(list) != 1 || !reflect.DeepEqual(list[0], gate) {
		t.Fatalf("after replacing: %+v, want %+v", list, gate)
	}

	e := store.GateExemption{DomainID: d.ID, Ref: artifact.PackageRef{Format: artifact.NPM, Namespace: "s", Name: "p"}, Version: "2.0.0", CreatedAt: now(), CreatedBy: "arn:aws:iam::111122223333:root"}
	all := e
	all.Version = ""
	before = gen()
	must(t, s.PutGateExemption(ctx, e))
	must(t, s.PutGateExemption(ctx, all))
	must(t, s.PutGateExemption(ctx, e)) // again: no-op
	if gen() == before {
		t.Fatal("the generation did not move with an exemption")
	}
	ex, err := s.ListGateExemptions(ctx, d.ID)
	must(t, err)
	if len(ex) != 2 || !reflect.DeepEqual(ex[0], all) || !reflect.DeepEqual(ex[1], e) {
		t.Fatalf("exemptions %+v", ex)
	}
	must(t, s.DeleteGateExemption(ctx, e))
	wantKind(t, s.DeleteGateExemption(ctx, e), errkind.ErrNotFound, "deleting a missing exemption")

	must(t, s.DeleteReleaseGate(ctx, d.ID, g.ID))
	wantKind(t, s.DeleteReleaseGate(ctx, d.ID, g.ID), errkind.ErrNotFound, "deleting a missing gate")

	// Deleting the group takes its gate; deleting the domain its entries.
	must(t, s.PutReleaseGate(ctx, d.ID, gate))
	must(t, s.DeletePackageGroup(ctx, g.ID))
	if list, _ = s.ListReleaseGates(ctx, d.ID); len(list) != 0 {
		t.Fatalf("a deleted group's gate stayed: %+v", list)
	}
	must(t, s.DeleteDomain(ctx, d.ID))
	if ex, _ = s.ListGateExemptions(ctx, d.ID); len(ex) != 0 {
		t.Fatalf("a deleted domain's exemptions stayed: %+v", ex)
	}
}
