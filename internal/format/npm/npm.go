package npm

import (
	"context"
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Deps are what the npm surface needs.
type Deps = format.Deps

// Format is the npm surface.
type Format struct {
	d    Deps
	docs *rendered.Cache[docKey, *rendered.Doc]
	now  func() time.Time
}

var _ endpoint.Format = (*Format)(nil)

// New returns the npm surface.
func New(d Deps) *Format {
	d = d.WithDefaults()
	f := &Format{d: d, now: time.Now}
	// Through f.now, which tests set.
	f.docs = rendered.NewCache[docKey](DocCacheBytes, (*rendered.Doc).Size, func() time.Time { return f.now() })
	return f
}

// Challenge returns a Bearer challenge: npm sends its token up front and
// never retries after a 401, so this is informative only.
func (f *Format) Challenge(*endpoint.Request) string { return `Bearer realm="arca"` }

// call is one request being served.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	req  *endpoint.Request
	p    params
	name Name // the {pkg} of the route, if it has one
}

func (c *call) ctx() context.Context { return c.r.Context() }

// Serve routes an npm request through the route table.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	rt, p, allowed := lookup(r.Method, req.Rest)
	if rt == nil {
		if len(allowed) > 0 {
			return &format.Refusal{Status: http.StatusMethodNotAllowed, Allow: allowed,
				Message: r.Method + " is not supported on " + req.Rest}
		}
		return errkind.NotFoundf("Not found")
	}
	c := &call{w: w, r: r, req: req, p: p}
	if p.hasPkg {
		n, err := ParseName(p.pkg)
		if err != nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				// No package can have that name, so none is here.
				return errkind.NotFoundf("Package %q not found: %s", p.pkg, errkind.As(err).Message)
			}
			return err
		}
		c.name = n
	}
	return rt.handle(f, c)
}

// WriteError writes err in npm's error shape, {"error": "..."}, which npm
// prints after the status (format.Failure: refusals, 5xx with the request
// id).
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := format.Failure(f.d.Log, "npm", w, r, err)
	writeJSON(w, status, map[string]string{"error": msg})
}

// unsupportedNotes are the User Guide's notes on the npm commands
// CodeArtifact does not support ("npm command support").
var unsupportedNotes = map[string]string{
	"access":    "CodeArtifact uses a permission model that is different from the public npmjs repository.",
	"adduser":   "CodeArtifact uses a user model that is different from the public npmjs repository. Use aws codeartifact login --tool npm to configure npm.",
	"hook":      "CodeArtifact does not currently support any kind of change notification mechanism.",
	"login":     "CodeArtifact uses an authentication model that is different from the public npmjs repository. Use aws codeartifact login --tool npm to configure npm.",
	"logout":    "CodeArtifact uses an authentication model that is different from the public npmjs repository. There is no way to sign out from a CodeArtifact repository, but authentication tokens expire after their configurable expiration time. The default token duration is 12 hours.",
	"owner":     "CodeArtifact uses a permissions model that is different from the public npmjs repository.",
	"profile":   "CodeArtifact uses a user model that is different from the public npmjs repository.",
	"search":    "CodeArtifact supports limited search functionality with the list-packages command (aws codeartifact list-packages).",
	"star":      "CodeArtifact currently does not support any kind of favorites mechanism.",
	"stars":     "CodeArtifact currently does not support any kind of favorites mechanism.",
	"team":      "CodeArtifact uses a user and group membership model that is different from the public npmjs repository.",
	"token":     "CodeArtifact uses a different model for getting authentication tokens. Use aws codeartifact get-authorization-token.",
	"unpublish": "CodeArtifact does not support removing a package version from a repository using the npm client. Use aws codeartifact delete-package-versions.",
}

// unsupported answers an unsupported command: 405 for unpublish, which
// removes what GET serves, 400 for the others.
func unsupported(command string) func(*Format, *call) error {
	status := http.StatusBadRequest
	if command == "unpublish" {
		status = http.StatusMethodNotAllowed
	}
	msg := "npm " + command + " is not supported: " + unsupportedNotes[command]
	return func(*Format, *call) error {
		r := &format.Refusal{Status: status, Message: msg}
		if status == http.StatusMethodNotAllowed {
			r.Allow = []string{http.MethodGet, http.MethodHead}
		}
		return r
	}
}

// authorize checks that the caller may perform action on the package of
// the call (PublishPackageVersion, PutPackageMetadata).
func (f *Format) authorize(c *call, action string) error {
	return f.d.AuthorizeWrite(c.ctx(), c.req, "npm", c.name.Scope, c.name.Base, action)
}

func (f *Format) ping(c *call) error { return writeJSON(c.w, http.StatusOK, struct{}{}) }

// whoami answers "aws": CodeArtifact answers every token holder as "aws",
// the user name in every client's configuration.
func (f *Format) whoami(c *call) error {
	return writeJSON(c.w, http.StatusOK, map[string]string{"username": "aws"})
}

// audit answers npm's audit requests (sent by every npm install) with no
// advisories: CodeArtifact vends no vulnerability data, and an error here
// would make npm install report a failed audit.
func (f *Format) audit(c *call) error { return writeJSON(c.w, http.StatusOK, struct{}{}) }

func (f *Format) notFound(c *call) error { return errkind.NotFoundf("Not found") }
