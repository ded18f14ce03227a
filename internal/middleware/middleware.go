// Package middleware wraps every HTTP request Arca serves: it gives the
// request an id (answered in x-amzn-RequestId, as AWS clients expect, and
// carried in the context for logs and 5xx messages), recovers from panics,
// writes one access-log line per request, and tells an Observer (the
// metrics) each request's status and duration.
//
// The access log never records credentials: it logs the method, the path
// (without the query string, which can hold presigned signatures, and with
// the tokens some clients put in paths redacted), the status, the size and
// the duration.
package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

type ctxKey struct{}

// requestContext is the context Wrap gives each request: the request id,
// the client (Clients), the observer's value and those Attach stores, and
// the response recorder, in one allocation rather than a context layer
// (and a copy of the request) each.
type requestContext struct {
	context.Context
	id        string
	client    Client
	hasClient bool
	values    [2]struct{ key, value any } // the observer's, then Attach's
	rec       recorder
	idHeader  [1]string // the x-amzn-RequestId header's value
}

// Value answers the keys the request's context holds, and asks its parent
// for the others.
func (c *requestContext) Value(key any) any {
	switch key {
	case ctxKey{}:
		return c.id
	case clientKey{}:
		if c.hasClient {
			return &c.client
		}
	}
	for i := range c.values {
		if v := &c.values[i]; v.key != nil && v.key == key {
			return v.value
		}
	}
	return c.Context.Value(key)
}

// Attach stores value under key in ctx when ctx is the context Wrap made
// for a request and has room, and reports whether it did; otherwise the
// caller layers a context.WithValue as usual. Per-request layers inside
// Wrap (the audit record) use it to spare each request a context layer.
func Attach(ctx context.Context, key, value any) bool {
	c, ok := ctx.(*requestContext)
	if !ok {
		return false
	}
	for i := range c.values {
		if v := &c.values[i]; v.key == nil {
			v.key, v.value = key, value
			return true
		}
	}
	return false
}

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// NewID returns a random id in the UUID text format AWS uses (request
// ids, audit event ids).
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// Observer sees every request: Start returns a value the request's
// context holds under key while the handler runs, Done gets the context,
// the status and the duration once it returned (the metrics, package
// metrics).
type Observer interface {
	Start() (key, value any)
	Done(ctx context.Context, status int, d time.Duration)
}

// requestIDHeader is x-amzn-RequestId in the canonical form Header.Set
// would make of it on every request.
const requestIDHeader = "X-Amzn-Requestid"

// Wrap returns h with request ids, panic recovery (logged to log), access
// logging (to access; none if nil) and the observer obs (none if nil).
func Wrap(h http.Handler, log *slog.Logger, access *AccessLog, o Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := NewID()
		ctx := &requestContext{Context: r.Context(), id: id, rec: recorder{ResponseWriter: w, status: http.StatusOK}, idHeader: [1]string{id}}
		w.Header()[requestIDHeader] = ctx.idHeader[:]
		if o != nil {
			ctx.values[0].key, ctx.values[0].value = o.Start()
		}
		r = r.WithContext(ctx)
		rec := &ctx.rec
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.LogAttrs(r.Context(), slog.LevelError, "panic", slog.String("request_id", id), slog.Any("panic", p))
				if !rec.wrote {
					http.Error(rec, "internal error, request id "+id, http.StatusInternalServerError)
				}
			}
			d := time.Since(start)
			if access != nil {
				access.write(line{at: start, id: id, method: r.Method, path: RedactPath(r.URL.Path),
					status: rec.status, bytes: rec.bytes, duration: d})
			}
			if o != nil {
				o.Done(ctx, rec.status, d)
			}
		}()
		h.ServeHTTP(rec, r)
	})
}

// secretSegments are path segments after which a client puts a secret:
// npm logout sends DELETE /-/user/token/<token>.
var secretSegments = []string{"/-/user/token/"}

// RedactPath hides the secrets some clients put in request paths.
func RedactPath(p string) string {
	for _, seg := range secretSegments {
		if i := strings.Index(p, seg); i >= 0 {
			return p[:i+len(seg)] + "REDACTED"
		}
	}
	return p
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (and
// io.Copy reach its ReadFrom, which is how files go out with sendfile).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ReadFrom keeps sendfile working through the recorder: io.Copy reaches
// the server's own ReadFrom, which hands files to the kernel.
func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	r.wrote = true
	n, err := io.Copy(r.ResponseWriter, src)
	r.bytes += n
	return n, err
}
