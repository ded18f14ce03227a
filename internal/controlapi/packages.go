package controlapi

import (
	"context"
	"strings"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// Package operations (User Guide, "Working with packages"). They act on
// one repository and ignore its upstreams ("API behavior with upstream
// repositories"); only CopyPackageVersions with includeFromUpstream and
// the publish guard of PublishPackageVersion look further, through the
// Resolver. Each authorizes the operation's own action on the package's
// ARN, as the permissions reference does.

// packageInput names a package in a repository, as most package
// operations do.
type packageInput struct {
	repositoryInput
	Format    string `json:"format"`
	Namespace string `json:"namespace"`
	Package   string `json:"package"`
}

// target returns the repository and package the input names, checking
// the namespace rule of the model.
func (a *API) target(c *call, in packageInput) (catalog.RepositoryRef, artifact.PackageRef, error) {
	// Names are looked up as the format keys them: a PyPI project by its
	// normal form, whatever spelling the caller used.
	ref := a.cfg.Formats.Normalize(artifact.PackageRef{Format: artifact.Format(in.Format), Namespace: in.Namespace, Name: in.Package})
	return in.ref(c), ref, a.checkNamespace(ref)
}

// checkNamespace applies the model's rule that packages of some formats
// (Maven, Swift, generic) always have a namespace (their group id, scope
// or namespace). Formats without namespaces are not checked: a namespace
// there names a package that cannot exist, which the lookup reports.
func (a *API) checkNamespace(ref artifact.PackageRef) error {
	if a.cfg.Formats.NamespaceRequired(ref.Format) && ref.Namespace == "" {
		return errkind.Validationf("A namespace is required for %s packages", ref.Format)
	}
	return nil
}

func (a *API) packageARN(repo catalog.RepositoryRef, ref artifact.PackageRef) string {
	return arn.Package(a.cfg.Region, repo.Owner, repo.DomainRef.Name, repo.Name, string(ref.Format), ref.Namespace, ref.Name)
}

// packageCall authorizes the call's own action on the package and finds
// the repository.
func (a *API) packageCall(ctx context.Context, c *call, in packageInput) (store.Repository, artifact.PackageRef, error) {
	repoRef, ref, err := a.target(c, in)
	if err != nil {
		return store.Repository{}, ref, err
	}
	if err := a.authorize(ctx, c, "codeartifact:"+c.op.Name, a.packageARN(repoRef, ref)); err != nil {
		return store.Repository{}, ref, err
	}
	repo, err := a.catalog.Repository(ctx, repoRef)
	return repo, ref, err
}

// --- shapes ---

// originRestrictions is the model's PackageOriginRestrictions.
type originRestrictions struct {
	Publish  string `json:"publish"`
	Upstream string `json:"upstream"`
}

// originConfiguration is the model's PackageOriginConfiguration.
type originConfiguration struct {
	Restrictions originRestrictions `json:"restrictions"`
}

func originConfigurationOf(o artifact.OriginConfig) *originConfiguration {
	return &originConfiguration{originRestrictions{Publish: string(o.Publish), Upstream: string(o.Upstream)}}
}

// packageSummary is the model's PackageSummary.
type packageSummary struct {
	Format              string               `json:"format"`
	Namespace           string               `json:"namespace,omitempty"`
	Package             string               `json:"package"`
	OriginConfiguration *originConfiguration `json:"originConfiguration"`
}

func packageSummaryOf(p store.Package) packageSummary {
	return packageSummary{Format: string(p.Format), Namespace: p.Namespace, Package: p.Name, OriginConfiguration: originConfigurationOf(p.Origin)}
}

// packageDescription is the model's PackageDescription.
type packageDescription struct {
	Format              string               `json:"format"`
	Namespace           string               `json:"namespace,omitempty"`
	Name                string               `json:"name"`
	OriginConfiguration *originConfiguration `json:"originConfiguration"`
}

// --- ListPackages ---

// listPackagesPageSize is list-packages' default page size (User Guide,
// "List package names": "By default, the maximum number of results
// returned by list-packages is 100").
const listPackagesPageSize = 100

type listPackagesOutput struct {
	Packages  []packageSummary `json:"packages"`
	NextToken string           `json:"nextToken,omitempty"`
}

// listPackages serves ListPackages. The namespace filter matches
// namespaces by prefix, as the model documents ("although this option is
// called --namespace and not --namespace-prefix, it has prefix-matching
// behavior"), and needs a format (User Guide: "--namespace can't be used
// by itself").
func (a *API) listPackages(ctx context.Context, c *call, in *struct {
	repositoryInput
	Format        string `json:"format"`
	Namespace     string `json:"namespace"`
	PackagePrefix string `json:"packagePrefix"`
	Publish       string `json:"publish"`
	Upstream      string `json:"upstream"`
	listInput
}) (*listPackagesOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:ListPackages", a.repositoryARN(ref)); err != nil {
		return nil, err
	}
	if in.Namespace != "" && in.Format == "" {
		return nil, errkind.Validationf("namespace filters packages only together with format: give --format as well")
	}
	filters := strings.Join([]string{ref.Owner, ref.DomainRef.Name, ref.Name, in.Format, in.Namespace, in.PackagePrefix, in.Publish, in.Upstream}, "\x00")
	cur, err := a.openToken(c, filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	repo, err := a.catalog.Repository(ctx, ref)
	if err != nil {
		return nil, err
	}
	limit := pageSizeOr(in.MaxResults, listPackagesPageSize)
	match := func(p store.Package) bool {
		return strings.HasPrefix(p.Namespace, in.Namespace) &&
			(in.Publish == "" || string(p.Origin.Publish) == in.Publish) &&
			(in.Upstream == "" || string(p.Origin.Upstream) == in.Upstream)
	}
	// The store filters by format and name prefix; the other filters are
	// applied here, reading on until one more match than the page holds
	// shows whether there is a next page.
	f := store.PackageFilter{
		Format: artifact.Format(in.Format), Prefix: in.PackagePrefix,
		After: artifact.PackageRef{Format: artifact.Format(cur.Format), Namespace: cur.Namespace, Name: cur.Name},
	}
	var found []store.Package
	for len(found) <= limit {
		page, err := a.catalog.ListPackages(ctx, repo, f, limit+1)
		if err != nil {
			return nil, err
		}
		for _, p := range page.Packages {
			f.After = p.PackageRef
			if match(p) {
				found = append(found, p)
			}
		}
		if !page.More {
			break
		}
	}
	out := &listPackagesOutput{Packages: []packageSummary{}}
	if len(found) > limit {
		found = found[:limit]
		last := found[limit-1]
		out.NextToken = a.nextToken(c, filters, cursor{Format: string(last.Format), Namespace: last.Namespace, Name: last.Name})
	}
	for _, p := range found {
		out.Packages = append(out.Packages, packageSummaryOf(p))
	}
	return out, nil
}

// --- DescribePackage, DeletePackage, PutPackageOriginConfiguration ---

type describePackageOutput struct {
	Package packageDescription `json:"package"`
}

// describePackage serves DescribePackage.
func (a *API) describePackage(ctx context.Context, c *call, in *packageInput) (*describePackageOutput, error) {
	repo, ref, err := a.packageCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	p, err := a.catalog.Package(ctx, repo, ref)
	if err != nil {
		return nil, err
	}
	return &describePackageOutput{packageDescription{
		Format: string(p.Format), Namespace: p.Namespace, Name: p.Name, OriginConfiguration: originConfigurationOf(p.Origin),
	}}, nil
}

type deletePackageOutput struct {
	DeletedPackage packageSummary `json:"deletedPackage"`
}

// deletePackage serves DeletePackage: the package with all its versions.
func (a *API) deletePackage(ctx context.Context, c *call, in *packageInput) (*deletePackageOutput, error) {
	repo, ref, err := a.packageCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	p, err := a.catalog.DeletePackage(ctx, repo, ref)
	if err != nil {
		return nil, err
	}
	return &deletePackageOutput{packageSummaryOf(p)}, nil
}

type originConfigurationOutput struct {
	OriginConfiguration *originConfiguration `json:"originConfiguration"`
}

// putPackageOriginConfiguration serves PutPackageOriginConfiguration. A
// package that does not exist yet is created with no versions, so a
// repository can block a name before anything arrives under it.
func (a *API) putPackageOriginConfiguration(ctx context.Context, c *call, in *struct {
	packageInput
	Restrictions originRestrictions `json:"restrictions"`
}) (*originConfigurationOutput, error) {
	repo, ref, err := a.packageCall(ctx, c, in.packageInput)
	if err != nil {
		return nil, err
	}
	cfg := artifact.OriginConfig{Publish: artifact.Restriction(in.Restrictions.Publish), Upstream: artifact.Restriction(in.Restrictions.Upstream)}
	p, err := a.catalog.PutOriginConfiguration(ctx, repo, ref, cfg)
	if err != nil {
		return nil, err
	}
	return &originConfigurationOutput{originConfigurationOf(p.Origin)}, nil
}
