// Package arn builds and parses the Amazon Resource Names of CodeArtifact
// resources, as the User Guide defines them:
//
//	arn:aws:codeartifact:REGION:ACCOUNT:domain/DOMAIN
//	arn:aws:codeartifact:REGION:ACCOUNT:repository/DOMAIN/REPOSITORY
//	arn:aws:codeartifact:REGION:ACCOUNT:package/DOMAIN/REPOSITORY/FORMAT/NAMESPACE/NAME
//	arn:aws:codeartifact:REGION:ACCOUNT:package-group/DOMAIN/ENCODED-DEFINITION
//
// A package group's definition follows the domain percent-encoded, its
// slashes kept: /npm/space/* becomes package-group/DOMAIN/npm/space/%2a.
// A package without a namespace has an empty NAMESPACE segment (".../npm//react").
// The account is always the domain owner's.
package arn

import (
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// Partition is the only partition Arca serves.
const Partition = "aws"

// Service is the service segment of every CodeArtifact ARN.
const Service = "codeartifact"

// Resource kinds, as they appear in ARNs and in error bodies.
const (
	KindDomain       = "domain"
	KindRepository   = "repository"
	KindPackage      = "package"
	KindPackageGroup = "package-group"
)

// ARN is a parsed CodeArtifact ARN.
type ARN struct {
	Region       string
	Account      string
	Kind         string // KindDomain, KindRepository or KindPackage
	Domain       string
	Repository   string // repositories and packages
	Format       string // packages
	Namespace    string // packages; "" when the package has none
	Package      string // packages
	PackageGroup string // package groups: the definition, decoded
}

// Domain returns the ARN of a domain.
func Domain(region, owner, domain string) string {
	return "arn:" + Partition + ":" + Service + ":" + region + ":" + owner + ":domain/" + domain
}

// Repository returns the ARN of a repository.
func Repository(region, owner, domain, repo string) string {
	return "arn:" + Partition + ":" + Service + ":" + region + ":" + owner + ":repository/" + domain + "/" + repo
}

// Package returns the ARN of a package.
func Package(region, owner, domain, repo, format, namespace, name string) string {
	return "arn:" + Partition + ":" + Service + ":" + region + ":" + owner + ":package/" +
		domain + "/" + repo + "/" + format + "/" + namespace + "/" + name
}

// PackageGroup returns the ARN of a package group.
func PackageGroup(region, owner, domain, definition string) string {
	return "arn:" + Partition + ":" + Service + ":" + region + ":" + owner + ":package-group/" + domain + EncodeDefinition(definition)
}

// EncodeDefinition percent-encodes a package group definition for its
// ARN: every byte but letters, digits, '-', '.', '_', '~' and '/' becomes
// %xx (lower-case hex, as CodeArtifact writes "/npm/%2a").
func EncodeDefinition(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// String returns the canonical text of a.
func (a ARN) String() string {
	switch a.Kind {
	case KindDomain:
		return Domain(a.Region, a.Account, a.Domain)
	case KindRepository:
		return Repository(a.Region, a.Account, a.Domain, a.Repository)
	case KindPackageGroup:
		return PackageGroup(a.Region, a.Account, a.Domain, a.PackageGroup)
	default:
		return Package(a.Region, a.Account, a.Domain, a.Repository, a.Format, a.Namespace, a.Package)
	}
}

// Parse parses the ARN of a domain, repository, package or package group. Anything else is
// a Validation error.
func Parse(s string) (ARN, error) {
	bad := func() (ARN, error) { return ARN{}, errkind.Validationf("Invalid ARN: %s", s) }
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != Partition || parts[2] != Service || parts[3] == "" || !IsAccountID(parts[4]) {
		return bad()
	}
	a := ARN{Region: parts[3], Account: parts[4]}
	kind, rest, ok := strings.Cut(parts[5], "/")
	if !ok {
		return bad()
	}
	if kind == KindPackageGroup {
		domain, def, ok := strings.Cut(rest, "/")
		decoded, err := url.PathUnescape("/" + def)
		if !ok || domain == "" || err != nil {
			return bad()
		}
		a.Kind, a.Domain, a.PackageGroup = kind, domain, decoded
		return a, nil
	}
	segs := strings.Split(rest, "/")
	switch kind {
	case KindDomain:
		if len(segs) != 1 || segs[0] == "" {
			return bad()
		}
		a.Kind, a.Domain = kind, segs[0]
	case KindRepository:
		if len(segs) != 2 || segs[0] == "" || segs[1] == "" {
			return bad()
		}
		a.Kind, a.Domain, a.Repository = kind, segs[0], segs[1]
	case KindPackage:
		if len(segs) != 5 || segs[0] == "" || segs[1] == "" || segs[2] == "" || segs[4] == "" {
			return bad()
		}
		a.Kind, a.Domain, a.Repository, a.Format, a.Namespace, a.Package = kind, segs[0], segs[1], segs[2], segs[3], segs[4]
	default:
		return bad()
	}
	return a, nil
}

// IsAccountID reports whether s is a 12-digit account id.
func IsAccountID(s string) bool {
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

// AccountRoot returns the ARN of an account's root principal.
func AccountRoot(account string) string {
	return "arn:" + Partition + ":iam::" + account + ":root"
}
