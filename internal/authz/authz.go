// Package authz decides whether a principal may perform an action on a
// resource: the IAM evaluation of the caller's identity policies and the
// resource policies of CodeArtifact domains and repositories, on every
// control-plane call, every package-manager request and every IAM and STS
// call.
//
// # Which policies apply
//
// The caller's identity policies: its inline and attached managed
// policies, those of its role for an assumed-role session, none for an
// account root (whose own permissions are not policies: it may do
// anything no policy explicitly denies it).
//
// The resource policies of the resource's place in its domain (User
// Guide, "Domain policies": the domain administrator can "apply policy
// across multiple repositories", "restricting which accounts have access
// to repositories in the domain, and who can configure connections to
// public repositories"; "To create a repository in a domain owned by
// another account, the principal must be granted the CreateRepository
// permission on the domain resource"):
//
//	domain ARN                 the domain policy
//	package group ARN          the domain policy
//	repository or package ARN  the domain policy and the repository policy
//	"*", IAM and STS ARNs      none
//
// So CreateRepository, whose repository does not exist yet, is governed by
// the domain policy, and so is GetAuthorizationToken (on the domain ARN),
// which is how a domain owner controls which accounts read the domain's
// repositories. PutDomainPermissionsPolicy ignores the domain policy and
// PutRepositoryPermissionsPolicy the repository policy ("the resource
// policy on the repository is ignored when evaluating permissions. This
// ensures that the owner of a domain cannot lock themselves out").
//
// # The resource's account
//
// A domain belongs to its owner; a repository and its packages belong to
// the domain's owner and to the account that administers the repository
// (User Guide: "A repository can be owned by the same AWS account that
// owns the domain, or a different account"). A caller of one of those
// accounts is in the resource's account; "*" and ARNs without an account
// id (AWS managed policies) belong to the caller's own account.
//
// # Combining
//
// Combine: an explicit Deny anywhere denies; within the resource's account
// an Allow from either side suffices; across accounts both sides must
// allow. A denial names the principal, action and resource and says why,
// as AWS does ("User: arn:aws:iam::111122223333:user/bob is not authorized
// to perform: codeartifact:ReadFromRepository on resource: ... because no
// identity-based policy allows the codeartifact:ReadFromRepository
// action").
//
// # The request context
//
// Condition keys come from the principal (aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:userid, aws:username), the
// edge (aws:SourceIp and aws:SecureTransport from middleware.Client), the
// clock (aws:CurrentTime, aws:EpochTime), the configuration
// (aws:RequestedRegion), the resource (aws:ResourceTag/<key>: the tags of
// the domain, of the repository a repository or package ARN is in, or of
// the package group) and
// the request (aws:RequestTag/<key> and aws:TagKeys, sts:DurationSeconds,
// sts:AWSServiceName), served without building a map per request.
//
// # Caching, across replicas
//
// Policies are compiled once: identity policies by their Key (which ends
// in a digest of the document), resource policies by their revision (new
// for every put), in caches bounded in bytes (CacheBytes, a share of the
// server's cache budget: package cachesize). Which policies a principal has, and
// which policy and tags a resource has, are cached under change counters
// (package generation) that every IAM write (identity.Directory) and every
// policy, tag, domain or repository write (catalog) bumps in its own
// transaction, in the store. Each server brings its counters in step with
// the store as a request is authenticated, so a deny put through one
// replica binds the next request to any other (within the freshness
// window, a millisecond).
package authz

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/policy"
	"github.com/arcahq/arca/internal/store"
)

// Request is one question: may Principal perform Action on Resource? The
// other fields are the request's own condition keys; the rest of the
// request context is found by the Evaluator.
type Request struct {
	// Principal is the caller. A Principal with an empty Kind (one built
	// from a token's claims) is resolved with Directory.Active first.
	Principal identity.Principal
	// Action is service:Operation, as codeartifact:ReadFromRepository.
	Action string
	// Resource is the ARN the action is on, or "*".
	Resource string

	// Tags are the tags the request sets (CreateDomain, CreateRepository,
	// TagResource): aws:RequestTag/<key>, and their keys aws:TagKeys.
	Tags []store.Tag
	// TagKeys are the tag keys a request names without values
	// (UntagResource): aws:TagKeys.
	TagKeys []string
	// DurationSeconds is the lifetime a token is asked for
	// (sts:DurationSeconds), nil when the key is absent.
	DurationSeconds *int64
	// ServiceName is the service a bearer token is for
	// (sts:AWSServiceName).
	ServiceName string
}

