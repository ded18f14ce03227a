package audit

import (
	"context"
	"unicode"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/identity"
)

// Event sources, as CloudTrail names the services.
const (
	SourceCodeArtifact = "codeartifact.amazonaws.com"
	SourceIAM          = "iam.amazonaws.com"
	SourceSTS          = "sts.amazonaws.com"
	// SourceSignIn is the source of the web console's sign-ins
	// (ConsoleLogin).
	SourceSignIn = "signin.amazonaws.com"
)

// Record is what one request's handlers learned for its audit event. The
// zero Record is empty; a nil *Record (no audit log configured) ignores
// every call, so handlers fill it without checking. A Record is filled by
// the request's own goroutine.
type Record struct {
	source    string
	operation string // the API operation; "" for a package request
	pkg       bool   // a package request
	// action and resource are the last permission checked for the
	// request: a package request's event is named by it.
	action, resource string

	principal    identity.Principal
	hasPrincipal bool
	webIdentity  *webIdentity
	tokenID      [16]byte // zero: no token
	// target is what a package request's path named. It becomes
	// requestParameters only when the event is built: most package
	// requests are reads whose events are not written, and they should
	// not pay for parameters nobody reads.
	target Package

	params   map[string]any
	response any
	extra    map[string]any

	errCode, errMessage string
}

type webIdentity struct{ provider, subject, audience string }

type ctxKey struct{}

// From returns the request's record, or nil when the request is not
// audited.
func From(ctx context.Context) *Record {
	r, _ := ctx.Value(ctxKey{}).(*Record)
	return r
}

// WithRecord returns ctx carrying rec (Wrap does this; tests may too).
func WithRecord(ctx context.Context, rec *Record) context.Context {
	return context.WithValue(ctx, ctxKey{}, rec)
}

// Call names the request's service (SourceCodeArtifact, SourceIAM,
// SourceSTS) and operation.
func (r *Record) Call(source, operation string) {
	if r == nil {
		return
	}
	r.source, r.operation, r.pkg = source, operation, false
}

// Package is what a package request's path names: its event's
// requestParameters (domainName, domainOwner, repositoryName,
// packageFormat, packageNamespace, packageName, packageVersion; empty
// ones left out).
type Package struct {
	Domain, DomainOwner, Repository, Format string
	Namespace, Name, Version                string
}

// PackageRequest marks the request as a package manager's, for the
// package p: its event is named by the permission it needed,
// ReadFromRepository until a write permission is checked.
func (r *Record) PackageRequest(p Package) {
	if r == nil {
		return
	}
	r.source, r.operation, r.pkg = SourceCodeArtifact, "", true
	r.target = p
}

// targetParams adds the package request's target to its parameters,
// where a handler did not record them itself.
func (r *Record) targetParams() {
	t := r.target
	for _, p := range [...]struct{ name, v string }{
		{"domainName", t.Domain}, {"domainOwner", t.DomainOwner}, {"repositoryName", t.Repository},
		{"packageFormat", t.Format}, {"packageNamespace", t.Namespace}, {"packageName", t.Name},
		{"packageVersion", t.Version},
	} {
		if !r.HasParam(p.name) {
			r.Param(p.name, p.v)
		}
	}
}

// Named reports whether the request's operation is known.
func (r *Record) Named() bool { return r != nil && (r.operation != "" || r.pkg) }

// SetPrincipal records the caller. A principal with more detail (its
// kind, its access key) replaces one with less: a token names its
// principal by ARN only, and the authorizer may see it resolved.
func (r *Record) SetPrincipal(p identity.Principal) {
	if r == nil || p.ARN == "" {
		return
	}
	if r.hasPrincipal && detail(p) < detail(r.principal) {
		return
	}
	r.principal, r.hasPrincipal = p, true
}

func detail(p identity.Principal) int {
	n := 0
	if p.Kind != "" {
		n += 2
	}
	if p.AccessKeyID != "" {
		n++
	}
	return n
}

