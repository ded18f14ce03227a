// Package endpoint serves repository endpoints, the URLs package managers
// talk to:
//
//	{public-url}/{domain}-{owner}/{format}/{repository}/...
//
// It authenticates the authorization token (Bearer, Basic aws:TOKEN, or the
// bare token cargo sends), checks that the token belongs to the domain in
// the path, finds the repository, finds the token's principal as it is now
// (a deleted user or role is refused), checks ReadFromRepository on the
// repository for reads (the format checks its writes), and hands the rest
// of the path to the format. Every request is decided with the policies
// as they are at that moment: a token carries no permissions of its own. A request without valid credentials gets
// 401 with the format's WWW-Authenticate challenge, because Maven and NuGet
// send credentials only after one.
//
// Requests are bounded per client (package throttle): in flight per
// address before authentication and per principal after it, and
// CodeArtifact's quotas per token, per account and repository (reads and
// writes apart), and per address for requests without a valid token. A
// refusal is a Throttled error with Retry-After, in the format's shape.
//
// Each format renders its own errors: the endpoint never writes a body of
// its own after the format is known.
package endpoint

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/metrics"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/throttle"
	"github.com/arcahq/arca/internal/token"
)

// Format is one package format's surface on a repository endpoint.
type Format interface {
	// Challenge returns the WWW-Authenticate value sent with a 401.
	Challenge(req *Request) string
	// Serve answers an authenticated, authorized request.
	Serve(w http.ResponseWriter, r *http.Request, req *Request) error
	// WriteError renders err in the format's own error shape.
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// Request is what the endpoint knows about a package-manager request.
type Request struct {
	Domain     catalog.DomainRef
	Format     string
	Repository store.Repository // set once authenticated
	Claims     token.Claims     // set once authenticated
	// Principal is the principal the token names, as it is now; set once
	// authenticated.
	Principal identity.Principal
	// Rest is the path after "/{domain}-{owner}/{format}/{repository}/",
	// still escaped as sent (npm scopes arrive as @scope%2fname).
	Rest string
	// BaseURL is the repository endpoint's public URL, ending in "/".
	BaseURL string
	// Parsed is what the format made of Rest, kept by Describe (which
	// runs first, for the audit record) so that Serve need not parse the
	// path again; nil until then.
	Parsed any
}

// Catalog is what the endpoint needs from the catalog.
type Catalog interface {
	Repository(ctx context.Context, ref catalog.RepositoryRef) (store.Repository, error)
}

// Authorizer decides whether a principal may act on a resource (package
// authz), and finds the principal a token names as it is now.
type Authorizer interface {
	Authorize(ctx context.Context, r authz.Request) error
	// Active returns the principal an ARN names if it still exists (an
	// Unauthenticated error otherwise): a token acts for its principal
	// only while the principal does.
	Active(ctx context.Context, principalARN string) (identity.Principal, error)
}

// Tokens verifies the authorization token of a request (auth.Authenticator).
type Tokens interface {
	Token(r *http.Request) (token.Claims, error)
}

// Handler serves all repository endpoints.
type Handler struct {
	publicURL string
	region    string
	auth      Tokens
	authz     Authorizer
	catalog   Catalog
	formats   map[string]Format
	throttle  *throttle.Throttle
	// baseURLs and repoARNs keep each repository's base URL and ARN.
	baseURLs, repoARNs memo
}

// New returns a Handler dispatching to formats by name. t bounds each
// client's requests (nil: no bound).
func New(publicURL, region string, a Tokens, z Authorizer, cat Catalog, formats map[string]Format, t *throttle.Throttle) *Handler {
	return &Handler{publicURL: publicURL, region: region, auth: a, authz: z, catalog: cat, formats: formats, throttle: t}
}

// ServeHTTP parses the endpoint path and serves the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, ok := h.parse(r.URL.EscapedPath())
	if !ok {
		http.NotFound(w, r)
		return
	}
	f := h.formats[req.Format]
	h.record(r, req, f)
	metrics.From(r.Context()).Package(req.Format)
	client, _ := middleware.ClientFrom(r.Context())
	leave, err := h.throttle.EnterAddress(client.IP)
	if err != nil {
		h.writeError(w, r, f, err)
		return
	}
	defer leave()
	if err := h.authenticate(r, req); err != nil {
		if errors.Is(err, errkind.ErrUnauthenticated) {
			if terr := h.throttle.Anonymous(client.IP); terr != nil {
				err = terr
			} else {
				w.Header().Set("WWW-Authenticate", f.Challenge(req))
			}
		}
		h.writeError(w, r, f, err)
		return
	}
	leavePrincipal, err := h.admit(r, req)
	if err != nil {
		h.writeError(w, r, f, err)
		return
	}
	defer leavePrincipal()
	if err := f.Serve(w, r, req); err != nil {
		h.writeError(w, r, f, err)
	}
}

