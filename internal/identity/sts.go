package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/oidc"
	"github.com/arcahq/arca/internal/policy"
	"github.com/arcahq/arca/internal/store"
)

// STS: temporary credentials for roles, from AssumeRole
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)
// and AssumeRoleWithWebIdentity
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).

// Authorizer decides the identity side of a call: whether the caller's own
// policies (or its being an account root) allow action on resourceARN.
// AssumeRole asks it for sts:AssumeRole when the role's trust policy alone
// does not suffice; the trust policy is the resource side.
type Authorizer interface {
	AuthorizeIdentity(ctx context.Context, p Principal, action, resourceARN string) error
}

// Credentials are temporary credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
}

// AssumedRole is the result of assuming a role.
type AssumedRole struct {
	Credentials    Credentials
	ARN            string // the session's ARN
	AssumedRoleID  string // ROLEID:SESSION
	SourceIdentity string
}

// AssumeRoleInput is what AssumeRole needs.
type AssumeRoleInput struct {
	RoleARN        string
	SessionName    string
	Duration       time.Duration // 0: one hour
	ExternalID     string
	SourceIdentity string
	// Context holds condition keys the edge knows about the request
	// (aws:SourceIp, aws:SecureTransport, aws:UserAgent, ...). The keys
	// of the caller and of STS itself are added here.
	Context map[string][]string
}

