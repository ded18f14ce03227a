package catalog_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// A gate or a break-glass entry written through one server (catalog)
// binds another over the same store on its next check; a gate on a group
// that does not exist, or an invalid one, is refused and changes nothing.
func TestReleaseGatesSeenByOtherServers(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	a, b := catalog.New(st, "us-east-1", time.Now), catalog.New(st, "us-east-1", time.Now)
	d := catalog.DomainRef{Owner: "111122223333", Name: "d"}
	if _, err := a.CreateDomain(ctx, d, "", nil); err != nil {
		t.Fatal(err)
	}
	repo, err := a.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "r"}, d.Owner, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
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
