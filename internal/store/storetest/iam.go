package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

func iamTests() []namedTest {
	return []namedTest{
		{"AccountListingAndKeys", testAccountListingAndKeys},
		{"Users", testUsers},
		{"UserListing", testUserListing},
		{"Roles", testRoles},
		{"InlineAndAttachedPolicies", testIdentityPolicies},
		{"DeleteUserCascades", testDeleteUserCascades},
		{"LoginProfiles", testLoginProfiles},
		{"OIDCProviders", testOIDCProviders},
		{"Sessions", testSessions},
	}
}

const (
	acctA = "111122223333"
	acctB = "444455556666"
)

func mkAccounts(t *testing.T, s store.Store) {
	t.Helper()
	must(t, s.PutAccount(ctx, store.Account{ID: acctA, CreatedAt: now()}))
	must(t, s.PutAccount(ctx, store.Account{ID: acctB, CreatedAt: now()}))
}

func mkUser(t *testing.T, q store.Queries, acct, id, name, path string) store.User {
	t.Helper()
	u := store.User{ID: id, AccountID: acct, Name: name, Path: path, CreatedAt: now()}
	must(t, q.CreateUser(ctx, u))
	return u
}

func mkRole(t *testing.T, q store.Queries, acct, id, name string) store.Role {
	t.Helper()
	r := store.Role{ID: id, AccountID: acct, Name: name, Path: "/", Description: "about " + name,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[]}`, MaxSessionDuration: 3600, CreatedAt: now()}
	must(t, q.CreateRole(ctx, r))
	return r
}

func testAccountListingAndKeys(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	accts, err := s.ListAccounts(ctx)
	must(t, err)
	if len(accts) != 2 || accts[0].ID != acctA || accts[1].ID != acctB {
		t.Fatalf("ListAccounts = %+v", accts)
	}
	root := store.AccessKey{ID: "AKIAROOT", Secret: "s", AccountID: acctA, PrincipalARN: "arn:aws:iam::" + acctA + ":root", Active: true, CreatedAt: now().Add(-time.Minute)}
	k1 := store.AccessKey{ID: "AKIAUSER1", Secret: "s1", AccountID: acctA, PrincipalARN: "arn:aws:iam::" + acctA + ":user/bob", UserID: "AIDABOB", Active: true, CreatedAt: now()}
	k2 := store.AccessKey{ID: "AKIAUSER2", Secret: "s2", AccountID: acctA, PrincipalARN: k1.PrincipalARN, UserID: "AIDABOB", Active: false, CreatedAt: now().Add(time.Second)}
	other := store.AccessKey{ID: "AKIAOTHER", Secret: "s3", AccountID: acctB, PrincipalARN: "arn:aws:iam::" + acctB + ":user/bob", UserID: "AIDABOB2", Active: true, CreatedAt: now()}
	for _, k := range []store.AccessKey{root, k1, k2, other} {
		must(t, s.PutAccessKey(ctx, k))
	}
	got, err := s.GetAccessKey(ctx, k1.ID)
	must(t, err)
	if !reflect.DeepEqual(got, k1) {
		t.Errorf("GetAccessKey = %+v, want %+v", got, k1)
	}
	keys, err := s.ListAccessKeys(ctx, acctA, "AIDABOB")
	must(t, err)
	if !reflect.DeepEqual(keys, []store.AccessKey{k1, k2}) {
		t.Errorf("ListAccessKeys(user) = %+v, want the user's two keys, oldest first", keys)
	}
	keys, err = s.ListAccessKeys(ctx, acctA, "")
	must(t, err)
	if !reflect.DeepEqual(keys, []store.AccessKey{root}) {
		t.Errorf("ListAccessKeys(root) = %+v, want only the root key", keys)
	}
	must(t, s.DeleteAccessKey(ctx, k1.ID))
	wantKind(t, s.DeleteAccessKey(ctx, k1.ID), errkind.ErrNotFound, "DeleteAccessKey twice")
	_, err = s.GetAccessKey(ctx, k1.ID)
	wantKind(t, err, errkind.ErrNotFound, "GetAccessKey after delete")
	keys, err = s.ListAccessKeys(ctx, acctA, "AIDABOB")
	must(t, err)
	if len(keys) != 1 || keys[0].ID != k2.ID {
		t.Errorf("after delete: %+v", keys)
	}
}

func testUsers(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	u := mkUser(t, s, acctA, "AIDAALICE", "Alice", "/dev/")
	// Names are unique regardless of case, per account.
	wantKind(t, s.CreateUser(ctx, store.User{ID: "AIDAALICE2", AccountID: acctA, Name: "ALICE", Path: "/", CreatedAt: now()}), errkind.ErrConflict, "CreateUser same name other case")
	wantKind(t, s.CreateUser(ctx, store.User{ID: "AIDAALICE", AccountID: acctB, Name: "x", Path: "/", CreatedAt: now()}), errkind.ErrConflict, "CreateUser same id")
	mkUser(t, s, acctB, "AIDAALICEB", "alice", "/")
	for _, name := range []string{"Alice", "alice", "ALICE"} {
		got, err := s.GetUser(ctx, acctA, name)
		must(t, err)
		if !reflect.DeepEqual(got, u) {
			t.Errorf("GetUser(%q) = %+v, want %+v", name, got, u)
		}
	}
	got, err := s.GetUserByID(ctx, u.ID)
	must(t, err)
	if !reflect.DeepEqual(got, u) {
		t.Errorf("GetUserByID = %+v", got)
	}
	_, err = s.GetUser(ctx, acctA, "nobody")
	wantKind(t, err, errkind.ErrNotFound, "GetUser missing")
	must(t, s.DeleteUser(ctx, u.ID))
	wantKind(t, s.DeleteUser(ctx, u.ID), errkind.ErrNotFound, "DeleteUser twice")
	_, err = s.GetUser(ctx, acctA, "alice")
	wantKind(t, err, errkind.ErrNotFound, "GetUser after delete")
	if _, err := s.GetUser(ctx, acctB, "alice"); err != nil {
		t.Errorf("the other account's alice went too: %v", err)
	}
}

func testUserListing(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	mkUser(t, s, acctA, "AIDA1", "carol", "/ops/")
	mkUser(t, s, acctA, "AIDA2", "Bob", "/dev/")
	mkUser(t, s, acctA, "AIDA3", "alice", "/dev/team_a/")
	mkUser(t, s, acctA, "AIDA4", "dave", "/dev%/")
	mkUser(t, s, acctB, "AIDA5", "eve", "/dev/")
	names := func(us []store.User) []string {
		out := []string{}
		for _, u := range us {
			out = append(out, u.Name)
		}
		return out
	}
	all, err := s.ListUsers(ctx, acctA, "/", "", 100)
	must(t, err)
	if got := names(all); !reflect.DeepEqual(got, []string{"alice", "Bob", "carol", "dave"}) {
		t.Errorf("ListUsers = %v, want sorted regardless of case", got)
	}
	dev, err := s.ListUsers(ctx, acctA, "/dev/", "", 100)
	must(t, err)
	if got := names(dev); !reflect.DeepEqual(got, []string{"alice", "Bob"}) {
		t.Errorf("ListUsers /dev/ = %v", got)
	}
	page, err := s.ListUsers(ctx, acctA, "", "alice", 2)
	must(t, err)
	if got := names(page); !reflect.DeepEqual(got, []string{"Bob", "carol"}) {
		t.Errorf("ListUsers after alice, 2 = %v", got)
	}
}

func testRoles(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	r := mkRole(t, s, acctA, "AROADEPLOY", "Deploy")
	wantKind(t, s.CreateRole(ctx, store.Role{ID: "AROAX", AccountID: acctA, Name: "deploy", Path: "/", TrustPolicy: "{}", MaxSessionDuration: 3600, CreatedAt: now()}), errkind.ErrConflict, "CreateRole same name other case")
	got, err := s.GetRole(ctx, acctA, "DEPLOY")
	must(t, err)
	if !reflect.DeepEqual(got, r) {
		t.Errorf("GetRole = %+v, want %+v", got, r)
	}
	must(t, s.SetTrustPolicy(ctx, r.ID, `{"changed":true}`))
	got, err = s.GetRoleByID(ctx, r.ID)
	must(t, err)
	if got.TrustPolicy != `{"changed":true}` {
		t.Errorf("SetTrustPolicy did not stick: %q", got.TrustPolicy)
	}
	wantKind(t, s.SetTrustPolicy(ctx, "AROANONE", "{}"), errkind.ErrNotFound, "SetTrustPolicy missing role")
	mkRole(t, s, acctA, "AROABUILD", "build")
	roles, err := s.ListRoles(ctx, acctA, "/", "", 10)
	must(t, err)
	if len(roles) != 2 || roles[0].Name != "build" || roles[1].Name != "Deploy" {
		t.Errorf("ListRoles = %+v", roles)
	}
	roles, err = s.ListRoles(ctx, acctA, "", "build", 10)
	must(t, err)
	if len(roles) != 1 || roles[0].Name != "Deploy" {
		t.Errorf("ListRoles after build = %+v", roles)
	}
	must(t, s.DeleteRole(ctx, r.ID))
	_, err = s.GetRole(ctx, acctA, "Deploy")
	wantKind(t, err, errkind.ErrNotFound, "GetRole after delete")
	wantKind(t, s.DeleteRole(ctx, r.ID), errkind.ErrNotFound, "DeleteRole twice")
}

func testIdentityPolicies(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	u := mkUser(t, s, acctA, "AIDAU", "u", "/")
	r := mkRole(t, s, acctA, "AROAR", "r")
	uo := store.PolicyOwner{Kind: store.OwnerUser, ID: u.ID}
	ro := store.PolicyOwner{Kind: store.OwnerRole, ID: r.ID}
	p1 := store.InlinePolicy{Owner: uo, Name: "b-policy", Document: `{"v":1}`, UpdatedAt: now()}
	p2 := store.InlinePolicy{Owner: uo, Name: "a-policy", Document: `{"v":2}`, UpdatedAt: now()}
	must(t, s.PutInlinePolicy(ctx, p1))
	must(t, s.PutInlinePolicy(ctx, p2))
	// The same name on the role is another policy.
	must(t, s.PutInlinePolicy(ctx, store.InlinePolicy{Owner: ro, Name: "b-policy", Document: `{"role":true}`, UpdatedAt: now()}))
	p1.Document, p1.UpdatedAt = `{"v":3}`, now().Add(time.Second)
	must(t, s.PutInlinePolicy(ctx, p1))
	got, err := s.GetInlinePolicy(ctx, uo, "b-policy")
	must(t, err)
	if !reflect.DeepEqual(got, p1) {
		t.Errorf("GetInlinePolicy = %+v, want the replaced %+v", got, p1)
	}
	list, err := s.ListInlinePolicies(ctx, uo)
	must(t, err)
	if !reflect.DeepEqual(list, []store.InlinePolicy{p2, p1}) {
		t.Errorf("ListInlinePolicies = %+v", list)
	}
	must(t, s.DeleteInlinePolicy(ctx, uo, "a-policy"))
	wantKind(t, s.DeleteInlinePolicy(ctx, uo, "a-policy"), errkind.ErrNotFound, "DeleteInlinePolicy twice")
	_, err = s.GetInlinePolicy(ctx, uo, "a-policy")
	wantKind(t, err, errkind.ErrNotFound, "GetInlinePolicy deleted")

	const ro1, ro2 = "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess", "arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess"
	must(t, s.AttachPolicy(ctx, uo, ro1, now()))
	must(t, s.AttachPolicy(ctx, uo, ro1, now())) // again: no-op
	must(t, s.AttachPolicy(ctx, uo, ro2, now()))
	arns, err := s.ListAttachedPolicies(ctx, uo)
	must(t, err)
	if !reflect.DeepEqual(arns, []string{ro2, ro1}) {
		t.Errorf("ListAttachedPolicies = %v", arns)
	}
	if arns, _ := s.ListAttachedPolicies(ctx, ro); len(arns) != 0 {
		t.Errorf("the role has attachments: %v", arns)
	}
	must(t, s.DetachPolicy(ctx, uo, ro2))
	wantKind(t, s.DetachPolicy(ctx, uo, ro2), errkind.ErrNotFound, "DetachPolicy twice")
	arns, _ = s.ListAttachedPolicies(ctx, uo)
	if !reflect.DeepEqual(arns, []string{ro1}) {
		t.Errorf("after detach: %v", arns)
	}
}

func testDeleteUserCascades(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	u := mkUser(t, s, acctA, "AIDAU", "u", "/")
	uo := store.PolicyOwner{Kind: store.OwnerUser, ID: u.ID}
	must(t, s.PutAccessKey(ctx, store.AccessKey{ID: "AKIAU", Secret: "s", AccountID: acctA, PrincipalARN: "arn:aws:iam::" + acctA + ":user/u", UserID: u.ID, Active: true, CreatedAt: now()}))
	must(t, s.PutInlinePolicy(ctx, store.InlinePolicy{Owner: uo, Name: "p", Document: "{}", UpdatedAt: now()}))
	must(t, s.AttachPolicy(ctx, uo, "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess", now()))
	must(t, s.CreateLoginProfile(ctx, store.LoginProfile{UserID: u.ID, PasswordHash: "h", CreatedAt: now()}))
	must(t, s.DeleteUser(ctx, u.ID))
	_, err := s.GetAccessKey(ctx, "AKIAU")
	wantKind(t, err, errkind.ErrNotFound, "the deleted user's key")
	_, err = s.GetLoginProfile(ctx, u.ID)
	wantKind(t, err, errkind.ErrNotFound, "the deleted user's login profile")
	// A new user of the same name starts clean.
	u2 := mkUser(t, s, acctA, "AIDAU2", "u", "/")
	o2 := store.PolicyOwner{Kind: store.OwnerUser, ID: u2.ID}
	if ps, _ := s.ListInlinePolicies(ctx, o2); len(ps) != 0 {
		t.Errorf("new user inherited policies: %+v", ps)
	}
	if ps, _ := s.ListInlinePolicies(ctx, uo); len(ps) != 0 {
		t.Errorf("deleted user's policies survived: %+v", ps)
	}
	if arns, _ := s.ListAttachedPolicies(ctx, uo); len(arns) != 0 {
		t.Errorf("deleted user's attachments survived: %v", arns)
	}
}

func testOIDCProviders(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	p := store.OIDCProvider{AccountID: acctA, URLKey: "token.example.com/ci", URL: "https://token.example.com/ci",
		ClientIDs: []string{"sts.amazonaws.com", "arca"}, Thumbprints: []string{}, CreatedAt: now()}
	must(t, s.CreateOIDCProvider(ctx, p))
	wantKind(t, s.CreateOIDCProvider(ctx, p), errkind.ErrConflict, "CreateOIDCProvider twice")
	must(t, s.CreateOIDCProvider(ctx, store.OIDCProvider{AccountID: acctB, URLKey: p.URLKey, URL: p.URL, CreatedAt: now()}))
	got, err := s.GetOIDCProvider(ctx, acctA, p.URLKey)
	must(t, err)
	if !reflect.DeepEqual(got, p) {
		t.Errorf("GetOIDCProvider = %+v, want %+v", got, p)
	}
	b, err := s.GetOIDCProvider(ctx, acctB, p.URLKey)
	must(t, err)
	if b.ClientIDs == nil || len(b.ClientIDs) != 0 || len(b.Thumbprints) != 0 {
		t.Errorf("nil lists should read back empty: %+v", b)
	}
	must(t, s.CreateOIDCProvider(ctx, store.OIDCProvider{AccountID: acctA, URLKey: "a.example.com", URL: "https://a.example.com", ClientIDs: []string{"x"}, CreatedAt: now()}))
	list, err := s.ListOIDCProviders(ctx, acctA)
	must(t, err)
	if len(list) != 2 || list[0].URLKey != "a.example.com" || list[1].URLKey != p.URLKey {
		t.Errorf("ListOIDCProviders = %+v", list)
	}
	must(t, s.DeleteOIDCProvider(ctx, acctA, p.URLKey))
	wantKind(t, s.DeleteOIDCProvider(ctx, acctA, p.URLKey), errkind.ErrNotFound, "DeleteOIDCProvider twice")
	_, err = s.GetOIDCProvider(ctx, acctA, p.URLKey)
	wantKind(t, err, errkind.ErrNotFound, "GetOIDCProvider deleted")
}

func testSessions(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	r := mkRole(t, s, acctA, "AROADEPLOY", "deploy")
	issued := now()
	sess := store.Session{AccessKeyID: "ASIA1", Secret: "sec", TokenHash: []byte{1, 2, 3, 0, 255}, AccountID: acctA, RoleID: r.ID,
		SessionName: "ci", SourceIdentity: "me", ProviderARN: "arn:aws:iam::" + acctA + ":oidc-provider/x", Subject: "repo:x",
		IssuedAt: issued, Expires: issued.Add(time.Hour)}
	must(t, s.CreateSession(ctx, sess))
	wantKind(t, s.CreateSession(ctx, sess), errkind.ErrConflict, "CreateSession same key id")
	got, err := s.GetSession(ctx, "ASIA1")
	must(t, err)
	want := sess
	want.RoleName, want.RolePath = "deploy", "/"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetSession = %+v, want %+v", got, want)
	}
	old := store.Session{AccessKeyID: "ASIA2", Secret: "s", TokenHash: []byte{9}, AccountID: acctA, RoleID: r.ID, SessionName: "old",
		IssuedAt: issued.Add(-3 * time.Hour), Expires: issued.Add(-2 * time.Hour)}
	must(t, s.CreateSession(ctx, old))
	n, err := s.DeleteExpiredSessions(ctx, issued.Add(-time.Hour))
	must(t, err)
	if n != 1 {
		t.Errorf("DeleteExpiredSessions removed %d, want 1", n)
	}
	_, err = s.GetSession(ctx, "ASIA2")
	wantKind(t, err, errkind.ErrNotFound, "expired session after purge")
	must(t, s.SetSessionSecret(ctx, "ASIA1", "resealed"))
	wantKind(t, s.SetSessionSecret(ctx, "ASIA2", "x"), errkind.ErrNotFound, "SetSessionSecret missing")
	secrets, err := s.ListSessionSecrets(ctx)
	must(t, err)
	if !reflect.DeepEqual(secrets, map[string]string{"ASIA1": "resealed"}) {
		t.Errorf("ListSessionSecrets = %v", secrets)
	}
	// A session of a deleted role is gone at once, also if a role of the
	// same name comes back.
	must(t, s.DeleteRole(ctx, r.ID))
	_, err = s.GetSession(ctx, "ASIA1")
	wantKind(t, err, errkind.ErrNotFound, "session of a deleted role")
	mkRole(t, s, acctA, "AROADEPLOY2", "deploy")
	_, err = s.GetSession(ctx, "ASIA1")
	wantKind(t, err, errkind.ErrNotFound, "session of a re-created role")
}

func testLoginProfiles(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	u := mkUser(t, s, acctA, "AIDALP", "lp", "/")
	_, err := s.GetLoginProfile(ctx, u.ID)
	wantKind(t, err, errkind.ErrNotFound, "GetLoginProfile before one exists")
	wantKind(t, s.UpdateLoginProfile(ctx, store.LoginProfile{UserID: u.ID, PasswordHash: "x"}), errkind.ErrNotFound, "UpdateLoginProfile missing")
	wantKind(t, s.DeleteLoginProfile(ctx, u.ID), errkind.ErrNotFound, "DeleteLoginProfile missing")
	p := store.LoginProfile{UserID: u.ID, PasswordHash: "$argon2id$one", PasswordResetRequired: true, CreatedAt: now()}
	must(t, s.CreateLoginProfile(ctx, p))
	wantKind(t, s.CreateLoginProfile(ctx, p), errkind.ErrConflict, "CreateLoginProfile twice")
	got, err := s.GetLoginProfile(ctx, u.ID)
	must(t, err)
	if got != p {
		t.Fatalf("GetLoginProfile = %+v, want %+v", got, p)
	}
	must(t, s.UpdateLoginProfile(ctx, store.LoginProfile{UserID: u.ID, PasswordHash: "$argon2id$two", CreatedAt: now().Add(time.Hour)}))
	got, err = s.GetLoginProfile(ctx, u.ID)
	must(t, err)
	if want := (store.LoginProfile{UserID: u.ID, PasswordHash: "$argon2id$two", CreatedAt: p.CreatedAt}); got != want {
		t.Fatalf("after UpdateLoginProfile = %+v, want %+v (creation time kept)", got, want)
	}
	must(t, s.DeleteLoginProfile(ctx, u.ID))
	_, err = s.GetLoginProfile(ctx, u.ID)
	wantKind(t, err, errkind.ErrNotFound, "GetLoginProfile after delete")
}
