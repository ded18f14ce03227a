package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/oidc"
	"github.com/arcahq/arca/internal/policy"
	"github.com/arcahq/arca/internal/store"
)

// IAM administration: the rules of the IAM API
// (https://docs.aws.amazon.com/IAM/latest/APIReference/) over the store.
// Every error is an errkind category; where IAM has a more specific error
// code than the category gives, the error's Reason is that code.

// Reasons that name IAM and STS error codes beyond the categories.
const (
	ReasonDeleteConflict  = "DeleteConflict"
	ReasonMalformedPolicy = "MalformedPolicyDocument"
	ReasonInvalidInput    = "InvalidInput"
)

// IAM quotas
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const (
	MaxAccessKeysPerUser   = 2
	MaxUserPolicySize      = 2048  // all inline policies of a user, without whitespace
	MaxRolePolicySize      = 10240 // all inline policies of a role, without whitespace
	MaxTrustPolicySize     = 2048
	MaxOIDCProviders       = 100
	MaxClientIDs           = 100
	MaxThumbprints         = 5
	DefaultSessionDuration = time.Hour
	MaxSessionDuration     = 12 * time.Hour
)

var (
	namePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	pathPattern = regexp.MustCompile(`^(/|/[\x21-\x7e]{1,510}/)$`)
)

func checkName(what, name string) error {
	if !namePattern.MatchString(name) {
		return errkind.Validationf("The specified value for %s is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-", what)
	}
	return nil
}

