package controlapi

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/token"
)

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
func (a *API) getAuthorizationToken(ctx context.Context, c *call, in *struct {
	domainInput
	DurationSeconds *int64 `json:"durationSeconds"`
}) (*authorizationTokenOutput, error) {
	ref := in.ref(c)
	domainARN := arn.Domain(a.cfg.Region, ref.Owner, ref.Name)
	if err := a.authorize(ctx, c, "codeartifact:GetAuthorizationToken", domainARN); err != nil {
		return nil, err
	}
	if err := a.authorize(ctx, c, "sts:GetServiceBearerToken", "*"); err != nil {
		return nil, err
	}
	now := a.now().UTC().Truncate(time.Millisecond)
	expires := now.Add(defaultTokenLifetime)
	if in.DurationSeconds != nil {
		d := time.Duration(*in.DurationSeconds) * time.Second
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
	d, err := a.catalog.Domain(ctx, ref)
	if err != nil {
		return nil, err
	}
	tok, err := a.tokens.Mint(token.Claims{
		DomainID: d.ID, DomainOwner: d.Owner, Domain: d.Name,
		Account: c.principal.Account, Principal: c.principal.ARN,
		IssuedAt: now, Expires: expires,
	})
	if err != nil {
		return nil, err
	}
	return &authorizationTokenOutput{AuthorizationToken: tok, Expiration: epoch(expires)}, nil
}
