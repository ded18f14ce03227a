package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// Scope is the credential scope of a signature: yyyymmdd/region/service/aws4_request.
type Scope struct{ Date, Region, Service string }

// Auth is what a request claims about its signature, parsed from the
// Authorization header (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...)
// or from presigned query parameters (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Security-Token).
type Auth struct {
	AccessKeyID   string
	Time          time.Time // X-Amz-Date (or the Date header), UTC
	Scope         Scope
	SignedHeaders []string // lowercase, as listed
	Signature     string   // lowercase hex
	SecurityToken string   // X-Amz-Security-Token header or query value, "" if none
	Presigned     bool

	// query is the request's query as Parse decoded it, kept for Verify's
	// canonical request (one parse per request); parsed says it is set.
	query  []param
	parsed bool
}

// Error is a signature failure. Code is the AWS error type name; all are HTTP 403.
type Error struct{ Code, Message string }

// Error returns the code and the message, as "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The AWS error type names this package returns.
const (
	codeMissingToken = "MissingAuthenticationTokenException"
	codeIncomplete   = "IncompleteSignatureException"
	codeInvalid      = "InvalidSignatureException"
)

const msgMismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func incomplete(msg string) *Error { return &Error{Code: codeIncomplete, Message: msg} }
func invalid(msg string) *Error    { return &Error{Code: codeInvalid, Message: msg} }
func mismatch() *Error             { return invalid(msgMismatch) }

// Parse reads the signature claims of r and checks everything that needs no secret:
// algorithm, syntax, that host (and x-amz-date when that header is used) are signed,
// the scope date equals the date of Time, the scope service is one of services, the
// scope ends in aws4_request, and Time is within maxSkew of now (presigned: not before
// Time-maxSkew and not after Time+X-Amz-Expires, expires at most 7 days).
//
// When the time comes from the Date header instead, "date" must be signed.
// With no services, every scope is rejected. The returned error is always an
// *Error.
func Parse(r *http.Request, now time.Time, maxSkew time.Duration, services ...string) (*Auth, error) {
	_, rawQuery := requestTarget(r)
	params, ok := parseQuery(rawQuery)
	if !ok {
		return nil, incomplete("The query string is not valid URL encoding.")
	}
	header := r.Header.Get("Authorization")
	presigned := hasParam(params, paramAlgorithm) || hasParam(params, paramCredential) || hasParam(params, paramSignature)

	var (
		a       *Auth
		expires time.Duration
		err     *Error
	)
	switch {
	case header != "" && presigned:
		return nil, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, " +
			"Signature query string parameter or the Authorization header should be specified.")
	case header != "":
		a, err = parseHeaderAuth(r, header)
	case presigned:
		a, expires, err = parseQueryAuth(params)
	default:
		return nil, &Error{Code: codeMissingToken, Message: "Missing Authentication Token"}
	}
	if err != nil {
		return nil, err
	}
	a.query, a.parsed = params, true
	if err := checkScope(a, services); err != nil {
		return nil, err
	}
	now = now.UTC()
	if a.Presigned {
		err = checkPresignedTime(a.Time, now, maxSkew, expires)
	} else {
		err = checkSkew(a.Time, now, maxSkew)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Verify recomputes the signature of r with the secret and compares it in constant time
// (hmac.Equal). payloadHash is the hex SHA-256 the caller decided the client signed
// (the caller passes the x-amz-content-sha256 header value when present, else PayloadHash(body));
// for presigned requests the caller passes "UNSIGNED-PAYLOAD".
//
// Verify trusts a as Parse returned it for r and does not repeat Parse's
// checks, nor its decoding of r's query.
// The returned error is always an *Error.
func Verify(r *http.Request, a *Auth, secretAccessKey, payloadHash string) error {
	if a == nil {
		return mismatch()
	}
	var claimed [sha256.Size]byte
	if !decodeSignature(claimed[:], a.Signature) {
		return mismatch()
	}
	creq, ok := canonicalRequest(r, a, payloadHash)
	if !ok {
		return mismatch()
	}
	sts := stringToSign(a, sha256.Sum256(creq))
	var sum [sha256.Size]byte
	got := keyFor(secretAccessKey, a.Scope).sign(sum[:0], sts)
	if !hmac.Equal(got, claimed[:]) {
		return mismatch()
	}
	return nil
}

// PayloadHash returns the lowercase hex SHA-256 of body.
func PayloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