// Directory is what the Evaluator needs of package identity.
type Directory interface {
	Active(ctx context.Context, principalARN string) (identity.Principal, error)
	IdentityPolicies(ctx context.Context, p identity.Principal) ([]identity.PolicyDocument, error)
	Generation() uint64
}

// Resources is what the Evaluator needs of package catalog.
type Resources interface {
	Attributes(ctx context.Context, res catalog.Resource) (catalog.Attributes, error)
}

// Evaluator makes decisions. It is safe for concurrent use.
type Evaluator struct {
	dir    Directory
	res    Resources
	region string
	now    func() time.Time

	compiled         *cachesize.Map[string, *policy.Policy] // identity policy Key
	resourcePolicies *cachesize.Map[string, Policy]         // by resource policy revision
	principals       *cachesize.Map[string, principalPolicies]
	clock            atomic.Pointer[clockKeys]
}

// New returns an Evaluator over the identity directory and the catalog.
// region is aws:RequestedRegion; now is the clock of aws:CurrentTime.
func New(dir Directory, res Resources, region string, now func() time.Time) *Evaluator {
	e := &Evaluator{dir: dir, res: res, region: region, now: now}
	e.SetCacheBudget(cachesize.Default)
	return e
}

// CacheBytes is the share of the cache budget (package cachesize) of the
// compiled policies and the principals' policies, at the default budget.
const CacheBytes = 4 << 20

// SetCacheBudget sizes the Evaluator's caches as their share of the
// server's cache budget: half for compiled policies (identity and
// resource), half for the principals' lists of them. A dropped entry is
// compiled or read again on the next request that needs it; none holds
// a decision, so evicting one cannot change one. Call it before the
// Evaluator is used.
func (e *Evaluator) SetCacheBudget(budget int64) {
	share := cachesize.Share(CacheBytes, budget)
	e.compiled = cachesize.NewMap[string, *policy.Policy](share / 4)
	e.resourcePolicies = cachesize.NewMap[string, Policy](share / 4)
	e.principals = cachesize.NewMap[string, principalPolicies](share / 2)
}

// compiledBytes estimates what a compiled policy takes: measured at
// about 8 to 11 times its document's length (policy.Parse keeps patterns,
// condition values and indexes), counted here as 12 times, plus 2 KiB for
// the statements it indexes by action as it is asked (a few dozen
// CodeArtifact, IAM and STS actions, some 40 bytes each).
func compiledBytes(doc string) int64 { return 2048 + 12*int64(len(doc)) }

// Authorize returns nil if the request is allowed, an AccessDenied error
// naming the principal, the action, the resource and the reason
// otherwise, or the error that kept it from deciding (an Unauthenticated
// error for a principal that no longer exists).
func (e *Evaluator) Authorize(ctx context.Context, r Request) error {
	d, p, err := e.decide(ctx, r, false)
	// The audit event of a package request is named by the permission it
	// needed, and shows the principal as resolved here.
	audit.From(ctx).Authorizing(p, r.Action, r.Resource)
	if err != nil {
		return err
	}
	return deniedErr(d, p.ARN, r.Action, r.Resource)
}

// AuthorizeIdentity decides the identity side alone: whether p's own
// policies (or its being a root) allow action on resourceARN. It serves
// identity.AssumeRole, where the role's trust policy is the resource side.
func (e *Evaluator) AuthorizeIdentity(ctx context.Context, p identity.Principal, action, resourceARN string) error {
	d, p, err := e.decide(ctx, Request{Principal: p, Action: action, Resource: resourceARN}, true)
	if err != nil {
		return err
	}
	return deniedErr(d, p.ARN, action, resourceARN)
}

// Active returns the principal an ARN names as it is now (see
// identity.Directory.Active): the repository endpoints resolve a token's
// principal with it on every request.
func (e *Evaluator) Active(ctx context.Context, principalARN string) (identity.Principal, error) {
	return e.dir.Active(ctx, principalARN)
}

// Decide returns the decision on r and what made it.
func (e *Evaluator) Decide(ctx context.Context, r Request) (Decision, error) {
	d, _, err := e.decide(ctx, r, false)
	return d, err
}

func deniedErr(d Decision, principal, action, resource string) error {
	if d.Allowed() {
		return nil
	}
	return errkind.Deniedf("User: %s is not authorized to perform: %s on resource: %s %s", principal, action, resource, d.Why(action))
}