// admit applies CodeArtifact's quotas to an authenticated request (per
// token; per account on the repository, reads and writes apart) and holds
// one of its principal's in-flight slots until release.
func (h *Handler) admit(r *http.Request, req *Request) (release func(), err error) {
	if err := h.throttle.Token(req.Claims.ID[:]); err != nil {
		return nil, err
	}
	if err := h.throttle.Repository(req.Principal.Account, strconv.FormatInt(req.Repository.ID, 10), !readOnly(r.Method)); err != nil {
		return nil, err
	}
	return h.throttle.EnterPrincipal(req.Principal.ARN)
}

// parse splits "/{domain}-{owner}/{format}/{repository}/{rest}". The domain
// may itself contain hyphens; the owner is the 12 digits after the last.
func (h *Handler) parse(path string) (*Request, bool) {
	path = strings.TrimPrefix(path, "/")
	domain, path, ok1 := strings.Cut(path, "/")
	format, path, ok2 := strings.Cut(path, "/")
	repository, rest, hasRest := strings.Cut(path, "/")
	if !ok1 || !ok2 {
		return nil, false
	}
	i := strings.LastIndexByte(domain, '-')
	if i < 1 || !arn.IsAccountID(domain[i+1:]) {
		return nil, false
	}
	if _, ok := h.formats[format]; !ok || repository == "" {
		return nil, false
	}
	req := &Request{
		Domain: catalog.DomainRef{Owner: domain[i+1:], Name: domain[:i]},
		Format: format,
	}
	req.BaseURL = h.baseURLs.get(domain, format, repository, h.baseURL)
	if hasRest {
		req.Rest = rest
	}
	// The repository name is matched literally; names never need escaping.
	req.Repository.Name = repository
	return req, true
}

// baseURL is the public URL of the repository endpoint a path names by
// its first three segments, as sent.
func (h *Handler) baseURL(domain, format, repository string) string {
	return h.publicURL + "/" + domain + "/" + format + "/" + repository + "/"
}

// repositoryARN is arn.Repository in the Handler's region.
func (h *Handler) repositoryARN(owner, domain, repository string) string {
	return arn.Repository(h.region, owner, domain, repository)
}

// authenticate checks the token, the domain it is for, the repository and
// the caller's read permission, filling req.
func (h *Handler) authenticate(r *http.Request, req *Request) error {
	claims, err := h.auth.Token(r)
	if err != nil {
		return err
	}
	if claims.DomainOwner != req.Domain.Owner || claims.Domain != req.Domain.Name {
		return errkind.Unauthf("The authorization token is for domain %s owned by %s, not for this repository's domain.", claims.Domain, claims.DomainOwner)
	}
	repo, err := h.catalog.Repository(r.Context(), catalog.RepositoryRef{DomainRef: req.Domain, Name: req.Repository.Name})
	if err != nil {
		if e := errkind.As(err); e.Kind == errkind.NotFound && e.ResourceType == "domain" {
			// The token's domain was deleted: the client must log in again.
			return errkind.Unauthf("The authorization token is for a domain that no longer exists.")
		}
		return err
	}
	if repo.DomainID != claims.DomainID {
		// The domain was deleted and created again since the token was minted.
		return errkind.Unauthf("The authorization token is for a domain that no longer exists.")
	}
	// The token acts with its principal's permissions as they are now:
	// a deleted user or role, or a policy that now denies, stops it here.
	p, err := h.authz.Active(r.Context(), claims.Principal)
	if err != nil {
		return err
	}
	if claims.IssuedAt.Before(p.Since.Truncate(time.Millisecond)) {
		// Issued to a user or role of the same name that was deleted.
		return errkind.Unauthf("The authorization token was issued to a principal that no longer exists.")
	}
	if readOnly(r.Method) {
		repoARN := h.repoARNs.get(repo.DomainOwner, repo.DomainName, repo.Name, h.repositoryARN)
		if err := h.authz.Authorize(r.Context(), authz.Request{Principal: p, Action: actionRead, Resource: repoARN}); err != nil {
			return err
		}
	}
	req.Repository, req.Claims, req.Principal = repo, claims, p
	return nil
}

// actionRead is the permission every read on a repository endpoint needs.
const actionRead = "codeartifact:ReadFromRepository"

// readOnly reports whether a request of this method reads. Reads need
// ReadFromRepository on the repository; the format authorizes writes on
// the package they write (PublishPackageVersion, PutPackageMetadata), so
// that a principal allowed to publish one package needs nothing else
// (User Guide, "Publishing permissions": npm and Python publishing need
// only PublishPackageVersion). A format that serves a read on another
// method checks ReadFromRepository itself.
func readOnly(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}
