package controlapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/auth"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/controlapi/model"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/events"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/metrics"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/throttle"
	"github.com/arcahq/arca/internal/token"
)

// Authorizer decides whether a principal may perform an action on a
// resource (package authz).
type Authorizer interface {
	Authorize(ctx context.Context, r authz.Request) error
}

// Resolver is what the package operations need of the upstream rules
// (package resolve): the publish guard, and where CopyPackageVersions
// finds versions.
type Resolver interface {
	// CheckPublish refuses (Conflict) a version reachable from repo in an
	// upstream repository or through an external connection.
	CheckPublish(ctx context.Context, repo store.Repository, ref artifact.PackageRef, version string) error
	// Publish checks the upstream rule again and records pub in repo.
	Publish(ctx context.Context, repo store.Repository, pub catalog.Publication) (store.Version, error)
	// CopySource looks versions up in src, and in its upstreams when
	// includeFromUpstream is set.
	CopySource(src store.Repository, ref artifact.PackageRef, includeFromUpstream bool) catalog.CopySource
	// Connected reports whether an external connection has a public
	// registry configured on this server (its status in descriptions).
	Connected(name string) bool
	// HeldVersions returns the versions of a package the release-age gate
	// holds back from repo, with why.
	HeldVersions(ctx context.Context, repo store.Repository, ref artifact.PackageRef) (map[string]pkggroup.Hold, error)
}

// Config is what the control plane needs to know about the server.
type Config struct {
	Region    string
	PublicURL string // the base URL clients use, without a trailing slash
	// Formats are the formats' rules (format.Registry).
	Formats Formats
	// Throttle bounds each client's requests in flight and each account's
	// rate of the operations CodeArtifact sets a quota for; nil is none.
	Throttle *throttle.Throttle
	// Events manages event subscriptions (package events).
	Events *events.Service
}

// Formats is what the control plane follows of each format's rules
// (format.Registry; format.Rules documents each method): names and
// versions as the format keys them, its version order, its namespace
// rule, its latest tag, whether PublishPackageVersion publishes it,
// which formats the server serves at all, and what package groups follow
// (pkggroup.Formats: which formats exist, their namespaces, names' normal
// form).
type Formats interface {
	pkggroup.Formats
	NormalizeVersion(f artifact.Format, v string) string
	CompareVersions(f artifact.Format, a, b string) int
	LatestTag(f artifact.Format) string
	PublishedByAPI(f artifact.Format) bool
	// Served returns, sorted, the formats whose packages the server
	// serves (by a repository endpoint, or by the control plane):
	// GetRepositoryEndpoint refuses the others, so that a client is not
	// configured for an endpoint that answers nothing.
	Served() []string
}

// API serves the control plane.
type API struct {
	cfg     Config
	model   *model.Model
	auth    *auth.Authenticator
	authz   Authorizer
	catalog *catalog.Catalog
	res     Resolver
	blobs   blob.Store
	tokens  *token.Tokens
	log     *slog.Logger
	now     func() time.Time
	routes  map[string]route
}

// handler serves one operation. in is the request with a verified body.
type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// route is one operation: its HTTP handler and, for an operation whose
// input and output are JSON, the same operation for a caller in the
// process (Invoke).
type route struct {
	serve  handler
	invoke func(ctx context.Context, c *call, in map[string]any) (any, error)
}

// call is one control-plane request in flight.
type call struct {
	op        *model.Operation
	principal identity.Principal
}

// New returns the control plane. res and blobs serve the package
// operations: the upstream rules, and the asset bytes.
func New(cfg Config, m *model.Model, a *auth.Authenticator, z Authorizer, cat *catalog.Catalog, res Resolver, blobs blob.Store, tokens *token.Tokens, log *slog.Logger, now func() time.Time) *API {
	api := &API{cfg: cfg, model: m, auth: a, authz: z, catalog: cat, res: res, blobs: blobs, tokens: tokens, log: log, now: now}
	api.routes = api.routeTable()
	return api
}

