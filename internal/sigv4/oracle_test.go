package sigv4

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// These tests sign requests with aws-sdk-go-v2's signer, the oracle, send
// them to a real httptest.Server so that Go's server-side parsing applies
// (Host moved to r.Host, canonical header keys, RequestURI as sent), and
// verify what the server received.

const (
	testKeyID  = "AKIAFAKEFAKEFAKE"
	testSecret = "secretfake"
	testSkew   = 15 * time.Minute
)

// testNow is the server's clock in the oracle tests.
var testNow = time.Date(2026, 11, 23, 19, 20, 0, 0, time.UTC)

// received is a request as the server's handler saw it.
type received struct {
	r    *http.Request
	body []byte
}

// payloadHash is what the control plane passes to Verify: the
// X-Amz-Content-Sha256 header when present, else the hash of the body, and
// UNSIGNED-PAYLOAD for a presigned request.
func (rc received) payloadHash(a *Auth) string {
	if a.Presigned {
		return "UNSIGNED-PAYLOAD"
	}
	if v := rc.r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		return v
	}
	return PayloadHash(rc.body)
}

// check runs Parse and Verify as the control plane would.
func (rc received) check(now time.Time, secret string) (*Auth, error) {
	a, err := Parse(rc.r, now, testSkew, "codeartifact")
	if err != nil {
		return nil, err
	}
	return a, Verify(rc.r, a, secret, rc.payloadHash(a))
}

// capture is an httptest.Server that hands each request it receives to the
// test.
type capture struct {
	srv *httptest.Server
	got chan received
}

func newCapture(t *testing.T) *capture {
	t.Helper()
	c := &capture{got: make(chan received, 1)}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.got <- received{r: r.Clone(context.Background()), body: body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// send sends req and returns the request as the server received it.
func (c *capture) send(t *testing.T, req *http.Request) received {
	t.Helper()
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("sending: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("server answered %s", resp.Status)
	}
	return <-c.got
}

// oracleRequest describes a request to sign with the SDK.
type oracleRequest struct {
	name   string
	method string
	target string // path and raw query, appended to the server's URL
	header http.Header
	body   string
	token  string // session token
	region string
	// contentSHA, when set, is sent as X-Amz-Content-Sha256 (signed) and is
	// the payload hash the client signs, as botocore does for
	// PublishPackageVersion.
	contentSHA string
	signAt     time.Time
}

func (o oracleRequest) credentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: o.token}
}

// build returns the signed request, ready to send to base.
func (o oracleRequest) build(t *testing.T, base string) *http.Request {
	t.Helper()
	var body io.Reader
	if o.body != "" {
		body = strings.NewReader(o.body)
	}
	req, err := http.NewRequest(o.method, base+o.target, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range o.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	hash := PayloadHash([]byte(o.body))
	if o.contentSHA != "" {
		req.Header.Set("X-Amz-Content-Sha256", o.contentSHA)
		hash = o.contentSHA
	}
	region := o.region
	if region == "" {
		region = "us-east-1"
	}
	at := o.signAt
	if at.IsZero() {
		at = testNow.Add(-7 * time.Second)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), o.credentials(), req, hash, "codeartifact", region, at); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
	// Added after signing, as botocore does: never signed.
	req.Header.Set("Amz-Sdk-Invocation-Id", "0b7a1c0e-7b3e-4f7e-9d0e-5c1f1f2b6a11")
	req.Header.Set("Amz-Sdk-Request", "attempt=1")
	return req
}

