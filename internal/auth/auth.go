// Package auth identifies the caller of an HTTP request: by its AWS
// Signature Version 4 on the control plane, by its authorization token on
// package endpoints. It decides nothing about what the caller may do (that
// is authz) and writes no responses (each protocol's edge renders the errors
// returned here in its own shape).
package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/sigv4"
	"github.com/arcahq/arca/internal/token"
)

// MaxSkew is how far a signed request's time may be from the server's.
const MaxSkew = 15 * time.Minute

// MaxBufferedBody bounds the bodies that are read whole to compute their
// payload hash, and is the limit callers pass to SigV4 for bodies they read
// whole. Every control-plane, IAM and STS request body but an asset upload
// is far smaller; an asset upload carries its hash in x-amz-content-sha256.
const MaxBufferedBody = 1 << 20

// StreamedBody, passed to SigV4 as the body limit, leaves the body's size
// to the handler, which streams it to storage and bounds it there
// (PublishPackageVersion's asset, at most assets.MaxSize).
const StreamedBody = -1

// KeyLookup returns the secret and principal of an access key.
type KeyLookup interface {
	Lookup(ctx context.Context, accessKeyID, sessionToken string) (secret string, p identity.Principal, err error)
}

// Authenticator authenticates requests.
type Authenticator struct {
	keys    KeyLookup
	tokens  *token.Tokens
	now     func() time.Time
	revoked Revoked
	fresh   Syncer
}

// Syncer brings what the server caches in step with the store: the
// change counters every cache keys on (generation.Counters).
type Syncer interface {
	Sync(ctx context.Context) error
}

// SetFreshness makes every authentication first bring the server's caches
// in step with the store (s.Sync), so that a change made through another
// server (a deleted key, a policy, a revocation) binds the request.
func (a *Authenticator) SetFreshness(s Syncer) { a.fresh = s }

// Fresh brings the server's caches in step with the store, as every
// authentication does; for requests served without credentials. The
// error is Unavailable.
func (a *Authenticator) Fresh(ctx context.Context) error {
	if a.fresh == nil {
		return nil
	}
	if err := a.fresh.Sync(ctx); err != nil {
		return errkind.Wrap(errkind.Unavailable, err, "The server could not read its metadata store; try again.")
	}
	return nil
}

// Revoked says whether a verified token was revoked (token.Revocations).
type Revoked interface {
	Check(ctx context.Context, c token.Claims) error
}

// SetRevocations makes Token refuse the tokens r says are revoked.
func (a *Authenticator) SetRevocations(r Revoked) { a.revoked = r }

// New returns an Authenticator.
func New(keys KeyLookup, tokens *token.Tokens, now func() time.Time) *Authenticator {
	return &Authenticator{keys: keys, tokens: tokens, now: now}
}

// The AWS error codes of credentials that are unknown and of temporary
// credentials that have expired, as JSON services (CodeArtifact) name
// them; query services (IAM, STS) drop the Exception suffix and say
// InvalidClientTokenId for the first.
const (
	CodeUnrecognizedClient = "UnrecognizedClientException"
	CodeExpiredToken       = "ExpiredTokenException"
)

// SigV4 verifies the request's signature for one of services and returns
// the principal. The returned request's body reads the same bytes as the
// original; when the client declared the payload hash in
// x-amz-content-sha256 instead of letting the server hash the body, reading
// the body to its end fails with a Validation error if the bytes do not
// match, so no handler can act on a body the client did not sign.
//
// maxBody bounds the body (StreamedBody: the handler bounds it): a larger
// declared Content-Length is refused before anything is read, and reading
// past maxBody bytes fails with a Validation error, so that no caller,
// signed or not, makes a handler hold more than maxBody bytes.
//
// Errors are *sigv4.Error for signature problems and for credentials that
// are unknown (CodeUnrecognizedClient) or expired (CodeExpiredToken), and
// errkind Validation for bad bodies.
func (a *Authenticator) SigV4(r *http.Request, maxBody int64, services ...string) (*http.Request, identity.Principal, error) {
	if err := a.Fresh(r.Context()); err != nil {
		return r, identity.Principal{}, err
	}
	if maxBody >= 0 && r.ContentLength > maxBody {
		return r, identity.Principal{}, bodyTooLarge(maxBody)
	}
	claim, err := sigv4.Parse(r, a.now(), MaxSkew, services...)
	if err != nil {
		return r, identity.Principal{}, err
	}
	secret, p, err := a.keys.Lookup(r.Context(), claim.AccessKeyID, claim.SecurityToken)
	if err != nil {
		if errors.Is(err, errkind.ErrUnauthenticated) {
			if errkind.As(err).Reason == identity.ReasonExpiredToken {
				return r, identity.Principal{}, &sigv4.Error{Code: CodeExpiredToken, Message: "The security token included in the request is expired"}
			}
			return r, identity.Principal{}, &sigv4.Error{Code: CodeUnrecognizedClient, Message: "The security token included in the request is invalid."}
		}
		return r, identity.Principal{}, err
	}
	payloadHash, body, err := payload(r, maxBody)
	if err != nil {
		return r, identity.Principal{}, err
	}
	if claim.Presigned {
		payloadHash = "UNSIGNED-PAYLOAD"
	}
	if err := sigv4.Verify(r, claim, secret, payloadHash); err != nil {
		return r, identity.Principal{}, err
	}
	// A shallow copy: the caller goes on with r2 alone, so nothing needs
	// the deep copy of headers and URL that Clone makes.
	r2 := r.WithContext(identity.WithPrincipal(r.Context(), p))
	r2.Body = body
	return r2, p, nil
}

