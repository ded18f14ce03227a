package nuget

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

// Deps are what the NuGet surface needs.
type Deps = format.Deps

// Format is the NuGet surface.
type Format struct {
	d    Deps
	docs *rendered.Cache[docKey, *rendered.Doc]
}

var _ endpoint.Format = (*Format)(nil)

// New returns the NuGet surface.
func New(d Deps) *Format {
	return &Format{d: d.WithDefaults(), docs: rendered.NewCache[docKey](DocCacheBytes, (*rendered.Doc).Size, time.Now)}
}

// Challenge returns a Basic challenge: NuGet sends no credentials until
// a request is refused with one, and then sends aws:TOKEN.
func (f *Format) Challenge(*endpoint.Request) string { return `Basic realm="arca"` }

// call is one request being served.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req *endpoint.Request
	rt  *route
}

func (c *call) ctx() context.Context { return c.r.Context() }

// Serve routes a NuGet request.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	rt := lookup(req.Rest)
	if rt == nil {
		return notV3(req.Rest)
	}
	if !rt.allows(r.Method) {
		return &refusal{status: http.StatusMethodNotAllowed, allow: rt.methods,
			msg: r.Method + " is not supported on /" + req.Rest}
	}
	return rt.handle(f, &call{w: w, r: r, req: req, rt: rt})
}

// WriteError writes err as plain text with its status: NuGet clients show
// the status, and the text is for people reading the response. A 5xx
// names the request id and is logged; its internals never reach the
// client.
func (f *Format) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := endpoint.Status(err), errkind.As(err).Message
	var rf *refusal
	if errors.As(err, &rf) {
		status, msg = rf.status, rf.msg
		if len(rf.allow) > 0 {
			w.Header().Set("Allow", strings.Join(rf.allow, ", "))
		}
	}
	if status >= 500 {
		id := middleware.RequestID(r.Context())
		f.d.Log.LogAttrs(r.Context(), slog.LevelError, "nuget request failed",
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		msg += " (request id " + id + ")"
	}
	w.Header().Del("Content-Encoding")
	w.Header().Del("ETag")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}

// refusal is an answer whose status is not an errkind category's.
type refusal struct {
	status int
	msg    string
	allow  []string
}

func (e *refusal) Error() string { return e.msg }
