package iamapi

import (
	"time"

	"github.com/arcahq/arca/internal/identity"
)

// The STS operations (https://docs.aws.amazon.com/STS/latest/APIReference/).
func (a *API) stsOps() map[string]op {
	return map[string]op{
		"GetCallerIdentity":         a.getCallerIdentity,
		"AssumeRole":                a.assumeRole,
		"AssumeRoleWithWebIdentity": a.assumeRoleWithWebIdentity,
	}
}

type xCredentials struct {
	AccessKeyID     string  `xml:"AccessKeyId"`
	SecretAccessKey string  `xml:"SecretAccessKey"`
	SessionToken    string  `xml:"SessionToken"`
	Expiration      isoTime `xml:"Expiration"`
}

type xAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

func credentialsShape(c identity.Credentials) xCredentials {
	return xCredentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: isoTime(c.Expires)}
}

// getCallerIdentity needs no permission: it only says who signed.
func (a *API) getCallerIdentity(c *call) (any, error) {
	if err := c.valid(); err != nil {
		return nil, err
	}
	return struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	}{c.p.ARN, c.p.UserID, c.p.Account}, nil
}

func (a *API) assumeRole(c *call) (any, error) {
	in := identity.AssumeRoleInput{
		RoleARN:        c.f.String("RoleArn", arnType),
		SessionName:    c.f.String("RoleSessionName", roleSessionName),
		ExternalID:     c.f.String("ExternalId", externalIDType),
		SourceIdentity: c.f.String("SourceIdentity", sourceIdentityType),
		Context:        requestContext(c.r),
	}
	if d, ok := c.f.Int("DurationSeconds", 900, 43200); ok {
		in.Duration = time.Duration(d) * time.Second
	}
	if err := c.valid(); err != nil {
		return nil, err
	}
	ar, err := a.dir.AssumeRole(c.ctx, c.p, in, a.authz)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials     xCredentials     `xml:"Credentials"`
		AssumedRoleUser xAssumedRoleUser `xml:"AssumedRoleUser"`
		SourceIdentity  string           `xml:"SourceIdentity,omitempty"`
	}{credentialsShape(ar.Credentials), xAssumedRoleUser{ar.AssumedRoleID, ar.ARN}, ar.SourceIdentity}, nil
}

func (a *API) assumeRoleWithWebIdentity(c *call) (any, error) {
	in := identity.WebIdentityInput{
		RoleARN:     c.f.String("RoleArn", arnType),
		SessionName: c.f.String("RoleSessionName", roleSessionName),
		Token:       c.f.String("WebIdentityToken", webIdentityToken),
		Context:     requestContext(c.r),
	}
	if d, ok := c.f.Int("DurationSeconds", 900, 43200); ok {
		in.Duration = time.Duration(d) * time.Second
	}
	if err := c.valid(); err != nil {
		return nil, err
	}
	wi, err := a.dir.AssumeRoleWithWebIdentity(c.ctx, in)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials                 xCredentials     `xml:"Credentials"`
		SubjectFromWebIdentityToken string           `xml:"SubjectFromWebIdentityToken"`
		AssumedRoleUser             xAssumedRoleUser `xml:"AssumedRoleUser"`
		Provider                    string           `xml:"Provider"`
		Audience                    string           `xml:"Audience"`
	}{credentialsShape(wi.Credentials), wi.Subject, xAssumedRoleUser{wi.AssumedRoleID, wi.ARN}, wi.Provider, wi.Audience}, nil
}