func checkPath(path string) error {
	if !pathPattern.MatchString(path) || strings.Contains(path, "//") {
		return errkind.Validationf("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return nil
}

// --- users ---

// CreateUser creates an IAM user; path "" is "/".
func (d *Directory) CreateUser(ctx context.Context, account, name, path string) (store.User, error) {
	if path == "" {
		path = "/"
	}
	if err := checkName("userName", name); err != nil {
		return store.User{}, err
	}
	if err := checkPath(path); err != nil {
		return store.User{}, err
	}
	u := store.User{ID: newUniqueID(userIDPrefix), AccountID: account, Name: name, Path: path, CreatedAt: d.now().UTC().Truncate(time.Millisecond)}
	err := d.update(ctx, func(q store.Queries) error {
		err := q.CreateUser(ctx, u)
		if errors.Is(err, errkind.ErrConflict) {
			return errkind.Conflictf("User with name %s already exists.", name)
		}
		return err
	})
	return u, err
}

func noSuchUser(name string) error {
	return errkind.NotFoundf("The user with name %s cannot be found.", name)
}

func getUser(ctx context.Context, q store.Queries, account, name string) (store.User, error) {
	u, err := q.GetUser(ctx, account, name)
	if errors.Is(err, errkind.ErrNotFound) {
		return u, noSuchUser(name)
	}
	return u, err
}

// GetUser returns a user of the account.
func (d *Directory) GetUser(ctx context.Context, account, name string) (store.User, error) {
	return getUser(ctx, d.st, account, name)
}

// ListUsers returns a page of the account's users whose path starts with
// pathPrefix, after the opaque marker of the previous page, and the marker
// of the next page ("" on the last).
func (d *Directory) ListUsers(ctx context.Context, account, pathPrefix, marker string, max int) ([]store.User, string, error) {
	after, err := decodeMarker(marker)
	if err != nil {
		return nil, "", err
	}
	users, err := d.st.ListUsers(ctx, account, pathPrefix, after, max+1)
	if err != nil || len(users) <= max {
		return users, "", err
	}
	return users[:max], encodeMarker(users[max-1].Name), nil
}

// DeleteUser deletes a user that has no access keys, login profile or
// policies left, as IAM requires.
func (d *Directory) DeleteUser(ctx context.Context, account, name string) error {
	return d.update(ctx, func(q store.Queries) error {
		u, err := getUser(ctx, q, account, name)
		if err != nil {
			return err
		}
		keys, err := q.ListAccessKeys(ctx, account, u.ID)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return deleteConflict("Cannot delete entity, must delete access keys first.")
		}
		if _, err := q.GetLoginProfile(ctx, u.ID); err == nil {
			return deleteConflict("Cannot delete entity, must delete login profile first.")
		} else if !errors.Is(err, errkind.ErrNotFound) {
			return err
		}
		if err := checkNoPolicies(ctx, q, store.PolicyOwner{Kind: store.OwnerUser, ID: u.ID}); err != nil {
			return err
		}
		return q.DeleteUser(ctx, u.ID)
	})
}

func deleteConflict(msg string) error {
	return errkind.Conflictf("%s", msg).WithReason(ReasonDeleteConflict)
}

func checkNoPolicies(ctx context.Context, q store.Queries, o store.PolicyOwner) error {
	inline, err := q.ListInlinePolicies(ctx, o)
	if err != nil {
		return err
	}
	if len(inline) > 0 {
		return deleteConflict("Cannot delete entity, must delete policies first.")
	}
	attached, err := q.ListAttachedPolicies(ctx, o)
	if err != nil {
		return err
	}
	if len(attached) > 0 {
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	return nil
}

// --- access keys ---

// KeyOwner is whose access keys an operation is about.
type KeyOwner struct {
	UserID   string // "" for the account root
	UserName string // "" for the account root
	ARN      string
}

// keyOwner resolves the UserName of an access key operation: a user of the
// caller's account, or, when it is empty, the caller itself, as IAM does
// ("the user name is determined implicitly based on the access key ID used
// to sign the request").
func keyOwner(ctx context.Context, q store.Queries, caller Principal, userName string) (KeyOwner, error) {
	if userName != "" {
		u, err := getUser(ctx, q, caller.Account, userName)
		if err != nil {
			return KeyOwner{}, err
		}
		return KeyOwner{UserID: u.ID, UserName: u.Name, ARN: UserARN(u.AccountID, u.Path, u.Name)}, nil
	}
	switch {
	case caller.IsRoot():
		return KeyOwner{ARN: caller.ARN}, nil
	case caller.Kind == KindUser:
		u, err := q.GetUserByID(ctx, caller.UserID)
		if err != nil {
			return KeyOwner{}, err
		}
		return KeyOwner{UserID: u.ID, UserName: u.Name, ARN: caller.ARN}, nil
	}
	return KeyOwner{}, errkind.Validationf("Must specify userName when calling with non-User credentials")
}

// CreateAccessKey creates an active access key for a user of the caller's
// account (or for the caller, when userName is empty). A user has at most
// MaxAccessKeysPerUser keys.
func (d *Directory) CreateAccessKey(ctx context.Context, caller Principal, userName string) (store.AccessKey, KeyOwner, error) {
	var k store.AccessKey
	var owner KeyOwner
	err := d.update(ctx, func(q store.Queries) error {
		var err error
		if owner, err = keyOwner(ctx, q, caller, userName); err != nil {
			return err
		}
		keys, err := q.ListAccessKeys(ctx, caller.Account, owner.UserID)
		if err != nil {
			return err
		}
		if len(keys) >= MaxAccessKeysPerUser {
			return errkind.Quotaf("Cannot exceed quota for AccessKeysPerUser: %d", MaxAccessKeysPerUser)
		}
		k = store.AccessKey{ID: newKeyID(longKeyPrefix), Secret: newSecret(), AccountID: caller.Account, PrincipalARN: owner.ARN,
			UserID: owner.UserID, Active: true, CreatedAt: d.now().UTC().Truncate(time.Millisecond)}
		return q.PutAccessKey(ctx, k)
	})
	return k, owner, err
}

// ListAccessKeys returns the keys of a user of the caller's account (or of
// the caller), oldest first. Secrets are blanked.
func (d *Directory) ListAccessKeys(ctx context.Context, caller Principal, userName string) ([]store.AccessKey, KeyOwner, error) {
	owner, err := keyOwner(ctx, d.st, caller, userName)
	if err != nil {
		return nil, owner, err
	}
	keys, err := d.st.ListAccessKeys(ctx, caller.Account, owner.UserID)
	for i := range keys {
		keys[i].Secret = ""
	}
	return keys, owner, err
}

// ownedKey returns the key if it belongs to owner.
func ownedKey(ctx context.Context, q store.Queries, account string, owner KeyOwner, keyID string) (store.AccessKey, error) {
	k, err := q.GetAccessKey(ctx, keyID)
	if errors.Is(err, errkind.ErrNotFound) || (err == nil && (k.AccountID != account || k.UserID != owner.UserID)) {
		return k, errkind.NotFoundf("The Access Key with id %s cannot be found.", keyID)
	}
	return k, err
}

// UpdateAccessKey activates or deactivates a key; a deactivated key stops
// authenticating at once.
func (d *Directory) UpdateAccessKey(ctx context.Context, caller Principal, userName, keyID string, active bool) error {
	return d.update(ctx, func(q store.Queries) error {
		owner, err := keyOwner(ctx, q, caller, userName)
		if err != nil {
			return err
		}
		k, err := ownedKey(ctx, q, caller.Account, owner, keyID)
		if err != nil {
			return err
		}
		k.Active = active
		return q.PutAccessKey(ctx, k)
	})
}

// DeleteAccessKey deletes a key; it stops authenticating at once.
func (d *Directory) DeleteAccessKey(ctx context.Context, caller Principal, userName, keyID string) error {
	return d.update(ctx, func(q store.Queries) error {
		owner, err := keyOwner(ctx, q, caller, userName)
		if err != nil {
			return err
		}
		if _, err := ownedKey(ctx, q, caller.Account, owner, keyID); err != nil {
			return err
		}
		return q.DeleteAccessKey(ctx, keyID)
	})
}

// --- inline and attached policies ---

// Owner names the user or role of a policy operation.
type Owner struct {
	Kind string // store.OwnerUser or store.OwnerRole
	Name string
}

func (o Owner) noSuch() error {
	if o.Kind == store.OwnerRole {
		return noSuchRole(o.Name)
	}
	return noSuchUser(o.Name)
}

// resolve returns the owner's store key and ARN.
func (o Owner) resolve(ctx context.Context, q store.Queries, account string) (store.PolicyOwner, string, error) {
	switch o.Kind {
	case store.OwnerUser:
		u, err := getUser(ctx, q, account, o.Name)
		if err != nil {
			return store.PolicyOwner{}, "", err
		}
		return store.PolicyOwner{Kind: o.Kind, ID: u.ID}, UserARN(account, u.Path, u.Name), nil
	case store.OwnerRole:
		r, err := getRole(ctx, q, account, o.Name)
		if err != nil {
			return store.PolicyOwner{}, "", err
		}
		return store.PolicyOwner{Kind: o.Kind, ID: r.ID}, RoleARN(account, r.Path, r.Name), nil
	}
	return store.PolicyOwner{}, "", fmt.Errorf("identity: unknown owner kind %q", o.Kind)
}

// malformed turns a policy parse or validation error into IAM's
// MalformedPolicyDocument.
func malformed(err error) error {
	e := errkind.As(err)
	if e.Kind != errkind.Validation {
		return err
	}
	return errkind.Validationf("%s", e.Message).WithReason(ReasonMalformedPolicy)
}

// parseIdentityPolicy parses and validates an identity policy document.
func parseIdentityPolicy(doc string) error {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return malformed(err)
	}
	if err := p.Validate(policy.IdentityPolicy); err != nil {
		return malformed(err)
	}
	return nil
}

// policySize is how IAM measures policy size: without whitespace.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// PutInlinePolicy creates or replaces an inline policy of a user or role.
// The document must be a valid identity policy; a user's inline policies
// together stay within MaxUserPolicySize, a role's within
// MaxRolePolicySize.
func (d *Directory) PutInlinePolicy(ctx context.Context, account string, o Owner, name, doc string) error {
	if err := checkName("policyName", name); err != nil {
		return err
	}
	if err := parseIdentityPolicy(doc); err != nil {
		return err
	}
	return d.update(ctx, func(q store.Queries) error {
		po, _, err := o.resolve(ctx, q, account)
		if err != nil {
			return err
		}
		existing, err := q.ListInlinePolicies(ctx, po)
		if err != nil {
			return err
		}
		total := policySize(doc)
		for _, p := range existing {
			if p.Name != name {
				total += policySize(p.Document)
			}
		}
		limit := MaxUserPolicySize
		if o.Kind == store.OwnerRole {
			limit = MaxRolePolicySize
		}
		if total > limit {
			return errkind.Quotaf("Maximum policy size of %d bytes exceeded for %s %s", limit, o.Kind, o.Name)
		}
		return q.PutInlinePolicy(ctx, store.InlinePolicy{Owner: po, Name: name, Document: doc, UpdatedAt: d.now().UTC().Truncate(time.Millisecond)})
	})
}

func noSuchInline(o Owner, name string) error {
	return errkind.NotFoundf("The %s policy with name %s cannot be found.", o.Kind, name)
}

// GetInlinePolicy returns an inline policy of a user or role.
func (d *Directory) GetInlinePolicy(ctx context.Context, account string, o Owner, name string) (store.InlinePolicy, error) {
	po, _, err := o.resolve(ctx, d.st, account)
	if err != nil {
		return store.InlinePolicy{}, err
	}
	p, err := d.st.GetInlinePolicy(ctx, po, name)
	if errors.Is(err, errkind.ErrNotFound) {
		return p, noSuchInline(o, name)
	}
	return p, err
}

// ListInlinePolicies returns the names of the inline policies of a user or
// role, sorted.
func (d *Directory) ListInlinePolicies(ctx context.Context, account string, o Owner) ([]string, error) {
	po, _, err := o.resolve(ctx, d.st, account)
	if err != nil {
		return nil, err
	}
	ps, err := d.st.ListInlinePolicies(ctx, po)
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names, err
}

// DeleteInlinePolicy deletes an inline policy of a user or role.
func (d *Directory) DeleteInlinePolicy(ctx context.Context, account string, o Owner, name string) error {
	return d.update(ctx, func(q store.Queries) error {
		po, _, err := o.resolve(ctx, q, account)
		if err != nil {
			return err
		}
		err = q.DeleteInlinePolicy(ctx, po, name)
		if errors.Is(err, errkind.ErrNotFound) {
			return noSuchInline(o, name)
		}
		return err
	})
}

// ManagedPolicyByARN returns an AWS managed policy, or IAM's error for an
// ARN that is not one: InvalidInput for what is not a policy ARN,
// NoSuchEntity for a policy that does not exist.
func ManagedPolicyByARN(policyARN string) (ManagedPolicy, error) {
	if p, ok := LookupManagedPolicy(policyARN); ok {
		return p, nil
	}
	parts := strings.SplitN(policyARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "policy/") {
		return ManagedPolicy{}, errkind.Validationf("ARN %s is not valid.", policyARN).WithReason(ReasonInvalidInput)
	}
	return ManagedPolicy{}, errkind.NotFoundf("Policy %s does not exist or is not attachable.", policyARN)
}

// AttachPolicy attaches an AWS managed policy to a user or role; attaching
// it again changes nothing.
func (d *Directory) AttachPolicy(ctx context.Context, account string, o Owner, policyARN string) error {
	if _, err := ManagedPolicyByARN(policyARN); err != nil {
		return err
	}
	return d.update(ctx, func(q store.Queries) error {
		po, _, err := o.resolve(ctx, q, account)
		if err != nil {
			return err
		}
		return q.AttachPolicy(ctx, po, policyARN, d.now().UTC())
	})
}

// DetachPolicy detaches a managed policy from a user or role.
func (d *Directory) DetachPolicy(ctx context.Context, account string, o Owner, policyARN string) error {
	if _, err := ManagedPolicyByARN(policyARN); err != nil && errkind.As(err).Reason == ReasonInvalidInput {
		return err
	}
	return d.update(ctx, func(q store.Queries) error {
		po, _, err := o.resolve(ctx, q, account)
		if err != nil {
			return err
		}
		err = q.DetachPolicy(ctx, po, policyARN)
		if errors.Is(err, errkind.ErrNotFound) {
			return errkind.NotFoundf("Policy %s was not found.", policyARN)
		}
		return err
	})
}

// ListAttachedPolicies returns the managed policies attached to a user or
// role, by ARN.
func (d *Directory) ListAttachedPolicies(ctx context.Context, account string, o Owner) ([]ManagedPolicy, error) {
	po, _, err := o.resolve(ctx, d.st, account)
	if err != nil {
		return nil, err
	}
	arns, err := d.st.ListAttachedPolicies(ctx, po)
	if err != nil {
		return nil, err
	}
	out := make([]ManagedPolicy, 0, len(arns))
	for _, a := range arns {
		if p, ok := LookupManagedPolicy(a); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// AttachmentCount returns how many users and roles of the account have the
// managed policy attached.
func (d *Directory) AttachmentCount(ctx context.Context, account, policyARN string) (int, error) {
	n := 0
	for _, kind := range []string{store.OwnerUser, store.OwnerRole} {
		after := ""
		for {
			var ids []string
			if kind == store.OwnerUser {
				us, err := d.st.ListUsers(ctx, account, "", after, 500)
				if err != nil {
					return 0, err
				}
				for _, u := range us {
					ids = append(ids, u.ID)
					after = strings.ToLower(u.Name)
				}
			} else {
				rs, err := d.st.ListRoles(ctx, account, "", after, 500)
				if err != nil {
					return 0, err
				}
				for _, r := range rs {
					ids = append(ids, r.ID)
					after = strings.ToLower(r.Name)
				}
			}
			for _, id := range ids {
				arns, err := d.st.ListAttachedPolicies(ctx, store.PolicyOwner{Kind: kind, ID: id})
				if err != nil {
					return 0, err
				}
				if slices.Contains(arns, policyARN) {
					n++
				}
			}
			if len(ids) < 500 {
				break
			}
		}
	}
	return n, nil
}

// --- roles ---

// RoleSpec is what CreateRole needs.
type RoleSpec struct {
	Name               string
	Path               string // "" is "/"
	TrustPolicy        string
	Description        string
	MaxSessionDuration int // seconds; 0 is 3600
}

func noSuchRole(name string) error {
	return errkind.NotFoundf("The role with name %s cannot be found.", name)
}

func getRole(ctx context.Context, q store.Queries, account, name string) (store.Role, error) {
	r, err := q.GetRole(ctx, account, name)
	if errors.Is(err, errkind.ErrNotFound) {
		return r, noSuchRole(name)
	}
	return r, err
}

// checkTrustPolicy parses and validates a role trust policy
// (AssumeRolePolicyDocument): a resource policy whose statements name
// their principals and name no resource (the role is the resource), within
// MaxTrustPolicySize.
func checkTrustPolicy(doc string) error {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return malformed(err)
	}
	if err := p.Validate(policy.ResourcePolicy); err != nil {
		return malformed(err)
	}
	if hasResourceElement(doc) {
		return errkind.Validationf("Has prohibited field Resource").WithReason(ReasonMalformedPolicy)
	}
	if policySize(doc) > MaxTrustPolicySize {
		return errkind.Quotaf("Cannot exceed quota for ACLSizePerRole: %d", MaxTrustPolicySize)
	}
	return nil
}

// hasResourceElement reports whether a parsed policy document has a
// statement with Resource or NotResource.
func hasResourceElement(doc string) bool {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(d.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return false
		}
		stmts = append(stmts, one)
	}
	for _, s := range stmts {
		if _, ok := s["Resource"]; ok {
			return true
		}
		if _, ok := s["NotResource"]; ok {
			return true
		}
	}
	return false
}

// CreateRole creates a role with a trust policy.
func (d *Directory) CreateRole(ctx context.Context, account string, spec RoleSpec) (store.Role, error) {
	if spec.Path == "" {
		spec.Path = "/"
	}
	if spec.MaxSessionDuration == 0 {
		spec.MaxSessionDuration = int(DefaultSessionDuration / time.Second)
	}
	if err := checkName("roleName", spec.Name); err != nil {
		return store.Role{}, err
	}
	if err := checkPath(spec.Path); err != nil {
		return store.Role{}, err
	}
	if spec.MaxSessionDuration < 3600 || spec.MaxSessionDuration > 43200 {
		return store.Role{}, errkind.Validationf("The value of MaxSessionDuration must be between 3600 and 43200 seconds, not %d.", spec.MaxSessionDuration)
	}
	if err := checkTrustPolicy(spec.TrustPolicy); err != nil {
		return store.Role{}, err
	}
	r := store.Role{ID: newUniqueID(roleIDPrefix), AccountID: account, Name: spec.Name, Path: spec.Path, Description: spec.Description,
		TrustPolicy: spec.TrustPolicy, MaxSessionDuration: spec.MaxSessionDuration, CreatedAt: d.now().UTC().Truncate(time.Millisecond)}
	err := d.update(ctx, func(q store.Queries) error {
		err := q.CreateRole(ctx, r)
		if errors.Is(err, errkind.ErrConflict) {
			return errkind.Conflictf("Role with name %s already exists.", spec.Name)
		}
		return err
	})
	return r, err
}

// GetRole returns a role of the account.
func (d *Directory) GetRole(ctx context.Context, account, name string) (store.Role, error) {
	return getRole(ctx, d.st, account, name)
}

// ListRoles returns a page of the account's roles, as ListUsers does.
func (d *Directory) ListRoles(ctx context.Context, account, pathPrefix, marker string, max int) ([]store.Role, string, error) {
	after, err := decodeMarker(marker)
	if err != nil {
		return nil, "", err
	}
	roles, err := d.st.ListRoles(ctx, account, pathPrefix, after, max+1)
	if err != nil || len(roles) <= max {
		return roles, "", err
	}
	return roles[:max], encodeMarker(roles[max-1].Name), nil
}

// UpdateTrustPolicy replaces a role's trust policy.
func (d *Directory) UpdateTrustPolicy(ctx context.Context, account, name, doc string) error {
	if err := checkTrustPolicy(doc); err != nil {
		return err
	}
	return d.update(ctx, func(q store.Queries) error {
		r, err := getRole(ctx, q, account, name)
		if err != nil {
			return err
		}
		return q.SetTrustPolicy(ctx, r.ID, doc)
	})
}

// DeleteRole deletes a role that has no policies left; its sessions stop
// working at once.
func (d *Directory) DeleteRole(ctx context.Context, account, name string) error {
	return d.update(ctx, func(q store.Queries) error {
		r, err := getRole(ctx, q, account, name)
		if err != nil {
			return err
		}
		if err := checkNoPolicies(ctx, q, store.PolicyOwner{Kind: store.OwnerRole, ID: r.ID}); err != nil {
			return err
		}
		return q.DeleteRole(ctx, r.ID)
	})
}

// --- OIDC providers ---

// ProviderKey returns the identity of an issuer URL: host (lower case),
// port and path without the scheme and trailing slash, as in an OIDC
// provider's ARN and its condition keys. A value without a scheme is taken
// as a key already.
func ProviderKey(issuer string) string {
	s := issuer
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.TrimRight(s, "/")
	host, path, _ := strings.Cut(s, "/")
	if path != "" {
		return strings.ToLower(host) + "/" + path
	}
	return strings.ToLower(host)
}

var thumbprintPattern = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)