var oracleRequests = []oracleRequest{
	{name: "get endpoint", method: "GET", target: "/v1/repository/endpoint?domain=my-domain&repository=my-repo&format=npm"},
	{name: "post json", method: "POST", target: "/v1/domain?domain=my-domain",
		header: http.Header{"Content-Type": {"application/json"}}, body: "{}"},
	{name: "post empty body", method: "POST", target: "/v1/authorization-token?domain=my-domain&duration=900"},
	{name: "put", method: "PUT", target: "/v1/repository?domain=my-domain&repository=my-repo",
		header: http.Header{"Content-Type": {"application/json"}}, body: `{"description": "desc"}`},
	{name: "delete", method: "DELETE", target: "/v1/domain?domain=my-domain"},
	{name: "query botocore escapes", method: "GET",
		target: "/v1/package/version/asset?domain=my-domain&repository=my-repo&format=generic&namespace=my-ns&package=my-pkg&version=1.0.0&asset=a%20b%2Bc%2F%C3%BC.txt"},
	{name: "query plus is space", method: "GET", target: "/v1/package/version/asset?asset=a+b%2Bc%2F%C3%BC.txt&domain=my-domain"},
	{name: "query raw slash and unicode", method: "GET", target: "/v1/x?path=a/b&name=%E1%88%B4&star=*!'()"},
	{name: "query repeated keys", method: "POST", target: "/v1/packages?k=b&k=a&k=c&domain=my-domain&k=a"},
	{name: "query empty values", method: "POST", target: "/v1/packages?a=&b=1&c&domain-owner="},
	{name: "query token with equals", method: "POST", target: "/v1/package/versions?domain=my-domain&next-token=eyJuZXh0VG9rZW4iOiAiUEFHRTIifQ%3D%3D"},
	{name: "query sorts after encoding", method: "GET", target: "/v1/x?v=a-b&v=a%2Fb&a-b=1&a%2Fb=2"},
	{name: "path prefix", method: "GET", target: "/prefix/v1/domain?domain=my-domain"},
	{name: "path with space", method: "GET", target: "/prefix/a%20b/v1/domain?domain=my-domain"},
	{name: "path with encoded slash", method: "GET", target: "/v1/a%2Fb/c"},
	{name: "path with unicode", method: "GET", target: "/v1/%C3%BC/x"},
	{name: "path with dot segments", method: "GET", target: "/v1/./a/../b//c"},
	{name: "empty path", method: "GET", target: ""},
	{name: "session token", method: "POST", target: "/v1/domains", token: "FwoGZXIvYXdzEJr//////////token+with/slashes==",
		header: http.Header{"Content-Type": {"application/json"}}, body: `{"maxResults": 5}`},
	{name: "another region", method: "GET", target: "/v1/domain?domain=my-domain", region: "eu-west-1"},
	{name: "another region ap", method: "POST", target: "/v1/domains", region: "ap-southeast-2",
		header: http.Header{"Content-Type": {"application/json"}}, body: `{}`},
	{name: "content sha256 signed", method: "POST",
		target:     "/v1/package/version/publish?domain=my-domain&repository=my-repo&format=generic&namespace=my-ns&package=my-pkg&version=1.0.0&asset=asset.txt",
		body:       "hello from the asset file",
		contentSHA: PayloadHash([]byte("hello from the asset file"))},
	{name: "content sha256 of empty body", method: "POST", target: "/v1/x", contentSHA: PayloadHash(nil)},
	{name: "headers with spaces and values", method: "POST", target: "/v1/x",
		header: http.Header{"X-Custom": {"  a   b  c "}, "X-Multi": {"one", "two  three"}, "Content-Type": {"application/json"}},
		body:   `{"a": 1}`},
}

func oracleByName(t *testing.T, name string) oracleRequest {
	t.Helper()
	for _, o := range oracleRequests {
		if o.name == name {
			return o
		}
	}
	t.Fatalf("no oracle request %q", name)
	return oracleRequest{}
}

func TestOracleAccepts(t *testing.T) {
	c := newCapture(t)
	for _, o := range oracleRequests {
		t.Run(o.name, func(t *testing.T) {
			rc := c.send(t, o.build(t, c.srv.URL))
			a, err := rc.check(testNow, testSecret)
			if err != nil {
				t.Fatalf("check: %v\nRequestURI %q, headers %v", err, rc.r.RequestURI, rc.r.Header)
			}
			region := o.region
			if region == "" {
				region = "us-east-1"
			}
			want := Scope{Date: "20261123", Region: region, Service: "codeartifact"}
			if a.AccessKeyID != testKeyID || a.Scope != want || a.SecurityToken != o.token || a.Presigned ||
				!a.Time.Equal(testNow.Add(-7*time.Second)) {
				t.Errorf("Auth = %+v", a)
			}
		})
	}
}

