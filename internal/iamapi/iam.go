package iamapi

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
)

// The IAM operations (https://docs.aws.amazon.com/IAM/latest/APIReference/).
func (a *API) iamOps() map[string]op {
	return map[string]op{
		"CreateUser": a.createUser, "GetUser": a.getUser, "ListUsers": a.listUsers, "DeleteUser": a.deleteUser,

		"CreateLoginProfile": a.createLoginProfile, "GetLoginProfile": a.getLoginProfile,
		"UpdateLoginProfile": a.updateLoginProfile, "DeleteLoginProfile": a.deleteLoginProfile,
		"ChangePassword": a.changePassword,

		"CreateAccessKey": a.createAccessKey, "ListAccessKeys": a.listAccessKeys,
		"UpdateAccessKey": a.updateAccessKey, "DeleteAccessKey": a.deleteAccessKey,

		"PutUserPolicy":    a.putPolicy(store.OwnerUser),
		"GetUserPolicy":    a.getPolicy(store.OwnerUser),
		"ListUserPolicies": a.listPolicies(store.OwnerUser),
		"DeleteUserPolicy": a.deletePolicy(store.OwnerUser),
		"PutRolePolicy":    a.putPolicy(store.OwnerRole),
		"GetRolePolicy":    a.getPolicy(store.OwnerRole),
		"ListRolePolicies": a.listPolicies(store.OwnerRole),
		"DeleteRolePolicy": a.deletePolicy(store.OwnerRole),

		"AttachUserPolicy":         a.attach(store.OwnerUser, true),
		"DetachUserPolicy":         a.attach(store.OwnerUser, false),
		"ListAttachedUserPolicies": a.listAttached(store.OwnerUser),
		"AttachRolePolicy":         a.attach(store.OwnerRole, true),
		"DetachRolePolicy":         a.attach(store.OwnerRole, false),
		"ListAttachedRolePolicies": a.listAttached(store.OwnerRole),

		"CreateRole": a.createRole, "GetRole": a.getRole, "ListRoles": a.listRoles, "DeleteRole": a.deleteRole,
		"UpdateAssumeRolePolicy": a.updateAssumeRolePolicy,

		"GetPolicy": a.getManagedPolicy, "GetPolicyVersion": a.getManagedPolicyVersion,

		"CreateOpenIDConnectProvider": a.createProvider, "GetOpenIDConnectProvider": a.getProvider,
		"ListOpenIDConnectProviders": a.listProviders, "DeleteOpenIDConnectProvider": a.deleteProvider,
	}
}

// --- shapes ---

// xUser is the User shape.
type xUser struct {
	Path       string  `xml:"Path,omitempty"`
	UserName   string  `xml:"UserName,omitempty"`
	UserID     string  `xml:"UserId"`
	Arn        string  `xml:"Arn"`
	CreateDate isoTime `xml:"CreateDate"`
}

func userShape(u store.User) xUser {
	return xUser{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: identity.UserARN(u.AccountID, u.Path, u.Name), CreateDate: isoTime(u.CreatedAt)}
}

// xAccessKey is the AccessKey shape, and AccessKeyMetadata without the
// secret.
type xAccessKey struct {
	UserName        string  `xml:"UserName,omitempty"`
	AccessKeyID     string  `xml:"AccessKeyId"`
	Status          string  `xml:"Status"`
	SecretAccessKey string  `xml:"SecretAccessKey,omitempty"`
	CreateDate      isoTime `xml:"CreateDate"`
}

func keyShape(k store.AccessKey, userName string) xAccessKey {
	status := "Inactive"
	if k.Active {
		status = "Active"
	}
	return xAccessKey{UserName: userName, AccessKeyID: k.ID, Status: status, SecretAccessKey: k.Secret, CreateDate: isoTime(k.CreatedAt)}
}

// xRole is the Role shape.
type xRole struct {
	Path                     string  `xml:"Path"`
	RoleName                 string  `xml:"RoleName"`
	RoleID                   string  `xml:"RoleId"`
	Arn                      string  `xml:"Arn"`
	CreateDate               isoTime `xml:"CreateDate"`
	AssumeRolePolicyDocument string  `xml:"AssumeRolePolicyDocument"`
	Description              string  `xml:"Description,omitempty"`
	MaxSessionDuration       int     `xml:"MaxSessionDuration"`
}

