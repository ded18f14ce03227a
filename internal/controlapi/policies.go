package controlapi

import (
	"context"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/store"
)

type policyOutput struct {
	Policy *resourcePolicy `json:"policy"`
}

func (a *API) policyOutput(res catalog.Resource, p store.Policy) *policyOutput {
	return &policyOutput{&resourcePolicy{ResourceARN: a.resourceARN(res), Revision: p.Revision, Document: p.Document}}
}

func (a *API) resourceARN(res catalog.Resource) string {
	if res.Kind == arn.KindDomain {
		return arn.Domain(a.cfg.Region, res.Domain.Owner, res.Domain.Name)
	}
	return arn.Repository(a.cfg.Region, res.Domain.Owner, res.Domain.Name, res.Repository)
}

func domainResource(ref catalog.DomainRef) catalog.Resource {
	return catalog.Resource{Kind: arn.KindDomain, Domain: ref}
}

func repositoryResource(ref catalog.RepositoryRef) catalog.Resource {
	return catalog.Resource{Kind: arn.KindRepository, Domain: ref.DomainRef, Repository: ref.Name}
}

type putPolicyInput struct {
	PolicyRevision *string `json:"policyRevision"`
	PolicyDocument string  `json:"policyDocument"`
}

type deletePolicyInput struct {
	PolicyRevision *string `json:"policyRevision"`
}

// The six policy operations differ only in the resource they name.

func (a *API) putPolicy(ctx context.Context, c *call, action string, res catalog.Resource, in putPolicyInput) (*policyOutput, error) {
	if err := a.authorize(ctx, c, action, a.resourceARN(res)); err != nil {
		return nil, err
	}
	p, err := a.catalog.PutPolicy(ctx, res, in.PolicyDocument, in.PolicyRevision)
	if err != nil {
		return nil, err
	}
	return a.policyOutput(res, p), nil
}

func (a *API) getPolicy(ctx context.Context, c *call, action string, res catalog.Resource) (*policyOutput, error) {
	if err := a.authorize(ctx, c, action, a.resourceARN(res)); err != nil {
		return nil, err
	}
	p, err := a.catalog.Policy(ctx, res)
	if err != nil {
		return nil, err
	}
	return a.policyOutput(res, p), nil
}

func (a *API) deletePolicy(ctx context.Context, c *call, action string, res catalog.Resource, in deletePolicyInput) (*policyOutput, error) {
	if err := a.authorize(ctx, c, action, a.resourceARN(res)); err != nil {
		return nil, err
	}
	p, err := a.catalog.DeletePolicy(ctx, res, in.PolicyRevision)
	if err != nil {
		return nil, err
	}
	return a.policyOutput(res, p), nil
}

func (a *API) putDomainPermissionsPolicy(ctx context.Context, c *call, in *struct {
	domainInput
	putPolicyInput
}) (*policyOutput, error) {
	return a.putPolicy(ctx, c, "codeartifact:PutDomainPermissionsPolicy", domainResource(in.domainInput.ref(c)), in.putPolicyInput)
}

func (a *API) getDomainPermissionsPolicy(ctx context.Context, c *call, in *domainInput) (*policyOutput, error) {
	return a.getPolicy(ctx, c, "codeartifact:GetDomainPermissionsPolicy", domainResource(in.ref(c)))
}

func (a *API) deleteDomainPermissionsPolicy(ctx context.Context, c *call, in *struct {
	domainInput
	deletePolicyInput
}) (*policyOutput, error) {
	return a.deletePolicy(ctx, c, "codeartifact:DeleteDomainPermissionsPolicy", domainResource(in.domainInput.ref(c)), in.deletePolicyInput)
}

func (a *API) putRepositoryPermissionsPolicy(ctx context.Context, c *call, in *struct {
	repositoryInput
	putPolicyInput
}) (*policyOutput, error) {
	return a.putPolicy(ctx, c, "codeartifact:PutRepositoryPermissionsPolicy", repositoryResource(in.repositoryInput.ref(c)), in.putPolicyInput)
}

func (a *API) getRepositoryPermissionsPolicy(ctx context.Context, c *call, in *repositoryInput) (*policyOutput, error) {
	return a.getPolicy(ctx, c, "codeartifact:GetRepositoryPermissionsPolicy", repositoryResource(in.ref(c)))
}

func (a *API) deleteRepositoryPermissionsPolicy(ctx context.Context, c *call, in *struct {
	repositoryInput
	deletePolicyInput
}) (*policyOutput, error) {
	return a.deletePolicy(ctx, c, "codeartifact:DeleteRepositoryPermissionsPolicy", repositoryResource(in.repositoryInput.ref(c)), in.deletePolicyInput)
}
