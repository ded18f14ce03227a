package controlapi

import (
	"context"
	"slices"
	"strings"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// repositoryInput names a repository, as most operations do.
type repositoryInput struct {
	domainInput
	Repository string `json:"repository"`
}

func (in repositoryInput) ref(c *call) catalog.RepositoryRef {
	return catalog.RepositoryRef{DomainRef: in.domainInput.ref(c), Name: in.Repository}
}

func (a *API) repositoryARN(ref catalog.RepositoryRef) string {
	return arn.Repository(a.cfg.Region, ref.Owner, ref.DomainRef.Name, ref.Name)
}

type repositoryOutput struct {
	Repository *repositoryDescription `json:"repository"`
}

type upstreamInput struct {
	RepositoryName string `json:"repositoryName"`
}

func upstreamNames(us []upstreamInput) []string {
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.RepositoryName
	}
	return names
}

// authorizeUpstreams checks AssociateWithDownstreamRepository on every
// upstream being set, as the User Guide requires.
func (a *API) authorizeUpstreams(ctx context.Context, c *call, ref catalog.RepositoryRef, names []string) error {
	for _, n := range names {
		up := catalog.RepositoryRef{DomainRef: ref.DomainRef, Name: n}
		if err := a.authorize(ctx, c, "codeartifact:AssociateWithDownstreamRepository", a.repositoryARN(up)); err != nil {
			return err
		}
	}
	return nil
}

// authorizeTagging checks TagResource for the tags a create request sets:
// creating a domain or repository with tags needs codeartifact:TagResource
// too (User Guide, "Enable cross-account access to a domain": "To allow
// creating repositories with tags, you must include the
// codeartifact:TagResource permission").
func (a *API) authorizeTagging(ctx context.Context, c *call, resourceARN string, tags []store.Tag) error {
	if len(tags) == 0 {
		return nil
	}
	return a.check(ctx, c, authz.Request{Action: "codeartifact:TagResource", Resource: resourceARN, Tags: tags})
}

// createRepository serves CreateRepository.
func (a *API) createRepository(ctx context.Context, c *call, in *struct {
	repositoryInput
	Description string          `json:"description"`
	Upstreams   []upstreamInput `json:"upstreams"`
	Tags        []tag           `json:"tags"`
}) (*repositoryOutput, error) {
	ref := in.ref(c)
	repoARN, tags := a.repositoryARN(ref), tagsToStore(in.Tags)
	if err := a.check(ctx, c, authz.Request{Action: "codeartifact:CreateRepository", Resource: repoARN, Tags: tags}); err != nil {
		return nil, err
	}
	if err := a.authorizeTagging(ctx, c, repoARN, tags); err != nil {
		return nil, err
	}
	names := upstreamNames(in.Upstreams)
	if err := a.authorizeUpstreams(ctx, c, ref, names); err != nil {
		return nil, err
	}
	r, err := a.catalog.CreateRepository(ctx, ref, c.principal.Account, in.Description, names, tags)
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{a.repositoryDescription(r)}, nil
}

// describeRepository serves DescribeRepository.
func (a *API) describeRepository(ctx context.Context, c *call, in *repositoryInput) (*repositoryOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:DescribeRepository", a.repositoryARN(ref)); err != nil {
		return nil, err
	}
	r, err := a.catalog.Repository(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{a.repositoryDescription(r)}, nil
}

// updateRepository serves UpdateRepository. Upstreams are replaced only
// when the request has the member: `--upstreams` with no value sends an
// empty list and removes them all.
func (a *API) updateRepository(ctx context.Context, c *call, in *struct {
	repositoryInput
	Description *string          `json:"description"`
	Upstreams   *[]upstreamInput `json:"upstreams"`
}) (*repositoryOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:UpdateRepository", a.repositoryARN(ref)); err != nil {
		return nil, err
	}
	var names *[]string
	if in.Upstreams != nil {
		n := upstreamNames(*in.Upstreams)
		if err := a.authorizeUpstreams(ctx, c, ref, n); err != nil {
			return nil, err
		}
		names = &n
	}
	r, err := a.catalog.UpdateRepository(ctx, ref, in.Description, names)
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{a.repositoryDescription(r)}, nil
}

// deleteRepository serves DeleteRepository.
func (a *API) deleteRepository(ctx context.Context, c *call, in *repositoryInput) (*repositoryOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:DeleteRepository", a.repositoryARN(ref)); err != nil {
		return nil, err
	}
	r, err := a.catalog.DeleteRepository(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{a.repositoryDescription(r)}, nil
}

type listRepositoriesOutput struct {
	Repositories []repositorySummary `json:"repositories"`
	NextToken    string              `json:"nextToken,omitempty"`
}

