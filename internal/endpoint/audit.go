package endpoint

import (
	"errors"
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/token"
)

// Describer is implemented by formats that can name the package and
// version a request is about, from its path alone, for the audit log.
type Describer interface {
	Describe(r *http.Request, req *Request) (namespace, name, version string)
}

// record fills the request's audit record with what the path says: the
// domain, repository and format, and the package and version when the
// format can name them. The event's name comes from the permissions
// checked later (audit.Recording).
func (h *Handler) record(r *http.Request, req *Request, f Format) {
	rec := audit.From(r.Context())
	if rec == nil {
		return
	}
	p := audit.Package{Domain: req.Domain.Name, DomainOwner: req.Domain.Owner, Repository: req.Repository.Name, Format: req.Format}
	if d, ok := f.(Describer); ok {
		p.Namespace, p.Name, p.Version = d.Describe(r, req)
	}
	rec.PackageRequest(p)
}

// writeError renders err in the format's shape and records it in the
// audit record.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, f Format, err error) {
	rec := audit.From(r.Context())
	if rec == nil {
		f.WriteError(w, r, err)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	f.WriteError(sw, r, err)
	rec.Fail(errorCode(err, sw.status), errorMessage(err))
}

// errorCode names err: by its category, ExpiredTokenException and
// RevokedTokenException for those tokens, and by the status the format
// answered (MethodNotAllowed, BadRequest) for a format's own refusals.
func errorCode(err error, status int) string {
	switch {
	case errors.Is(err, token.ErrExpired):
		return "ExpiredTokenException"
	case errors.Is(err, token.ErrRevoked):
		return "RevokedTokenException"
	}
	var e *errkind.Error
	if errors.As(err, &e) {
		if e.Kind == errkind.Unauthenticated {
			return "UnauthorizedException" // a token refused, as a 401
		}
		return e.Kind.AWSType()
	}
	if status >= 400 && status < 500 {
		return strings.ReplaceAll(http.StatusText(status), " ", "")
	}
	return "InternalServerException"
}

func errorMessage(err error) string {
	var e *errkind.Error
	if errors.As(err, &e) {
		if e.Kind == errkind.Internal || e.Kind == errkind.Unavailable {
			return "An internal error occurred."
		}
		return e.Message
	}
	return "An internal error occurred."
}

// statusWriter remembers the status of an error response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
