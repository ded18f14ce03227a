package audit

import (
	"net/http"
	"time"

	"github.com/arcahq/arca/internal/middleware"
)

// Wrap returns h with an audit record in every request's context, written
// to l as one event once the handler returns. It must run inside
// middleware.Wrap, whose request id the event carries, and inside
// middleware.Clients, whose client address it records. A nil l returns h
// unchanged: without an audit log, requests carry no record and pay
// nothing.
func Wrap(h http.Handler, l *Log, region string, now func() time.Time) http.Handler {
	if l == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := now()
		rec := &Record{}
		if !middleware.Attach(r.Context(), ctxKey{}, rec) {
			r = r.WithContext(WithRecord(r.Context(), rec))
		}
		panicked := true
		defer func() {
			if panicked {
				rec.Fail("InternalFailure", "An internal error occurred.")
			}
			switch {
			case !rec.claimed():
			case rec.read() && !l.cfg.DataEvents.Records(rec.repository()):
				// A package read of a repository whose data events are
				// not recorded: no event is even built.
			case rec.stranger():
				l.Refused(rec.event(r, middleware.RequestID(r.Context()), region, at))
			default:
				l.Write(rec.event(r, middleware.RequestID(r.Context()), region, at))
			}
		}()
		h.ServeHTTP(w, r)
		panicked = false
	})
}
