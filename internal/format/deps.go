package format

import (
	"context"
	"log/slog"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
)

// Deps are what a format's surface needs.
type Deps struct {
	Catalog  *catalog.Catalog
	Resolver *resolve.Resolver
	Blobs    blob.Store
	// Log defaults to discarding.
	Log *slog.Logger
	// Authz decides the writes (publish, metadata); the endpoint has
	// already checked ReadFromRepository. Without it every write is
	// refused.
	Authz Authorizer
	// Region goes into the package ARNs writes are authorized on.
	Region string
	// CacheBytes is the server's memory budget for caches (see package
	// cachesize): each cache of a format holds its share of it. 0 is the
	// default budget.
	CacheBytes int64
}

// Authorizer decides whether the caller may write to a package (package
// authz).
type Authorizer interface {
	Authorize(ctx context.Context, r authz.Request) error
}

// WithDefaults returns d with its defaults filled in.
func (d Deps) WithDefaults() Deps {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return d
}

// AuthorizeWrite decides whether the caller of req may perform each of
// actions on a package of req's repository.
func (d Deps) AuthorizeWrite(ctx context.Context, req *endpoint.Request, pkgFormat, namespace, name string, actions ...string) error {
	if d.Authz == nil {
		return errkind.Deniedf("Writes are not enabled on this repository endpoint")
	}
	repo := req.Repository
	resource := arn.Package(d.Region, repo.DomainOwner, repo.DomainName, repo.Name, pkgFormat, namespace, name)
	for _, action := range actions {
		if err := d.Authz.Authorize(ctx, authz.Request{Principal: req.Principal, Action: action, Resource: resource}); err != nil {
			return err
		}
	}
	return nil
}
