package iamapi

import (
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"

	"github.com/arcahq/arca/internal/auth"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/oidc"
	"github.com/arcahq/arca/internal/sigv4"
)

// errorCode is an error code of the query protocol with its HTTP status.
type errorCode struct {
	code   string
	status int
}

// sigv4Codes maps the SigV4 failures, named as JSON services name them, to
// the codes of query services.
var sigv4Codes = map[string]string{
	"MissingAuthenticationTokenException": "MissingAuthenticationToken",
	"IncompleteSignatureException":        "IncompleteSignature",
	"InvalidSignatureException":           "SignatureDoesNotMatch",
	auth.CodeUnrecognizedClient:           "InvalidClientTokenId",
	auth.CodeExpiredToken:                 "ExpiredToken",
}

// reasonCodes are the Reasons that name a specific IAM or STS code.
var reasonCodes = map[string]errorCode{
	identity.ReasonDeleteConflict:  {"DeleteConflict", http.StatusConflict},
	identity.ReasonMalformedPolicy: {"MalformedPolicyDocument", http.StatusBadRequest},
	identity.ReasonInvalidInput:    {"InvalidInput", http.StatusBadRequest},
	identity.ReasonExpiredToken:    {"ExpiredToken", http.StatusForbidden},
	identity.ReasonPasswordPolicy:  {"PasswordPolicyViolation", http.StatusBadRequest},
	identity.ReasonInvalidUserType: {"InvalidUserType", http.StatusBadRequest},
	oidc.ReasonInvalidToken:        {"InvalidIdentityToken", http.StatusBadRequest},
	oidc.ReasonExpired:             {"ExpiredTokenException", http.StatusBadRequest},
	oidc.ReasonCommunication:       {"IDPCommunicationError", http.StatusBadRequest},
	"MissingAuthenticationToken":   {"MissingAuthenticationToken", http.StatusForbidden},
	"MissingAction":                {"MissingAction", http.StatusBadRequest},
	"InvalidAction":                {"InvalidAction", http.StatusBadRequest},
}

// kindCodes maps the error categories.
var kindCodes = map[errkind.Kind]errorCode{
	errkind.Validation:      {"ValidationError", http.StatusBadRequest},
	errkind.NotFound:        {"NoSuchEntity", http.StatusNotFound},
	errkind.Conflict:        {"EntityAlreadyExists", http.StatusConflict},
	errkind.QuotaExceeded:   {"LimitExceeded", http.StatusConflict},
	errkind.AccessDenied:    {"AccessDenied", http.StatusForbidden},
	errkind.Unauthenticated: {"InvalidClientTokenId", http.StatusForbidden},
	errkind.Throttled:       {"Throttling", http.StatusBadRequest},
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// errorOf returns the code, status and message of err.
func (a *API) errorOf(r *http.Request, svc *service, err error) (errorCode, string) {
	var sig *sigv4.Error
	if errors.As(err, &sig) {
		code, ok := sigv4Codes[sig.Code]
		if !ok {
			code = sig.Code
		}
		return errorCode{code, http.StatusForbidden}, sig.Message
	}
	e := errkind.As(err)
	if c, ok := reasonCodes[e.Reason]; ok && e.Reason != "" {
		return c, e.Message
	}
	if c, ok := kindCodes[e.Kind]; ok {
		return c, e.Message
	}
	id := middleware.RequestID(r.Context())
	a.log.LogAttrs(r.Context(), slog.LevelError, svc.name+" error", slog.String("request_id", id), slog.String("error", err.Error()))
	return errorCode{svc.internalCode, http.StatusInternalServerError}, "An internal error occurred. Quote request id " + id + " when reporting it."
}

// writeError writes err as the query protocol's error document.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, svc *service, err error) {
	c, msg := a.errorOf(r, svc, err)
	auditError(r, svc, c.code, msg)
	var body errorResponse
	body.Xmlns = svc.namespace
	body.Error.Type = "Sender"
	if c.status >= 500 {
		body.Error.Type = "Receiver"
	}
	body.Error.Code, body.Error.Message = c.code, msg
	body.RequestID = middleware.RequestID(r.Context())
	b, _ := xml.Marshal(body)
	writeXML(w, c.status, b)
}
