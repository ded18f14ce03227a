package controlapi

import (
	"context"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// domainInput is the domain and domain-owner query members most operations share.
type domainInput struct {
	Domain      string `json:"domain"`
	DomainOwner string `json:"domainOwner"`
}

func (in domainInput) ref(c *call) catalog.DomainRef {
	return catalog.DomainRef{Owner: c.owner(in.DomainOwner), Name: in.Domain}
}

type domainOutput struct {
	Domain *domainDescription `json:"domain"`
}

// createDomain serves CreateDomain.
func (a *API) createDomain(ctx context.Context, c *call, in *struct {
	domainInput
	EncryptionKey string `json:"encryptionKey"`
	Tags          []tag  `json:"tags"`
}) (*domainOutput, error) {
	// A domain is always created in the caller's own account.
	ref := catalog.DomainRef{Owner: c.principal.Account, Name: in.Domain}
	domainARN, tags := arn.Domain(a.cfg.Region, ref.Owner, ref.Name), tagsToStore(in.Tags)
	if err := a.check(ctx, c, authz.Request{Action: "codeartifact:CreateDomain", Resource: domainARN, Tags: tags}); err != nil {
		return nil, err
	}
	if err := a.authorizeTagging(ctx, c, domainARN, tags); err != nil {
		return nil, err
	}
	d, err := a.catalog.CreateDomain(ctx, ref, in.EncryptionKey, tags)
	if err != nil {
		return nil, err
	}
	return &domainOutput{a.domainDescription(d, "Active")}, nil
}

// describeDomain serves DescribeDomain.
func (a *API) describeDomain(ctx context.Context, c *call, in *domainInput) (*domainOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:DescribeDomain", arn.Domain(a.cfg.Region, ref.Owner, ref.Name)); err != nil {
		return nil, err
	}
	d, err := a.catalog.Domain(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &domainOutput{a.domainDescription(d, "Active")}, nil
}

// deleteDomain serves DeleteDomain.
func (a *API) deleteDomain(ctx context.Context, c *call, in *domainInput) (*domainOutput, error) {
	ref := in.ref(c)
	if err := a.authorize(ctx, c, "codeartifact:DeleteDomain", arn.Domain(a.cfg.Region, ref.Owner, ref.Name)); err != nil {
		return nil, err
	}
	d, err := a.catalog.DeleteDomain(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &domainOutput{a.domainDescription(d, "Deleted")}, nil
}

type listDomainsOutput struct {
	Domains   []domainSummary `json:"domains"`
	NextToken string          `json:"nextToken,omitempty"`
}

// listDomains serves ListDomains: the caller's own domains, by name.
//
// A caller allowed ListDomains on "*" sees them all. One allowed it only
// on some domain ARNs (the User Guide's "Allow a user to get information
// about specific domains": "domain/my*") sees those; one allowed it on
// none gets the AccessDenied of "*".
func (a *API) listDomains(ctx context.Context, c *call, in *struct {
	MaxResults *int   `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}) (*listDomainsOutput, error) {
	denied := a.authorize(ctx, c, "codeartifact:ListDomains", "*")
	if denied != nil && errkind.KindOf(denied) != errkind.AccessDenied {
		return nil, denied
	}
	cur, err := a.openToken(c, "", in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults)
	ds, err := a.catalog.ListDomains(ctx, c.principal.Account, cur.Name, limit+1)
	if err != nil {
		return nil, err
	}
	out := &listDomainsOutput{Domains: []domainSummary{}}
	if len(ds) > limit {
		ds = ds[:limit]
		out.NextToken = a.nextToken(c, "", cursor{Name: ds[limit-1].Name})
	}
	for _, d := range ds {
		domainARN := arn.Domain(a.cfg.Region, d.Owner, d.Name)
		if denied != nil && a.authorize(ctx, c, "codeartifact:ListDomains", domainARN) != nil {
			continue
		}
		out.Domains = append(out.Domains, domainSummary{
			Name: d.Name, Owner: d.Owner, ARN: domainARN,
			Status: "Active", CreatedTime: epoch(d.CreatedAt), EncryptionKey: d.EncryptionKey,
		})
	}
	if denied != nil && len(out.Domains) == 0 && out.NextToken == "" {
		return nil, denied
	}
	return out, nil
}
