package policy

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/arcahq/arca/internal/errkind"
)

// The policy language versions IAM knows. Policy variables are read only
// in Version2012; in Version2008 "${...}" is literal text, as in IAM.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// MaxSize is the largest document Parse reads, in bytes. It bounds the
// work a caller can ask of Parse; the API that stores a policy applies its
// own, smaller limit (CodeArtifact's policyDocument is at most 7,168
// characters).
// https://docs.aws.amazon.com/codeartifact/latest/APIReference/API_PutRepositoryPermissionsPolicy.html
const MaxSize = 64 << 10

// Policy is a parsed and compiled policy document. It is immutable and safe
// for concurrent use, so one Policy can be cached (by the revision of the
// stored document) and evaluated by many requests at once.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
type Policy struct {
	version string
	id      string
	stmts   []statement

	byAction sync.Map     // action -> []int32, see statementsFor
	indexed  atomic.Int32 // actions looked up in byAction's life
}

// statement is one compiled Statement element.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html
type statement struct {
	sid   string
	label string // the Sid, or "Statement[i]"
	deny  bool

	notAction bool
	actions   []pattern

	hasResource bool
	notResource bool
	resources   []pattern

	principalMode principalMode
	principals    principals

	conds []cond
}

// Version returns the document's Version, Version2008 if it had none.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
func (p *Policy) Version() string { return p.version }

// ID returns the document's Id element, or "".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_id.html
func (p *Policy) ID() string { return p.id }

// Parse parses a policy document strictly and compiles it for Evaluate.
//
// The document is a JSON object with Version ("2012-10-17" or
// "2008-10-17"; a document without one is read as 2008-10-17, as IAM
// does), an optional Id and a Statement that is one statement object or a
// non-empty array of them. Each statement has an optional Sid, unique in
// the document; Effect "Allow" or "Deny"; exactly one of Action and
// NotAction; at most one of Resource and NotResource; at most one of
// Principal and NotPrincipal (NotPrincipal only with Deny); and an optional
// Condition. Action, Resource and their Not forms take a string or an array
// of strings, as do the principal types and condition keys.
//
// Anything else is rejected with an errkind.Validation error whose message
// names the element and the problem, in the manner of IAM's
// MalformedPolicyDocument: unknown or duplicate keys, wrong JSON types,
// empty lists, bad Effect or Version, duplicate Sids, actions without a
// service prefix, resources that are neither an ARN nor "*", principals IAM
// would not accept, unknown condition operators and condition values the
// operator cannot read (a number for Numeric, a date for Date, a CIDR block
// or address for IpAddress, true or false for Bool and Null). The error's
// Reason is CANNOT_PARSE when the document is not JSON and
// FIELD_VALIDATION_FAILED otherwise.
//
// Parse checks what holds for every policy; Validate adds what depends on
// where the policy is attached.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func Parse(doc []byte) (*Policy, error) {
	if len(doc) > MaxSize {
		return nil, malformed("", "the document is %d bytes, more than the %d allowed", len(doc), MaxSize)
	}
	root, err := readJSON(doc)
	if err != nil {
		return nil, err
	}
	if root.kind != jObject {
		return nil, malformed("", "the document must be a JSON object, not %s", root.describe())
	}
	p := &Policy{version: Version2008}
	var stmts *jnode
	for i, key := range root.keys {
		v := root.vals[i]
		switch key {
		case "Version":
			if v.kind != jString || v.str != Version2012 && v.str != Version2008 {
				return nil, malformed(key, "must be %q or %q, not %s", Version2012, Version2008, v.describe())
			}
			p.version = v.str
		case "Id":
			if v.kind != jString {
				return nil, malformed(key, "must be a string, not %s", v.describe())
			}
			p.id = v.str
		case "Statement":
			stmts = v
		default:
			return nil, malformed("", "unknown element %q (want Version, Id, Statement)", key)
		}
	}
	if stmts == nil {
		return nil, malformed("", "missing required element Statement")
	}
	var list []*jnode
	switch stmts.kind {
	case jObject:
		list = []*jnode{stmts}
	case jArray:
		if len(stmts.elems) == 0 {
			return nil, malformed("Statement", "must not be empty")
		}
		list = stmts.elems
	default:
		return nil, malformed("Statement", "must be an object or an array of objects, not %s", stmts.describe())
	}
	sids := make(map[string]int, len(list))
	p.stmts = make([]statement, len(list))
	for i, n := range list {
		path := "Statement"
		if stmts.kind == jArray {
			path = index(path, i)
		}
		s := &p.stmts[i]
		if err := s.parse(n, path, p.version == Version2012); err != nil {
			return nil, err
		}
		s.label = s.sid
		if s.sid == "" {
			s.label = "Statement[" + strconv.Itoa(i) + "]"
		} else if j, dup := sids[s.sid]; dup {
			return nil, malformed(path+".Sid", "Sid %q is already used by Statement[%d]; Sids must be unique within a policy", s.sid, j)
		} else {
			sids[s.sid] = i
		}
	}
	return p, nil
}

