package servertest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
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
