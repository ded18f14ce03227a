package format

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/middleware"
)

// Refusal is an answer whose status is not an errkind category's: an
// unsupported method (405 with Allow) or command.
type Refusal struct {
	Status  int
	Message string
	// Allow lists the methods the path accepts; sent as Allow when set.
	Allow []string
}

func (e *Refusal) Error() string { return e.Message }

// Failure returns the status and message answering err on a package
// endpoint, the one table every format renders its errors from: a
// Refusal's own status, otherwise Status. It sets a Refusal's Allow
// header (and Retry-After for a refusal that says when to retry) and drops ETag and Content-Encoding that a handler may have set
// for a body that is not sent. A 5xx is logged as "<format> request
// failed" with the request id, which the message names (the id is also in
// the x-amzn-RequestId header); its internals never reach the client.
func Failure(log *slog.Logger, f string, w http.ResponseWriter, r *http.Request, err error) (status int, msg string) {
	status, msg = Status(err), errkind.As(err).Message
	var rf *Refusal
	if errors.As(err, &rf) {
		status, msg = rf.Status, rf.Message
		if len(rf.Allow) > 0 {
			w.Header().Set("Allow", strings.Join(rf.Allow, ", "))
		}
	}
	if status >= 500 {
		id := middleware.RequestID(r.Context())
		log.LogAttrs(r.Context(), slog.LevelError, f+" request failed",
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		msg += " (request id " + id + ")"
	}
	h := w.Header()
	h.Del("Content-Encoding")
	h.Del("ETag")
	if v := errkind.As(err).RetryAfterHeader(); v != "" {
		h.Set("Retry-After", v)
	}
	return status, msg
}

// WriteText writes an error message as plain text, one line, which pip,
// twine, Maven and Gradle print. A HEAD answer has no body.
func WriteText(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(msg + "\n"))
	}
}

// WriteJSON answers status with v as a JSON body ending in a newline.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// Status is the HTTP status for an error on a package endpoint.
func Status(err error) int {
	switch errkind.KindOf(err) {
	case errkind.Validation:
		return http.StatusBadRequest
	case errkind.NotFound:
		return http.StatusNotFound
	case errkind.Conflict:
		return http.StatusConflict
	case errkind.QuotaExceeded:
		return http.StatusRequestEntityTooLarge
	case errkind.AccessDenied:
		return http.StatusForbidden
	case errkind.Unauthenticated:
		return http.StatusUnauthorized
	case errkind.Throttled:
		return http.StatusTooManyRequests
	case errkind.Unavailable:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// Plain is the surface of a format that has no endpoints yet: it
// authenticates like the others and answers 404 in plain text.
type Plain struct {
	// Name is the format's name, in log lines.
	Name string
	// Scheme is the WWW-Authenticate scheme the format's clients expect.
	Scheme string
	// Log receives 5xx failures; nil discards them.
	Log *slog.Logger
}

var _ endpoint.Format = Plain{}

// Challenge returns a challenge in the format's scheme.
func (p Plain) Challenge(*endpoint.Request) string { return p.Scheme + ` realm="arca"` }

// Serve answers that nothing is served here yet.
func (p Plain) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	return errkind.NotFoundf("The %s format has no endpoints on this server yet", req.Format)
}

// WriteError writes err as plain text with its status.
func (p Plain) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	status, msg := Failure(log, p.Name, w, r, err)
	WriteText(w, r, status, msg)
}