// ServeHTTP routes a control-plane request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := a.model.Route(r.Method, r.URL.Path)
	if !ok {
		metrics.From(r.Context()).Name(metrics.ControlPlane, "unknown")
		a.writeError(w, r, errkind.NotFoundf("No CodeArtifact operation is served at %s %s", r.Method, r.URL.Path).WithReason(unknownOperation))
		return
	}
	rec := audit.From(r.Context())
	rec.Call(audit.SourceCodeArtifact, op.Name) // Arca's own operations too: they are served here
	metrics.From(r.Context()).Name(metrics.ControlPlane, op.Name)
	client, _ := middleware.ClientFrom(r.Context())
	leave, err := a.cfg.Throttle.EnterAddress(client.IP)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	defer leave()
	// Bodies are read whole, but for a streaming payload (an asset), which
	// the handler streams to the blob store and bounds there.
	maxBody := int64(auth.MaxBufferedBody)
	if streamingPayload(a.model.Input(op), a.model) != "" {
		maxBody = auth.StreamedBody
	}
	r, p, err := a.auth.SigV4(r, maxBody, "codeartifact")
	rec.SetPrincipal(p)
	if err != nil {
		if terr := a.cfg.Throttle.Anonymous(client.IP); terr != nil {
			err = terr
		}
		a.writeError(w, r, err)
		return
	}
	if err := a.cfg.Throttle.Operation(p.Account, op.Name); err != nil {
		a.writeError(w, r, err)
		return
	}
	leavePrincipal, err := a.cfg.Throttle.EnterPrincipal(p.ARN)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	defer leavePrincipal()
	// Every operation of the model has a handler (TestEveryOperationIsServed).
	if err := a.routes[op.Name].serve(w, r, &call{op: op, principal: p}); err != nil {
		a.writeError(w, r, err)
	}
}

// Invoke runs a JSON operation for a principal authenticated by other
// means (the web console's session) and decodes its output into out: the
// input is validated against the model as a request's is, and the
// operation authorizes the principal exactly as it does over HTTP. The
// request's audit record names the operation, its parameters and the
// principal; when one request invokes several operations (a console page
// reads several), the first names the event.
func (a *API) Invoke(ctx context.Context, p identity.Principal, name string, in map[string]any, out any) error {
	op, ok := a.model.Operations[name]
	rt := a.routes[name]
	if !ok || rt.invoke == nil {
		return fmt.Errorf("controlapi: %s cannot be invoked", name)
	}
	if rec := audit.From(ctx); !rec.Named() {
		rec.Call(audit.SourceCodeArtifact, name)
		rec.Params(in)
	}
	audit.From(ctx).SetPrincipal(p)
	res, err := rt.invoke(ctx, &call{op: op, principal: p}, in)
	if err != nil || out == nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// ServeAs serves a streaming operation (GetPackageVersionAsset) whose
// input is r's query string, for a principal authenticated by other
// means. It returns the operation's error without writing it, so the
// caller renders it in its own way.
func (a *API) ServeAs(w http.ResponseWriter, r *http.Request, p identity.Principal, name string) error {
	op, ok := a.model.Operations[name]
	if !ok {
		return fmt.Errorf("controlapi: no operation %s", name)
	}
	rec := audit.From(r.Context())
	if !rec.Named() {
		rec.Call(audit.SourceCodeArtifact, name)
	}
	rec.SetPrincipal(p)
	return a.routes[name].serve(w, r, &call{op: op, principal: p})
}

// jsonOp adapts a typed operation to a handler: bind and validate the
// input, run fn, write the output as JSON.
func jsonOp[In, Out any](a *API, fn func(ctx context.Context, c *call, in *In) (*Out, error)) route {
	serve := func(w http.ResponseWriter, r *http.Request, c *call) error {
		var in In
		if err := a.bind(c.op, r, &in); err != nil {
			return err
		}
		out, err := fn(r.Context(), c, &in)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, out)
	}
	invoke := func(ctx context.Context, c *call, raw map[string]any) (any, error) {
		var in In
		if err := a.decodeInput(c.op, raw, &in); err != nil {
			return nil, err
		}
		return fn(ctx, c, &in)
	}
	return route{serve: serve, invoke: invoke}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// authorize checks the caller's permission for action on resourceARN.
func (a *API) authorize(ctx context.Context, c *call, action, resourceARN string) error {
	return a.check(ctx, c, authz.Request{Action: action, Resource: resourceARN})
}

// check authorizes a request with condition keys of its own (tags, token
// lifetimes) for the caller.
func (a *API) check(ctx context.Context, c *call, r authz.Request) error {
	r.Principal = c.principal
	return a.authz.Authorize(ctx, r)
}

// owner returns the domain owner a request names, defaulting to the
// caller's own account as CodeArtifact does.
func (c *call) owner(domainOwner string) string {
	if domainOwner != "" {
		return domainOwner
	}
	return c.principal.Account
}
