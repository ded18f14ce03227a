package policy

import (
	"slices"
	"strings"
)

// principalMode says which of Principal and NotPrincipal a statement has.
type principalMode uint8

const (
	noPrincipal principalMode = iota
	principalListed
	notPrincipalListed
)

// principals is a compiled Principal or NotPrincipal element. Account ids
// and account root ARNs are both kept as the bare account id.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
type principals struct {
	any       bool // "*" or {"AWS": "*"}
	accounts  []string
	arns      []string // IAM users and roles, assumed-role sessions, federated users
	services  []string
	federated []string
}

// parsePrincipal reads "*" or an object of principal types.
func parsePrincipal(n *jnode, path string) (principals, error) {
	var ps principals
	switch n.kind {
	case jString:
		if n.str != "*" {
			return ps, malformed(path, `must be "*" or an object such as {"AWS": "123456789012"}, not %s`, n.describe())
		}
		ps.any = true
		return ps, nil
	case jObject:
	default:
		return ps, malformed(path, `must be "*" or an object such as {"AWS": "123456789012"}, not %s`, n.describe())
	}
	if len(n.keys) == 0 {
		return ps, malformed(path, "names no principal")
	}
	for i, typ := range n.keys {
		p := member(path, typ)
		list, err := stringList(n.vals[i], p)
		if err != nil {
			return ps, err
		}
		for j, v := range list {
			vp := p
			if n.vals[i].kind == jArray {
				vp = index(p, j)
			}
			switch typ {
			case "AWS":
				err = ps.addAWS(v, vp)
			case "Service":
				err = checkPrincipalName(v, vp, "service principal such as codebuild.amazonaws.com")
				ps.services = append(ps.services, v)
			case "Federated":
				err = checkPrincipalName(v, vp, "identity provider such as cognito-identity.amazonaws.com or a saml-provider ARN")
				ps.federated = append(ps.federated, v)
			case "CanonicalUser":
				err = malformed(p, "CanonicalUser principals (Amazon S3 only) are not supported")
			default:
				err = malformed(p, `unknown principal type %q (want "AWS", "Service" or "Federated")`, typ)
			}
			if err != nil {
				return ps, err
			}
		}
	}
	return ps, nil
}

// addAWS adds one value of an "AWS" principal: "*", an account id, or the
// ARN of an account root, IAM user, IAM role, assumed-role session or
// federated user. IAM allows no wildcard inside a principal.
func (ps *principals) addAWS(v, path string) error {
	if v == "*" {
		ps.any = true
		return nil
	}
	if isAccountID(v) {
		ps.accounts = append(ps.accounts, v)
		return nil
	}
	acct, kind, ok := splitPrincipalARN(v)
	if !ok {
		return malformed(path, "invalid principal %q: want \"*\", a 12-digit account id, or the ARN of an account root, IAM user, IAM role or assumed-role session (no wildcards or variables)", v)
	}
	if kind == "root" {
		ps.accounts = append(ps.accounts, acct)
	} else {
		ps.arns = append(ps.arns, v)
	}
	return nil
}

// splitPrincipalARN checks an IAM or STS principal ARN and returns its
// account and resource type.
func splitPrincipalARN(v string) (account, kind string, ok bool) {
	if strings.ContainsAny(v, "*?${} \t\n") { // no wildcards, no policy variables
		return "", "", false
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !isPartition(parts[1]) || parts[3] != "" || !isAccountID(parts[4]) {
		return "", "", false
	}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" {
			return parts[4], "root", true
		}
		for _, k := range []string{"user/", "role/"} {
			if name, found := strings.CutPrefix(res, k); found && name != "" && !strings.HasSuffix(name, "/") {
				return parts[4], strings.TrimSuffix(k, "/"), true
			}
		}
	case "sts":
		if rest, found := strings.CutPrefix(res, "assumed-role/"); found {
			role, session, two := strings.Cut(rest, "/")
			if two && role != "" && session != "" && !strings.Contains(session, "/") {
				return parts[4], "assumed-role", true
			}
		}
		if name, found := strings.CutPrefix(res, "federated-user/"); found && name != "" {
			return parts[4], "federated-user", true
		}
	}
	return "", "", false
}

func checkPrincipalName(v, path, want string) error {
	if v == "" || strings.ContainsAny(v, "*?${} \t\n") {
		return malformed(path, "invalid principal %q: want a %s (no wildcards or variables)", v, want)
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isPartition(s string) bool {
	if !strings.HasPrefix(s, "aws") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// The caller is a chain of identities: its account, then its IAM user, or
// its role and then the role session (or else a service or identity
// provider alone). IAM checks a Principal or NotPrincipal element against
// each identity in the chain, which gives the two rules below.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html

// matches reports whether a Principal element names the caller: any
// identity in the chain is listed, so an account names every principal in
// it and a role names each of its sessions.
func (ps *principals) matches(p *Principal) bool {
	if ps.any {
		return true
	}
	if a := p.account(); a != "" && slices.Contains(ps.accounts, a) {
		return true
	}
	return p.ARN != "" && slices.Contains(ps.arns, p.ARN) ||
		p.RoleARN != "" && slices.Contains(ps.arns, p.RoleARN) ||
		p.Service != "" && slices.Contains(ps.services, p.Service) ||
		p.Federated != "" && slices.Contains(ps.federated, p.Federated)
}

// excludes reports whether a NotPrincipal element exempts the caller from
// its statement: every identity in the chain is listed. Listing a user
// without its account, or a session without its role and account, does not
// exempt it, as in IAM. An anonymous caller is exempt only by "*".
func (ps *principals) excludes(p *Principal) bool {
	if ps.any {
		return true
	}
	n := 0
	if a := p.account(); a != "" {
		if !slices.Contains(ps.accounts, a) {
			return false
		}
		n++
	}
	if p.ARN != "" && !isRootARN(p.ARN) {
		if !slices.Contains(ps.arns, p.ARN) {
			return false
		}
		n++
	}
	for _, id := range [...]struct {
		v    string
		list []string
	}{{p.RoleARN, ps.arns}, {p.Service, ps.services}, {p.Federated, ps.federated}} {
		if id.v != "" {
			if !slices.Contains(id.list, id.v) {
				return false
			}
			n++
		}
	}
	return n > 0
}

// isRootARN reports whether arn names an account root, whose identity is
// the account itself.
func isRootARN(arn string) bool {
	return strings.HasSuffix(arn, ":root") && strings.Contains(arn, ":iam::")
}
