// Package sigv4 verifies AWS Signature Version 4 signatures on incoming HTTP
// requests, the way AWS services check the requests that the AWS CLI, boto3
// and the AWS SDKs send them. Arca's control plane uses it with the signing
// service "codeartifact".
//
// The algorithm is the one in the IAM user guide, "Create a signed AWS API
// request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html),
// for services other than S3. Each signing step is its own function:
// canonicalURI, canonicalQuery, canonicalHeaders, canonicalRequest,
// stringToSign, signingKey and signingKeyState.sign.
//
// # Use
//
// Verification takes two calls, so that the caller can look the key up in
// between:
//
//	a, err := sigv4.Parse(r, now, 15*time.Minute, "codeartifact")
//	// err: no secret needed to reject the request (syntax, scope, clock).
//	// Look up a.AccessKeyID; an unknown key is the caller's
//	// UnrecognizedClientException, not this package's business.
//	err = sigv4.Verify(r, a, secret, payloadHash)
//
// The payload hash is the caller's decision, because only the caller reads
// the body:
//
//   - When the request has an X-Amz-Content-Sha256 header, pass its value.
//     The clients sign with it as it is and never hash the body
//     (botocore's PublishPackageVersion takes it from --asset-sha256), so the
//     caller must also hash the body itself and compare the two; Verify does
//     not.
//   - Otherwise pass PayloadHash(body); an empty body hashes to
//     e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.
//   - For a presigned request (a.Presigned) pass "UNSIGNED-PAYLOAD".
//
// # Invariants
//
//   - The package is pure: no storage, no clock (the caller passes now), no
//     logging, and one global: the signing keys derived lately, at most
//     1,024 (a key serves its secret and scope for a day, and deriving it
//     is four HMACs), each with the HMACs keyed with it that signed before
//     (a sync.Pool: reset, an HMAC starts from its keyed states instead of
//     hashing the padded key again). It never reads the request body and never modifies
//     the request.
//   - Verify compares signatures in constant time (hmac.Equal) and says
//     nothing about where two signatures differ.
//   - Every failure is an *Error whose Code is an AWS error type name; all of
//     them are HTTP 403.
//
// # Canonical request
//
// The canonical request is computed from the request as it came off the
// wire, as botocore and aws-sdk-go-v2 sign it for non-S3 services:
//
//   - URI: the path exactly as sent (r.RequestURI when it is in origin form,
//     so that a handler that rewrote r.URL, such as http.StripPrefix, does
//     not break verification; else r.URL.EscapedPath()), "" read as "/",
//     then URI-encoded once more, keeping only A-Za-z0-9-_.~ and '/': the
//     double encoding of non-S3 services ('%' becomes "%25"). Dot segments
//     and repeated slashes are kept, as aws-sdk-go-v2 keeps them (botocore
//     removes them, but CodeArtifact's paths never contain any).
//   - Query: split on '&', each pair at its first '=', keys and values
//     decoded as url.ParseQuery decodes them ('+' is a space, as in
//     aws-sdk-go-v2; botocore always sends %20 and %2B, so it agrees), then
//     encoded again keeping only A-Za-z0-9-_.~ (a space becomes "%20"),
//     sorted by encoded key then encoded value, joined with '&'. A key with
//     no value keeps its '='. Empty pairs ("a=1&&b=2") are skipped. A
//     presigned request leaves X-Amz-Signature out. A query that does not
//     decode (a bad escape, or a ';', which Go's server does not treat as a
//     separator) is rejected by Parse.
//   - Headers: the names of SignedHeaders in the order listed, each with all
//     of its values joined with ',', each value trimmed and its runs of
//     spaces collapsed to one. "host" is r.Host (Go's server moves Host out
//     of r.Header); "content-length" is the header's value when present,
//     else r.ContentLength. A signed header the request lacks contributes an
//     empty value, and the signature will not match.
//
// # Error codes
//
// The codes and messages follow AWS's JSON services:
//
//   - MissingAuthenticationTokenException: no Authorization header and no
//     presigned query ("Missing Authentication Token").
//   - IncompleteSignatureException: anything syntactic. An unsupported
//     algorithm, a key=value pair without '=', a missing Credential,
//     SignedHeaders or Signature parameter, no X-Amz-Date nor Date header, a
//     credential that is not five slash-separated elements, a date that is
//     not ISO 8601 basic format, host (or the date header used) not signed,
//     a missing or bad presigned query parameter (including X-Amz-Expires
//     above 604800 seconds), both an Authorization header and a presigned
//     query, and a query that does not decode.
//   - InvalidSignatureException: anything about the credential scope or the
//     clock or the signature itself. A scope date other than the request's
//     date, an empty region, a service not in the accepted list, a
//     terminator other than aws4_request, a time outside the allowed skew
//     ("Signature expired: ..." / "Signature not yet current: ..."), an
//     expired presigned URL, a signature that is not 64 hex digits, and a
//     signature that does not match.
//
// Any region is accepted: the server is region-agnostic and the signature
// is computed with the region of the credential scope.
package sigv4