var (
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// MinSessionDuration is the shortest session STS issues.
const MinSessionDuration = 15 * time.Minute

// chainedMax is the longest session a role session can assume another role
// for ("role chaining").
const chainedMax = time.Hour

func checkSession(name, sourceIdentity string, d time.Duration, role store.Role) error {
	if !sessionNamePattern.MatchString(name) {
		return errkind.Validationf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
	}
	if sourceIdentity != "" && (!sessionNamePattern.MatchString(sourceIdentity) || strings.HasPrefix(strings.ToLower(sourceIdentity), "aws:")) {
		return errkind.Validationf("1 validation error detected: Value '%s' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and not start with aws:", sourceIdentity)
	}
	if d < MinSessionDuration || d > MaxSessionDuration {
		return errkind.Validationf("The requested DurationSeconds must be between 900 and 43200 seconds, not %d.", int(d/time.Second))
	}
	if d > time.Duration(role.MaxSessionDuration)*time.Second {
		return errkind.Validationf("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return nil
}

// roleByARN finds the role an ARN names; its path must match too.
func (d *Directory) roleByARN(ctx context.Context, roleARN string) (store.Role, bool, error) {
	n, ok := parsePrincipalARN(roleARN)
	if !ok || n.kind != "role" {
		return store.Role{}, false, nil
	}
	r, err := d.st.GetRole(ctx, n.account, n.name)
	if errors.Is(err, errkind.ErrNotFound) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	return r, RoleARN(r.AccountID, r.Path, r.Name) == roleARN, nil
}

// requestContext returns the condition keys of a request by caller at now.
func requestContext(base map[string][]string, now time.Time) map[string][]string {
	c := make(map[string][]string, len(base)+12)
	for k, v := range base {
		c[k] = v
	}
	c["aws:CurrentTime"] = []string{now.UTC().Format(time.RFC3339)}
	c["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	return c
}

// principalType is the aws:PrincipalType of a caller.
func principalType(p Principal) string {
	switch {
	case p.IsRoot():
		return "Account"
	case p.Kind == KindUser:
		return "User"
	}
	return "AssumedRole"
}

// AssumeRole issues temporary credentials for a role to caller. The role's
// trust policy must allow caller sts:AssumeRole (and sts:SetSourceIdentity
// when a source identity is set). When the trust policy allows caller by
// its own ARN (its user, role or session) in the role's account, that is
// enough, as in IAM; when it allows only by account (or the caller is in
// another account), authz must allow the caller sts:AssumeRole on the role
// as well. A role session can assume a role for at most an hour.
func (d *Directory) AssumeRole(ctx context.Context, caller Principal, in AssumeRoleInput, authz Authorizer) (AssumedRole, error) {
	if in.Duration == 0 {
		in.Duration = DefaultSessionDuration
	}
	denied := errkind.Deniedf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, in.RoleARN)
	if in.ExternalID != "" && (len(in.ExternalID) < 2 || len(in.ExternalID) > 1224 || !externalIDPattern.MatchString(in.ExternalID)) {
		return AssumedRole{}, errkind.Validationf("1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
	}
	if caller.Kind == KindAssumedRole && in.Duration > chainedMax {
		return AssumedRole{}, errkind.Validationf("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	// A session keeps its source identity through role chaining.
	if caller.SourceIdentity != "" {
		if in.SourceIdentity != "" && in.SourceIdentity != caller.SourceIdentity {
			return AssumedRole{}, errkind.Deniedf("User: %s is not authorized to change the source identity of its session", caller.ARN)
		}
		in.SourceIdentity = caller.SourceIdentity
	}
	if !sessionNamePattern.MatchString(in.SessionName) {
		return AssumedRole{}, checkSession(in.SessionName, "", in.Duration, store.Role{MaxSessionDuration: 43200})
	}
	role, ok, err := d.roleByARN(ctx, in.RoleARN)
	if err != nil {
		return AssumedRole{}, err
	}
	if !ok {
		return AssumedRole{}, denied
	}
	trust, err := policy.Parse([]byte(role.TrustPolicy))
	if err != nil {
		return AssumedRole{}, err
	}
	now := d.now()
	c := requestContext(in.Context, now)
	c["aws:PrincipalAccount"] = []string{caller.Account}
	c["aws:PrincipalType"] = []string{principalType(caller)}
	c["aws:userid"] = []string{caller.UserID}
	if caller.UserName != "" {
		c["aws:username"] = []string{caller.UserName}
	}
	if caller.SourceIdentity != "" {
		c["aws:SourceIdentity"] = []string{caller.SourceIdentity}
	}
	c["sts:RoleSessionName"] = []string{in.SessionName}
	c["sts:DurationSeconds"] = []string{strconv.Itoa(int(in.Duration / time.Second))}
	if in.ExternalID != "" {
		c["sts:ExternalId"] = []string{in.ExternalID}
	}
	if in.SourceIdentity != "" {
		c["sts:SourceIdentity"] = []string{in.SourceIdentity}
	}
	req := policy.Request{
		Principal: policy.Principal{Account: caller.Account, ARN: caller.ARN, RoleARN: caller.RoleARN},
		Action:    "sts:AssumeRole", Resource: in.RoleARN, Context: c,
	}
	if dec, _ := trust.Evaluate(&req); dec != policy.Allow {
		return AssumedRole{}, denied
	}
	if in.SourceIdentity != "" {
		set := req
		set.Action = "sts:SetSourceIdentity"
		if dec, _ := trust.Evaluate(&set); dec != policy.Allow {
			return AssumedRole{}, errkind.Deniedf("User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s", caller.ARN, in.RoleARN)
		}
	}
	// Does the trust policy name the caller itself, not just its account?
	// Evaluate again with an account id no statement can list (aws:
	// PrincipalAccount stays in the context for conditions).
	named := false
	if caller.Account == role.AccountID && !caller.IsRoot() {
		byName := req
		byName.Principal.Account = "-"
		dec, _ := trust.Evaluate(&byName)
		named = dec == policy.Allow
	}
	if !named {
		if err := authz.AuthorizeIdentity(ctx, caller, "sts:AssumeRole", in.RoleARN); err != nil {
			if errors.Is(err, errkind.ErrAccessDenied) {
				return AssumedRole{}, denied
			}
			return AssumedRole{}, err
		}
	}
	if err := checkSession(in.SessionName, in.SourceIdentity, in.Duration, role); err != nil {
		return AssumedRole{}, err
	}
	return d.issue(ctx, role, in.SessionName, in.SourceIdentity, "", "", in.Duration)
}

// WebIdentityInput is what AssumeRoleWithWebIdentity needs.
type WebIdentityInput struct {
	RoleARN     string
	SessionName string
	Token       string        // the OIDC ID token (JWT)
	Duration    time.Duration // 0: one hour
	Context     map[string][]string
}

// WebIdentity is the result of AssumeRoleWithWebIdentity.
type WebIdentity struct {
	AssumedRole
	Subject  string // the token's sub
	Audience string // the token's audience that is a client id of the provider
	Provider string // the token's issuer (iss)
}

// AssumeRoleWithWebIdentity trades an OIDC ID token for temporary
// credentials of a role, with no other credential:
//
//  1. The token's issuer must be an OIDC provider registered in the role's
//     account (InvalidIdentityToken otherwise).
//  2. Its signature must verify with a key from the issuer's JWKS, fetched
//     through the provider's registered URL (InvalidIdentityToken, or
//     IDPCommunicationError when the issuer cannot be read).
//  3. exp, nbf and iat must hold, with oidc.Skew (ExpiredTokenException,
//     InvalidIdentityToken).
//  4. One of its audiences must be a client id of the provider
//     (InvalidIdentityToken, "Incorrect token audience").
//  5. The role's trust policy must allow sts:AssumeRoleWithWebIdentity to
//     the Federated principal that is the provider's ARN; its conditions
//     can read <provider>:sub, <provider>:aud (the matching client id) and
//     <provider>:amr, where <provider> is the provider's URL without its
//     scheme (AccessDenied otherwise).
func (d *Directory) AssumeRoleWithWebIdentity(ctx context.Context, in WebIdentityInput) (WebIdentity, error) {
	if in.Duration == 0 {
		in.Duration = DefaultSessionDuration
	}
	denied := errkind.Deniedf("Not authorized to perform sts:AssumeRoleWithWebIdentity")
	if !sessionNamePattern.MatchString(in.SessionName) {
		return WebIdentity{}, checkSession(in.SessionName, "", in.Duration, store.Role{MaxSessionDuration: 43200})
	}
	tok, err := oidc.Parse(in.Token)
	if err != nil {
		return WebIdentity{}, err
	}
	n, ok := parsePrincipalARN(in.RoleARN)
	if !ok || n.kind != "role" {
		return WebIdentity{}, denied
	}
	key := ProviderKey(tok.Claims.Issuer)
	provider, err := d.st.GetOIDCProvider(ctx, n.account, key)
	if errors.Is(err, errkind.ErrNotFound) {
		return WebIdentity{}, errkind.Validationf("No OpenIDConnect provider found in your account for %s", tok.Claims.Issuer).WithReason(oidc.ReasonInvalidToken)
	}
	if err != nil {
		return WebIdentity{}, err
	}
	if err := d.oidc.VerifyToken(ctx, provider.URL, tok); err != nil {
		return WebIdentity{}, err
	}
	now := d.now()
	if err := tok.CheckTime(now); err != nil {
		return WebIdentity{}, err
	}
	audience := ""
	for _, a := range tok.Claims.Audience {
		if slices.Contains(provider.ClientIDs, a) {
			audience = a
			break
		}
	}
	if audience == "" {
		return WebIdentity{}, errkind.Validationf("Incorrect token audience").WithReason(oidc.ReasonInvalidToken)
	}
	role, ok, err := d.roleByARN(ctx, in.RoleARN)
	if err != nil {
		return WebIdentity{}, err
	}
	if !ok {
		return WebIdentity{}, denied
	}
	trust, err := policy.Parse([]byte(role.TrustPolicy))
	if err != nil {
		return WebIdentity{}, err
	}
	providerARN := ProviderARN(provider.AccountID, provider.URLKey)
	c := requestContext(in.Context, now)
	c[key+":sub"] = []string{tok.Claims.Subject}
	c[key+":aud"] = []string{audience}
	if len(tok.Claims.AMR) > 0 {
		c[key+":amr"] = tok.Claims.AMR
	}
	c["aws:FederatedProvider"] = []string{providerARN}
	c["aws:PrincipalType"] = []string{"WebIdentityUser"}
	c["sts:RoleSessionName"] = []string{in.SessionName}
	c["sts:DurationSeconds"] = []string{strconv.Itoa(int(in.Duration / time.Second))}
	req := policy.Request{
		Principal: policy.Principal{Federated: providerARN},
		Action:    "sts:AssumeRoleWithWebIdentity", Resource: in.RoleARN, Context: c,
	}
	if dec, _ := trust.Evaluate(&req); dec != policy.Allow {
		return WebIdentity{}, denied
	}
	if err := checkSession(in.SessionName, "", in.Duration, role); err != nil {
		return WebIdentity{}, err
	}
	ar, err := d.issue(ctx, role, in.SessionName, "", providerARN, tok.Claims.Subject, in.Duration)
	if err != nil {
		return WebIdentity{}, err
	}
	return WebIdentity{AssumedRole: ar, Subject: tok.Claims.Subject, Audience: audience, Provider: tok.Claims.Issuer}, nil
}

// sessionTokenPrefix starts every session token Arca issues.
const sessionTokenPrefix = "arca1_"

// issue records a new session of role and returns its credentials. The
// session's times are whole seconds, as STS reports them, so a token tied
// to the session ends exactly at the Expiration the client was told.
func (d *Directory) issue(ctx context.Context, role store.Role, sessionName, sourceIdentity, providerARN, subject string, dur time.Duration) (AssumedRole, error) {
	var raw [48]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return AssumedRole{}, err
	}
	tokenStr := sessionTokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(tokenStr))
	now := d.now().UTC().Truncate(time.Second)
	s := store.Session{
		AccessKeyID: newKeyID(sessionKeyPrefix), Secret: newSecret(), TokenHash: sum[:],
		AccountID: role.AccountID, RoleID: role.ID, SessionName: sessionName, SourceIdentity: sourceIdentity,
		ProviderARN: providerARN, Subject: subject, IssuedAt: now, Expires: now.Add(dur),
	}
	if err := d.st.CreateSession(ctx, s); err != nil {
		return AssumedRole{}, err
	}
	d.purgeSessions(ctx, now)
	return AssumedRole{
		Credentials:    Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret, SessionToken: tokenStr, Expires: s.Expires},
		ARN:            SessionARN(role.AccountID, role.Name, sessionName),
		AssumedRoleID:  role.ID + ":" + sessionName,
		SourceIdentity: sourceIdentity,
	}, nil
}

// Expired sessions are kept for sessionGrace, so that their credentials
// fail with ExpiredToken rather than as unknown, then purged, at most once
// per purgeEvery.
const (
	sessionGrace = 24 * time.Hour
	purgeEvery   = time.Minute
)

func (d *Directory) purgeSessions(ctx context.Context, now time.Time) {
	last := d.lastPurge.Load()
	if now.Unix()-last < int64(purgeEvery/time.Second) || !d.lastPurge.CompareAndSwap(last, now.Unix()) {
		return
	}
	// Best effort: a failure leaves the rows for the next purge.
	_, _ = d.st.DeleteExpiredSessions(ctx, now.Add(-sessionGrace))
}