// tamper changes a signed request before it is sent, or the server's view
// of it, and says which error is expected.
type tamper struct {
	name    string
	base    string                 // the name of one of oracleRequests
	before  func(o *oracleRequest) // changes what is signed
	after   func(r *http.Request)  // changes the request after signing
	now     time.Time              // the server's clock, testNow if zero
	secret  string                 // the secret the server uses, testSecret if ""
	hash    func(received) string  // the payload hash the server uses, if set
	code    string
	message string // a prefix of the expected message, if set
}

func TestOracleRejectsTampering(t *testing.T) {
	const (
		getEndpoint = "get endpoint"
		postJSON    = "post json"
		publish     = "content sha256 signed"
	)
	tampers := []tamper{
		{name: "signature bit", base: postJSON, after: func(r *http.Request) {
			h := r.Header.Get("Authorization")
			i := strings.Index(h, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", h[:i]+flipBitPlain(h[i:]))
		}, code: codeInvalid, message: msgMismatch},
		{name: "secret", base: postJSON, secret: "secretfakf", code: codeInvalid, message: msgMismatch},
		{name: "signed header value", base: postJSON, after: func(r *http.Request) {
			r.Header.Set("Content-Type", "application/xml")
		}, code: codeInvalid, message: msgMismatch},
		{name: "signed header removed", base: postJSON, after: func(r *http.Request) {
			r.Header.Del("Content-Type")
		}, code: codeInvalid, message: msgMismatch},
		{name: "one of several values removed", base: "headers with spaces and values", after: func(r *http.Request) {
			r.Header["X-Multi"] = r.Header["X-Multi"][:1]
		}, code: codeInvalid, message: msgMismatch},
		{name: "query value", base: postJSON, after: func(r *http.Request) {
			r.URL.RawQuery = "domain=other-domain"
		}, code: codeInvalid, message: msgMismatch},
		{name: "query parameter added", base: getEndpoint, after: func(r *http.Request) {
			r.URL.RawQuery += "&domain-owner=111122223333"
		}, code: codeInvalid, message: msgMismatch},
		{name: "query semicolon", base: getEndpoint, after: func(r *http.Request) {
			r.URL.RawQuery += ";x=1"
		}, code: codeIncomplete},
		{name: "path", base: postJSON, after: func(r *http.Request) {
			r.URL.Path = "/v1/domains"
		}, code: codeInvalid, message: msgMismatch},
		{name: "path prefix removed", base: "path prefix", after: func(r *http.Request) {
			r.URL.Path = strings.TrimPrefix(r.URL.Path, "/prefix")
		}, code: codeInvalid, message: msgMismatch},
		{name: "method", base: postJSON, after: func(r *http.Request) {
			r.Method = "PUT"
		}, code: codeInvalid, message: msgMismatch},
		{name: "host", base: getEndpoint, after: func(r *http.Request) {
			r.Host = strings.Replace(r.URL.Host, "127.0.0.1", "localhost", 1)
		}, code: codeInvalid, message: msgMismatch},
		{name: "region in credential", base: getEndpoint, after: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
		}, code: codeInvalid, message: msgMismatch},
		{name: "x-amz-date within skew", base: getEndpoint, after: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", "20261123T191954Z")
		}, code: codeInvalid, message: msgMismatch},
		{name: "session token", base: "session token", after: func(r *http.Request) {
			r.Header.Set("X-Amz-Security-Token", "another-token")
		}, code: codeInvalid, message: msgMismatch},
		{name: "body same length", base: postJSON, after: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("[]"))
		}, code: codeInvalid, message: msgMismatch},
		{name: "payload hash", base: publish, hash: func(received) string {
			return PayloadHash([]byte("something else"))
		}, code: codeInvalid, message: msgMismatch},
		{name: "content sha256 header", base: publish, after: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", PayloadHash([]byte("x")))
		}, code: codeInvalid, message: msgMismatch},
		{name: "date beyond skew, past", base: getEndpoint, now: testNow.Add(testSkew), code: codeInvalid, message: "Signature expired: 20261123T191953Z is now earlier than 20261123T192000Z (20261123T193500Z - 15 min.)"},
		{name: "date beyond skew, future", base: getEndpoint, before: func(o *oracleRequest) {
			o.signAt = testNow.Add(testSkew + time.Second)
		}, code: codeInvalid, message: "Signature not yet current: 20261123T193501Z is still later than 20261123T193500Z (20261123T192000Z + 15 min.)"},
		{name: "service", base: getEndpoint, after: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/codeartifact/", "/s3/", 1))
		}, code: codeInvalid, message: "Credential should be scoped to correct service: 'codeartifact'. "},
		{name: "authorization removed", base: getEndpoint, after: func(r *http.Request) {
			r.Header.Del("Authorization")
		}, code: codeMissingToken, message: "Missing Authentication Token"},
	}
	c := newCapture(t)
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			o := oracleByName(t, tc.base)
			if tc.before != nil {
				tc.before(&o)
			}
			req := o.build(t, c.srv.URL)
			if tc.after != nil {
				tc.after(req)
			}
			rc := c.send(t, req)
			now, secret := testNow, testSecret
			if !tc.now.IsZero() {
				now = tc.now
			}
			if tc.secret != "" {
				secret = tc.secret
			}
			a, err := Parse(rc.r, now, testSkew, "codeartifact")
			if err == nil {
				hash := rc.payloadHash(a)
				if tc.hash != nil {
					hash = tc.hash(rc)
				}
				err = Verify(rc.r, a, secret, hash)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error with code %s", err, tc.code)
			}
			if e.Code != tc.code || !strings.HasPrefix(e.Message, tc.message) {
				t.Errorf("err = %q %q, want %q %q...", e.Code, e.Message, tc.code, tc.message)
			}
		})
	}
}

