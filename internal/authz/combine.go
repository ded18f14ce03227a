package authz

import (
	"strings"

	"github.com/arcahq/arca/internal/policy"
)

// Policy is a compiled policy with the name a decision reports it by.
type Policy struct {
	Name   string
	Policy *policy.Policy
}

// Case is everything one decision is made from: the request as the policy
// language sees it, who the caller is relative to the resource, and the
// compiled policies that bear on it. It has no storage behind it, so the
// combination rules can be tested (and checked against an independent
// evaluator) on their own.
type Case struct {
	Request *policy.Request
	// Root says the caller is its account's root, which no identity
	// policy limits: its identity side always allows.
	Root bool
	// SameAccount says the caller belongs to an account that owns the
	// resource.
	SameAccount bool
	// IdentityOnly asks for the identity side alone (the resource side is
	// decided elsewhere, as a role's trust policy is for sts:AssumeRole).
	IdentityOnly bool
	// Identity are the caller's identity policies (none for a root).
	Identity []Policy
	// Resource are the resource policies that apply (domain, repository).
	Resource []Policy
}

// Outcome says how a decision came about.
type Outcome uint8

// The outcomes.
const (
	// Allowed: no explicit deny and enough allows.
	Allowed Outcome = iota
	// DeniedByIdentity: an identity policy's Deny statement applied.
	DeniedByIdentity
	// DeniedByResource: a resource policy's Deny statement applied.
	DeniedByResource
	// NoIdentityAllow: no identity policy allowed, and nothing else could
	// stand in for it.
	NoIdentityAllow
	// NoResourceAllow: a cross-account request that the identity side
	// allowed but no resource policy did.
	NoResourceAllow
)

// Decision is the answer to one request, with what decided it.
type Decision struct {
	Outcome Outcome
	// Policy and Statement name what decided: the Deny statement of an
	// explicit deny, or an Allow statement of an allow ("" and "" for a
	// root's own allow and for implicit denies).
	Policy    string
	Statement string
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Outcome == Allowed }

// Why returns the reason of a denial in the words AWS uses after "... on
// resource: R", or "" for an allow.
func (d Decision) Why(action string) string {
	switch d.Outcome {
	case DeniedByIdentity:
		return "with an explicit deny in an identity-based policy: " + d.Policy + " (statement " + d.Statement + ")"
	case DeniedByResource:
		return "with an explicit deny in a resource-based policy: the " + d.Policy + " (statement " + d.Statement + ")"
	case NoIdentityAllow:
		return "because no identity-based policy allows the " + action + " action"
	case NoResourceAllow:
		return "because no resource-based policy allows the " + action + " action"
	}
	return ""
}

// Combine decides a case the way IAM combines identity and resource
// policies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
// .../reference_policies_evaluation-logic-cross-account.html):
//
//  1. Every policy is evaluated; an explicit Deny in any of them denies.
//  2. Within the resource's account, an Allow from the identity side (an
//     identity policy, or the caller being the account's root) or from a
//     resource policy suffices. A resource policy's Allow counts on its
//     own only when it names the caller itself (its user, role or session
//     ARN) or everyone ("*"): naming the caller's account delegates to
//     that account's identity policies and grants nothing by itself, as
//     IAM does for every principal of the account but its root.
//  3. Across accounts, the identity side and a resource policy must both
//     allow.
//
// Each policy is evaluated once; the second look at the resource policies
// in rule 2 happens only when the identity side did not allow.
func Combine(c Case) Decision {
	var allow Decision
	idAllow := c.Root
	for _, p := range c.Identity {
		switch d, st := p.Policy.Evaluate(c.Request); d {
		case policy.ExplicitDeny:
			return Decision{Outcome: DeniedByIdentity, Policy: p.Name, Statement: st}
		case policy.Allow:
			if !idAllow {
				idAllow, allow = true, Decision{Policy: p.Name, Statement: st}
			}
		}
	}
	if c.IdentityOnly {
		if idAllow {
			return allow
		}
		return Decision{Outcome: NoIdentityAllow}
	}
	resAllow := -1
	var resAllowed Decision
	for i, p := range c.Resource {
		switch d, st := p.Policy.Evaluate(c.Request); d {
		case policy.ExplicitDeny:
			return Decision{Outcome: DeniedByResource, Policy: p.Name, Statement: st}
		case policy.Allow:
			if resAllow < 0 {
				resAllow, resAllowed = i, Decision{Policy: p.Name, Statement: st}
			}
		}
	}
	switch {
	case c.SameAccount && idAllow:
		return allow
	case c.SameAccount && resAllow >= 0:
		if d, ok := byName(c); ok {
			return d
		}
		return Decision{Outcome: NoIdentityAllow}
	case c.SameAccount:
		return Decision{Outcome: NoIdentityAllow}
	case !idAllow:
		return Decision{Outcome: NoIdentityAllow}
	case resAllow < 0:
		return Decision{Outcome: NoResourceAllow}
	}
	return resAllowed
}

// byName reports whether a resource policy allows the caller by its own
// ARN or as anyone, not only as a principal of its account: the caller is
// evaluated again under an account id no statement can name. Condition
// keys are unaffected: aws:PrincipalAccount comes from the request's keys
// or context, not from the principal's account field.
func byName(c Case) (Decision, bool) {
	r := *c.Request
	account := r.Principal.Account
	if account == "" {
		account = accountOf(r.Principal.ARN)
	}
	if r.Context == nil && r.Keys == nil && account != "" {
		r.Context = map[string][]string{"aws:PrincipalAccount": {account}}
	}
	r.Principal.Account = "-"
	for _, p := range c.Resource {
		if d, st := p.Policy.Evaluate(&r); d == policy.Allow {
			return Decision{Policy: p.Name, Statement: st}, true
		}
	}
	return Decision{}, false
}

// accountOf returns the account field of an ARN, without allocating.
func accountOf(s string) string {
	for range 4 {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i]
	}
	return ""
}
