package controlapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/sigv4"
)

// unknownOperation marks the error for a method and path that name no
// operation at all.
const unknownOperation = "unknown-operation"

// errorBody is the JSON body of an AWS error. Clients read the type from
// the x-amzn-ErrorType header first, then from __type (docs/CLIENTS.md §1.5).
type errorBody struct {
	Type         string `json:"__type"`
	Message      string `json:"message"`
	ResourceID   string `json:"resourceId,omitempty"`
	ResourceType string `json:"resourceType,omitempty"`
	Reason       string `json:"reason,omitempty"`
}

// writeError writes err as an AWS error response.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	body, status := a.errorResponse(r, err)
	audit.From(r.Context()).Fail(body.Type, body.Message)
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("x-amzn-ErrorType", body.Type)
	if v := errkind.As(err).RetryAfterHeader(); v != "" {
		h.Set("Retry-After", v) // ThrottlingException's retryAfterSeconds
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func (a *API) errorResponse(r *http.Request, err error) (errorBody, int) {
	var sig *sigv4.Error
	if errors.As(err, &sig) {
		return errorBody{Type: sig.Code, Message: sig.Message}, http.StatusForbidden
	}
	e := errkind.As(err)
	if e.Reason == unknownOperation {
		return errorBody{Type: "UnknownOperationException", Message: e.Message}, http.StatusNotFound
	}
	typ := e.Kind.AWSType()
	status, ok := a.model.ErrorStatus(typ)
	if !ok {
		status = http.StatusForbidden // UnrecognizedClientException is not in the model
	}
	body := errorBody{Type: typ, Message: e.Message, ResourceID: e.ResourceID, ResourceType: e.ResourceType}
	if e.Kind == errkind.Validation {
		body.Reason = e.Reason
		if body.Reason == "" {
			body.Reason = "FIELD_VALIDATION_FAILED"
		}
	}
	if e.Kind == errkind.Internal || e.Kind == errkind.Unavailable {
		id := middleware.RequestID(r.Context())
		a.log.LogAttrs(r.Context(), slog.LevelError, "control plane error", slog.String("request_id", id), slog.String("error", err.Error()))
		body.Message = "An internal error occurred. Quote request id " + id + " when reporting it."
	}
	return body, status
}
