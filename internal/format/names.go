package format

import (
	"context"
	"sort"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/store"
)

// PackageNames returns the names of the packages of format f in repo and
// its upstream repositories, in search order, each once, sorted, at most
// limit of them (a public registry behind an external connection is not
// listed: it holds hundreds of thousands). The PyPI project list and the
// RubyGems indexes are made from it.
func (d Deps) PackageNames(ctx context.Context, repo store.Repository, f artifact.Format, limit int) ([]string, error) {
	order, err := d.Resolver.SearchOrder(ctx, repo)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, rn := range order {
		r := repo
		if rn != repo.Name {
			if r, err = d.Catalog.Repository(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: repo.DomainOwner, Name: repo.DomainName}, Name: rn}); err != nil {
				return nil, err
			}
		}
		filter := store.PackageFilter{Format: f}
		for len(seen) < limit {
			page, err := d.Catalog.ListPackages(ctx, r, filter, 1000)
			if err != nil {
				return nil, err
			}
			for _, p := range page.Packages {
				seen[p.Name] = true
			}
			if !page.More {
				break
			}
			filter.After = page.Packages[len(page.Packages)-1].PackageRef
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}