// emptyPayload is the hex SHA-256 of an empty body.
var emptyPayload = sigv4.PayloadHash(nil)

// bodyTooLarge is the error of a body over its limit.
func bodyTooLarge(limit int64) error {
	return errkind.Validationf("The request body is larger than %d bytes.", limit)
}

// payload returns the hash the client signed and a body to read in place
// of r.Body, which yields at most maxBody bytes (no limit if negative).
func payload(r *http.Request, maxBody int64) (string, io.ReadCloser, error) {
	if declared := r.Header.Get("X-Amz-Content-Sha256"); declared != "" {
		want, err := hex.DecodeString(declared)
		if err != nil || len(want) != sha256.Size {
			return "", nil, errkind.Validationf("x-amz-content-sha256 must be the hex SHA-256 of the request body")
		}
		return declared, &checkedBody{r: r.Body, h: sha256.New(), want: want, left: maxBody, limit: maxBody}, nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		// No body (a GET, as every download asks): the hash of nothing.
		return emptyPayload, http.NoBody, nil
	}
	// The server hashes the body itself, so it must hold it whole.
	limit := int64(MaxBufferedBody)
	if maxBody >= 0 && maxBody < limit {
		limit = maxBody
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return "", nil, errkind.Wrap(errkind.Validation, err, "could not read the request body")
	}
	if int64(len(b)) > limit {
		return "", nil, bodyTooLarge(limit)
	}
	return sigv4.PayloadHash(b), io.NopCloser(bytes.NewReader(b)), nil
}

// checkedBody hashes what is read and fails at the end if the hash is not
// the declared one, or as soon as more than limit bytes arrive (limit < 0:
// no limit).
type checkedBody struct {
	r           io.ReadCloser
	h           hash.Hash
	want        []byte
	left, limit int64
	done        bool
}

// ErrBodyHash is returned at the end of a body whose bytes do not have the
// hash declared in x-amz-content-sha256.
var ErrBodyHash = errkind.Validationf("The SHA-256 of the request body does not match x-amz-content-sha256.")

func (c *checkedBody) Read(p []byte) (int, error) {
	if c.limit >= 0 && int64(len(p)) > c.left+1 {
		p = p[:c.left+1] // one byte past the limit tells a body over it
	}
	n, err := c.r.Read(p)
	if c.limit >= 0 {
		if c.left -= int64(n); c.left < 0 {
			return 0, bodyTooLarge(c.limit)
		}
	}
	c.h.Write(p[:n])
	if err == io.EOF && !c.done {
		c.done = true
		if !bytes.Equal(c.h.Sum(nil), c.want) {
			return n, ErrBodyHash
		}
	}
	return n, err
}

func (c *checkedBody) Close() error { return c.r.Close() }

// Token authenticates a package-manager request by its authorization
// token, sent in any of the forms real clients use:
//
//	Authorization: Bearer TOKEN              npm, yarn, pnpm
//	Authorization: Basic base64(aws:TOKEN)   pip, twine, mvn, gradle, NuGet
//	Authorization: TOKEN                     cargo
//
// A request with no credentials fails with ErrNoCredentials, so the edge
// can answer with the format's challenge; a revoked token fails with
// token.ErrRevoked.
func (a *Authenticator) Token(r *http.Request) (token.Claims, error) {
	if err := a.Fresh(r.Context()); err != nil {
		return token.Claims{}, err
	}
	tok, err := bearer(r.Header.Get("Authorization"))
	if err != nil {
		return token.Claims{}, err
	}
	c, err := a.tokens.Verify(tok, a.now())
	if err != nil {
		return token.Claims{}, err
	}
	if rec := audit.From(r.Context()); rec != nil {
		rec.SetToken(c.ID, c.Account, c.Principal)
	}
	if a.revoked != nil {
		if err := a.revoked.Check(r.Context(), c); err != nil {
			return token.Claims{}, err
		}
	}
	return c, nil
}

// ErrNoCredentials means the request carried no Authorization header.
var ErrNoCredentials = errkind.Unauthf("Authentication required.").WithReason("no-credentials")

// basicMax bounds the decoded Basic credentials: a user name ("aws") and
// a token, which is at most about 1.4 KB.
const basicMax = 2046

func bearer(h string) (string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", ErrNoCredentials
	}
	scheme, rest, found := strings.Cut(h, " ")
	switch {
	case found && strings.EqualFold(scheme, "Bearer"):
		return strings.TrimSpace(rest), nil
	case found && strings.EqualFold(scheme, "Basic"):
		rest = strings.TrimSpace(rest)
		// Decoded on the stack: only the password is copied out.
		var buf [basicMax]byte
		var encoded [basicMax / 3 * 4]byte
		if len(rest) > len(encoded) {
			return "", token.ErrMalformed
		}
		n, err := base64.StdEncoding.Decode(buf[:], encoded[:copy(encoded[:], rest)])
		if err != nil {
			return "", token.ErrMalformed
		}
		// The user name is "aws" for every client CodeArtifact documents;
		// the token is the password either way.
		i := bytes.IndexByte(buf[:n], ':')
		if i < 0 {
			return "", token.ErrMalformed
		}
		return string(buf[i+1 : n]), nil
	case !found:
		return h, nil // cargo sends the token verbatim
	}
	return "", token.ErrMalformed
}