func (e *Evaluator) decide(ctx context.Context, r Request, identityOnly bool) (Decision, identity.Principal, error) {
	p := r.Principal
	if p.Kind == "" {
		var err error
		if p, err = e.dir.Active(ctx, p.ARN); err != nil {
			return Decision{}, r.Principal, err
		}
	}
	c := Case{Root: p.IsRoot(), IdentityOnly: identityOnly}
	if !c.Root {
		var err error
		if c.Identity, err = e.identityPolicies(ctx, p); err != nil {
			return Decision{}, p, err
		}
	}
	k := keysPool.Get().(*keys)
	defer k.release()
	k.init(e, ctx, &p, r)
	c.Resource = k.resourcePolicies[:0]

	res := parseResource(r.Resource)
	owner := res.account
	if !arn.IsAccountID(owner) {
		owner = p.Account
	}
	c.SameAccount = p.Account == owner
	if !identityOnly && res.kind != "" {
		if err := e.resourceSide(ctx, &c, k, p.Account, r.Action, res); err != nil {
			return Decision{}, p, err
		}
	}
	k.preq = policy.Request{
		Principal: policy.Principal{Account: p.Account, ARN: p.ARN, RoleARN: p.RoleARN},
		Action:    r.Action, Resource: r.Resource, Keys: k,
	}
	c.Request = &k.preq
	return Combine(c), p, nil
}

// resourceSide adds to c the resource policies that apply to a domain,
// repository or package ARN, notes the resource's tags in k, and counts a
// caller of the repository's administering account as in its account.
func (e *Evaluator) resourceSide(ctx context.Context, c *Case, k *keys, caller, action string, res resource) error {
	domain := catalog.Resource{Kind: arn.KindDomain, Domain: catalog.DomainRef{Owner: res.account, Name: res.domain}}
	da, ok, err := e.attributes(ctx, domain)
	if err != nil {
		return err
	}
	if ok {
		if res.kind == arn.KindDomain {
			k.resourceTags = da.Tags
		}
		if !(res.kind == arn.KindDomain && strings.EqualFold(action, "codeartifact:PutDomainPermissionsPolicy")) {
			if p, ok := e.resourcePolicy(da.Policy, "domain policy of ", res.domain); ok {
				c.Resource = append(c.Resource, p)
			}
		}
	}
	if res.kind == arn.KindDomain {
		return nil
	}
	if res.kind == arn.KindPackageGroup {
		// A package group is governed by its domain's policy; its own tags
		// are its aws:ResourceTag keys.
		ga, ok, err := e.attributes(ctx, catalog.Resource{Kind: arn.KindPackageGroup, Domain: domain.Domain, PackageGroup: res.group})
		if ok {
			k.resourceTags = ga.Tags
		}
		return err
	}
	repo := catalog.Resource{Kind: arn.KindRepository, Domain: domain.Domain, Repository: res.repo}
	ra, ok, err := e.attributes(ctx, repo)
	if err != nil || !ok {
		return err
	}
	k.resourceTags = ra.Tags
	if ra.Administrator == caller {
		c.SameAccount = true
	}
	if !strings.EqualFold(action, "codeartifact:PutRepositoryPermissionsPolicy") {
		if p, ok := e.resourcePolicy(ra.Policy, "repository policy of ", res.repo); ok {
			c.Resource = append(c.Resource, p)
		}
	}
	return nil
}

// attributes reads a resource's attributes; a resource that does not
// exist has none (ok false).
func (e *Evaluator) attributes(ctx context.Context, res catalog.Resource) (catalog.Attributes, bool, error) {
	a, err := e.res.Attributes(ctx, res)
	if errkind.KindOf(err) == errkind.NotFound {
		return a, false, nil
	}
	return a, err == nil, err
}

// principalPolicies are a principal's compiled identity policies under the
// directory generation they were read in.
type principalPolicies struct {
	gen      uint64
	policies []Policy
}

// identityPolicies returns p's compiled identity policies.
func (e *Evaluator) identityPolicies(ctx context.Context, p identity.Principal) ([]Policy, error) {
	gen := e.dir.Generation()
	if pp, ok := e.principals.Load(p.ARN); ok {
		if pp.gen == gen {
			return pp.policies, nil
		}
	}
	docs, err := e.dir.IdentityPolicies(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]Policy, len(docs))
	// The compiled policies are counted here too, though the compiled
	// cache may share them: they stay as long as this entry does.
	size := cachesize.StringBytes(p.ARN) + 32
	for i, d := range docs {
		out[i] = Policy{Name: policyName(d.Key), Policy: e.compileIdentity(d.Key, d.Document)}
		size += 24 + cachesize.StringBytes(out[i].Name) + compiledBytes(d.Document)
	}
	e.principals.Store(p.ARN, principalPolicies{gen: gen, policies: out}, size)
	return out, nil
}