func roleShape(r store.Role) xRole {
	return xRole{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: identity.RoleARN(r.AccountID, r.Path, r.Name),
		CreateDate: isoTime(r.CreatedAt), AssumeRolePolicyDocument: policyDocument(r.TrustPolicy),
		Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
}

type xAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

// listPage is the paging part of a list result.
type listPage struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

func page(next string) listPage { return listPage{IsTruncated: next != "", Marker: next} }

// pageNames pages a sorted list of names: the names after marker (the
// last name of the previous page), at most max of them.
func pageNames(names []string, marker string, max int) ([]string, string) {
	start := 0
	if marker != "" {
		for start < len(names) && names[start] <= marker {
			start++
		}
	}
	names = names[start:]
	if len(names) <= max {
		return names, ""
	}
	return names[:max], names[max-1]
}

// --- authorization ---

// allow asks the Authorizer whether the caller may perform the IAM action
// on resource.
func (a *API) allow(c *call, action, resource string) error {
	return a.authz.Authorize(c.ctx, authz.Request{Principal: c.p, Action: "iam:" + action, Resource: resource})
}

// userARN is the ARN of a user of the caller's account, for authorization:
// its real path when it exists, "/" when it does not.
func (a *API) userARN(ctx context.Context, account, name string) string {
	if u, err := a.dir.GetUser(ctx, account, name); err == nil {
		return identity.UserARN(account, u.Path, u.Name)
	}
	return identity.UserARN(account, "/", name)
}

func (a *API) roleARN(ctx context.Context, account, name string) string {
	if r, err := a.dir.GetRole(ctx, account, name); err == nil {
		return identity.RoleARN(account, r.Path, r.Name)
	}
	return identity.RoleARN(account, "/", name)
}

func (a *API) ownerARN(ctx context.Context, account string, o identity.Owner) string {
	if o.Kind == store.OwnerRole {
		return a.roleARN(ctx, account, o.Name)
	}
	return a.userARN(ctx, account, o.Name)
}

// --- users ---

func (a *API) createUser(c *call) (any, error) {
	name := c.f.String("UserName", userNameType)
	path := c.f.String("Path", pathType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	if err := a.allow(c, "CreateUser", identity.UserARN(c.p.Account, path, name)); err != nil {
		return nil, err
	}
	u, err := a.dir.CreateUser(c.ctx, c.p.Account, name, path)
	if err != nil {
		return nil, err
	}
	return struct {
		User xUser `xml:"User"`
	}{userShape(u)}, nil
}

func (a *API) getUser(c *call) (any, error) {
	name := c.f.String("UserName", existingUserName)
	if err := c.valid(); err != nil {
		return nil, err
	}
	type result struct {
		User xUser `xml:"User"`
	}
	if name == "" {
		// The caller itself.
		switch {
		case c.p.IsRoot():
			if err := a.allow(c, "GetUser", c.p.ARN); err != nil {
				return nil, err
			}
			return result{xUser{UserID: c.p.Account, Arn: c.p.ARN, CreateDate: isoTime(a.accountCreated(c.ctx, c.p.Account))}}, nil
		case c.p.Kind == identity.KindUser:
			name = c.p.UserName
		default:
			return nil, errkind.Validationf("Must specify userName when calling with non-User credentials")
		}
	}
	if err := a.allow(c, "GetUser", a.userARN(c.ctx, c.p.Account, name)); err != nil {
		return nil, err
	}
	u, err := a.dir.GetUser(c.ctx, c.p.Account, name)
	if err != nil {
		return nil, err
	}
	return result{userShape(u)}, nil
}

// accountCreated returns when an account was created (zero if unknown).
func (a *API) accountCreated(ctx context.Context, account string) time.Time {
	acct, err := a.dir.Account(ctx, account)
	if err != nil {
		return time.Time{}
	}
	return acct.CreatedAt
}

func (a *API) listUsers(c *call) (any, error) {
	prefix := c.f.String("PathPrefix", pathPrefixType)
	marker := c.f.String("Marker", markerType)
	max := c.f.MaxItems()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "ListUsers", identity.UserARN(c.p.Account, "/", "")); err != nil {
		return nil, err
	}
	users, next, err := a.dir.ListUsers(c.ctx, c.p.Account, prefix, marker, max)
	if err != nil {
		return nil, err
	}
	out := make([]xUser, len(users))
	for i, u := range users {
		out[i] = userShape(u)
	}
	return struct {
		Users members[xUser] `xml:"Users"`
		listPage
	}{list(out), page(next)}, nil
}

func (a *API) deleteUser(c *call) (any, error) {
	name := c.f.String("UserName", existingUserName)
	if name == "" {
		c.f.fail("Value null at 'userName' failed to satisfy constraint: Member must not be null")
	}
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "DeleteUser", a.userARN(c.ctx, c.p.Account, name)); err != nil {
		return nil, err
	}
	return nil, a.dir.DeleteUser(c.ctx, c.p.Account, name)
}