// CreateOIDCProvider registers an OpenID Connect identity provider by its
// issuer URL (https://, or http:// to a loopback host), with the
// audiences (client ids) its tokens may carry. Thumbprints are checked for
// shape and kept, not used: keys are fetched over TLS verified with the
// system's roots.
func (d *Directory) CreateOIDCProvider(ctx context.Context, account, issuer string, clientIDs, thumbprints []string) (store.OIDCProvider, error) {
	if len(issuer) > 255 {
		return store.OIDCProvider{}, errkind.Validationf("The URL must be at most 255 characters.").WithReason(ReasonInvalidInput)
	}
	if err := oidc.CheckURL(issuer); err != nil {
		return store.OIDCProvider{}, errkind.Validationf("Invalid URL: %v", err).WithReason(ReasonInvalidInput)
	}
	if len(clientIDs) > MaxClientIDs {
		return store.OIDCProvider{}, errkind.Quotaf("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", MaxClientIDs)
	}
	if len(thumbprints) > MaxThumbprints {
		return store.OIDCProvider{}, errkind.Quotaf("Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", MaxThumbprints)
	}
	for _, t := range thumbprints {
		if !thumbprintPattern.MatchString(t) {
			return store.OIDCProvider{}, errkind.Validationf("Thumbprint %q must be 40 hexadecimal digits.", t).WithReason(ReasonInvalidInput)
		}
	}
	clients := []string{}
	for _, c := range clientIDs {
		if c == "" || len(c) > 255 {
			return store.OIDCProvider{}, errkind.Validationf("A client id must be 1 to 255 characters.").WithReason(ReasonInvalidInput)
		}
		if !slices.Contains(clients, c) {
			clients = append(clients, c)
		}
	}
	u, _ := url.Parse(issuer)
	p := store.OIDCProvider{AccountID: account, URLKey: ProviderKey(issuer), URL: u.Scheme + "://" + ProviderKey(issuer),
		ClientIDs: clients, Thumbprints: append([]string{}, thumbprints...), CreatedAt: d.now().UTC().Truncate(time.Millisecond)}
	err := d.update(ctx, func(q store.Queries) error {
		existing, err := q.ListOIDCProviders(ctx, account)
		if err != nil {
			return err
		}
		if len(existing) >= MaxOIDCProviders {
			return errkind.Quotaf("Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", MaxOIDCProviders)
		}
		err = q.CreateOIDCProvider(ctx, p)
		if errors.Is(err, errkind.ErrConflict) {
			return errkind.Conflictf("Provider with url %s already exists.", issuer)
		}
		return err
	})
	return p, err
}

