package middleware

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAccessLogKeepsSecretsOut(t *testing.T) {
	var buf bytes.Buffer
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if RequestID(r.Context()) == "" {
			t.Error("no request id in the context")
		}
		w.WriteHeader(http.StatusTeapot)
	}), slog.New(slog.DiscardHandler), NewAccessLog(&buf, false), nil)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodDelete, "/d-111122223333/npm/r/-/user/token/SECRET-TOKEN-VALUE?X-Amz-Signature=SIG", nil)
	req.Header.Set("Authorization", "Bearer ANOTHER-SECRET")
	h.ServeHTTP(rec, req)
	log := buf.String()
	for _, secret := range []string{"SECRET-TOKEN-VALUE", "ANOTHER-SECRET", "SIG"} {
		if strings.Contains(log, secret) {
			t.Errorf("the access log holds %s: %s", secret, log)
		}
	}
	if !strings.Contains(log, "status=418") || !strings.Contains(log, "/-/user/token/REDACTED") {
		t.Errorf("access log line: %s", log)
	}
	if id := rec.Header().Get("x-amzn-RequestId"); len(id) != 36 {
		t.Errorf("x-amzn-RequestId %q", id)
	}
}

func TestPanicBecomes500(t *testing.T) {
	var buf bytes.Buffer
	h := Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), slog.New(slog.NewTextHandler(&buf, nil)), nil, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), rec.Header().Get("x-amzn-RequestId")) {
		t.Errorf("panic answered %d %q", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "boom") {
		t.Error("the panic value reached the client")
	}
}

type observed struct{}

type testObserver struct{ done any }

func (o *testObserver) Start() (key, value any) { return observed{}, "labels" }
func (o *testObserver) Done(ctx context.Context, status int, d time.Duration) {
	o.done = ctx.Value(observed{})
}

// Wrap and Clients keep the request id, the client, the observer's value
// and attached values in the request's one context, which still carries
// its parent's values and cancellation.
func TestRequestContext(t *testing.T) {
	type parentKey struct{}
	type attached struct{}
	obs := &testObserver{}
	var id string
	var client Client
	var values [3]any
	var cancelled bool
	h := Wrap(Clients(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Attach(r.Context(), attached{}, "record") {
			t.Error("Attach found no room in the request's context")
		}
		ctx := r.Context()
		id = RequestID(ctx)
		client, _ = ClientFrom(ctx)
		values = [3]any{ctx.Value(parentKey{}), ctx.Value(observed{}), ctx.Value(attached{})}
		inner, cancel := context.WithCancel(ctx)
		defer cancel()
		select {
		case <-inner.Done(): // the parent's cancellation reaches it
			cancelled = true
		default:
		}
	}), nil), slog.New(slog.DiscardHandler), nil, obs)
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), parentKey{}, "parent"))
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(parent)
	req.RemoteAddr = "192.0.2.1:5000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if id == "" || id != rec.Header().Get("x-amzn-RequestId") {
		t.Errorf("request id %q, header %q", id, rec.Header().Get("x-amzn-RequestId"))
	}
	if client != (Client{IP: "192.0.2.1"}) {
		t.Errorf("client %+v", client)
	}
	if values != [3]any{"parent", "labels", "record"} || obs.done != "labels" || !cancelled {
		t.Errorf("values %v, observer saw %v, cancelled %v", values, obs.done, cancelled)
	}
}
