package identity

import (
	"time"
)

// ManagedPolicy is an AWS managed policy: a policy defined by AWS that
// principals of every account can attach.
type ManagedPolicy struct {
	Name        string
	ARN         string
	ID          string // the policy's unique id
	Description string
	Version     string // the default (and only) version id
	Document    string
	Created     time.Time
}

// The AWS managed policies of CodeArtifact, as the User Guide defines them
// ("AWS managed (predefined) policies for AWS CodeArtifact").
var managedPolicies = []ManagedPolicy{
	{
		Name:        "AWSCodeArtifactAdminAccess",
		ARN:         "arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess",
		ID:          "ANPAARCACODEARTIFACTADMIN",
		Description: "Provides full access to CodeArtifact including permissions to administrate CodeArtifact domains.",
		Version:     "v1",
		Document: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "codeartifact:*"
      ],
      "Effect": "Allow",
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "sts:GetServiceBearerToken",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "sts:AWSServiceName": "codeartifact.amazonaws.com"
        }
      }
    }
  ]
}`,
		Created: time.Date(2020, 6, 10, 0, 0, 0, 0, time.UTC),
	},
	{
		Name:        "AWSCodeArtifactReadOnlyAccess",
		ARN:         "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess",
		ID:          "ANPAARCACODEARTIFACTREAD",
		Description: "Provides read-only access to CodeArtifact.",
		Version:     "v1",
		Document: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "codeartifact:Describe*",
        "codeartifact:Get*",
        "codeartifact:List*",
        "codeartifact:ReadFromRepository"
      ],
      "Effect": "Allow",
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "sts:GetServiceBearerToken",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "sts:AWSServiceName": "codeartifact.amazonaws.com"
        }
      }
    }
  ]
}`,
		Created: time.Date(2020, 6, 10, 0, 0, 0, 0, time.UTC),
	},
}

// LookupManagedPolicy returns the AWS managed policy with the given ARN.
func LookupManagedPolicy(policyARN string) (ManagedPolicy, bool) {
	for _, p := range managedPolicies {
		if p.ARN == policyARN {
			return p, true
		}
	}
	return ManagedPolicy{}, false
}

// ManagedPolicies returns the AWS managed policies Arca knows.
func ManagedPolicies() []ManagedPolicy {
	return append([]ManagedPolicy(nil), managedPolicies...)
}
