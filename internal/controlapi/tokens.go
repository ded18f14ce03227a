package controlapi

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/token"
)

// bearerService is sts:AWSServiceName of the bearer tokens CodeArtifact
// mints.
const bearerService = "codeartifact.amazonaws.com"

// Token lifetimes (User Guide, "Authentication and tokens").
const (
	defaultTokenLifetime = 12 * time.Hour
	minTokenLifetime     = 15 * time.Minute
)

type authorizationTokenOutput struct {
	AuthorizationToken string `json:"authorizationToken"`
	Expiration         epoch  `json:"expiration"`
}

// getAuthorizationToken serves GetAuthorizationToken. durationSeconds is
// 0 (the remaining lifetime of the caller's temporary credentials) or
// 900..43200; without it the token lives 12 hours.
//
// The caller needs codeartifact:GetAuthorizationToken on the domain and
// sts:GetServiceBearerToken, asked with sts:AWSServiceName
// codeartifact.amazonaws.com and sts:DurationSeconds the lifetime asked
// for (43200 when none is), which is how a policy limits token lifetimes
// (User Guide, "Limit authorization token duration").
func (a *API) getAuthorizationToken(ctx context.Context, c *call, in *struct {
	domainInput
	DurationSeconds *int64 `json:"durationSeconds"`
}) (*authorizationTokenOutput, error) {
	ref := in.ref(c)
	now := a.now().UTC().Truncate(time.Millisecond)
	expires := now.Add(defaultTokenLifetime)
	seconds := int64(defaultTokenLifetime / time.Second)
	if in.DurationSeconds != nil {
		seconds = *in.DurationSeconds
		d := time.Duration(seconds) * time.Second
		switch {
		case d == 0 && c.principal.SessionExpires.IsZero():
			return nil, errkind.Validationf("durationSeconds 0 ties the token to the caller's temporary credentials, and this caller signed with long-term credentials; use 900 to 43200")
		case d == 0:
			expires = c.principal.SessionExpires
		case d < minTokenLifetime || d > defaultTokenLifetime:
			return nil, errkind.Validationf("durationSeconds must be 0 or between 900 and 43200, not %d", *in.DurationSeconds)
		default:
			expires = now.Add(d)
		}
	}
	if err := a.authorize(ctx, c, "codeartifact:GetAuthorizationToken", arn.Domain(a.cfg.Region, ref.Owner, ref.Name)); err != nil {
		return nil, err
	}
	bearer := authz.Request{Action: "sts:GetServiceBearerToken", Resource: "*", ServiceName: bearerService, DurationSeconds: &seconds}
	if err := a.check(ctx, c, bearer); err != nil {
		return nil, err
	}
	d, err := a.catalog.Domain(ctx, ref)
	if err != nil {
		return nil, err
	}
	id := token.NewID()
	tok, err := a.tokens.Mint(token.Claims{
		ID: id, DomainID: d.ID, DomainOwner: d.Owner, Domain: d.Name,
		Account: c.principal.Account, Principal: c.principal.ARN,
		IssuedAt: now, Expires: expires,
	})
	if err != nil {
		return nil, err
	}
	// The audit log names the token by its id, which `arca token revoke
	// --token-id` takes; the token itself is hidden as CloudTrail hides it.
	audit.From(ctx).Response(map[string]any{"authorizationToken": "HIDDEN_DUE_TO_SECURITY_REASONS",
		"tokenId": id.String(), "expiration": expires.Format(time.RFC3339)})
	return &authorizationTokenOutput{AuthorizationToken: tok, Expiration: epoch(expires)}, nil
}