type listInput struct {
	MaxResults *int   `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

// listRepositories serves ListRepositories: the repositories the caller's
// account administers, in every domain.
func (a *API) listRepositories(ctx context.Context, c *call, in *struct {
	RepositoryPrefix string `json:"repositoryPrefix"`
	listInput
}) (*listRepositoriesOutput, error) {
	if err := a.authorize(ctx, c, "codeartifact:ListRepositories", "*"); err != nil {
		return nil, err
	}
	f := store.RepositoryFilter{Administrator: c.principal.Account, Prefix: in.RepositoryPrefix}
	return a.listRepositoryPage(ctx, c, nil, f, in.listInput)
}

// listRepositoriesInDomain serves ListRepositoriesInDomain.
func (a *API) listRepositoriesInDomain(ctx context.Context, c *call, in *struct {
	domainInput
	AdministratorAccount string `json:"administratorAccount"`
	RepositoryPrefix     string `json:"repositoryPrefix"`
	listInput
}) (*listRepositoriesOutput, error) {
	ref := in.domainInput.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:ListRepositoriesInDomain", arn.Domain(a.cfg.Region, ref.Owner, ref.Name)); err != nil {
		return nil, err
	}
	f := store.RepositoryFilter{Administrator: in.AdministratorAccount, Prefix: in.RepositoryPrefix}
	return a.listRepositoryPage(ctx, c, &ref, f, in.listInput)
}

func (a *API) listRepositoryPage(ctx context.Context, c *call, domain *catalog.DomainRef, f store.RepositoryFilter, in listInput) (*listRepositoriesOutput, error) {
	filters := strings.Join([]string{f.Administrator, f.Prefix}, "\x00")
	if domain != nil {
		filters += "\x00" + domain.Owner + "\x00" + domain.Name
	}
	cur, err := a.openToken(c, filters, in.NextToken)
	if err != nil {
		return nil, err
	}
	f.AfterName, f.AfterID = cur.Name, cur.ID
	page, err := a.catalog.ListRepositories(ctx, domain, f, pageSize(in.MaxResults))
	if err != nil {
		return nil, err
	}
	out := &listRepositoriesOutput{Repositories: []repositorySummary{}}
	for _, r := range page.Repositories {
		out.Repositories = append(out.Repositories, a.repositorySummary(r))
	}
	if page.More {
		last := page.Repositories[len(page.Repositories)-1]
		out.NextToken = a.nextToken(c, filters, cursor{Name: last.Name, ID: last.ID})
	}
	return out, nil
}

type externalConnectionInput struct {
	repositoryInput
	ExternalConnection string `json:"externalConnection"`
}

// associateExternalConnection serves AssociateExternalConnection.
func (a *API) associateExternalConnection(ctx context.Context, c *call, in *externalConnectionInput) (*repositoryOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:AssociateExternalConnection", a.repositoryARN(ref)); err != nil {
		return nil, err
	}
	r, err := a.catalog.AssociateExternalConnection(ctx, ref, in.ExternalConnection)
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{a.repositoryDescription(r)}, nil
}

// disassociateExternalConnection serves DisassociateExternalConnection.
func (a *API) disassociateExternalConnection(ctx context.Context, c *call, in *externalConnectionInput) (*repositoryOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:DisassociateExternalConnection", a.repositoryARN(ref)); err != nil {
		return nil, err
	}
	r, err := a.catalog.DisassociateExternalConnection(ctx, ref, in.ExternalConnection)
	if err != nil {
		return nil, err
	}
	return &repositoryOutput{a.repositoryDescription(r)}, nil
}

type repositoryEndpointOutput struct {
	RepositoryEndpoint string `json:"repositoryEndpoint"`
}

// getRepositoryEndpoint serves GetRepositoryEndpoint. The URL always ends
// with "/": `aws codeartifact login` appends to it verbatim.
func (a *API) getRepositoryEndpoint(ctx context.Context, c *call, in *struct {
	repositoryInput
	Format string `json:"format"`
}) (*repositoryEndpointOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:GetRepositoryEndpoint", a.repositoryARN(ref)); err != nil {
		return nil, err
	}
	r, err := a.catalog.Repository(ctx, ref)
	if err != nil {
		return nil, err
	}
	if served := a.cfg.Formats.Served(); !slices.Contains(served, in.Format) {
		return nil, errkind.Validationf("This server has no %s repository endpoints; it serves %s", in.Format, strings.Join(served, ", ")).WithReason("FIELD_VALIDATION_FAILED")
	}
	return &repositoryEndpointOutput{RepositoryEndpoint: a.cfg.PublicURL + "/" + r.DomainName + "-" + r.DomainOwner + "/" + in.Format + "/" + r.Name + "/"}, nil
}
