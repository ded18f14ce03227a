package maven

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/middleware"
)

// Deps are what the Maven surface needs.
type Deps = format.Deps

// Format is the Maven surface.
type Format struct {
	d       Deps
	docs    *rendered.Cache[docKey, document]
	uploads *uploads
	now     func() time.Time
}

var _ endpoint.Format = (*Format)(nil)

// New returns the Maven surface.
func New(d Deps) *Format {
	d = d.WithDefaults()
	f := &Format{d: d, uploads: newUploads(), now: time.Now}
	// Through f.now, which tests set.
	f.docs = rendered.NewCache[docKey](DocCacheBytes, document.size, func() time.Time { return f.now() })
	return f
}

// Challenge returns a Basic challenge: Maven sends a GET without
// credentials and retries with Basic aws:TOKEN only after a 401 carrying
// this (docs/CLIENTS.md §4.6).
func (f *Format) Challenge(*endpoint.Request) string { return `Basic realm="arca"` }

// call is one request being served.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req *endpoint.Request
	p   Path
}

func (c *call) ctx() context.Context { return c.r.Context() }

// Serve answers a request for a path of the repository layout: GET and
// HEAD read, PUT publishes. Nothing else is served.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if !read && r.Method != http.MethodPut {
		return &refusal{status: http.StatusMethodNotAllowed, allow: []string{http.MethodGet, http.MethodHead, http.MethodPut},
			msg: r.Method + " is not supported by a Maven repository; use GET to download and PUT to publish"}
	}
	if req.Rest == "" || strings.HasSuffix(req.Rest, "/") {
		return errkind.NotFoundf("Not found: a Maven repository serves files, not directory listings")
	}
	p, err := ParsePath(req.Rest)
	if err != nil {
		if read {
			// No artifact can have that path, so none is here.
			return errkind.NotFoundf("Not found: %s", errkind.As(err).Message)
		}
		return err
	}
	c := &call{w: w, r: r, req: req, p: p}
	if read {
		return f.get(c)
	}
	return f.put(c)
}

// WriteError writes err as plain text with its status, which Maven and
// Gradle print. A 5xx names the request id and is logged; its internals
// never reach the client.
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := endpoint.Status(err), errkind.As(err).Message
	var rf *refusal
	if errors.As(err, &rf) {
		status, msg = rf.status, rf.msg
		w.Header().Set("Allow", strings.Join(rf.allow, ", "))
	}
	if status >= 500 {
		id := middleware.RequestID(r.Context())
		f.d.Log.LogAttrs(r.Context(), slog.LevelError, "maven request failed",
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		msg += " (request id " + id + ")"
	}
	h := w.Header()
	h.Del("ETag")
	h.Del("Content-Encoding")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(msg + "\n"))
	}
}

// refusal is an answer whose status is not an errkind category's: an
// unsupported method.
type refusal struct {
	status int
	msg    string
	allow  []string
}

func (e *refusal) Error() string { return e.msg }

// Permissions of a Maven publish: both, for every file (User Guide,
// "Publishing permissions").
const (
	actionPublish  = "codeartifact:PublishPackageVersion"
	actionMetadata = "codeartifact:PutPackageMetadata"
)

// authorize checks that the caller may publish to the package of the call.
func (f *Format) authorize(c *call) error {
	return f.d.AuthorizeWrite(c.ctx(), c.req, "maven", c.p.GroupID, c.p.ArtifactID, actionPublish, actionMetadata)
}
