package resolve

import (
	"context"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
)

// groupGate asks the package groups (catalog.CheckOrigin) whether a view
// may take the package from an upstream or an external connection, and
// keeps the first refusal, which is the answer when the package is found
// nowhere else.
type groupGate struct {
	r       *Resolver
	ref     artifact.PackageRef
	refused error
}

// allows reports whether versions of the package may enter repo through
// restriction; an error is a failure to find out.
func (g *groupGate) allows(ctx context.Context, repo store.Repository, restriction pkggroup.Restriction) (bool, error) {
	err := g.r.cat.CheckOrigin(ctx, repo, g.ref, restriction)
	if errkind.KindOf(err) == errkind.AccessDenied {
		if g.refused == nil {
			g.refused = err
		}
		return false, nil
	}
	return err == nil, err
}