// --- access keys ---

// keyResource is the resource of an access key operation: the named user,
// or the caller itself.
func (a *API) keyResource(c *call, userName string) string {
	if userName == "" {
		if c.p.Kind == identity.KindAssumedRole {
			return c.p.RoleARN
		}
		return c.p.ARN
	}
	return a.userARN(c.ctx, c.p.Account, userName)
}

func (a *API) createAccessKey(c *call) (any, error) {
	name := c.f.String("UserName", existingUserName)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "CreateAccessKey", a.keyResource(c, name)); err != nil {
		return nil, err
	}
	k, owner, err := a.dir.CreateAccessKey(c.ctx, c.p, name)
	if err != nil {
		return nil, err
	}
	return struct {
		AccessKey xAccessKey `xml:"AccessKey"`
	}{keyShape(k, owner.UserName)}, nil
}

func (a *API) listAccessKeys(c *call) (any, error) {
	name := c.f.String("UserName", existingUserName)
	marker := c.f.String("Marker", markerType)
	max := c.f.MaxItems()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "ListAccessKeys", a.keyResource(c, name)); err != nil {
		return nil, err
	}
	keys, owner, err := a.dir.ListAccessKeys(c.ctx, c.p, name)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(keys))
	byID := map[string]store.AccessKey{}
	for i, k := range keys {
		ids[i] = k.ID
		byID[k.ID] = k
	}
	// Pages follow the keys' order of creation.
	start := 0
	if marker != "" {
		for start < len(ids) && ids[start] != marker {
			start++
		}
		start++
	}
	ids = ids[min(start, len(ids)):]
	next := ""
	if len(ids) > max {
		ids, next = ids[:max], ids[max-1]
	}
	out := make([]xAccessKey, len(ids))
	for i, id := range ids {
		out[i] = keyShape(byID[id], owner.UserName)
	}
	return struct {
		AccessKeyMetadata members[xAccessKey] `xml:"AccessKeyMetadata"`
		listPage
	}{list(out), page(next)}, nil
}

func (a *API) updateAccessKey(c *call) (any, error) {
	name := c.f.String("UserName", existingUserName)
	id := c.f.String("AccessKeyId", accessKeyIDType)
	status := c.f.String("Status", statusType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "UpdateAccessKey", a.keyResource(c, name)); err != nil {
		return nil, err
	}
	return nil, a.dir.UpdateAccessKey(c.ctx, c.p, name, id, status == "Active")
}

func (a *API) deleteAccessKey(c *call) (any, error) {
	name := c.f.String("UserName", existingUserName)
	id := c.f.String("AccessKeyId", accessKeyIDType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "DeleteAccessKey", a.keyResource(c, name)); err != nil {
		return nil, err
	}
	return nil, a.dir.DeleteAccessKey(c.ctx, c.p, name, id)
}

// --- inline policies ---

// ownerParam reads UserName or RoleName.
func ownerParam(c *call, kind string) identity.Owner {
	if kind == store.OwnerRole {
		return identity.Owner{Kind: kind, Name: c.f.String("RoleName", roleNameType)}
	}
	s := existingUserName
	s.required = true
	return identity.Owner{Kind: kind, Name: c.f.String("UserName", s)}
}

// actionName is the IAM action of an operation on users or roles:
// PutUserPolicy, PutRolePolicy, ...
func actionName(verb, kind, noun string) string {
	return verb + strings.ToUpper(kind[:1]) + kind[1:] + noun
}

