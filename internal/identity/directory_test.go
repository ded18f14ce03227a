package identity

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/oidc"
	"github.com/arcahq/arca/internal/oidc/oidctest"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

const (
	acct  = "111122223333"
	other = "444455556666"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	t     testing.TB
	ctx   context.Context
	d     *Directory
	st    store.Store
	clock *clock
	root  Principal // the root of acct
	rootB Principal // the root of other
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	d := NewDirectory(st, c.now)
	f := &fixture{t: t, ctx: ctx, d: d, st: st, clock: c}
	for _, r := range []Root{
		{AccountID: acct, AccessKeyID: "AKIAROOTAAAAAAAAAAAA", SecretAccessKey: "root-secret-aaaaaaaa"},
		{AccountID: other, AccessKeyID: "AKIAROOTBBBBBBBBBBBB", SecretAccessKey: "root-secret-bbbbbbbb"},
	} {
		if err := d.EnsureRoot(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	f.root = f.lookup("AKIAROOTAAAAAAAAAAAA", "")
	f.rootB = f.lookup("AKIAROOTBBBBBBBBBBBB", "")
	return f
}

func (f *fixture) lookup(id, token string) Principal {
	f.t.Helper()
	_, p, err := f.d.Lookup(f.ctx, id, token)
	if err != nil {
		f.t.Fatalf("Lookup(%s): %v", id, err)
	}
	return p
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, kind *errkind.Error, reason, doing string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got %v, want %v", doing, err, kind.Kind)
	}
	if got := errkind.As(err).Reason; got != reason {
		t.Fatalf("%s: reason %q, want %q (%v)", doing, got, reason, err)
	}
}

// userWithKey creates a user with one access key and returns the key.
func (f *fixture) userWithKey(name, path string) store.AccessKey {
	f.t.Helper()
	if _, err := f.d.CreateUser(f.ctx, acct, name, path); err != nil {
		f.t.Fatal(err)
	}
	k, _, err := f.d.CreateAccessKey(f.ctx, f.root, name)
	if err != nil {
		f.t.Fatal(err)
	}
	return k
}

// allowAll and denyAll are Authorizers for the identity side.
type allowAll struct{}

func (allowAll) AuthorizeIdentity(context.Context, Principal, string, string) error { return nil }

type rootOnly struct{}

func (rootOnly) AuthorizeIdentity(_ context.Context, p Principal, action, res string) error {
	if p.IsRoot() {
		return nil
	}
	return errkind.Deniedf("no")
}

func TestRootPrincipal(t *testing.T) {
	f := newFixture(t)
	if f.root.Kind != KindRoot || !f.root.IsRoot() || f.root.UserID != acct || f.root.ARN != "arn:aws:iam::"+acct+":root" {
		t.Errorf("root principal = %+v", f.root)
	}
}

func TestUsersAndKeys(t *testing.T) {
	f := newFixture(t)
	k := f.userWithKey("Alice", "/dev/")
	p := f.lookup(k.ID, "")
	want := Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":user/dev/Alice", AccessKeyID: k.ID, Kind: KindUser, UserName: "Alice"}
	want.UserID, want.Since = p.UserID, p.Since
	if p != want || !strings.HasPrefix(p.UserID, "AIDA") || len(p.UserID) != 21 || p.Since.IsZero() {
		t.Errorf("user principal = %+v, want %+v", p, want)
	}
	if !strings.HasPrefix(k.ID, "AKIA") || len(k.ID) != 20 || len(k.Secret) != 40 {
		t.Errorf("key %q secret length %d", k.ID, len(k.Secret))
	}
	// Names are unique regardless of case; lookups ignore case.
	_, err := f.d.CreateUser(f.ctx, acct, "ALICE", "/")
	wantErr(t, err, errkind.ErrConflict, "", "CreateUser ALICE")
	if _, err := f.d.CreateUser(f.ctx, other, "alice", "/"); err != nil {
		t.Errorf("the same name in another account: %v", err)
	}
	if u, err := f.d.GetUser(f.ctx, acct, "alice"); err != nil || u.Name != "Alice" {
		t.Errorf("GetUser(alice) = %+v %v", u, err)
	}
	// A session token never goes with a long-term key.
	if _, _, err := f.d.Lookup(f.ctx, k.ID, "token"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("long-term key with a session token: %v", err)
	}

	// At most two keys.
	f.clock.add(time.Second)
	k2, _, err := f.d.CreateAccessKey(f.ctx, f.root, "alice")
	f.must(err)
	_, _, err = f.d.CreateAccessKey(f.ctx, f.root, "alice")
	wantErr(t, err, errkind.ErrQuotaExceeded, "", "third key")
	keys, owner, err := f.d.ListAccessKeys(f.ctx, f.root, "Alice")
	f.must(err)
	if len(keys) != 2 || keys[0].ID != k.ID || keys[1].ID != k2.ID || keys[0].Secret != "" || owner.UserName != "Alice" {
		t.Errorf("ListAccessKeys = %+v %+v", keys, owner)
	}

	// Deactivating a key stops it at once (the lookup above is cached).
	f.must(f.d.UpdateAccessKey(f.ctx, f.root, "alice", k.ID, false))
	if _, _, err := f.d.Lookup(f.ctx, k.ID, ""); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("inactive key: %v", err)
	}
	f.must(f.d.UpdateAccessKey(f.ctx, f.root, "alice", k.ID, true))
	f.lookup(k.ID, "")
	// A key of another user is not found through this one.
	f.userWithKey("bob", "/")
	err = f.d.UpdateAccessKey(f.ctx, f.root, "bob", k.ID, false)
	wantErr(t, err, errkind.ErrNotFound, "", "bob's name with alice's key")

	// A user with keys or policies cannot be deleted.
	wantErr(t, f.d.DeleteUser(f.ctx, acct, "alice"), errkind.ErrConflict, ReasonDeleteConflict, "DeleteUser with keys")
	f.must(f.d.DeleteAccessKey(f.ctx, f.root, "alice", k.ID))
	if _, _, err := f.d.Lookup(f.ctx, k.ID, ""); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("deleted key: %v", err)
	}
	f.must(f.d.DeleteAccessKey(f.ctx, f.root, "alice", k2.ID))
	f.must(f.d.AttachPolicy(f.ctx, acct, Owner{store.OwnerUser, "alice"}, "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"))
	wantErr(t, f.d.DeleteUser(f.ctx, acct, "alice"), errkind.ErrConflict, ReasonDeleteConflict, "DeleteUser with an attached policy")
	f.must(f.d.DetachPolicy(f.ctx, acct, Owner{store.OwnerUser, "alice"}, "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"))
	f.must(f.d.PutInlinePolicy(f.ctx, acct, Owner{store.OwnerUser, "alice"}, "p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`))
	wantErr(t, f.d.DeleteUser(f.ctx, acct, "alice"), errkind.ErrConflict, ReasonDeleteConflict, "DeleteUser with an inline policy")
	f.must(f.d.DeleteInlinePolicy(f.ctx, acct, Owner{store.OwnerUser, "alice"}, "p"))
	f.must(f.d.DeleteUser(f.ctx, acct, "alice"))
	wantErr(t, f.d.DeleteUser(f.ctx, acct, "alice"), errkind.ErrNotFound, "", "DeleteUser twice")
}

func TestDeletingAUserStopsItsKeys(t *testing.T) {
	f := newFixture(t)
	k := f.userWithKey("carol", "/")
	f.lookup(k.ID, "")
	// The store removes a deleted user's keys; the user itself is gone
	// for a key that would survive.
	f.must(f.st.DeleteUser(f.ctx, f.lookup(k.ID, "").UserID))
	f.d.changed()
	if _, _, err := f.d.Lookup(f.ctx, k.ID, ""); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("key of a deleted user: %v", err)
	}
}

