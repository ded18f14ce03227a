package servertest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// CodeArtifact returns an AWS SDK client of the server's control plane,
// signing with the root credentials and never retrying.
func (s *Server) CodeArtifact() *codeartifact.Client {
	return codeartifact.New(codeartifact.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

// Domain creates a domain through ca and returns an authorization token
// for it.
func Domain(t testing.TB, ca *codeartifact.Client, domain string) string {
	t.Helper()
	ctx := t.Context()
	if _, err := ca.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws.String(domain)}); err != nil {
		t.Fatal(err)
	}
	out, err := ca.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(domain)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.AuthorizationToken
}

// Repository creates a repository with upstreams through ca and returns
// its endpoint for format, as GetRepositoryEndpoint gives it.
func Repository(t testing.TB, ca *codeartifact.Client, domain, name string, format types.PackageFormat, upstreams ...string) string {
	t.Helper()
	ctx := t.Context()
	in := &codeartifact.CreateRepositoryInput{Domain: aws.String(domain), Repository: aws.String(name)}
	for _, u := range upstreams {
		in.Upstreams = append(in.Upstreams, types.UpstreamRepository{RepositoryName: aws.String(u)})
	}
	if _, err := ca.CreateRepository(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err := ca.GetRepositoryEndpoint(ctx, &codeartifact.GetRepositoryEndpointInput{
		Domain: aws.String(domain), Repository: aws.String(name), Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return *out.RepositoryEndpoint
}