// resourcePolicy returns a stored resource policy compiled and named
// kind+name, and false when none is set. It is cached by revision: a
// revision is one policy of one resource, so its name is fixed too.
func (e *Evaluator) resourcePolicy(p store.Policy, kind, name string) (Policy, bool) {
	if p.Revision == "" {
		return Policy{}, false
	}
	if rp, ok := e.resourcePolicies.Load(p.Revision); ok {
		return rp, true
	}
	rp := Policy{Name: kind + name, Policy: e.compile(p.Document)}
	e.resourcePolicies.Store(p.Revision, rp, cachesize.StringBytes(p.Revision)+cachesize.StringBytes(rp.Name)+compiledBytes(p.Document))
	return rp, true
}

// compileIdentity returns the compiled identity policy cached under key
// (which ends in a digest of the document), compiling doc on a miss.
func (e *Evaluator) compileIdentity(key, doc string) *policy.Policy {
	if p, ok := e.compiled.Load(key); ok {
		return p
	}
	p := e.compile(doc)
	e.compiled.Store(key, p, cachesize.StringBytes(key)+compiledBytes(doc))
	return p
}

// compile compiles a policy document. One that does not parse (never
// stored by Arca, which parses every policy when it is put) compiles to a
// policy denying everything: unknown fails closed.
func (e *Evaluator) compile(doc string) *policy.Policy {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return denyAll
	}
	return p
}

var denyAll = func() *policy.Policy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"UnreadablePolicy","Effect":"Deny","Action":"*","Resource":"*"}]}`))
	if err != nil {
		panic(err)
	}
	return p
}()

// policyName turns an identity policy's Key into the name a denial shows:
// the inline policy's name, or the managed policy's ARN.
func policyName(key string) string {
	key, _, _ = strings.Cut(key, "#")
	if rest, ok := strings.CutPrefix(key, "managed/"); ok {
		return rest
	}
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return "inline policy " + key[i+1:]
	}
	return key
}

// resource is the part of a resource ARN a decision needs, as substrings
// of the ARN (parsing allocates nothing).
type resource struct {
	kind    string // arn.KindDomain, KindRepository, KindPackage; "" for anything else
	account string // the ARN's account field ("" for "*")
	domain  string
	repo    string
	group   string // a package group's definition, decoded
}

func parseResource(s string) resource {
	var r resource
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return r
	}
	var fields [4]string // partition, service, region, account
	for i := range fields {
		f, after, ok := strings.Cut(rest, ":")
		if !ok {
			return r
		}
		fields[i], rest = f, after
	}
	r.account = fields[3]
	if fields[1] != arn.Service || !arn.IsAccountID(r.account) {
		return r
	}
	kind, path, ok := strings.Cut(rest, "/")
	if !ok {
		return r
	}
	domain, path, more := strings.Cut(path, "/")
	switch {
	case domain == "":
		return r
	case kind == arn.KindDomain && !more:
		r.kind, r.domain = kind, domain
	case kind == arn.KindPackageGroup && more:
		if def, err := url.PathUnescape("/" + path); err == nil {
			r.kind, r.domain, r.group = kind, domain, def
		}
	case kind == arn.KindRepository || kind == arn.KindPackage:
		repo, _, _ := strings.Cut(path, "/")
		if repo == "" {
			return r
		}
		r.kind, r.domain, r.repo = kind, domain, repo
	}
	return r
}

// clockKeys are aws:CurrentTime and aws:EpochTime for one second,
// formatted once for every request in that second.
type clockKeys struct {
	unix        int64
	currentTime [1]string
	epochTime   [1]string
}

func (e *Evaluator) clockKeys() *clockKeys {
	now := e.now()
	sec := now.Unix()
	if c := e.clock.Load(); c != nil && c.unix == sec {
		return c
	}
	c := &clockKeys{unix: sec}
	c.currentTime[0] = now.UTC().Truncate(time.Second).Format(time.RFC3339)
	c.epochTime[0] = itoa(sec)
	e.clock.Store(c)
	return c
}

// client returns what middleware.Clients recorded about the request's
// client, if anything.
func client(ctx context.Context) (middleware.Client, bool) { return middleware.ClientFrom(ctx) }