// providerKeyOf checks that providerARN names an OIDC provider of the
// account and returns its key.
func providerKeyOf(account, providerARN string) (string, error) {
	prefix := ProviderARN(account, "")
	key, ok := strings.CutPrefix(providerARN, prefix)
	if !ok || key == "" {
		parts := strings.SplitN(providerARN, ":", 6)
		if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && strings.HasPrefix(parts[5], "oidc-provider/") && len(parts[5]) > len("oidc-provider/") {
			return "", errkind.NotFoundf("OpenIDConnect Provider not found for arn %s", providerARN)
		}
		return "", errkind.Validationf("ARN %s is not valid.", providerARN).WithReason(ReasonInvalidInput)
	}
	return key, nil
}

// GetOIDCProvider returns a provider by ARN.
func (d *Directory) GetOIDCProvider(ctx context.Context, account, providerARN string) (store.OIDCProvider, error) {
	key, err := providerKeyOf(account, providerARN)
	if err != nil {
		return store.OIDCProvider{}, err
	}
	p, err := d.st.GetOIDCProvider(ctx, account, key)
	if errors.Is(err, errkind.ErrNotFound) {
		return p, errkind.NotFoundf("OpenIDConnect Provider not found for arn %s", providerARN)
	}
	return p, err
}

// ListOIDCProviders returns the account's providers.
func (d *Directory) ListOIDCProviders(ctx context.Context, account string) ([]store.OIDCProvider, error) {
	return d.st.ListOIDCProviders(ctx, account)
}

// DeleteOIDCProvider deletes a provider; roles that trust it can no longer
// be assumed with its tokens.
func (d *Directory) DeleteOIDCProvider(ctx context.Context, account, providerARN string) error {
	key, err := providerKeyOf(account, providerARN)
	if err != nil {
		return err
	}
	return d.update(ctx, func(q store.Queries) error {
		err := q.DeleteOIDCProvider(ctx, account, key)
		if errors.Is(err, errkind.ErrNotFound) {
			return errkind.NotFoundf("OpenIDConnect Provider not found for arn %s", providerARN)
		}
		return err
	})
}

// --- paging ---

// encodeMarker makes the opaque marker of the page after name.
func encodeMarker(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(name)))
}

func decodeMarker(marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil {
		return "", errkind.Validationf("Invalid Marker.").WithReason(ReasonInvalidInput)
	}
	return string(b), nil
}
