package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/pkggroup"
)

// BenchmarkReleaseGate measures what the resolver pays for the release-age
// gate of a package view: the catalog's lookup of the package's gate (the
// compiled groups of the domain, kept under the group generation, with
// its check against the store) and the decision on two versions, in a
// domain of 200 groups, gates on some, and 100 break-glass entries.
func BenchmarkReleaseGate(b *testing.B) {
	ctx := context.Background()
	cat, d, repo := npmDomain(b)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(cat.CreatePackageGroup(ctx, d, "/npm/*", "", "", nil))
	must(cat.PutReleaseGate(ctx, d, "/npm/*", pkggroup.ReleaseGate{MinAge: 72 * time.Hour}))
	for i := range 200 {
		p := fmt.Sprintf("/npm/scope%d/*", i)
		must(cat.CreatePackageGroup(ctx, d, p, "", "", nil))
		if i%10 == 0 {
			must(cat.PutReleaseGate(ctx, d, p, pkggroup.ReleaseGate{MinAge: time.Duration(i+1) * time.Hour}))
		}
	}
	for i := range 100 {
		must(cat.AllowHeldVersion(ctx, d, artifact.PackageRef{Format: artifact.NPM, Name: fmt.Sprintf("lib-%d", i)}, "1.0.0", "arn:aws:iam::111122223333:root"))
	}
	ref := artifact.PackageRef{Format: artifact.NPM, Namespace: "scope7", Name: "web-helper"}
	young := time.Now().Add(-time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		check, err := cat.ReleaseGate(ctx, repo, ref)
		if err != nil || check == nil {
			b.Fatal("no gate", err)
		}
		check("1.0.0", young)
		check("0.9.0", young.Add(-30*24*time.Hour))
	}
}