// parse reads one statement object at path. vars says whether policy
// variables are read (Version 2012-10-17).
func (s *statement) parse(n *jnode, path string, vars bool) error {
	if n.kind != jObject {
		return malformed(path, "a statement must be an object, not %s", n.describe())
	}
	var action, resource, principal, condition *jnode
	var actionKey, resourceKey, principalKey, effect string
	for i, key := range n.keys {
		v := n.vals[i]
		kp := member(path, key)
		switch key {
		case "Sid":
			if v.kind != jString {
				return malformed(kp, "must be a string, not %s", v.describe())
			}
			s.sid = v.str
		case "Effect":
			if v.kind != jString || v.str != "Allow" && v.str != "Deny" {
				return malformed(kp, `must be "Allow" or "Deny", not %s`, v.describe())
			}
			effect = v.str
		case "Action", "NotAction":
			if action != nil {
				return malformed(path, "has both Action and NotAction; use exactly one")
			}
			action, actionKey = v, key
		case "Resource", "NotResource":
			if resource != nil {
				return malformed(path, "has both Resource and NotResource; use at most one")
			}
			resource, resourceKey = v, key
		case "Principal", "NotPrincipal":
			if principal != nil {
				return malformed(path, "has both Principal and NotPrincipal; use at most one")
			}
			principal, principalKey = v, key
		case "Condition":
			condition = v
		default:
			return malformed(path, "unknown element %q (want Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)", key)
		}
	}
	if effect == "" {
		return malformed(path, "missing required element Effect")
	}
	s.deny = effect == "Deny"
	if action == nil {
		return malformed(path, "missing required element Action or NotAction")
	}
	if err := s.parseActions(action, member(path, actionKey)); err != nil {
		return err
	}
	s.notAction = actionKey == "NotAction"
	if resource != nil {
		if err := s.parseResources(resource, member(path, resourceKey), vars); err != nil {
			return err
		}
		s.hasResource, s.notResource = true, resourceKey == "NotResource"
	}
	if principal != nil {
		pp := member(path, principalKey)
		if principalKey == "NotPrincipal" && !s.deny {
			return malformed(pp, `NotPrincipal may only be used with "Effect": "Deny"`)
		}
		ps, err := parsePrincipal(principal, pp)
		if err != nil {
			return err
		}
		s.principals, s.principalMode = ps, principalListed
		if principalKey == "NotPrincipal" {
			s.principalMode = notPrincipalListed
		}
	}
	if condition != nil {
		conds, err := parseCondition(condition, member(path, "Condition"), vars)
		if err != nil {
			return err
		}
		s.conds = conds
	}
	return nil
}

// parseActions compiles Action or NotAction: "*" or service:pattern, matched
// case-insensitively with * and ? wildcards.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func (s *statement) parseActions(n *jnode, path string) error {
	list, err := stringList(n, path)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a != "*" {
			vendor, name, ok := strings.Cut(a, ":")
			if !ok || !isName(vendor, "-*?") || !isName(name, "-_.*?") {
				return malformed(path, "action %q must be \"*\" or prefaced by a service, as in codeartifact:ReadFromRepository", a)
			}
		}
		p, _ := compilePattern(a, patternOpts{wild: true, fold: true})
		s.actions = append(s.actions, p)
	}
	return nil
}

// parseResources compiles Resource or NotResource: "*" or an ARN with *
// and ? wildcards, matched case-sensitively against the whole ARN, so a *
// may span colons. Policy variables are read when vars is set.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func (s *statement) parseResources(n *jnode, path string, vars bool) error {
	list, err := stringList(n, path)
	if err != nil {
		return err
	}
	for _, r := range list {
		// An ARN has six colon-separated parts; a * ending a shorter one
		// stands for the rest.
		if r != "*" && (!strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5 && !strings.HasSuffix(r, "*")) {
			return malformed(path, "resource %q must be an ARN (arn:partition:service:region:account:resource) or \"*\"", r)
		}
		p, err := compilePattern(r, patternOpts{wild: true, vars: vars})
		if err != nil {
			return malformed(path, "%v", err)
		}
		s.resources = append(s.resources, p)
	}
	return nil
}

// stringList reads a string or a non-empty array of strings.
func stringList(n *jnode, path string) ([]string, error) {
	switch n.kind {
	case jString:
		return []string{n.str}, nil
	case jArray:
		if len(n.elems) == 0 {
			return nil, malformed(path, "must not be an empty array")
		}
		out := make([]string, len(n.elems))
		for i, e := range n.elems {
			if e.kind != jString {
				return nil, malformed(index(path, i), "must be a string, not %s", e.describe())
			}
			out[i] = e.str
		}
		return out, nil
	}
	return nil, malformed(path, "must be a string or an array of strings, not %s", n.describe())
}

// Kind says where a policy is attached, which decides the elements its
// statements need.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html
type Kind int

// The kinds
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html).
// An IdentityPolicy is attached to a user, group or role: its
// principal is implied, so a statement must not name one, and it must name
// the resources it covers. A ResourcePolicy (a CodeArtifact domain or
// repository policy) is attached to a resource: its resource is implied,
// so Resource may be left out or be "*", and every statement must name who
// it applies to with Principal or NotPrincipal.
const (
	IdentityPolicy Kind = iota
	ResourcePolicy
)

// String returns the kind's Go name, for messages and logs.
func (k Kind) String() string {
	switch k {
	case IdentityPolicy:
		return "IdentityPolicy"
	case ResourcePolicy:
		return "ResourcePolicy"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Validate checks what a policy of kind k needs beyond what Parse checks,
// and returns an errkind.Validation error naming the first statement that
// breaks it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html
func (p *Policy) Validate(k Kind) error {
	for i := range p.stmts {
		s := &p.stmts[i]
		path := "Statement[" + strconv.Itoa(i) + "]"
		switch k {
		case IdentityPolicy:
			if s.principalMode != noPrincipal {
				return malformed(path, "an identity policy must not specify a Principal or NotPrincipal; its principal is the identity it is attached to")
			}
			if !s.hasResource {
				return malformed(path, "missing required element Resource or NotResource")
			}
		case ResourcePolicy:
			if s.principalMode == noPrincipal {
				return malformed(path, "missing required element Principal or NotPrincipal; a resource policy must say whom each statement applies to")
			}
		default:
			return errkind.Validationf("policy: unknown policy kind %d", int(k))
		}
	}
	return nil
}
