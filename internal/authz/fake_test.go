package authz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
)

// The accounts of the tests: A owns the domain "d" and its repository "r";
// B is another account.
const (
	acctA  = "111122223333"
	acctB  = "444455556666"
	region = "us-east-1"
)

var (
	domainARN = arn.Domain(region, acctA, "d")
	repoARN   = arn.Repository(region, acctA, "d", "r")
	pkgARN    = arn.Package(region, acctA, "d", "r", "npm", "", "lodash")
	domainRes = catalog.Resource{Kind: arn.KindDomain, Domain: catalog.DomainRef{Owner: acctA, Name: "d"}}
	repoRes   = catalog.Resource{Kind: arn.KindRepository, Domain: domainRes.Domain, Repository: "r"}
)

// rootOf, userOf and sessionOf build principals as package identity does.
func rootOf(account string) identity.Principal {
	return identity.Principal{Account: account, ARN: arn.AccountRoot(account), Kind: identity.KindRoot, UserID: account}
}

func userOf(account, name string) identity.Principal {
	return identity.Principal{Account: account, ARN: identity.UserARN(account, "/", name), Kind: identity.KindUser,
		UserID: "AIDA" + name, UserName: name}
}

func sessionOf(account, role, session string) identity.Principal {
	return identity.Principal{Account: account, ARN: "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session,
		Kind: identity.KindAssumedRole, UserID: "AROA" + role + ":" + session,
		RoleARN: identity.RoleARN(account, "/", role), RoleName: role, SessionName: session}
}

// fakeDir is an identity directory in memory. Identity policies are kept
// by principal ARN, a session's by its role's ARN; every change bumps the
// generation, as identity.Directory does.
type fakeDir struct {
	mu       sync.Mutex
	gen      uint64
	active   map[string]identity.Principal
	policies map[string][]string
	reads    int // IdentityPolicies calls
}

func newFakeDir(ps ...identity.Principal) *fakeDir {
	d := &fakeDir{active: map[string]identity.Principal{}, policies: map[string][]string{}}
	for _, p := range ps {
		d.active[p.ARN] = p
	}
	return d
}

func (d *fakeDir) Active(_ context.Context, principalARN string) (identity.Principal, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.active[principalARN]
	if !ok {
		return identity.Principal{}, identity.ErrInactive
	}
	return p, nil
}

func (d *fakeDir) IdentityPolicies(_ context.Context, p identity.Principal) ([]identity.PolicyDocument, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads++
	owner := p.ARN
	if p.RoleARN != "" {
		owner = p.RoleARN
	}
	var out []identity.PolicyDocument
	for i, doc := range d.policies[owner] {
		sum := sha256.Sum256([]byte(doc))
		out = append(out, identity.PolicyDocument{
			Key:      "inline/" + owner + "/p" + strconv.Itoa(i) + "#" + hex.EncodeToString(sum[:8]),
			Document: doc,
		})
	}
	return out, nil
}

func (d *fakeDir) Generation() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.gen
}

// setPolicies replaces the identity policies of the principal (or role)
// ARN owner.
func (d *fakeDir) setPolicies(owner string, docs ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.policies[owner] = docs
	d.gen++
}

// fakeResources are domains and repositories in memory; every policy put
// draws a new revision, as catalog.PutPolicy does.
type fakeResources struct {
	mu    sync.Mutex
	rev   int
	attrs map[catalog.Resource]catalog.Attributes
}

// newFakeResources holds domain "d" of account A and its repository "r",
// administered by A, without policies or tags.
func newFakeResources() *fakeResources {
	return &fakeResources{attrs: map[catalog.Resource]catalog.Attributes{
		domainRes: {},
		repoRes:   {Administrator: acctA},
	}}
}

func (f *fakeResources) Attributes(_ context.Context, res catalog.Resource) (catalog.Attributes, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.attrs[res]
	if !ok {
		return a, errkind.NotFoundf("no such %s", res.Kind)
	}
	return a, nil
}

func (f *fakeResources) update(res catalog.Resource, change func(*catalog.Attributes)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.attrs[res]
	change(&a)
	f.attrs[res] = a
}

func (f *fakeResources) setPolicy(res catalog.Resource, doc string) {
	f.update(res, func(a *catalog.Attributes) {
		f.rev++
		a.Policy = store.Policy{Document: doc, Revision: "rev-" + strconv.Itoa(f.rev)}
	})
}

func (f *fakeResources) setTags(res catalog.Resource, tags ...store.Tag) {
	f.update(res, func(a *catalog.Attributes) { a.Tags = tags })
}

// testNow is the clock of the tests' evaluators.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is an Evaluator over a fake directory and fake resources.
type fixture struct {
	dir *fakeDir
	res *fakeResources
	ev  *Evaluator
}

func newFixture(ps ...identity.Principal) *fixture {
	f := &fixture{dir: newFakeDir(ps...), res: newFakeResources()}
	f.ev = New(f.dir, f.res, region, func() time.Time { return testNow })
	return f
}
