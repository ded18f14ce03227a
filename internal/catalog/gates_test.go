package catalog_test

import (
	"errors"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
)

// A gate or a break-glass entry written through one server (catalog)
// binds another over the same store on its next check; a gate on a group
// that does not exist, or an invalid one, is refused and changes nothing.
func TestReleaseGatesSeenByOtherServers(t *testing.T) {
	ctx, a, b, d, repo := twoServers(t)
	now := time.Now()
	ref := artifact.PackageRef{Format: artifact.NPM, Name: "left-pad"}
	held := func(c *catalog.Catalog, version string) bool {
		t.Helper()
		check, err := c.ReleaseGate(ctx, repo, ref)
		if err != nil {
			t.Fatal(err)
		}
		if check == nil {
			return false
		}
		_, h := check(version, now.Add(-time.Hour))
		return h
	}
	if held(b, "1.0.0") {
		t.Fatal("held before any gate")
	}
	if err := a.PutReleaseGate(ctx, d, "/npm/*", pkggroup.ReleaseGate{MinAge: time.Hour}); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("a gate on a group that does not exist: %v, want NotFound", err)
	}
	if err := a.PutReleaseGate(ctx, d, pkggroup.Root, pkggroup.ReleaseGate{MinAge: -time.Hour}); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("a negative age: %v, want Validation", err)
	}
	if held(b, "1.0.0") {
		t.Fatal("a refused put took effect")
	}
	if err := a.PutReleaseGate(ctx, d, pkggroup.Root, pkggroup.ReleaseGate{MinAge: 72 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if !held(b, "1.0.0") {
		t.Error("the other server does not see the gate")
	}
	if err := a.AllowHeldVersion(ctx, d, ref, "1.0.0", "arn:aws:iam::111122223333:root"); err != nil {
		t.Fatal(err)
	}
	if held(b, "1.0.0") || !held(b, "1.0.1") {
		t.Error("the other server does not see the break-glass entry for 1.0.0 alone")
	}
	if err := a.DisallowHeldVersion(ctx, d, ref, ""); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("removing an entry for every version that was never made: %v, want NotFound", err)
	}
	if err := a.DeleteReleaseGate(ctx, d, pkggroup.Root); err != nil {
		t.Fatal(err)
	}
	if held(b, "1.0.1") {
		t.Error("the other server still holds after the gate was removed")
	}
}
