package identity

import (
	"strings"

	"github.com/arcahq/arca/internal/arn"
)

// The ARNs of IAM and STS principals and resources
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).

// UserARN returns arn:aws:iam::ACCOUNT:user/PATH/NAME; path is "/" or
// "/a/b/".
func UserARN(account, path, name string) string {
	return "arn:" + arn.Partition + ":iam::" + account + ":user" + path + name
}

// RoleARN returns arn:aws:iam::ACCOUNT:role/PATH/NAME.
func RoleARN(account, path, name string) string {
	return "arn:" + arn.Partition + ":iam::" + account + ":role" + path + name
}

// SessionARN returns the ARN of a role session,
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (the role's path is not
// part of it).
func SessionARN(account, role, session string) string {
	return "arn:" + arn.Partition + ":sts::" + account + ":assumed-role/" + role + "/" + session
}

// ProviderARN returns arn:aws:iam::ACCOUNT:oidc-provider/URLKEY.
func ProviderARN(account, urlKey string) string {
	return "arn:" + arn.Partition + ":iam::" + account + ":oidc-provider/" + urlKey
}

// principalName is a parsed IAM or STS principal ARN.
type principalName struct {
	kind    Kind
	account string
	path    string // users and roles
	name    string // the user's or role's name
	session string // assumed roles
}

// parsePrincipalARN parses the ARN of an account root, an IAM user, an IAM
// role (kind "role") or a role session.
func parsePrincipalARN(s string) (principalName, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != arn.Partition || parts[3] != "" || !arn.IsAccountID(parts[4]) {
		return principalName{}, false
	}
	n := principalName{account: parts[4]}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" {
			n.kind = KindRoot
			return n, true
		}
		for _, k := range []Kind{KindUser, "role"} {
			rest, ok := strings.CutPrefix(res, string(k)+"/")
			if !ok {
				continue
			}
			i := strings.LastIndexByte(rest, '/')
			n.kind, n.path, n.name = k, "/"+rest[:i+1], rest[i+1:]
			return n, n.name != ""
		}
	case "sts":
		if rest, ok := strings.CutPrefix(res, "assumed-role/"); ok {
			role, session, ok := strings.Cut(rest, "/")
			if ok && role != "" && session != "" && !strings.Contains(session, "/") {
				n.kind, n.name, n.session = KindAssumedRole, role, session
				return n, true
			}
		}
	}
	return principalName{}, false
}