func TestRootKeysThroughIAM(t *testing.T) {
	f := newFixture(t)
	keys, owner, err := f.d.ListAccessKeys(f.ctx, f.root, "")
	f.must(err)
	if len(keys) != 1 || keys[0].ID != "AKIAROOTAAAAAAAAAAAA" || owner.UserName != "" {
		t.Errorf("root's keys = %+v", keys)
	}
	k, _, err := f.d.CreateAccessKey(f.ctx, f.root, "")
	f.must(err)
	if p := f.lookup(k.ID, ""); !p.IsRoot() || p.Account != acct {
		t.Errorf("new root key's principal = %+v", p)
	}
	_, _, err = f.d.CreateAccessKey(f.ctx, f.root, "")
	wantErr(t, err, errkind.ErrQuotaExceeded, "", "third root key")
	// A role session has no keys of its own.
	_, _, err = f.d.ListAccessKeys(f.ctx, Principal{Account: acct, Kind: KindAssumedRole, ARN: "arn:aws:sts::" + acct + ":assumed-role/r/s"}, "")
	wantErr(t, err, errkind.ErrValidation, "", "ListAccessKeys by a session without a user name")
}

const readOnly = "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"

func TestInlineAndManagedPolicies(t *testing.T) {
	f := newFixture(t)
	f.userWithKey("dave", "/")
	o := Owner{store.OwnerUser, "dave"}
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"codeartifact:*","Resource":"*"}}`
	bad := []struct {
		doc, reason string
		kind        *errkind.Error
	}{
		{`not json`, ReasonMalformedPolicy, errkind.ErrValidation},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}}`, ReasonMalformedPolicy, errkind.ErrValidation},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*"}}`, ReasonMalformedPolicy, errkind.ErrValidation},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Sid":"` + strings.Repeat("a", 2100) + `"}}`, "", errkind.ErrQuotaExceeded},
	}
	for _, b := range bad {
		wantErr(t, f.d.PutInlinePolicy(f.ctx, acct, o, "p", b.doc), b.kind, b.reason, "PutInlinePolicy "+b.doc[:min(30, len(b.doc))])
	}
	wantErr(t, f.d.PutInlinePolicy(f.ctx, acct, Owner{store.OwnerUser, "nobody"}, "p", doc), errkind.ErrNotFound, "", "policy of a missing user")
	f.must(f.d.PutInlinePolicy(f.ctx, acct, o, "p", doc))
	// The aggregate size counts the other policies, not the one replaced.
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Sid":"` + strings.Repeat("a", 1900) + `"}}`
	f.must(f.d.PutInlinePolicy(f.ctx, acct, o, "p", big))
	wantErr(t, f.d.PutInlinePolicy(f.ctx, acct, o, "q", doc), errkind.ErrQuotaExceeded, "", "a second policy past the aggregate size")
	f.must(f.d.PutInlinePolicy(f.ctx, acct, o, "p", doc))
	f.must(f.d.PutInlinePolicy(f.ctx, acct, o, "q", doc))

	// Managed policies: the two of CodeArtifact.
	wantErr(t, f.d.AttachPolicy(f.ctx, acct, o, "arn:aws:iam::aws:policy/AdministratorAccess"), errkind.ErrNotFound, "", "unknown managed policy")
	wantErr(t, f.d.AttachPolicy(f.ctx, acct, o, "not-an-arn"), errkind.ErrValidation, ReasonInvalidInput, "attach a non-ARN")
	f.must(f.d.AttachPolicy(f.ctx, acct, o, readOnly))
	f.must(f.d.AttachPolicy(f.ctx, acct, o, readOnly))
	wantErr(t, f.d.DetachPolicy(f.ctx, acct, o, "arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess"), errkind.ErrNotFound, "", "detach what is not attached")
	attached, err := f.d.ListAttachedPolicies(f.ctx, acct, o)
	f.must(err)
	if len(attached) != 1 || attached[0].Name != "AWSCodeArtifactReadOnlyAccess" {
		t.Errorf("attached = %+v", attached)
	}
	if n, _ := f.d.AttachmentCount(f.ctx, acct, readOnly); n != 1 {
		t.Errorf("AttachmentCount = %d", n)
	}

	// IdentityPolicies: inline by name, then managed; keys change with
	// the documents.
	u := Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":user/dave"}
	docs, err := f.d.IdentityPolicies(f.ctx, u)
	f.must(err)
	if len(docs) != 3 || docs[0].Document != doc || !strings.HasPrefix(docs[0].Key, "inline/user/AIDA") || !strings.Contains(docs[1].Key, "/q#") ||
		docs[2].Key != "managed/"+readOnly+"#v1" || !strings.Contains(docs[2].Document, "codeartifact:ReadFromRepository") {
		t.Fatalf("IdentityPolicies = %+v", docs)
	}
	before := docs[0].Key
	f.must(f.d.PutInlinePolicy(f.ctx, acct, o, "p", strings.Replace(doc, "codeartifact:*", "codeartifact:Get*", 1)))
	docs, _ = f.d.IdentityPolicies(f.ctx, u)
	if docs[0].Key == before || !strings.Contains(docs[0].Document, "Get*") {
		t.Errorf("the key did not change with the document: %s", docs[0].Key)
	}
	if docs, err := f.d.IdentityPolicies(f.ctx, f.root); err != nil || docs != nil {
		t.Errorf("root's identity policies = %v %v, want none", docs, err)
	}
	if _, err := f.d.IdentityPolicies(f.ctx, Principal{ARN: "arn:aws:iam::" + acct + ":user/nobody"}); !errors.Is(err, ErrInactive) {
		t.Errorf("policies of a missing user: %v", err)
	}
}

