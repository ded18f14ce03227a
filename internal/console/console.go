package console

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/metrics"
	"github.com/arcahq/arca/internal/middleware"
)

// Directory is what the console needs of IAM (package identity): checking
// passwords and root keys, changing a password, and whether a session's
// principal still exists.
type Directory interface {
	SignIn(ctx context.Context, account, userName, password string) (identity.Principal, bool, error)
	SignInRoot(ctx context.Context, accessKeyID, secret string) (identity.Principal, error)
	ChangePassword(ctx context.Context, caller identity.Principal, oldPassword, newPassword string) error
	Active(ctx context.Context, principalARN string) (identity.Principal, error)
}

// ControlPlane runs CodeArtifact's operations (and Arca's own) for a
// principal, authorized as over HTTP (package controlapi).
type ControlPlane interface {
	Invoke(ctx context.Context, p identity.Principal, op string, in map[string]any, out any) error
	ServeAs(w http.ResponseWriter, r *http.Request, p identity.Principal, op string) error
}

// Authorizer decides the permissions the console checks itself (the audit
// log's cloudtrail:LookupEvents).
type Authorizer interface {
	Authorize(ctx context.Context, r authz.Request) error
}

// Config is what the console knows of the server.
type Config struct {
	// PublicURL is the server's URL as clients use it, without a trailing
	// slash, for the connection instructions.
	PublicURL string
	Region    string
	// AuditLog is the audit log's file, "" when there is none.
	AuditLog string
	// IdleTimeout and MaxLifetime end sessions; zero takes the defaults.
	IdleTimeout time.Duration
	MaxLifetime time.Duration
}

// Session lifetimes by default: AWS's console signs out after 12 hours.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxLifetime = 12 * time.Hour
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Console serves /console/.
type Console struct {
	cfg      Config
	dir      Directory
	control  ControlPlane
	authz    Authorizer
	log      *slog.Logger
	now      func() time.Time
	sessions *sessions
	throttle *throttle
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New returns the console, its sessions kept in st.
func New(cfg Config, dir Directory, control ControlPlane, z Authorizer, st SessionStore, log *slog.Logger, now func() time.Time) *Console {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxLifetime <= 0 {
		cfg.MaxLifetime = DefaultMaxLifetime
	}
	c := &Console{cfg: cfg, dir: dir, control: control, authz: z, log: log, now: now,
		sessions: &sessions{st: st, now: now, idle: cfg.IdleTimeout, max: cfg.MaxLifetime}, throttle: newThrottle(now)}
	c.pages = parsePages()
	c.mux = c.routes()
	return c
}

// routes is the console's route table.
func (c *Console) routes() *http.ServeMux {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /console/signin", c.signInPage)
	mux.HandleFunc("POST /console/signin", c.signIn)
	mux.HandleFunc("POST /console/signout", c.signOut)
	mux.HandleFunc("GET /console/password", c.session(c.passwordPage, allowReset))
	mux.HandleFunc("POST /console/password", c.session(c.changePassword, allowReset))

	mux.HandleFunc("GET /console/{$}", c.session(c.home, 0))
	mux.HandleFunc("GET /console/domains", c.session(c.domains, 0))
	mux.HandleFunc("GET /console/domains/{owner}/{domain}", c.session(c.domain, 0))
	mux.HandleFunc("GET /console/domains/{owner}/{domain}/groups", c.session(c.groups, 0))
	mux.HandleFunc("GET /console/domains/{owner}/{domain}/events", c.session(c.eventSubscriptions, 0))
	mux.HandleFunc("GET /console/domains/{owner}/{domain}/events/{id}", c.session(c.eventDeliveries, 0))
	mux.HandleFunc("POST /console/domains/{owner}/{domain}/events/{id}/redrive", c.session(c.redrive, 0))
	repo := "/console/domains/{owner}/{domain}/repositories/{repo}"
	mux.HandleFunc("GET "+repo, c.session(c.repository, 0))
	mux.HandleFunc("GET "+repo+"/connect", c.session(c.connect, 0))
	pkg := repo + "/packages/{format}/{package}"
	mux.HandleFunc("GET "+pkg, c.session(c.pkg, 0))
	mux.HandleFunc("GET "+pkg+"/versions/{version}", c.session(c.version, 0))
	mux.HandleFunc("POST "+pkg+"/versions/{version}/status", c.session(c.setStatus, 0))
	mux.HandleFunc("GET "+pkg+"/versions/{version}/assets/{asset}", c.session(c.asset, 0))
	mux.HandleFunc("GET /console/audit", c.session(c.auditLog, 0))
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, errkind.NotFoundf("There is no console page at %s.", r.URL.Path))
	})
	return mux
}

// ServeHTTP serves a console request with the console's security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No script source at all: nothing on a console page runs script.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "+
		"frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	// The metrics name a console request by its route: a bounded set.
	_, pattern := c.mux.Handler(r)
	metrics.From(r.Context()).Name("console", pattern)
	c.mux.ServeHTTP(w, r)
}

// --- rendering ---

// page is what every template gets.
type page struct {
	Title  string
	Crumbs []link
	// Session is nil on the sign-in page.
	Session *session
	// Error is a message shown above the content (a refused action).
	Error string
	// Notice is a message of success.
	Notice string
	Data   any
}

type link struct{ Text, Href string }

var funcs = template.FuncMap{
	"time": func(epoch float64) string {
		if epoch == 0 {
			return ""
		}
		return time.UnixMilli(int64(epoch * 1000)).UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
	"lower": strings.ToLower,
	"age": func(seconds int64) string {
		d := time.Duration(seconds) * time.Second
		if d%(24*time.Hour) == 0 && d > 0 {
			return fmt.Sprintf("%dd", d/(24*time.Hour))
		}
		return d.String()
	},
}

// parsePages parses each page's template with the layout.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n))
	}
	return out
}

// render writes a page with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	var buf bytes.Buffer
	if err := c.pages[name].Execute(&buf, p); err != nil {
		c.log.Error("console template", "page", name, "error", err, "request_id", middleware.RequestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// refusal is the data of the error page.
type refusal struct {
	Heading string
	Message string
	// RequestID is shown for internal errors, to quote.
	RequestID string
}

// fail renders err as the error page: a refusal by policy (403), a missing
// resource (404), a bad request (400), or an internal error (500) with
// the request id to quote and no detail.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	e := errkind.As(err)
	if rec := audit.From(r.Context()); rec.Named() {
		rec.Fail(e.Kind.AWSType(), e.Message)
	}
	status, rf := http.StatusInternalServerError, refusal{Heading: "Something went wrong"}
	switch e.Kind {
	case errkind.AccessDenied:
		status, rf = http.StatusForbidden, refusal{Heading: "Access denied", Message: e.Message}
	case errkind.NotFound:
		status, rf = http.StatusNotFound, refusal{Heading: "Not found", Message: e.Message}
	case errkind.Validation:
		status, rf = http.StatusBadRequest, refusal{Heading: "Invalid request", Message: e.Message}
	case errkind.Conflict:
		status, rf = http.StatusConflict, refusal{Heading: "Conflict", Message: e.Message}
	case errkind.Throttled:
		status, rf = http.StatusTooManyRequests, refusal{Heading: "Too many attempts", Message: e.Message}
	default:
		rf.RequestID = middleware.RequestID(r.Context())
		rf.Message = "An internal error occurred."
		c.log.Error("console", "path", r.URL.Path, "error", err, "request_id", rf.RequestID)
	}
	c.render(w, r, status, "error", page{Title: rf.Heading, Session: s, Data: rf})
}
