package controlapi

import (
	"context"
	"strings"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
)

// Package group operations (User Guide, "Working with package groups").
// Each authorizes its own action on the group's ARN, or on the domain's
// for the listing of a domain's groups and the association lookup.

// groupInput names a package group of a domain.
type groupInput struct {
	domainInput
	PackageGroup string `json:"packageGroup"`
}

func (a *API) groupARN(d catalog.DomainRef, pattern string) string {
	return arn.PackageGroup(a.cfg.Region, d.Owner, d.Name, pattern)
}

// --- shapes ---

// packageGroupReference is the model's PackageGroupReference.
type packageGroupReference struct {
	ARN     string `json:"arn"`
	Pattern string `json:"pattern"`
}

// packageGroupOriginRestriction is the model's PackageGroupOriginRestriction.
type packageGroupOriginRestriction struct {
	Mode              string                 `json:"mode"`
	EffectiveMode     string                 `json:"effectiveMode"`
	InheritedFrom     *packageGroupReference `json:"inheritedFrom,omitempty"`
	RepositoriesCount int64                  `json:"repositoriesCount"`
}

// packageGroupOriginConfiguration is the model's PackageGroupOriginConfiguration.
type packageGroupOriginConfiguration struct {
	Restrictions map[string]packageGroupOriginRestriction `json:"restrictions"`
}

// packageGroupDescription is the model's PackageGroupDescription (and,
// member for member, its PackageGroupSummary).
type packageGroupDescription struct {
	ARN                 string                           `json:"arn"`
	Pattern             string                           `json:"pattern"`
	DomainName          string                           `json:"domainName"`
	DomainOwner         string                           `json:"domainOwner"`
	CreatedTime         epoch                            `json:"createdTime"`
	ContactInfo         string                           `json:"contactInfo,omitempty"`
	Description         string                           `json:"description,omitempty"`
	OriginConfiguration *packageGroupOriginConfiguration `json:"originConfiguration"`
	Parent              *packageGroupReference           `json:"parent,omitempty"`
}

func (a *API) groupReference(d catalog.DomainRef, n *pkggroup.Node) *packageGroupReference {
	if n == nil {
		return nil
	}
	return &packageGroupReference{ARN: a.groupARN(d, n.Pattern.Text), Pattern: n.Pattern.Text}
}

func (a *API) groupDescription(d catalog.DomainRef, n *pkggroup.Node) *packageGroupDescription {
	oc := &packageGroupOriginConfiguration{Restrictions: map[string]packageGroupOriginRestriction{}}
	for _, r := range pkggroup.Restrictions {
		mode := n.Mode(r)
		eff, from := n.Effective(r)
		res := packageGroupOriginRestriction{Mode: string(mode), EffectiveMode: string(eff), RepositoriesCount: int64(len(n.Allowed[r]))}
		if mode == pkggroup.Inherit && from != nil {
			res.InheritedFrom = a.groupReference(d, from)
		}
		oc.Restrictions[string(r)] = res
	}
	return &packageGroupDescription{
		ARN: a.groupARN(d, n.Pattern.Text), Pattern: n.Pattern.Text, DomainName: d.Name, DomainOwner: d.Owner,
		CreatedTime: epoch(n.CreatedAt), ContactInfo: n.ContactInfo, Description: n.Description,
		OriginConfiguration: oc, Parent: a.groupReference(d, n.Parent),
	}
}

type packageGroupOutput struct {
	PackageGroup *packageGroupDescription `json:"packageGroup"`
}

// describeGroup reads a group after a change and describes it.
func (a *API) describeGroup(ctx context.Context, d catalog.DomainRef, pattern string) (*packageGroupOutput, error) {
	_, _, n, err := a.catalog.PackageGroup(ctx, d, pattern)
	if err != nil {
		return nil, err
	}
	return &packageGroupOutput{a.groupDescription(d, n)}, nil
}

// groupCall authorizes the call's own action on the group's ARN.
func (a *API) groupCall(ctx context.Context, c *call, in groupInput) (catalog.DomainRef, error) {
	d := in.ref(c)
	return d, a.authorize(ctx, c, c.op.Action(), a.groupARN(d, in.PackageGroup))
}

// groupNode authorizes the call and finds the group it names.
func (a *API) groupNode(ctx context.Context, c *call, in groupInput) (catalog.DomainRef, *pkggroup.Node, error) {
	d, err := a.groupCall(ctx, c, in)
	if err != nil {
		return d, nil, err
	}
	_, _, n, err := a.catalog.PackageGroup(ctx, d, in.PackageGroup)
	return d, n, err
}