func TestManagedPoliciesAreTheGuides(t *testing.T) {
	for _, p := range ManagedPolicies() {
		if err := parseIdentityPolicy(p.Document); err != nil {
			t.Errorf("%s does not parse as an identity policy: %v", p.Name, err)
		}
	}
	admin, _ := LookupManagedPolicy("arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess")
	if !strings.Contains(admin.Document, `"codeartifact:*"`) || !strings.Contains(admin.Document, `"sts:AWSServiceName": "codeartifact.amazonaws.com"`) {
		t.Errorf("admin policy: %s", admin.Document)
	}
}

func trustFor(principal string, extra ...string) string {
	cond := ""
	if len(extra) > 0 {
		cond = `,"Condition":` + extra[0]
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"` + cond + `}]}`
}

func TestAssumeRoleTrust(t *testing.T) {
	f := newFixture(t)
	alice := f.lookup(f.userWithKey("alice", "/dev/").ID, "")
	bobKey := f.userWithKey("bob", "/")
	bob := f.lookup(bobKey.ID, "")
	if _, err := f.d.CreateUser(f.ctx, other, "erin", "/"); err != nil {
		t.Fatal(err)
	}
	kb, _, err := f.d.CreateAccessKey(f.ctx, f.rootB, "erin")
	f.must(err)
	erin := f.lookup(kb.ID, "")

	cases := []struct {
		name   string
		trust  string
		caller Principal
		in     AssumeRoleInput
		authz  Authorizer
		kind   *errkind.Error // nil: allowed
	}{
		{"named user", trustFor(`{"AWS":"` + alice.ARN + `"}`), alice, AssumeRoleInput{}, rootOnly{}, nil},
		{"another user", trustFor(`{"AWS":"` + alice.ARN + `"}`), bob, AssumeRoleInput{}, allowAll{}, errkind.ErrAccessDenied},
		{"account root trusted, user without identity permission", trustFor(`{"AWS":"arn:aws:iam::` + acct + `:root"}`), alice, AssumeRoleInput{}, rootOnly{}, errkind.ErrAccessDenied},
		{"account trusted, user with identity permission", trustFor(`{"AWS":"` + acct + `"}`), alice, AssumeRoleInput{}, allowAll{}, nil},
		{"account trusted, root", trustFor(`{"AWS":"` + acct + `"}`), f.root, AssumeRoleInput{}, rootOnly{}, nil},
		{"everyone", trustFor(`"*"`), bob, AssumeRoleInput{}, rootOnly{}, nil},
		{"cross-account root", trustFor(`{"AWS":"` + other + `"}`), f.rootB, AssumeRoleInput{}, rootOnly{}, nil},
		{"cross-account user named, no identity permission", trustFor(`{"AWS":"` + erin.ARN + `"}`), erin, AssumeRoleInput{}, rootOnly{}, errkind.ErrAccessDenied},
		{"cross-account user named, identity permission", trustFor(`{"AWS":"` + erin.ARN + `"}`), erin, AssumeRoleInput{}, allowAll{}, nil},
		{"other account not trusted", trustFor(`{"AWS":"` + acct + `"}`), f.rootB, AssumeRoleInput{}, allowAll{}, errkind.ErrAccessDenied},
		{"external id missing", trustFor(`{"AWS":"`+alice.ARN+`"}`, `{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}`), alice, AssumeRoleInput{}, rootOnly{}, errkind.ErrAccessDenied},
		{"external id wrong", trustFor(`{"AWS":"`+alice.ARN+`"}`, `{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}`), alice, AssumeRoleInput{ExternalID: "other-id"}, rootOnly{}, errkind.ErrAccessDenied},
		{"external id right", trustFor(`{"AWS":"`+alice.ARN+`"}`, `{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}`), alice, AssumeRoleInput{ExternalID: "s3cr3t-id"}, rootOnly{}, nil},
		{"session name condition", trustFor(`{"AWS":"`+alice.ARN+`"}`, `{"StringLike":{"sts:RoleSessionName":"ci-*"}}`), alice, AssumeRoleInput{SessionName: "dev"}, rootOnly{}, errkind.ErrAccessDenied},
		{"explicit deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"` + bob.ARN + `"},"Action":"sts:*"}]}`, bob, AssumeRoleInput{}, allowAll{}, errkind.ErrAccessDenied},
		{"wrong action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}]}`, bob, AssumeRoleInput{}, allowAll{}, errkind.ErrAccessDenied},
		{"source identity without permission", trustFor(`{"AWS":"` + alice.ARN + `"}`), alice, AssumeRoleInput{SourceIdentity: "alice@example.com"}, rootOnly{}, errkind.ErrAccessDenied},
		{"source identity allowed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice.ARN + `"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`, alice, AssumeRoleInput{SourceIdentity: "alice@example.com"}, rootOnly{}, nil},
		{"longer than the role allows", trustFor(`{"AWS":"` + alice.ARN + `"}`), alice, AssumeRoleInput{Duration: 2 * time.Hour}, rootOnly{}, errkind.ErrValidation},
		{"shorter than 15 minutes", trustFor(`{"AWS":"` + alice.ARN + `"}`), alice, AssumeRoleInput{Duration: 10 * time.Minute}, rootOnly{}, errkind.ErrValidation},
		{"bad session name", trustFor(`{"AWS":"` + alice.ARN + `"}`), alice, AssumeRoleInput{SessionName: "has space"}, rootOnly{}, errkind.ErrValidation},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "role" + string(rune('a'+i))
			_, err := f.d.CreateRole(f.ctx, acct, RoleSpec{Name: name, TrustPolicy: tc.trust})
			f.must(err)
			in := tc.in
			in.RoleARN = RoleARN(acct, "/", name)
			if in.SessionName == "" {
				in.SessionName = "ci-session"
			}
			ar, err := f.d.AssumeRole(f.ctx, tc.caller, in, tc.authz)
			if tc.kind != nil {
				if !errors.Is(err, tc.kind) {
					t.Fatalf("AssumeRole: %v, want %v", err, tc.kind.Kind)
				}
				return
			}
			if err != nil {
				t.Fatalf("AssumeRole: %v", err)
			}
			if ar.ARN != SessionARN(acct, name, in.SessionName) || ar.SourceIdentity != in.SourceIdentity {
				t.Errorf("AssumeRole = %+v", ar)
			}
		})
	}

	// A role that does not exist, or named with another path, is denied
	// like one that does not trust the caller.
	_, err = f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "pathed", Path: "/ci/", TrustPolicy: trustFor(`"*"`)})
	f.must(err)
	for _, roleARN := range []string{RoleARN(acct, "/", "nope"), RoleARN(acct, "/", "pathed"), "arn:aws:iam::" + acct + ":user/pathed", "garbage"} {
		_, err := f.d.AssumeRole(f.ctx, bob, AssumeRoleInput{RoleARN: roleARN, SessionName: "s1"}, allowAll{})
		if !errors.Is(err, errkind.ErrAccessDenied) {
			t.Errorf("AssumeRole(%s): %v, want AccessDenied", roleARN, err)
		}
	}
}

func TestSessions(t *testing.T) {
	f := newFixture(t)
	alice := f.lookup(f.userWithKey("alice", "/").ID, "")
	_, err := f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "deploy", Path: "/ci/", MaxSessionDuration: 7200,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice.ARN + `"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`})
	f.must(err)
	roleARN := RoleARN(acct, "/ci/", "deploy")
	issued := f.clock.now()
	ar, err := f.d.AssumeRole(f.ctx, alice, AssumeRoleInput{RoleARN: roleARN, SessionName: "build-1", Duration: 900 * time.Second, SourceIdentity: "alice"}, rootOnly{})
	f.must(err)
	c := ar.Credentials
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || len(c.SecretAccessKey) != 40 || !strings.HasPrefix(c.SessionToken, sessionTokenPrefix) || !c.Expires.Equal(issued.Add(900*time.Second)) {
		t.Fatalf("credentials = %+v", c)
	}
	p := f.lookup(c.AccessKeyID, c.SessionToken)
	want := Principal{
		Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/deploy/build-1", AccessKeyID: c.AccessKeyID,
		SessionExpires: c.Expires, Kind: KindAssumedRole, UserID: ar.AssumedRoleID, RoleARN: roleARN, RoleName: "deploy",
		SessionName: "build-1", IssuedAt: issued, SourceIdentity: "alice",
	}
	if p != want {
		t.Errorf("session principal = %+v\nwant %+v", p, want)
	}
	// The token must come with the key id, exactly.
	for _, tok := range []string{"", c.SessionToken + "x", strings.ToUpper(c.SessionToken)} {
		if _, _, err := f.d.Lookup(f.ctx, c.AccessKeyID, tok); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("session with token %q: %v", tok, err)
		}
	}
	// Role chaining keeps the source identity and lasts at most an hour.
	_, err = f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "next", MaxSessionDuration: 43200,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`})
	f.must(err)
	_, err = f.d.AssumeRole(f.ctx, p, AssumeRoleInput{RoleARN: RoleARN(acct, "/", "next"), SessionName: "hop", Duration: 2 * time.Hour}, rootOnly{})
	wantErr(t, err, errkind.ErrValidation, "", "chained session of two hours")
	_, err = f.d.AssumeRole(f.ctx, p, AssumeRoleInput{RoleARN: RoleARN(acct, "/", "next"), SessionName: "hop", SourceIdentity: "mallory"}, rootOnly{})
	wantErr(t, err, errkind.ErrAccessDenied, "", "changing the source identity")
	hop, err := f.d.AssumeRole(f.ctx, p, AssumeRoleInput{RoleARN: RoleARN(acct, "/", "next"), SessionName: "hop"}, rootOnly{})
	f.must(err)
	if hp := f.lookup(hop.Credentials.AccessKeyID, hop.Credentials.SessionToken); hp.SourceIdentity != "alice" {
		t.Errorf("chained session lost the source identity: %+v", hp)
	}

	// Active: a session ARN is valid while its role exists.
	ap, err := f.d.Active(f.ctx, p.ARN)
	f.must(err)
	if ap.Kind != KindAssumedRole || ap.RoleARN != roleARN || ap.SessionName != "build-1" || ap.UserID != ar.AssumedRoleID {
		t.Errorf("Active(session) = %+v", ap)
	}

	// Expiry.
	f.clock.add(900*time.Second - time.Millisecond)
	f.lookup(c.AccessKeyID, c.SessionToken)
	f.clock.add(time.Millisecond)
	if _, _, err := f.d.Lookup(f.ctx, c.AccessKeyID, c.SessionToken); !errors.Is(err, ErrExpiredToken) || errkind.As(err).Reason != ReasonExpiredToken {
		t.Errorf("expired session: %v", err)
	}

	// Deleting the role stops its sessions at once.
	f.must(f.d.DeleteRole(f.ctx, acct, "next"))
	if _, _, err := f.d.Lookup(f.ctx, hop.Credentials.AccessKeyID, hop.Credentials.SessionToken); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("session of a deleted role: %v", err)
	}
	if _, err := f.d.Active(f.ctx, SessionARN(acct, "next", "hop")); !errors.Is(err, ErrInactive) {
		t.Errorf("Active(session of a deleted role): %v", err)
	}
}

func TestActive(t *testing.T) {
	f := newFixture(t)
	k := f.userWithKey("Frank", "/team/")
	cases := []struct {
		arn string
		ok  bool
	}{
		{"arn:aws:iam::" + acct + ":root", true},
		{"arn:aws:iam::999999999999:root", false},
		{"arn:aws:iam::" + acct + ":user/team/Frank", true},
		{"arn:aws:iam::" + acct + ":user/Frank", false},      // another path
		{"arn:aws:iam::" + acct + ":user/team/frank", false}, // another case
		{"arn:aws:iam::" + acct + ":user/team/nobody", false},
		{"arn:aws:iam::" + acct + ":role/x", false},
		{"arn:aws:sts::" + acct + ":assumed-role/nope/s", false},
		{"garbage", false},
	}
	for _, c := range cases {
		p, err := f.d.Active(f.ctx, c.arn)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInactive)) {
			t.Errorf("Active(%s) = %+v, %v; want ok=%v", c.arn, p, err, c.ok)
		}
	}
	p, _ := f.d.Active(f.ctx, "arn:aws:iam::"+acct+":user/team/Frank")
	if p.Kind != KindUser || p.UserName != "Frank" || p.AccessKeyID != "" || !strings.HasPrefix(p.UserID, "AIDA") {
		t.Errorf("Active(user) = %+v", p)
	}
	// Cached, then invalidated by a write.
	gen := f.d.Generation()
	f.must(f.d.DeleteAccessKey(f.ctx, f.root, "Frank", k.ID))
	f.must(f.d.DeleteUser(f.ctx, acct, "Frank"))
	if f.d.Generation() == gen {
		t.Error("IAM writes did not change the generation")
	}
	if _, err := f.d.Active(f.ctx, "arn:aws:iam::"+acct+":user/team/Frank"); !errors.Is(err, ErrInactive) {
		t.Errorf("Active(deleted user): %v", err)
	}
}

func TestTrustPolicyValidation(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		doc    string
		kind   *errkind.Error
		reason string
	}{
		{`{`, errkind.ErrValidation, ReasonMalformedPolicy},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, errkind.ErrValidation, ReasonMalformedPolicy},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}`, errkind.ErrValidation, ReasonMalformedPolicy},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Sid":"` + strings.Repeat("x", 2100) + `"}]}`, errkind.ErrQuotaExceeded, ""},
	}
	for _, c := range cases {
		_, err := f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "r", TrustPolicy: c.doc})
		wantErr(t, err, c.kind, c.reason, "CreateRole "+c.doc[:min(40, len(c.doc))])
	}
	if roles, _, _ := f.d.ListRoles(f.ctx, acct, "", "", 10); len(roles) != 0 {
		t.Errorf("a rejected role was created: %+v", roles)
	}
	_, err := f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "r", TrustPolicy: trustFor(`"*"`), MaxSessionDuration: 100})
	wantErr(t, err, errkind.ErrValidation, "", "MaxSessionDuration 100")
	_, err = f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "r", TrustPolicy: trustFor(`"*"`)})
	f.must(err)
	_, err = f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "R", TrustPolicy: trustFor(`"*"`)})
	wantErr(t, err, errkind.ErrConflict, "", "CreateRole R")
	wantErr(t, f.d.UpdateTrustPolicy(f.ctx, acct, "r", `{}`), errkind.ErrValidation, ReasonMalformedPolicy, "UpdateTrustPolicy {}")
	f.must(f.d.UpdateTrustPolicy(f.ctx, acct, "r", trustFor(`{"AWS":"`+acct+`"}`)))
	r, _ := f.d.GetRole(f.ctx, acct, "r")
	if !strings.Contains(r.TrustPolicy, acct) || r.MaxSessionDuration != 3600 {
		t.Errorf("role = %+v", r)
	}
	f.must(f.d.PutInlinePolicy(f.ctx, acct, Owner{store.OwnerRole, "r"}, "p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`))
	wantErr(t, f.d.DeleteRole(f.ctx, acct, "r"), errkind.ErrConflict, ReasonDeleteConflict, "DeleteRole with a policy")
}

func TestPaging(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"e", "B", "a", "d", "C"} {
		_, err := f.d.CreateUser(f.ctx, acct, n, "/")
		f.must(err)
	}
	var got []string
	marker := ""
	for pages := 0; ; pages++ {
		us, next, err := f.d.ListUsers(f.ctx, acct, "", marker, 2)
		f.must(err)
		for _, u := range us {
			got = append(got, u.Name)
		}
		if next == "" {
			break
		}
		marker = next
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if strings.Join(got, ",") != "a,B,C,d,e" {
		t.Errorf("paged users = %v", got)
	}
	_, _, err := f.d.ListUsers(f.ctx, acct, "", "!!not base64!!", 2)
	wantErr(t, err, errkind.ErrValidation, ReasonInvalidInput, "bad marker")
}

func TestOIDCProviders(t *testing.T) {
	f := newFixture(t)
	p, err := f.d.CreateOIDCProvider(f.ctx, acct, "https://Token.Actions.GitHubUserContent.com/", []string{"sts.amazonaws.com", "sts.amazonaws.com"}, []string{strings.Repeat("a", 40)})
	f.must(err)
	if p.URLKey != "token.actions.githubusercontent.com" || p.URL != "https://token.actions.githubusercontent.com" || len(p.ClientIDs) != 1 {
		t.Errorf("provider = %+v", p)
	}
	arn := ProviderARN(acct, p.URLKey)
	if arn != "arn:aws:iam::"+acct+":oidc-provider/token.actions.githubusercontent.com" {
		t.Errorf("ARN %s", arn)
	}
	_, err = f.d.CreateOIDCProvider(f.ctx, acct, "https://token.actions.githubusercontent.com", nil, nil)
	wantErr(t, err, errkind.ErrConflict, "", "the same provider again")
	for _, bad := range []string{"http://issuer.example.com", "issuer.example.com", "https://x/?a=b"} {
		_, err := f.d.CreateOIDCProvider(f.ctx, acct, bad, nil, nil)
		wantErr(t, err, errkind.ErrValidation, ReasonInvalidInput, "CreateOIDCProvider "+bad)
	}
	_, err = f.d.CreateOIDCProvider(f.ctx, acct, "https://b.example.com", nil, []string{"zz"})
	wantErr(t, err, errkind.ErrValidation, ReasonInvalidInput, "bad thumbprint")
	if _, err := f.d.CreateOIDCProvider(f.ctx, acct, "http://127.0.0.1:9000/issuer", []string{"a"}, nil); err != nil {
		t.Errorf("a loopback http issuer: %v", err)
	}
	got, err := f.d.GetOIDCProvider(f.ctx, acct, arn)
	f.must(err)
	if got.URLKey != p.URLKey {
		t.Errorf("GetOIDCProvider = %+v", got)
	}
	_, err = f.d.GetOIDCProvider(f.ctx, acct, ProviderARN(other, p.URLKey))
	wantErr(t, err, errkind.ErrNotFound, "", "another account's provider ARN")
	_, err = f.d.GetOIDCProvider(f.ctx, acct, "arn:aws:iam::"+acct+":user/x")
	wantErr(t, err, errkind.ErrValidation, ReasonInvalidInput, "not a provider ARN")
	f.must(f.d.DeleteOIDCProvider(f.ctx, acct, arn))
	wantErr(t, f.d.DeleteOIDCProvider(f.ctx, acct, arn), errkind.ErrNotFound, "", "delete twice")
}

func TestProviderKey(t *testing.T) {
	for in, want := range map[string]string{
		"https://token.actions.githubusercontent.com":         "token.actions.githubusercontent.com",
		"https://token.actions.githubusercontent.com/":        "token.actions.githubusercontent.com",
		"https://OIDC.eks.us-west-2.amazonaws.com/id/EXAMPLE": "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE",
		"http://127.0.0.1:9000":                               "127.0.0.1:9000",
		"accounts.google.com":                                 "accounts.google.com",
	} {
		if got := ProviderKey(in); got != want {
			t.Errorf("ProviderKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// webFixture registers a local issuer and a role trusting it for one
// subject and audience.
func webFixture(t *testing.T) (*fixture, *oidctest.Issuer, string) {
	f := newFixture(t)
	iss := oidctest.Start(t)
	_, err := f.d.CreateOIDCProvider(f.ctx, acct, iss.URL, []string{"arca", "sts.amazonaws.com"}, nil)
	f.must(err)
	key := ProviderKey(iss.URL)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":"` + ProviderARN(acct, key) + `"},
		"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"` + key + `:aud":"arca"},"StringLike":{"` + key + `:sub":"repo:arca/demo:*"}}}]}`
	_, err = f.d.CreateRole(f.ctx, acct, RoleSpec{Name: "ci", TrustPolicy: trust})
	f.must(err)
	return f, iss, RoleARN(acct, "/", "ci")
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	f, iss, roleARN := webFixture(t)
	now := f.clock.now()
	good := iss.Claims("repo:arca/demo:ref:refs/heads/main", "arca", now)
	for _, alg := range []string{"RS256", "ES256"} {
		wi, err := f.d.AssumeRoleWithWebIdentity(f.ctx, WebIdentityInput{RoleARN: roleARN, SessionName: "gha-" + alg, Token: iss.Mint(t, alg, good)})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if wi.Subject != good["sub"] || wi.Audience != "arca" || wi.Provider != iss.URL || wi.ARN != SessionARN(acct, "ci", "gha-"+alg) {
			t.Errorf("%s: %+v", alg, wi)
		}
		p := f.lookup(wi.Credentials.AccessKeyID, wi.Credentials.SessionToken)
		if p.WebIdentityProvider != ProviderARN(acct, ProviderKey(iss.URL)) || p.Kind != KindAssumedRole {
			t.Errorf("web identity principal = %+v", p)
		}
	}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name   string
		token  string
		role   string
		kind   *errkind.Error
		reason string
	}{
		{"wrong subject", iss.Mint(t, "RS256", with("sub", "repo:evil/demo:ref:refs/heads/main")), roleARN, errkind.ErrAccessDenied, ""},
		{"audience the trust policy does not allow", iss.Mint(t, "RS256", with("aud", "sts.amazonaws.com")), roleARN, errkind.ErrAccessDenied, ""},
		{"audience not a client id", iss.Mint(t, "RS256", with("aud", "someone-else")), roleARN, errkind.ErrValidation, oidc.ReasonInvalidToken},
		{"several audiences, one a client id", iss.Mint(t, "RS256", with("aud", []string{"x", "arca"})), roleARN, nil, ""},
		{"expired", iss.Mint(t, "RS256", with("exp", now.Add(-time.Hour).Unix())), roleARN, errkind.ErrValidation, oidc.ReasonExpired},
		{"not yet valid", iss.Mint(t, "RS256", with("nbf", now.Add(time.Hour).Unix())), roleARN, errkind.ErrValidation, oidc.ReasonInvalidToken},
		{"issuer not registered", iss.Mint(t, "RS256", with("iss", "https://elsewhere.example.com")), roleARN, errkind.ErrValidation, oidc.ReasonInvalidToken},
		{"bad signature", iss.Mint(t, "RS256", good)[:len(iss.Mint(t, "RS256", good))-4] + "AAAA", roleARN, errkind.ErrValidation, oidc.ReasonInvalidToken},
		{"unsigned", "eyJhbGciOiJub25lIn0." + strings.Split(iss.Mint(t, "RS256", good), ".")[1] + ".", roleARN, errkind.ErrValidation, oidc.ReasonInvalidToken},
		{"garbage", "not-a-jwt", roleARN, errkind.ErrValidation, oidc.ReasonInvalidToken},
		{"role missing", iss.Mint(t, "RS256", good), RoleARN(acct, "/", "nope"), errkind.ErrAccessDenied, ""},
		{"role of another account", iss.Mint(t, "RS256", good), RoleARN(other, "/", "ci"), errkind.ErrValidation, oidc.ReasonInvalidToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.d.AssumeRoleWithWebIdentity(f.ctx, WebIdentityInput{RoleARN: c.role, SessionName: "s1", Token: c.token})
			if c.kind == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, c.kind, c.reason, c.name)
		})
	}
	// A deleted provider's tokens no longer work.
	f.must(f.d.DeleteOIDCProvider(f.ctx, acct, ProviderARN(acct, ProviderKey(iss.URL))))
	_, err := f.d.AssumeRoleWithWebIdentity(f.ctx, WebIdentityInput{RoleARN: roleARN, SessionName: "s1", Token: iss.Mint(t, "RS256", good)})
	wantErr(t, err, errkind.ErrValidation, oidc.ReasonInvalidToken, "provider deleted")
}

func TestWebIdentityIssuerDown(t *testing.T) {
	f, iss, roleARN := webFixture(t)
	iss.Down.Store(true)
	_, err := f.d.AssumeRoleWithWebIdentity(f.ctx, WebIdentityInput{RoleARN: roleARN, SessionName: "s1",
		Token: iss.Mint(t, "RS256", iss.Claims("repo:arca/demo:x", "arca", f.clock.now()))})
	wantErr(t, err, errkind.ErrValidation, oidc.ReasonCommunication, "issuer down")
}

func TestCreateAccount(t *testing.T) {
	f := newFixture(t)
	r, err := f.d.CreateAccount(f.ctx, "")
	f.must(err)
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if p := f.lookup(r.AccessKeyID, ""); !p.IsRoot() || p.Account != r.AccountID {
		t.Errorf("new account's root = %+v", p)
	}
	_, err = f.d.CreateAccount(f.ctx, acct)
	wantErr(t, err, errkind.ErrConflict, "", "an existing account")
	_, err = f.d.CreateAccount(f.ctx, "12")
	wantErr(t, err, errkind.ErrValidation, "", "a bad account id")
	accts, err := f.d.ListAccounts(f.ctx)
	f.must(err)
	if len(accts) != 3 {
		t.Errorf("accounts = %+v", accts)
	}
}

// TestWritesTakeEffectDuringConcurrentLookups: while lookups run in
// parallel (filling the cache), a deactivation is seen by every lookup
// that starts after it returns.
func TestWritesTakeEffectDuringConcurrentLookups(t *testing.T) {
	f := newFixture(t)
	k := f.userWithKey("gina", "/")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				f.d.Lookup(f.ctx, k.ID, "")
				f.d.Active(f.ctx, "arn:aws:iam::"+acct+":user/gina")
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	f.must(f.d.UpdateAccessKey(f.ctx, f.root, "gina", k.ID, false))
	for i := 0; i < 200; i++ {
		if _, _, err := f.d.Lookup(f.ctx, k.ID, ""); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("lookup %d after the deactivation: %v", i, err)
		}
	}
	f.must(f.d.DeleteAccessKey(f.ctx, f.root, "gina", k.ID))
	f.must(f.d.DeleteUser(f.ctx, acct, "gina"))
	for i := 0; i < 200; i++ {
		if _, err := f.d.Active(f.ctx, "arn:aws:iam::"+acct+":user/gina"); !errors.Is(err, ErrInactive) {
			t.Fatalf("Active %d after the deletion: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
}

func BenchmarkActiveCached(b *testing.B) {
	f := newFixture(b)
	f.userWithKey("bench", "/")
	arn := "arn:aws:iam::" + acct + ":user/bench"
	if _, err := f.d.Active(f.ctx, arn); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		f.d.Active(f.ctx, arn)
	}
}
