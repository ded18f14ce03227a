package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// BenchmarkOriginCheck measures what a publish and an ingestion pay for
// package groups: catalog.CheckOrigin (the domain's compiled groups, kept
// under the group generation, checked against the store; the most
// specific group of the package; its effective mode) in a domain of 1,000
// groups, a tenth of them with origin controls set.
func BenchmarkOriginCheck(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cat := catalog.New(st, "us-east-1", time.Now, format.NewRegistry(npm.Rules{}))
	d := catalog.DomainRef{Owner: "111122223333", Name: "d"}
	if _, err := cat.CreateDomain(ctx, d, "", nil); err != nil {
		b.Fatal(err)
	}
	repo, err := cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "r"}, d.Owner, "", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
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
