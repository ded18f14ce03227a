// Package errkind gives every error in Arca a category that the wire
// protocols translate once, at their edge: the control plane into AWS error
// types and status codes, each package format into its own error shape.
//
// Code deep in the stack returns an *Error (or wraps one); handlers never
// pick status codes themselves. Categories are matched with errors.Is against
// the sentinel values below, never with ==.
package errkind

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Kind is the category of an error.
type Kind int

// The categories. Internal is the zero value so that an error nobody
// classified is treated as a server fault, never as the client's.
const (
	Internal        Kind = iota
	Validation           // the request is malformed or breaks a documented constraint
	NotFound             // the named resource does not exist
	Conflict             // the resource exists, or its state forbids the change
	QuotaExceeded        // the change would exceed a documented limit
	AccessDenied         // the caller is known but not allowed
	Unauthenticated      // the caller could not be identified
	Throttled            // too many requests
	Unavailable          // a dependency (a public registry) did not answer in time
)

var kindNames = [...]string{"Internal", "Validation", "NotFound", "Conflict", "QuotaExceeded", "AccessDenied", "Unauthenticated", "Throttled", "Unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// awsTypes are the CodeArtifact error types of the kinds.
var awsTypes = [...]string{
	Internal:      "InternalServerException",
	Validation:    "ValidationException",
	NotFound:      "ResourceNotFoundException",
	Conflict:      "ConflictException",
	QuotaExceeded: "ServiceQuotaExceededException",
	AccessDenied:  "AccessDeniedException",
	// An unidentified caller: the control plane's name for a request
	// whose key it does not know.
	Unauthenticated: "UnrecognizedClientException",
	Throttled:       "ThrottlingException",
	Unavailable:     "InternalServerException",
}

// AWSType is the CodeArtifact error type of a kind: the control plane's
// x-amzn-ErrorType, and the errorCode of the audit log.
func (k Kind) AWSType() string {
	if int(k) < len(awsTypes) {
		return awsTypes[k]
	}
	return awsTypes[Internal]
}

// Sentinels for errors.Is: errors.Is(err, errkind.ErrNotFound) is true for
// every *Error of kind NotFound, whatever its message.
var (
	ErrInternal        = &Error{Kind: Internal}
	ErrValidation      = &Error{Kind: Validation}
	ErrNotFound        = &Error{Kind: NotFound}
	ErrConflict        = &Error{Kind: Conflict}
	ErrQuotaExceeded   = &Error{Kind: QuotaExceeded}
	ErrAccessDenied    = &Error{Kind: AccessDenied}
	ErrUnauthenticated = &Error{Kind: Unauthenticated}
	ErrThrottled       = &Error{Kind: Throttled}
	ErrUnavailable     = &Error{Kind: Unavailable}
)

// Error is a categorised error with a message fit for the client. The
// optional resource fields feed the AWS error body (resourceId,
// resourceType); Reason feeds ValidationException's reason.
type Error struct {
	Kind         Kind
	Message      string
	ResourceType string // "domain", "repository", "package", "package-version", "asset"
	ResourceID   string
	Reason       string
	// RetryAfter, when set, is when the client may try again (a Throttled
	// refusal): each surface sends it as Retry-After.
	RetryAfter time.Duration
	Err        error // the underlying cause, never shown to clients
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Err == nil && t.ResourceID == "" && t.Kind == e.Kind
}

// OnResource returns a copy of e naming the resource it is about.
func (e *Error) OnResource(resourceType, id string) *Error {
	c := *e
	c.ResourceType, c.ResourceID = resourceType, id
	return &c
}

// WithReason returns a copy of e carrying a machine-readable reason.
func (e *Error) WithReason(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// RetryAfterHeader is e.RetryAfter as a Retry-After value, whole seconds
// rounded up (at least 1), or "" when e says nothing of retrying.
func (e *Error) RetryAfterHeader() string {
	if e.RetryAfter <= 0 {
		return ""
	}
	return strconv.FormatInt(int64(max(1, (e.RetryAfter+time.Second-1)/time.Second)), 10)
}

// New returns an error of the given kind with a formatted client message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the given kind that keeps err as its cause. The
// message is for the client; err is for logs.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...), Err: err}
}

// Validationf, NotFoundf, Conflictf and the rest are shorthands for New.
func Validationf(format string, args ...any) *Error { return New(Validation, format, args...) }
func NotFoundf(format string, args ...any) *Error   { return New(NotFound, format, args...) }
func Conflictf(format string, args ...any) *Error   { return New(Conflict, format, args...) }
func Quotaf(format string, args ...any) *Error      { return New(QuotaExceeded, format, args...) }
func Deniedf(format string, args ...any) *Error     { return New(AccessDenied, format, args...) }
func Unauthf(format string, args ...any) *Error     { return New(Unauthenticated, format, args...) }

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok { // AsType, unlike As, allocates nothing
		return e.Kind
	}
	return Internal
}

// As returns the first *Error in err's chain, or an Internal one wrapping err.
func As(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return &Error{Kind: Internal, Message: "internal error", Err: err}
}
