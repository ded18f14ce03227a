package sigv4

import (
	"bufio"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The AWS SigV4 test suite ("aws-sig-v4-test-suite", from the AWS General
// Reference page "Signature Version 4 test suite"): credentials, scope and
// clock shared by every case.
const (
	suiteSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteKeyID   = "AKIDEXAMPLE"
	suiteService = "service"
	suiteToken   = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// The suite's cases whose wire form a real client could send. The cases
// about path normalisation (get-relative, get-slashes, get-space, ...) are
// left out: they sign the path unencoded and normalised, while non-S3
// clients sign the wire path encoded once more and unnormalised.
var suiteCases = []struct {
	name          string
	request       string // the request line and headers, without Authorization
	body          string
	signedHeaders string
	signature     string
	creq          string // the canonical request, when checked
}{
	{
		name:          "get-vanilla",
		request:       "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		creq:          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	},
	{
		name:          "get-vanilla-query-order-key-case",
		request:       "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		creq:          "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	},
	{
		name:          "get-vanilla-query-order-key",
		request:       "GET /?Param1=value2&Param1=Value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1",
	},
	{
		name:          "get-vanilla-query-order-value",
		request:       "GET /?Param1=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694",
	},
	{
		name:          "get-vanilla-query-unreserved",
		request:       "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
	},
	{
		// The suite writes the key as raw UTF-8; a client sends it encoded.
		name:          "get-vanilla-utf8-query",
		request:       "GET /?%E1%88%B4=bar HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
		creq:          "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	},
	{
		name:          "get-unreserved",
		request:       "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
	},
	{
		name:          "get-header-key-duplicate",
		request:       "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;my-header1;x-amz-date",
		signature:     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
		creq:          "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	},
	{
		name:          "get-header-value-order",
		request:       "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;my-header1;x-amz-date",
		signature:     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
	},
	{
		name:          "get-header-value-trim",
		request:       "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;my-header1;my-header2;x-amz-date",
		signature:     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
		creq:          "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	},
	{
		name:          "post-header-key-sort",
		request:       "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;my-header1;x-amz-date",
		signature:     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
	},
	{
		name:          "post-header-value-case",
		request:       "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:VALUE1\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;my-header1;x-amz-date",
		signature:     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
	},
	{
		name:          "post-vanilla",
		request:       "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
	},
	{
		name:          "post-vanilla-query",
		request:       "POST /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
		signedHeaders: "host;x-amz-date",
		signature:     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
	},
	{
		name:          "post-x-www-form-urlencoded",
		request:       "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\nContent-Length:13",
		body:          "Param1=value1",
		signedHeaders: "content-type;host;x-amz-date",
		signature:     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
		creq:          "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
	},
	{
		name:          "post-sts-header-before",
		request:       "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\nX-Amz-Security-Token:" + suiteToken,
		signedHeaders: "host;x-amz-date;x-amz-security-token",
		signature:     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
	},
	{
		// The token is sent but not signed.
		name:          "post-sts-header-after",
		request:       "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\nX-Amz-Security-Token:" + suiteToken,
		signedHeaders: "host;x-amz-date",
		signature:     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
	},
}

// readWireRequest parses a request the way Go's server does: Host moves to
// r.Host, header names are canonicalised, RequestURI is kept verbatim.
func readWireRequest(t testing.TB, head, authorization, body string) *http.Request {
	t.Helper()
	wire := strings.ReplaceAll(head, "\n", "\r\n")
	if authorization != "" {
		wire += "\r\nAuthorization: " + authorization
	}
	wire += "\r\n\r\n" + body
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		t.Fatalf("reading request: %v", err)
	}
	return r
}

// flipBit returns the hex signature sig with one bit of its value flipped.
func flipBit(t testing.TB, sig string) string {
	t.Helper()
	b, err := hex.DecodeString(sig)
	if err != nil || len(b) == 0 {
		t.Fatalf("bad signature %q", sig)
	}
	b[len(b)/2] ^= 0x10
	return hex.EncodeToString(b)
}

func TestSuiteVectors(t *testing.T) {
	for _, tc := range suiteCases {
		t.Run(tc.name, func(t *testing.T) {
			authz := "AWS4-HMAC-SHA256 Credential=" + suiteKeyID + "/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
				tc.signedHeaders + ", Signature=" + tc.signature
			r := readWireRequest(t, tc.request, authz, tc.body)
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatal(err)
			}

			a, err := Parse(r, suiteTime, 15*time.Minute, suiteService)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tc.creq != "" {
				got, ok := canonicalRequest(r, a, PayloadHash(body))
				if !ok || string(got) != tc.creq {
					t.Errorf("canonical request:\n%s\nwant:\n%s", got, tc.creq)
				}
			}
			if err := Verify(r, a, suiteSecret, PayloadHash(body)); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if wantToken := strings.Contains(tc.request, "X-Amz-Security-Token"); wantToken != (a.SecurityToken == suiteToken) {
				t.Errorf("SecurityToken = %q", a.SecurityToken)
			}

			// The same request with a signature one bit off is refused.
			r = readWireRequest(t, tc.request, strings.Replace(authz, tc.signature, flipBit(t, tc.signature), 1), tc.body)
			a, err = Parse(r, suiteTime, 15*time.Minute, suiteService)
			if err != nil {
				t.Fatalf("Parse flipped: %v", err)
			}
			var e *Error
			if err := Verify(r, a, suiteSecret, PayloadHash(body)); !errors.As(err, &e) || e.Code != codeInvalid || e.Message != msgMismatch {
				t.Errorf("Verify flipped = %v, want the mismatch error", err)
			}
		})
	}
}
