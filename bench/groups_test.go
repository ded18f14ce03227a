package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/pkggroup"
)

// BenchmarkOriginCheck measures what a publish and an ingestion pay for
// package groups: catalog.CheckOrigin (the domain's compiled groups, kept
// under the group generation, checked against the store; the most
// specific group of the package; its effective mode) in a domain of 1,000
// groups, a tenth of them with origin controls set.
func BenchmarkOriginCheck(b *testing.B) {
	ctx := context.Background()
	cat, d, repo := npmDomain(b)
	for i := range 1000 {
		p := fmt.Sprintf("/npm/scope%d/*", i)
		if err := cat.CreatePackageGroup(ctx, d, p, "", "", nil); err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			modes := map[pkggroup.Restriction]pkggroup.Mode{pkggroup.Publish: pkggroup.Allow, pkggroup.ExternalUpstream: pkggroup.Allow}
			if _, err := cat.UpdateOriginConfiguration(ctx, d, p, modes, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, c := range []struct {
		name string
		ref  artifact.PackageRef
		r    pkggroup.Restriction
	}{
		{"publish, package in a group with controls", artifact.PackageRef{Format: artifact.NPM, Namespace: "scope500", Name: "web-helper"}, pkggroup.Publish},
		{"publish, package only under the root group", artifact.PackageRef{Format: artifact.NPM, Name: "left-pad"}, pkggroup.Publish},
		{"ingestion, package inheriting its controls", artifact.PackageRef{Format: artifact.NPM, Namespace: "scope777", Name: "web-helper"}, pkggroup.ExternalUpstream},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := cat.CheckOrigin(ctx, repo, c.ref, c.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
