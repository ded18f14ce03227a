package sigv4

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestCLIWireRequests writes requests byte for byte as docs/CLIENTS.md §1.1 and
// §1.2 show AWS CLI 1.45.11 sending them (header order, unsigned
// User-Agent, Accept-Encoding and amz-sdk-* headers, Content-Length never
// signed) onto a TCP connection to a real server. The signature is computed
// independently, by aws-sdk-go-v2's signer over only the headers the CLI
// signs.
func TestCLIWireRequests(t *testing.T) {
	const (
		amzDate   = "20261123T190453Z"
		userAgent = "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1.0 m/D,b,g,N,Z cfg/retry-mode#legacy botocore/1.43.11"
		// The --asset-sha256 of the example in docs/CLIENTS.md §1.2, which is not the hash
		// of this test's asset: botocore signs it anyway.
		assetSHA = "88a5f83f0b2dd5bdc98ffe21b9fb39d0c9da15b8db8a4ea55e4a47af1d5f7dcd"
	)
	signedAt, _ := time.Parse(amzDateLayout, amzDate)
	serverNow := signedAt.Add(2 * time.Second)

	cases := []struct {
		name          string
		method        string
		target        string
		contentType   string
		contentSHA    string
		body          string
		signedHeaders string
	}{
		{
			name:          "get-repository-endpoint",
			method:        "GET",
			target:        "/v1/repository/endpoint?domain=my-domain&repository=my-repo&format=npm",
			signedHeaders: "host;x-amz-date",
		},
		{
			name:          "create-domain",
			method:        "POST",
			target:        "/v1/domain?domain=my-domain",
			contentType:   "application/json",
			body:          "{}",
			signedHeaders: "content-type;host;x-amz-date",
		},
		{
			name:          "get-authorization-token",
			method:        "POST",
			target:        "/v1/authorization-token?domain=my-domain&duration=900",
			signedHeaders: "host;x-amz-date",
		},
		{
			name:          "get-package-version-asset",
			method:        "GET",
			target:        "/v1/package/version/asset?domain=my-domain&repository=my-repo&format=generic&namespace=my-ns&package=my-pkg&version=1.0.0&asset=a%20b%2Bc%2F%C3%BC.txt",
			signedHeaders: "host;x-amz-date",
		},
		{
			name:          "publish-package-version",
			method:        "POST",
			target:        "/v1/package/version/publish?domain=my-domain&repository=my-repo&format=generic&namespace=my-ns&package=my-pkg&version=1.0.0&asset=asset.txt",
			contentSHA:    assetSHA,
			body:          "24 bytes of asset text.\n",
			signedHeaders: "host;x-amz-content-sha256;x-amz-date",
		},
	}

	c := newCapture(t)
	hostport := strings.TrimPrefix(c.srv.URL, "http://")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			authorization := sdkAuthorization(t, hostport, tc.method, tc.target, tc.contentType, tc.contentSHA, tc.body, signedAt)
			if want := "SignedHeaders=" + tc.signedHeaders + ","; !strings.Contains(authorization, want) {
				t.Fatalf("the SDK signed %q, want %s like the CLI", authorization, want)
			}

			var wire strings.Builder
			wire.WriteString(tc.method + " " + tc.target + " HTTP/1.1\r\n")
			wire.WriteString("Host: " + hostport + "\r\n")
			wire.WriteString("Accept-Encoding: identity\r\n")
			wire.WriteString("User-Agent: " + userAgent + "\r\n")
			wire.WriteString("X-Amz-Date: " + amzDate + "\r\n")
			if tc.contentType != "" {
				wire.WriteString("Content-Type: " + tc.contentType + "\r\n")
			}
			if tc.contentSHA != "" {
				wire.WriteString("x-amz-content-sha256: " + tc.contentSHA + "\r\n")
			}
			wire.WriteString("Authorization: " + authorization + "\r\n")
			wire.WriteString("amz-sdk-invocation-id: 6f0e3c52-0c5e-4d0c-a1f4-3f6f0e9d1c2b\r\n")
			wire.WriteString("amz-sdk-request: attempt=1\r\n")
			if tc.method == "POST" {
				wire.WriteString("Content-Length: " + strconv.Itoa(len(tc.body)) + "\r\n")
			}
			wire.WriteString("\r\n" + tc.body)

			rc := sendRaw(t, c, hostport, wire.String())
			a, err := rc.check(serverNow, testSecret)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			want := Scope{Date: "20261123", Region: "us-east-1", Service: "codeartifact"}
			if a.AccessKeyID != testKeyID || a.Scope != want || strings.Join(a.SignedHeaders, ";") != tc.signedHeaders {
				t.Errorf("Auth = %+v", a)
			}
			if tc.contentSHA != "" && PayloadHash(rc.body) == tc.contentSHA {
				t.Error("the test asset should not match its declared hash")
			}
			// The same request one second after the skew is refused.
			_, err = rc.check(signedAt.Add(testSkew+time.Second), testSecret)
			wantError(t, err, codeInvalid, "Signature expired: 20261123T190453Z is now earlier than 20261123T190454Z (20261123T191954Z - 15 min.)")
		})
	}
}

// sdkAuthorization returns the Authorization header aws-sdk-go-v2 computes
// for a request carrying only the headers the CLI signs.
func sdkAuthorization(t *testing.T, hostport, method, target, contentType, contentSHA, body string, at time.Time) string {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+hostport+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hash := PayloadHash([]byte(body))
	if contentSHA != "" {
		req.Header.Set("X-Amz-Content-Sha256", contentSHA)
		hash = contentSHA
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "codeartifact", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req.Header.Get("Authorization")
}

// sendRaw writes wire to the capture server and returns what it received.
func sendRaw(t *testing.T, c *capture, hostport, wire string) received {
	t.Helper()
	conn, err := net.Dial("tcp", hostport)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(wire)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("server answered %s", resp.Status)
	}
	return <-c.got
}
