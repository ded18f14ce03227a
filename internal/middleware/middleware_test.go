package middleware

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
