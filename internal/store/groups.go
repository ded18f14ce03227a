package store

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/artifact"
)

// PackageGroup is a package group of a domain. Pattern is unique in the
// domain. Modes holds the origin restrictions set on the group itself
// (restriction type to mode, as the model spells them); a restriction
// absent from it is INHERIT.
type PackageGroup struct {
	ID          int64
	DomainID    int64
	Pattern     string
	Description string
	ContactInfo string
	Modes       map[string]string
	CreatedAt   time.Time
}

// AllowedRepository is a repository on a group's allowed list for one
// restriction type.
type AllowedRepository struct {
	GroupID        int64
	Restriction    string
	RepositoryID   int64
	RepositoryName string // filled by ListAllowedRepositories
}

// PackageGroups stores package groups, their origin restrictions and
// allowed repositories. Every write bumps the domain's package group
// generation in the same transaction, so a server holding a compiled
// index of a domain's groups (in any process) knows when to reload it.
// Deleting a domain or a repository removes its groups or its places on
// allowed lists.
type PackageGroups interface {
	// CreatePackageGroup inserts g and sets g.ID; an existing pattern in
	// the domain is errkind.Conflict.
	CreatePackageGroup(ctx context.Context, g *PackageGroup) error
	// UpdatePackageGroup replaces the description, contact information and
	// modes of the group with g.ID.
	UpdatePackageGroup(ctx context.Context, g PackageGroup) error
	// DeletePackageGroup removes a group with its allowed repositories and
	// tags; a missing group is errkind.NotFound.
	DeletePackageGroup(ctx context.Context, id int64) error
	// ListPackageGroups returns every group of the domain, by pattern.
	ListPackageGroups(ctx context.Context, domainID int64) ([]PackageGroup, error)
	// ListAllowedRepositories returns the allowed repositories of every
	// group of the domain, with the repositories' names.
	ListAllowedRepositories(ctx context.Context, domainID int64) ([]AllowedRepository, error)
	// AddAllowedRepository puts a repository on a group's list; adding it
	// again is a no-op.
	AddAllowedRepository(ctx context.Context, domainID int64, a AllowedRepository) error
	// RemoveAllowedRepository takes a repository off a group's list;
	// removing one that is not there is a no-op.
	RemoveAllowedRepository(ctx context.Context, domainID int64, a AllowedRepository) error
	// PackageGroupGeneration returns a number that changes with every
	// write to the domain's groups (0 before the first).
	PackageGroupGeneration(ctx context.Context, domainID int64) (int64, error)
	// ListDomainPackages returns at most limit distinct packages held by
	// any repository of the domain, sorted by (format, namespace, name),
	// after the given one.
	ListDomainPackages(ctx context.Context, domainID int64, after artifact.PackageRef, limit int) ([]artifact.PackageRef, error)
}
