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

// ReleaseGate is the release-age gate set on a package group itself.
type ReleaseGate struct {
	GroupID          int64
	MinAge           time.Duration
	Cutoff           time.Time // zero: none
	AllowMissingTime bool
	UpdatedAt        time.Time
}

// GateExemption is a break-glass entry of a domain: a version of a
// package (Version "" for every version) let through the release-age gate.
type GateExemption struct {
	DomainID  int64
	Ref       artifact.PackageRef
	Version   string
	CreatedAt time.Time
	CreatedBy string
}

// ReleaseGates stores release-age gates and their break-glass entries.
// Every write bumps the domain's package group generation, so the gates
// are cached with the compiled groups. Deleting a group removes its gate;
// deleting a domain removes its entries.
type ReleaseGates interface {
	// PutReleaseGate sets a group's gate, replacing the one it had.
	PutReleaseGate(ctx context.Context, domainID int64, g ReleaseGate) error
	// DeleteReleaseGate removes a group's own gate; a group without one
	// is errkind.NotFound.
	DeleteReleaseGate(ctx context.Context, domainID, groupID int64) error
	// ListReleaseGates returns the gates of the domain's groups.
	ListReleaseGates(ctx context.Context, domainID int64) ([]ReleaseGate, error)
	// PutGateExemption records an entry; recording it again keeps the
	// first one.
	PutGateExemption(ctx context.Context, e GateExemption) error
	// DeleteGateExemption removes an entry; a missing one is
	// errkind.NotFound.
	DeleteGateExemption(ctx context.Context, e GateExemption) error
	// ListGateExemptions returns the domain's entries, by package and
	// version.
	ListGateExemptions(ctx context.Context, domainID int64) ([]GateExemption, error)
}
