package policy

import (
	"strconv"
	"strings"
)

// Request is what one evaluation is about: who asks to do what to which
// resource, and the request context the Condition element reads. It models
// the request context of the IAM evaluation logic.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html#policy-eval-reqcontext
type Request struct {
	// Principal is the caller.
	Principal Principal
	// Action is the service-prefixed action, such as
	// "codeartifact:ReadFromRepository". It is matched case-insensitively.
	Action string
	// Resource is the ARN the action is on. It is matched case-sensitively.
	Resource string
	// Context maps condition keys (aws:SourceIp, aws:CurrentTime,
	// aws:ResourceTag/team, aws:TagKeys, sts:DurationSeconds, ...) to their
	// values; a multivalued key such as aws:TagKeys has several. Keys are
	// looked up case-insensitively: first as the policy spells them, then in
	// lower case, then by a scan, so a caller that stores keys in lower case
	// or as the IAM documentation spells them takes the fast path. A key
	// with no values counts as absent.
	//
	// Evaluate derives two keys from Principal when Context lacks them:
	// aws:PrincipalArn (the role ARN for an assumed-role session, as IAM
	// does) and aws:PrincipalAccount. Every other key, aws:CurrentTime
	// included, is the caller's to supply.
	Context map[string][]string

	// Keys, when not nil, supplies the keys Context does not have. It lets
	// a caller serve the request context from its own fields instead of
	// building a map for every request.
	Keys Keys
}

// Keys supplies condition key values to Evaluate. Values is given the key
// in lower case (aws:resourcetag/team, sts:durationseconds) and returns its
// values, or nil when the request has none. It must be safe to call from
// the goroutine running Evaluate and must not retain the slices it is given.
type Keys interface {
	Values(lowerKey string) []string
}

// Principal identifies the caller. An IAM user or the account root sets
// Account and ARN; an assumed-role session sets Account, ARN (the
// arn:aws:sts::<account>:assumed-role/<role>/<session> ARN) and RoleARN (the
// arn:aws:iam::<account>:role/<path><role> ARN); an AWS service sets Service
// (such as "codebuild.amazonaws.com"); a web-identity or SAML caller sets
// Federated. The zero Principal is an anonymous caller, which only a "*"
// principal matches.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
type Principal struct {
	Account   string // 12-digit account id
	ARN       string
	RoleARN   string
	Service   string
	Federated string
}

// account returns the caller's account id, from ARN when Account is empty.
func (p *Principal) account() string {
	if p.Account != "" {
		return p.Account
	}
	// arn:partition:service:region:account:resource
	s := p.ARN
	for i := 0; i < 4; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, ':'); j >= 0 {
		return s[:j]
	}
	return ""
}

// Decision is what one policy says about a request.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
type Decision int

// The decisions
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
// ImplicitDeny is the zero value: no statement applies, so
// the policy neither allows nor denies and the request stays denied unless
// another policy allows it.
const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