// flipBitPlain flips one bit of the value of the hex string sig.
func flipBitPlain(sig string) string {
	b := []byte(sig)
	const digits = "0123456789abcdef"
	i := strings.IndexByte(digits, b[5])
	b[5] = digits[i^1]
	return string(b)
}

func TestOracleUnsignedHeadersMayChange(t *testing.T) {
	c := newCapture(t)
	req := oracleByName(t, "headers with spaces and values").build(t, c.srv.URL)
	req.Header.Set("User-Agent", "aws-cli/1.45.11 md/Botocore#1.43.11")
	req.Header.Set("X-Custom", "a b c") // the same canonical value as "  a   b  c "
	req.Header.Set("Amz-Sdk-Request", "attempt=3")
	req.Header.Set("Accept-Encoding", "identity")
	if _, err := c.send(t, req).check(testNow, testSecret); err != nil {
		t.Fatal(err)
	}
}

// TestOracleStripPrefix checks that verification uses the request target as
// sent even when a handler has rewritten r.URL.
func TestOracleStripPrefix(t *testing.T) {
	c := newCapture(t)
	rc := c.send(t, oracleByName(t, "path prefix").build(t, c.srv.URL))
	var a *Auth
	var err error
	http.StripPrefix("/prefix", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err = received{r: r, body: rc.body}.check(testNow, testSecret)
	})).ServeHTTP(httptest.NewRecorder(), rc.r)
	if a == nil && err == nil {
		t.Fatal("StripPrefix did not call the handler")
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestOraclePresigned(t *testing.T) {
	c := newCapture(t)
	signAt := testNow.Add(-time.Minute)
	presign := func(t *testing.T, expires int, token string) string {
		t.Helper()
		req, err := http.NewRequest("GET", c.srv.URL+"/v1/repository/endpoint?domain=my-domain&format=npm&X-Amz-Expires="+strconv.Itoa(expires), nil)
		if err != nil {
			t.Fatal(err)
		}
		creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: token}
		u, signed, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "codeartifact", "us-west-2", signAt)
		if err != nil {
			t.Fatal(err)
		}
		if len(signed) != 1 || signed.Get("Host") == "" {
			t.Fatalf("signed headers %v, want only Host", signed)
		}
		return u
	}
	get := func(t *testing.T, u string) received {
		t.Helper()
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.send(t, req)
	}

	t.Run("accepted", func(t *testing.T) {
		rc := get(t, presign(t, 900, "session/token+x="))
		a, err := rc.check(testNow, testSecret)
		if err != nil {
			t.Fatal(err)
		}
		want := Scope{Date: "20261123", Region: "us-west-2", Service: "codeartifact"}
		if !a.Presigned || a.AccessKeyID != testKeyID || a.Scope != want || a.SecurityToken != "session/token+x=" || !a.Time.Equal(signAt) {
			t.Errorf("Auth = %+v", a)
		}
	})
	t.Run("accepted at the last second", func(t *testing.T) {
		if _, err := get(t, presign(t, 900, "")).check(signAt.Add(900*time.Second), testSecret); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		_, err := get(t, presign(t, 900, "")).check(signAt.Add(901*time.Second), testSecret)
		wantError(t, err, codeInvalid, "Signature expired: 20261123T191900Z is now earlier than 20261123T191901Z (20261123T193401Z - 15 min.)")
	})
	t.Run("not yet current", func(t *testing.T) {
		_, err := get(t, presign(t, 900, "")).check(signAt.Add(-testSkew-time.Second), testSecret)
		wantError(t, err, codeInvalid, "Signature not yet current: 20261123T191900Z is still later than 20261123T191859Z (20261123T190359Z + 15 min.)")
	})
	t.Run("expires tampered", func(t *testing.T) {
		u := strings.Replace(presign(t, 900, ""), "X-Amz-Expires=900", "X-Amz-Expires=3600", 1)
		_, err := get(t, u).check(testNow, testSecret)
		wantError(t, err, codeInvalid, msgMismatch)
	})
	t.Run("signature tampered", func(t *testing.T) {
		u, _ := url.Parse(presign(t, 900, ""))
		q := u.Query()
		q.Set("X-Amz-Signature", flipBit(t, q.Get("X-Amz-Signature")))
		u.RawQuery = q.Encode()
		_, err := get(t, u.String()).check(testNow, testSecret)
		wantError(t, err, codeInvalid, msgMismatch)
	})
	t.Run("expires over a week", func(t *testing.T) {
		_, err := get(t, presign(t, 604801, "")).check(testNow, testSecret)
		wantError(t, err, codeIncomplete, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	})
	t.Run("a week", func(t *testing.T) {
		if _, err := get(t, presign(t, 604800, "")).check(testNow, testSecret); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("payload hash", func(t *testing.T) {
		rc := get(t, presign(t, 900, ""))
		a, err := Parse(rc.r, testNow, testSkew, "codeartifact")
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, Verify(rc.r, a, testSecret, PayloadHash(nil)), codeInvalid, msgMismatch)
	})
}

func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || e.Message != message {
		t.Errorf("err = %v\nwant  %s: %s", err, code, message)
	}
}

// TestOracleBodies checks bodies of several sizes and contents, hashed by
// the server from what it received.
func TestOracleBodies(t *testing.T) {
	c := newCapture(t)
	for _, body := range []string{"", "{}", strings.Repeat("x", 70000), "\x00\xff binary"} {
		o := oracleRequest{method: "POST", target: "/v1/x", body: body}
		rc := c.send(t, o.build(t, c.srv.URL))
		if !bytes.Equal(rc.body, []byte(body)) {
			t.Fatal("body changed in transit")
		}
		if _, err := rc.check(testNow, testSecret); err != nil {
			t.Errorf("body of %d bytes: %v", len(body), err)
		}
	}
}
