package controlapi

import (
	"context"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// taggedResource finds the resource an ARN names. Domains, repositories
// and package groups carry tags; an ARN of another region names nothing
// here.
func (a *API) taggedResource(resourceARN string) (catalog.Resource, error) {
	p, err := arn.Parse(resourceARN)
	if err != nil || p.Region != a.cfg.Region || (p.Kind != arn.KindDomain && p.Kind != arn.KindRepository && p.Kind != arn.KindPackageGroup) {
		return catalog.Resource{}, errkind.NotFoundf("Resource %s not found", resourceARN).OnResource("", resourceARN)
	}
	if p.Kind == arn.KindPackageGroup {
		return groupTagged(p), nil
	}
	return catalog.Resource{Kind: p.Kind, Domain: catalog.DomainRef{Owner: p.Account, Name: p.Domain}, Repository: p.Repository}, nil
}

type resourceARNInput struct {
	ResourceARN string `json:"resourceArn"`
}

type listTagsOutput struct {
	Tags []tag `json:"tags"`
}

// listTagsForResource serves ListTagsForResource.
func (a *API) listTagsForResource(ctx context.Context, c *call, in *resourceARNInput) (*listTagsOutput, error) {
	res, err := a.taggedResource(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := a.authorize(ctx, c, "codeartifact:ListTagsForResource", in.ResourceARN); err != nil {
		return nil, err
	}
	ts, err := a.catalog.Tags(ctx, res)
	if err != nil {
		return nil, err
	}
	return &listTagsOutput{Tags: tagsFromStore(ts)}, nil
}

type emptyOutput struct{}

// tagResource serves TagResource.
func (a *API) tagResource(ctx context.Context, c *call, in *struct {
	resourceARNInput
	Tags []tag `json:"tags"`
}) (*emptyOutput, error) {
	res, err := a.taggedResource(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags := tagsToStore(in.Tags)
	if err := a.check(ctx, c, authz.Request{Action: "codeartifact:TagResource", Resource: in.ResourceARN, Tags: tags}); err != nil {
		return nil, err
	}
	return &emptyOutput{}, a.catalog.TagResource(ctx, res, tags)
}

// untagResource serves UntagResource.
func (a *API) untagResource(ctx context.Context, c *call, in *struct {
	resourceARNInput
	TagKeys []string `json:"tagKeys"`
}) (*emptyOutput, error) {
	res, err := a.taggedResource(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := a.check(ctx, c, authz.Request{Action: "codeartifact:UntagResource", Resource: in.ResourceARN, TagKeys: in.TagKeys}); err != nil {
		return nil, err
	}
	return &emptyOutput{}, a.catalog.UntagResource(ctx, res, in.TagKeys)
}