// String returns the decision's Go name, for messages and logs.
func (d Decision) String() string {
	switch d {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// Evaluate returns this policy's decision for req and the statement that
// decided it, named by its Sid or, without one, as "Statement[i]" (i counts
// from 0 in document order). ExplicitDeny comes from the first Deny
// statement that applies and wins over any Allow; Allow comes from the
// first Allow statement that applies; ImplicitDeny names no statement.
//
// A statement applies when its Action (or NotAction), Resource (or
// NotResource), Principal (or NotPrincipal) and Condition all match. A
// statement without Resource or NotResource, legal only in a resource
// policy, applies to every resource, because a resource policy is evaluated
// only for its own resource. Where a match cannot be decided (a policy
// variable the request does not supply, a context value that is not a
// number, date, boolean or IP address where the operator needs one), the
// statement fails closed: a Deny applies and an Allow does not.
//
// A nil Policy or Request yields ImplicitDeny. Evaluate is safe for
// concurrent use. It allocates nothing, unless a pattern holding a policy
// variable expands to more than 128 characters.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func (p *Policy) Evaluate(req *Request) (Decision, string) {
	if p == nil || req == nil {
		return ImplicitDeny, ""
	}
	allow := -1
	for _, i := range p.statementsFor(req.Action) {
		s := &p.stmts[i]
		if s.deny {
			if s.appliesToAction(req) != no {
				return ExplicitDeny, s.label
			}
		} else if allow < 0 && s.appliesToAction(req) == yes {
			allow = int(i)
		}
	}
	if allow >= 0 {
		return Allow, p.stmts[allow].label
	}
	return ImplicitDeny, ""
}

// maxIndexedActions bounds the actions a policy remembers the statements
// of; the actions asked about are the server's own, a few dozen.
const maxIndexedActions = 256

// statementsFor returns the indexes, in document order, of the statements
// whose Action (or NotAction) admits action. An action's statements are
// found once and remembered: Action holds no policy variables, so they
// depend on the action alone, and most requests then test a handful of
// statements instead of all of them.
func (p *Policy) statementsFor(action string) []int32 {
	if v, ok := p.byAction.Load(action); ok {
		return v.([]int32)
	}
	var idx []int32
	for i := range p.stmts {
		if p.stmts[i].matchAction(action) != p.stmts[i].notAction {
			idx = append(idx, int32(i))
		}
	}
	if p.indexed.Add(1) <= maxIndexedActions {
		p.byAction.Store(action, idx)
	}
	return idx
}

// applies decides one statement, cheapest test first.
func (s *statement) applies(r *Request) tri {
	if s.matchAction(r.Action) == s.notAction {
		return no
	}
	return s.appliesToAction(r)
}

// appliesToAction decides a statement whose Action admits the request's.
func (s *statement) appliesToAction(r *Request) tri {
	res := yes
	if s.hasResource {
		res = no
		for i := range s.resources {
			if res = or(res, s.resources[i].match(r.Resource, r)); res == yes {
				break
			}
		}
		if s.notResource {
			res = not(res)
		}
		if res == no {
			return no
		}
	}
	switch s.principalMode {
	case principalListed:
		if !s.principals.matches(&r.Principal) {
			return no
		}
	case notPrincipalListed:
		if s.principals.excludes(&r.Principal) {
			return no
		}
	}
	for i := range s.conds {
		if res = and(res, s.conds[i].eval(r)); res == no {
			return no
		}
	}
	return res
}

func (s *statement) matchAction(action string) bool {
	for i := range s.actions {
		if s.actions[i].match(action, nil) == yes {
			return true
		}
	}
	return false
}

// tri is a truth value that can be unknown: Kleene's three-valued logic, so
// that an undecidable match stays undecided through and, or and not until
// the statement's effect decides which way to fail.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

func not(t tri) tri {
	switch t {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

func and(a, b tri) tri {
	switch {
	case a == no || b == no:
		return no
	case a == yes && b == yes:
		return yes
	}
	return unknown
}

func or(a, b tri) tri {
	switch {
	case a == yes || b == yes:
		return yes
	case a == no && b == no:
		return no
	}
	return unknown
}

// ckey is a condition key as written and in lower case, for lookups.
type ckey struct {
	name, lower string
}

func newKey(name string) ckey {
	return ckey{name: name, lower: strings.ToLower(name)}
}

// values are a key's values in the request without copying them: either a
// slice from Context or one derived string.
type values struct {
	list   []string
	one    string
	single bool
}

func (v values) len() int {
	if v.single {
		return 1
	}
	return len(v.list)
}

func (v values) at(i int) string {
	if v.single {
		return v.one
	}
	return v.list[i]
}

// lookup finds a condition key's values in the request.
func (r *Request) lookup(k *ckey) values {
	if r.Context != nil {
		if v, ok := r.Context[k.name]; ok {
			return values{list: v}
		}
		if k.lower != k.name {
			if v, ok := r.Context[k.lower]; ok {
				return values{list: v}
			}
		}
		for name, v := range r.Context {
			if strings.EqualFold(name, k.name) {
				return values{list: v}
			}
		}
	}
	if r.Keys != nil {
		if v := r.Keys.Values(k.lower); v != nil {
			return values{list: v}
		}
	}
	switch k.lower {
	case "aws:principalarn":
		a := r.Principal.RoleARN
		if a == "" {
			a = r.Principal.ARN
		}
		if a != "" {
			return values{one: a, single: true}
		}
	case "aws:principalaccount":
		if a := r.Principal.account(); a != "" {
			return values{one: a, single: true}
		}
	}
	return values{}
}