func (a *API) putPolicy(kind string) op {
	return func(c *call) (any, error) {
		o := ownerParam(c, kind)
		name := c.f.String("PolicyName", policyNameType)
		doc := c.f.String("PolicyDocument", policyDocumentType)
		if err := c.valid(); err != nil {
			return nil, err
		}
		if err := a.allow(c, actionName("Put", kind, "Policy"), a.ownerARN(c.ctx, c.p.Account, o)); err != nil {
			return nil, err
		}
		return nil, a.dir.PutInlinePolicy(c.ctx, c.p.Account, o, name, doc)
	}
}

func (a *API) getPolicy(kind string) op {
	return func(c *call) (any, error) {
		o := ownerParam(c, kind)
		name := c.f.String("PolicyName", policyNameType)
		if err := c.valid(); err != nil {
			return nil, err
		}
		if err := a.allow(c, actionName("Get", kind, "Policy"), a.ownerARN(c.ctx, c.p.Account, o)); err != nil {
			return nil, err
		}
		p, err := a.dir.GetInlinePolicy(c.ctx, c.p.Account, o, name)
		if err != nil {
			return nil, err
		}
		if kind == store.OwnerRole {
			return struct {
				RoleName       string `xml:"RoleName"`
				PolicyName     string `xml:"PolicyName"`
				PolicyDocument string `xml:"PolicyDocument"`
			}{o.Name, p.Name, policyDocument(p.Document)}, nil
		}
		return struct {
			UserName       string `xml:"UserName"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{o.Name, p.Name, policyDocument(p.Document)}, nil
	}
}

func (a *API) listPolicies(kind string) op {
	return func(c *call) (any, error) {
		o := ownerParam(c, kind)
		marker := c.f.String("Marker", markerType)
		max := c.f.MaxItems()
		if err := c.valid(); err != nil {
			return nil, err
		}
		if err := a.allow(c, actionName("List", kind, "Policies"), a.ownerARN(c.ctx, c.p.Account, o)); err != nil {
			return nil, err
		}
		names, err := a.dir.ListInlinePolicies(c.ctx, c.p.Account, o)
		if err != nil {
			return nil, err
		}
		names, next := pageNames(names, marker, max)
		return struct {
			PolicyNames members[string] `xml:"PolicyNames"`
			listPage
		}{list(names), page(next)}, nil
	}
}

func (a *API) deletePolicy(kind string) op {
	return func(c *call) (any, error) {
		o := ownerParam(c, kind)
		name := c.f.String("PolicyName", policyNameType)
		if err := c.valid(); err != nil {
			return nil, err
		}
		if err := a.allow(c, actionName("Delete", kind, "Policy"), a.ownerARN(c.ctx, c.p.Account, o)); err != nil {
			return nil, err
		}
		return nil, a.dir.DeleteInlinePolicy(c.ctx, c.p.Account, o, name)
	}
}

// --- managed policies ---

func (a *API) attach(kind string, attach bool) op {
	verb := "Detach"
	if attach {
		verb = "Attach"
	}
	return func(c *call) (any, error) {
		o := ownerParam(c, kind)
		arn := c.f.String("PolicyArn", arnType)
		if err := c.valid(); err != nil {
			return nil, err
		}
		if err := a.allow(c, actionName(verb, kind, "Policy"), a.ownerARN(c.ctx, c.p.Account, o)); err != nil {
			return nil, err
		}
		if attach {
			return nil, a.dir.AttachPolicy(c.ctx, c.p.Account, o, arn)
		}
		return nil, a.dir.DetachPolicy(c.ctx, c.p.Account, o, arn)
	}
}

func (a *API) listAttached(kind string) op {
	return func(c *call) (any, error) {
		o := ownerParam(c, kind)
		prefix := c.f.String("PathPrefix", policyPathType)
		marker := c.f.String("Marker", markerType)
		max := c.f.MaxItems()
		if err := c.valid(); err != nil {
			return nil, err
		}
		if err := a.allow(c, actionName("ListAttached", kind, "Policies"), a.ownerARN(c.ctx, c.p.Account, o)); err != nil {
			return nil, err
		}
		ps, err := a.dir.ListAttachedPolicies(c.ctx, c.p.Account, o)
		if err != nil {
			return nil, err
		}
		var arns []string
		names := map[string]string{}
		for _, p := range ps {
			// Every AWS managed policy Arca knows has the path "/".
			if prefix == "" || prefix == "/" {
				arns = append(arns, p.ARN)
				names[p.ARN] = p.Name
			}
		}
		arns, next := pageNames(arns, marker, max)
		out := make([]xAttachedPolicy, len(arns))
		for i, arn := range arns {
			out[i] = xAttachedPolicy{PolicyName: names[arn], PolicyArn: arn}
		}
		return struct {
			AttachedPolicies members[xAttachedPolicy] `xml:"AttachedPolicies"`
			listPage
		}{list(out), page(next)}, nil
	}
}

type xPolicy struct {
	PolicyName                    string  `xml:"PolicyName"`
	PolicyID                      string  `xml:"PolicyId"`
	Arn                           string  `xml:"Arn"`
	Path                          string  `xml:"Path"`
	DefaultVersionID              string  `xml:"DefaultVersionId"`
	AttachmentCount               int     `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int     `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool    `xml:"IsAttachable"`
	Description                   string  `xml:"Description"`
	CreateDate                    isoTime `xml:"CreateDate"`
	UpdateDate                    isoTime `xml:"UpdateDate"`
}

func (a *API) getManagedPolicy(c *call) (any, error) {
	arn := c.f.String("PolicyArn", arnType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "GetPolicy", arn); err != nil {
		return nil, err
	}
	p, err := identity.ManagedPolicyByARN(arn)
	if err != nil {
		if errors.Is(err, errkind.ErrNotFound) {
			return nil, errkind.NotFoundf("Policy %s does not exist or is not attachable.", arn)
		}
		return nil, err
	}
	n, err := a.dir.AttachmentCount(c.ctx, c.p.Account, p.ARN)
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xPolicy `xml:"Policy"`
	}{xPolicy{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: "/", DefaultVersionID: p.Version, AttachmentCount: n,
		IsAttachable: true, Description: p.Description, CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Created)}}, nil
}

func (a *API) getManagedPolicyVersion(c *call) (any, error) {
	arn := c.f.String("PolicyArn", arnType)
	version := c.f.String("VersionId", versionIDType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "GetPolicyVersion", arn); err != nil {
		return nil, err
	}
	p, err := identity.ManagedPolicyByARN(arn)
	if err != nil {
		return nil, err
	}
	if version != p.Version {
		return nil, errkind.NotFoundf("Policy %s version %s does not exist or is not attachable.", arn, version)
	}
	type xVersion struct {
		Document         string  `xml:"Document"`
		VersionID        string  `xml:"VersionId"`
		IsDefaultVersion bool    `xml:"IsDefaultVersion"`
		CreateDate       isoTime `xml:"CreateDate"`
	}
	return struct {
		PolicyVersion xVersion `xml:"PolicyVersion"`
	}{xVersion{Document: policyDocument(p.Document), VersionID: p.Version, IsDefaultVersion: true, CreateDate: isoTime(p.Created)}}, nil
}

// --- roles ---

func (a *API) createRole(c *call) (any, error) {
	name := c.f.String("RoleName", roleNameType)
	path := c.f.String("Path", pathType)
	doc := c.f.String("AssumeRolePolicyDocument", policyDocumentType)
	desc := c.f.String("Description", roleDescription)
	maxSession, _ := c.f.Int("MaxSessionDuration", 3600, 43200)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	if err := a.allow(c, "CreateRole", identity.RoleARN(c.p.Account, path, name)); err != nil {
		return nil, err
	}
	r, err := a.dir.CreateRole(c.ctx, c.p.Account, identity.RoleSpec{Name: name, Path: path, TrustPolicy: doc, Description: desc, MaxSessionDuration: maxSession})
	if err != nil {
		return nil, err
	}
	return struct {
		Role xRole `xml:"Role"`
	}{roleShape(r)}, nil
}

func (a *API) getRole(c *call) (any, error) {
	name := c.f.String("RoleName", roleNameType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "GetRole", a.roleARN(c.ctx, c.p.Account, name)); err != nil {
		return nil, err
	}
	r, err := a.dir.GetRole(c.ctx, c.p.Account, name)
	if err != nil {
		return nil, err
	}
	return struct {
		Role xRole `xml:"Role"`
	}{roleShape(r)}, nil
}

func (a *API) listRoles(c *call) (any, error) {
	prefix := c.f.String("PathPrefix", pathPrefixType)
	marker := c.f.String("Marker", markerType)
	max := c.f.MaxItems()
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "ListRoles", identity.RoleARN(c.p.Account, "/", "")); err != nil {
		return nil, err
	}
	roles, next, err := a.dir.ListRoles(c.ctx, c.p.Account, prefix, marker, max)
	if err != nil {
		return nil, err
	}
	out := make([]xRole, len(roles))
	for i, r := range roles {
		out[i] = roleShape(r)
	}
	return struct {
		Roles members[xRole] `xml:"Roles"`
		listPage
	}{list(out), page(next)}, nil
}

func (a *API) deleteRole(c *call) (any, error) {
	name := c.f.String("RoleName", roleNameType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "DeleteRole", a.roleARN(c.ctx, c.p.Account, name)); err != nil {
		return nil, err
	}
	return nil, a.dir.DeleteRole(c.ctx, c.p.Account, name)
}

func (a *API) updateAssumeRolePolicy(c *call) (any, error) {
	name := c.f.String("RoleName", roleNameType)
	doc := c.f.String("PolicyDocument", policyDocumentType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "UpdateAssumeRolePolicy", a.roleARN(c.ctx, c.p.Account, name)); err != nil {
		return nil, err
	}
	return nil, a.dir.UpdateTrustPolicy(c.ctx, c.p.Account, name, doc)
}

// --- OIDC providers ---

func (a *API) createProvider(c *call) (any, error) {
	u := c.f.String("Url", oidcURLType)
	clients := c.f.List("ClientIDList", clientIDType)
	thumbs := c.f.List("ThumbprintList", thumbprintType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	arn := identity.ProviderARN(c.p.Account, identity.ProviderKey(u))
	if err := a.allow(c, "CreateOpenIDConnectProvider", arn); err != nil {
		return nil, err
	}
	p, err := a.dir.CreateOIDCProvider(c.ctx, c.p.Account, u, clients, thumbs)
	if err != nil {
		return nil, err
	}
	return struct {
		Arn string `xml:"OpenIDConnectProviderArn"`
	}{identity.ProviderARN(p.AccountID, p.URLKey)}, nil
}

func (a *API) getProvider(c *call) (any, error) {
	arn := c.f.String("OpenIDConnectProviderArn", arnType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "GetOpenIDConnectProvider", arn); err != nil {
		return nil, err
	}
	p, err := a.dir.GetOIDCProvider(c.ctx, c.p.Account, arn)
	if err != nil {
		return nil, err
	}
	return struct {
		URL            string          `xml:"Url"`
		ClientIDList   members[string] `xml:"ClientIDList"`
		ThumbprintList members[string] `xml:"ThumbprintList"`
		CreateDate     isoTime         `xml:"CreateDate"`
	}{p.URLKey, list(p.ClientIDs), list(p.Thumbprints), isoTime(p.CreatedAt)}, nil
}

func (a *API) listProviders(c *call) (any, error) {
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "ListOpenIDConnectProviders", "*"); err != nil {
		return nil, err
	}
	ps, err := a.dir.ListOIDCProviders(c.ctx, c.p.Account)
	if err != nil {
		return nil, err
	}
	type entry struct {
		Arn string `xml:"Arn"`
	}
	out := make([]entry, len(ps))
	for i, p := range ps {
		out[i] = entry{identity.ProviderARN(p.AccountID, p.URLKey)}
	}
	return struct {
		List members[entry] `xml:"OpenIDConnectProviderList"`
	}{list(out)}, nil
}

func (a *API) deleteProvider(c *call) (any, error) {
	arn := c.f.String("OpenIDConnectProviderArn", arnType)
	if err := c.valid(); err != nil {
		return nil, err
	}
	if err := a.allow(c, "DeleteOpenIDConnectProvider", arn); err != nil {
		return nil, err
	}
	return nil, a.dir.DeleteOIDCProvider(c.ctx, c.p.Account, arn)
}