// --- CreatePackageGroup, DescribePackageGroup, UpdatePackageGroup, DeletePackageGroup ---

// createPackageGroup serves CreatePackageGroup.
func (a *API) createPackageGroup(ctx context.Context, c *call, in *struct {
	groupInput
	ContactInfo string `json:"contactInfo"`
	Description string `json:"description"`
	Tags        []tag  `json:"tags"`
}) (*packageGroupOutput, error) {
	d := in.ref(c)
	groupARN, tags := a.groupARN(d, in.PackageGroup), tagsToStore(in.Tags)
	if err := a.check(ctx, c, authz.Request{Action: "codeartifact:CreatePackageGroup", Resource: groupARN, Tags: tags}); err != nil {
		return nil, err
	}
	if err := a.authorizeTagging(ctx, c, groupARN, tags); err != nil {
		return nil, err
	}
	if err := a.catalog.CreatePackageGroup(ctx, d, in.PackageGroup, in.Description, in.ContactInfo, tags); err != nil {
		return nil, err
	}
	return a.describeGroup(ctx, d, in.PackageGroup)
}

// describePackageGroup serves DescribePackageGroup.
func (a *API) describePackageGroup(ctx context.Context, c *call, in *groupInput) (*packageGroupOutput, error) {
	d, n, err := a.groupNode(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	return &packageGroupOutput{a.groupDescription(d, n)}, nil
}

// updatePackageGroup serves UpdatePackageGroup: the description and the
// contact information (the definition never changes; origin controls
// have their own operation).
func (a *API) updatePackageGroup(ctx context.Context, c *call, in *struct {
	groupInput
	ContactInfo *string `json:"contactInfo"`
	Description *string `json:"description"`
}) (*packageGroupOutput, error) {
	d, err := a.groupCall(ctx, c, in.groupInput)
	if err != nil {
		return nil, err
	}
	if err := a.catalog.UpdatePackageGroup(ctx, d, in.PackageGroup, in.Description, in.ContactInfo); err != nil {
		return nil, err
	}
	return a.describeGroup(ctx, d, in.PackageGroup)
}

// deletePackageGroup serves DeletePackageGroup and returns the group as
// it was. Its sub-groups fall to its parent; its packages stay.
func (a *API) deletePackageGroup(ctx context.Context, c *call, in *groupInput) (*packageGroupOutput, error) {
	d, err := a.groupCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	out, err := a.describeGroup(ctx, d, in.PackageGroup)
	if err != nil {
		return nil, err
	}
	return out, a.catalog.DeletePackageGroup(ctx, d, in.PackageGroup)
}

// --- UpdatePackageGroupOriginConfiguration ---

// allowedRepository is the model's PackageGroupAllowedRepository.
type allowedRepository struct {
	RepositoryName        string `json:"repositoryName"`
	OriginRestrictionType string `json:"originRestrictionType"`
}

func allowedChanges(list []allowedRepository, member string) ([]catalog.AllowedRepositoryChange, error) {
	out := make([]catalog.AllowedRepositoryChange, 0, len(list))
	for i, ar := range list {
		r, ok := pkggroup.ParseRestriction(ar.OriginRestrictionType)
		if !ok || ar.RepositoryName == "" {
			return nil, errkind.Validationf("%s.%d needs both repositoryName and originRestrictionType (EXTERNAL_UPSTREAM, INTERNAL_UPSTREAM or PUBLISH)", member, i+1)
		}
		out = append(out, catalog.AllowedRepositoryChange{Restriction: r, Repository: ar.RepositoryName})
	}
	return out, nil
}

type updateOriginConfigurationOutput struct {
	PackageGroup             *packageGroupDescription       `json:"packageGroup"`
	AllowedRepositoryUpdates map[string]map[string][]string `json:"allowedRepositoryUpdates"`
}

// updatePackageGroupOriginConfiguration serves
// UpdatePackageGroupOriginConfiguration.
func (a *API) updatePackageGroupOriginConfiguration(ctx context.Context, c *call, in *struct {
	groupInput
	Restrictions              map[string]string   `json:"restrictions"`
	AddAllowedRepositories    []allowedRepository `json:"addAllowedRepositories"`
	RemoveAllowedRepositories []allowedRepository `json:"removeAllowedRepositories"`
}) (*updateOriginConfigurationOutput, error) {
	d, err := a.groupCall(ctx, c, in.groupInput)
	if err != nil {
		return nil, err
	}
	modes := map[pkggroup.Restriction]pkggroup.Mode{}
	for k, v := range in.Restrictions { // keys and values are checked against the model's enums
		modes[pkggroup.Restriction(k)] = pkggroup.Mode(v)
	}
	add, err := allowedChanges(in.AddAllowedRepositories, "addAllowedRepositories")
	if err != nil {
		return nil, err
	}
	remove, err := allowedChanges(in.RemoveAllowedRepositories, "removeAllowedRepositories")
	if err != nil {
		return nil, err
	}
	updates, err := a.catalog.UpdateOriginConfiguration(ctx, d, in.PackageGroup, modes, add, remove)
	if err != nil {
		return nil, err
	}
	g, err := a.describeGroup(ctx, d, in.PackageGroup)
	if err != nil {
		return nil, err
	}
	out := &updateOriginConfigurationOutput{PackageGroup: g.PackageGroup, AllowedRepositoryUpdates: map[string]map[string][]string{}}
	for r, m := range updates {
		out.AllowedRepositoryUpdates[string(r)] = m
	}
	return out, nil
}

// --- ListPackageGroups, ListSubPackageGroups ---

type listPackageGroupsOutput struct {
	PackageGroups []*packageGroupDescription `json:"packageGroups"`
	NextToken     string                     `json:"nextToken,omitempty"`
}

// groupPage returns a page of nodes (sorted by definition) after the
// cursor of a nextToken.
func (a *API) groupPage(c *call, filters string, li listInput, nodes []*pkggroup.Node, d catalog.DomainRef) (*listPackageGroupsOutput, error) {
	cur, err := a.openToken(c, filters, li.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSizeOr(li.MaxResults, 100)
	out := &listPackageGroupsOutput{PackageGroups: []*packageGroupDescription{}}
	for _, n := range nodes {
		if li.NextToken != "" && n.Pattern.Text <= cur.Name {
			continue
		}
		if len(out.PackageGroups) == limit {
			out.NextToken = a.nextToken(c, filters, cursor{Name: out.PackageGroups[limit-1].Pattern})
			break
		}
		out.PackageGroups = append(out.PackageGroups, a.groupDescription(d, n))
	}
	return out, nil
}

// listPackageGroups serves ListPackageGroups: the domain's groups whose
// definition starts with prefix, by definition.
func (a *API) listPackageGroups(ctx context.Context, c *call, in *struct {
	domainInput
	Prefix string `json:"prefix"`
	listInput
}) (*listPackageGroupsOutput, error) {
	d := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:ListPackageGroups", arn.Domain(a.cfg.Region, d.Owner, d.Name)); err != nil {
		return nil, err
	}
	_, ix, err := a.catalog.PackageGroups(ctx, d)
	if err != nil {
		return nil, err
	}
	var nodes []*pkggroup.Node
	for _, n := range ix.Nodes {
		if strings.HasPrefix(n.Pattern.Text, in.Prefix) {
			nodes = append(nodes, n)
		}
	}
	return a.groupPage(c, strings.Join([]string{d.Owner, d.Name, in.Prefix}, "\x00"), in.listInput, nodes, d)
}

// listSubPackageGroups serves ListSubPackageGroups: the group's direct
// children.
func (a *API) listSubPackageGroups(ctx context.Context, c *call, in *struct {
	groupInput
	listInput
}) (*listPackageGroupsOutput, error) {
	d, n, err := a.groupNode(ctx, c, in.groupInput)
	if err != nil {
		return nil, err
	}
	return a.groupPage(c, strings.Join([]string{d.Owner, d.Name, in.PackageGroup}, "\x00"), in.listInput, n.Children, d)
}

// --- ListAllowedRepositoriesForGroup ---

type listAllowedRepositoriesOutput struct {
	AllowedRepositories []string `json:"allowedRepositories"`
	NextToken           string   `json:"nextToken,omitempty"`
}

// listAllowedRepositoriesForGroup serves ListAllowedRepositoriesForGroup.
func (a *API) listAllowedRepositoriesForGroup(ctx context.Context, c *call, in *struct {
	groupInput
	OriginRestrictionType string `json:"originRestrictionType"`
	listInput
}) (*listAllowedRepositoriesOutput, error) {
	d, n, err := a.groupNode(ctx, c, in.groupInput)
	if err != nil {
		return nil, err
	}
	filters := strings.Join([]string{d.Owner, d.Name, in.PackageGroup, in.OriginRestrictionType}, "\x00")
	cur, err := a.openToken(c, filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSizeOr(in.MaxResults, 100)
	out := &listAllowedRepositoriesOutput{AllowedRepositories: []string{}}
	for _, name := range n.AllowedNames(pkggroup.Restriction(in.OriginRestrictionType)) {
		if in.NextToken != "" && name <= cur.Name {
			continue
		}
		if len(out.AllowedRepositories) == limit {
			out.NextToken = a.nextToken(c, filters, cursor{Name: out.AllowedRepositories[limit-1]})
			break
		}
		out.AllowedRepositories = append(out.AllowedRepositories, name)
	}
	return out, nil
}

// --- ListAssociatedPackages, GetAssociatedPackageGroup ---

// associatedPackage is the model's AssociatedPackage.
type associatedPackage struct {
	Format          string `json:"format"`
	Namespace       string `json:"namespace,omitempty"`
	Package         string `json:"package"`
	AssociationType string `json:"associationType"`
}

type listAssociatedPackagesOutput struct {
	Packages  []associatedPackage `json:"packages"`
	NextToken string              `json:"nextToken,omitempty"`
}

// listAssociatedPackages serves ListAssociatedPackages: the packages of
// the domain (in any of its repositories) associated with the group. With
// preview, the group need not exist: the answer is what would be
// associated with it if it were created.
func (a *API) listAssociatedPackages(ctx context.Context, c *call, in *struct {
	groupInput
	Preview bool `json:"preview"`
	listInput
}) (*listAssociatedPackagesOutput, error) {
	d, err := a.groupCall(ctx, c, in.groupInput)
	if err != nil {
		return nil, err
	}
	p, err := pkggroup.Parse(in.PackageGroup)
	if err != nil {
		return nil, err
	}
	dom, ix, err := a.catalog.PackageGroups(ctx, d)
	if err != nil {
		return nil, err
	}
	if _, ok := ix.Group(p.Text); !ok && !in.Preview {
		return nil, errkind.NotFoundf("Package group %s not found in domain %s", p.Text, d.Name).OnResource("package-group", p.Text)
	}
	filters := strings.Join([]string{d.Owner, d.Name, p.Text, boolString(in.Preview)}, "\x00")
	cur, err := a.openToken(c, filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSizeOr(in.MaxResults, 100)
	after := artifact.PackageRef{Format: artifact.Format(cur.Format), Namespace: cur.Namespace, Name: cur.Name}
	out := &listAssociatedPackagesOutput{Packages: []associatedPackage{}}
	for {
		refs, err := a.catalog.ListDomainPackages(ctx, dom, after, 500)
		if err != nil {
			return nil, err
		}
		for _, ref := range refs {
			as := ix.AssociateWith(p, pkggroup.Normalize(ref.Format, ref.Namespace, ref.Name))
			if as.Group == nil || as.Group.Pattern.Text != p.Text {
				after = ref
				continue
			}
			if len(out.Packages) == limit {
				last := out.Packages[limit-1]
				out.NextToken = a.nextToken(c, filters, cursor{Format: last.Format, Namespace: last.Namespace, Name: last.Package})
				return out, nil
			}
			out.Packages = append(out.Packages, associatedPackage{Format: string(ref.Format), Namespace: ref.Namespace, Package: ref.Name, AssociationType: as.Type()})
			after = ref
		}
		if len(refs) < 500 {
			return out, nil
		}
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

type getAssociatedPackageGroupOutput struct {
	PackageGroup    *packageGroupDescription `json:"packageGroup"`
	AssociationType string                   `json:"associationType"`
}

// getAssociatedPackageGroup serves GetAssociatedPackageGroup: the group a
// package belongs to, whether or not the package exists.
func (a *API) getAssociatedPackageGroup(ctx context.Context, c *call, in *struct {
	domainInput
	Format    string `json:"format"`
	Namespace string `json:"namespace"`
	Package   string `json:"package"`
}) (*getAssociatedPackageGroupOutput, error) {
	d := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:GetAssociatedPackageGroup", arn.Domain(a.cfg.Region, d.Owner, d.Name)); err != nil {
		return nil, err
	}
	ref := pkggroup.Normalize(artifact.Format(in.Format), in.Namespace, in.Package)
	if err := a.checkNamespace(ref); err != nil {
		return nil, err
	}
	_, ix, err := a.catalog.PackageGroups(ctx, d)
	if err != nil {
		return nil, err
	}
	as := ix.Associate(ref)
	if as.Group == nil {
		return nil, errkind.NotFoundf("No package group of domain %s matches %s", d.Name, ref)
	}
	return &getAssociatedPackageGroupOutput{PackageGroup: a.groupDescription(d, as.Group), AssociationType: as.Type()}, nil
}

// groupTagged returns the catalog resource a package-group ARN names.
func groupTagged(p arn.ARN) catalog.Resource {
	return catalog.Resource{Kind: "package-group", Domain: catalog.DomainRef{Owner: p.Account, Name: p.Domain}, PackageGroup: p.PackageGroup}
}