// SetToken records the authorization token a package request carried: its
// id (never the token; written as 32 hex digits) and the principal it
// names.
func (r *Record) SetToken(id [16]byte, account, principalARN string) {
	if r == nil {
		return
	}
	r.tokenID = id
	r.SetPrincipal(identity.Principal{Account: account, ARN: principalARN})
}

// SetWebIdentity records the identity of an AssumeRoleWithWebIdentity
// caller, which signs nothing: the provider and the token's subject and
// audience (never the token).
func (r *Record) SetWebIdentity(provider, subject, audience string) {
	if r == nil {
		return
	}
	r.webIdentity = &webIdentity{provider, subject, audience}
}

// Authorizing records a permission checked for the request.
func (r *Record) Authorizing(p identity.Principal, action, resourceARN string) {
	if r == nil {
		return
	}
	r.SetPrincipal(p)
	r.action, r.resource = action, resourceARN
}

// Param records one request parameter, unless its name says it holds a
// secret or v is empty.
func (r *Record) Param(name string, v any) {
	if r == nil || Secret(name) || v == nil || v == "" {
		return
	}
	if r.params == nil {
		r.params = make(map[string]any, 8) // a package request's target is seven
	}
	r.params[name] = v
}

// Params records request parameters, as Param does each.
func (r *Record) Params(m map[string]any) {
	for k, v := range m {
		r.Param(k, v)
	}
}

// HasParam reports whether the parameter was recorded.
func (r *Record) HasParam(name string) bool {
	if r == nil {
		return false
	}
	_, ok := r.params[name]
	return ok
}

// Response records the event's responseElements. Callers pass only what
// may be shown: ids, names, times, never credentials or tokens.
func (r *Record) Response(v any) {
	if r == nil {
		return
	}
	r.response = v
}

// Extra records one additionalEventData field.
func (r *Record) Extra(name string, v any) {
	if r == nil || Secret(name) {
		return
	}
	if r.extra == nil {
		r.extra = map[string]any{}
	}
	r.extra[name] = v
}

// Fail records the error the request ended with: the code the client saw
// (an AWS error type or code) and its message.
func (r *Record) Fail(code, message string) {
	if r == nil {
		return
	}
	r.errCode, r.errMessage = code, message
}

// read reports whether the request is a package manager's read that
// succeeded: a data event, recorded only when DataEvents selects its
// repository. Package writes, and requests that failed (a denial, a
// missing package), are always recorded.
func (r *Record) read() bool {
	return r.pkg && r.errCode == "" && (r.action == "" || r.action == "codeartifact:ReadFromRepository")
}

// repository returns the domain and repository a package request named.
func (r *Record) repository() (domain, repository string) {
	return r.target.Domain, r.target.Repository
}

// claimed reports whether a surface claimed the request.
func (r *Record) claimed() bool { return r.source != "" }

// stranger reports whether the request failed without naming any caller:
// its event is counted into a summary (Log.Refused), not written alone.
func (r *Record) stranger() bool {
	return !r.hasPrincipal && r.webIdentity == nil && r.errCode != ""
}

// secretWords are the parts of parameter names that hold secrets: a
// parameter so named is never recorded, whatever the operation.
var secretWords = []string{"token", "secret", "password", "credential", "authorization", "signature"}

// Secret reports whether a parameter of that name may hold a secret. It
// runs for every parameter of every request, so it folds case as it
// compares rather than lowering a copy of the name.
func Secret(name string) bool {
	for _, w := range secretWords {
		if containsFold(name, w) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lowercase ASCII word w,
// ignoring the case of ASCII letters in s.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) && s[i+j]|0x20 == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// LowerFirst turns a query-protocol parameter name (UserName,
// PolicyDocument) into CloudTrail's (userName, policyDocument).
func LowerFirst(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsLower(c) {
		return s
	}
	return string(unicode.ToLower(c)) + s[n:]
}
