package metrics

import (
	"context"
	"strings"
	"time"
)

// Request is what a request's handlers tell the metrics about it: its
// surface and operation. A nil *Request (metrics off) ignores every call.
// The request's own goroutine fills it.
type Request struct {
	surface, operation string
	// pkg marks a repository endpoint's request, whose operation is the
	// last permission checked for it.
	pkg bool
}

type ctxKey struct{}

// ControlPlane is the control plane's surface name.
const ControlPlane = "controlplane"

// From returns the request's labels, or nil when metrics are off.
func From(ctx context.Context) *Request {
	r, _ := ctx.Value(ctxKey{}).(*Request)
	return r
}

// Name sets the request's surface and operation: the control plane's
// operation name, an IAM or STS action. Both come from a fixed list: a
// client's unknown operation is named "unknown" by the caller.
func (r *Request) Name(surface, operation string) {
	if r == nil {
		return
	}
	r.surface, r.operation, r.pkg = surface, operation, false
}

// Package marks a request to a format's repository endpoint: its
// operation is the permission it needed (Permission), "none" until one is
// checked.
func (r *Request) Package(format string) {
	if r == nil {
		return
	}
	r.surface, r.operation, r.pkg = format, "none", true
}

// Permission records a permission checked for the request (an action
// such as codeartifact:ReadFromRepository); on a repository endpoint it
// names the operation, without the service prefix.
func (r *Request) Permission(action string) {
	if r == nil || !r.pkg {
		return
	}
	if _, op, ok := strings.Cut(action, ":"); ok {
		action = op
	}
	r.operation = action
}

// Start gives a request its labels (middleware.Observer).
func (m *Metrics) Start() (key, value any) {
	if m == nil {
		return nil, nil
	}
	return ctxKey{}, &Request{surface: "other", operation: "other"}
}

// Done records a finished request (middleware.Observer).
func (m *Metrics) Done(ctx context.Context, status int, d time.Duration) {
	r := From(ctx)
	if m == nil || r == nil {
		return
	}
	m.requestChild(requestLabels{r.surface, r.operation, StatusClass(status)}).Observe(d.Seconds())
}
