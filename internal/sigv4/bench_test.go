package sigv4

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// benchRequest returns a typical AWS CLI call as Go's server parses it:
// list-packages with a small JSON body, content-type;host;x-amz-date signed,
// and the unsigned headers the CLI adds.
func benchRequest(b *testing.B) (*http.Request, []byte) {
	b.Helper()
	const target = "/v1/packages?domain=my-domain&repository=my-repo&format=npm&namespace=scope&package-prefix=pk"
	body := []byte(`{"maxResults": 50, "publish": "ALLOW", "upstream": "BLOCK"}`)
	signedAt := testNow.Add(-3 * time.Second)
	req, err := http.NewRequest("POST", "http://127.0.0.1:8080"+target, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, PayloadHash(body), "codeartifact", "us-east-1", signedAt); err != nil {
		b.Fatal(err)
	}
	wire := "POST " + target + " HTTP/1.1\r\n" +
		"Host: 127.0.0.1:8080\r\n" +
		"Accept-Encoding: identity\r\n" +
		"User-Agent: aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1.0 m/D,b,g,N,Z cfg/retry-mode#legacy botocore/1.43.11\r\n" +
		"X-Amz-Date: " + req.Header.Get("X-Amz-Date") + "\r\n" +
		"Content-Type: application/json\r\n" +
		"Authorization: " + req.Header.Get("Authorization") + "\r\n" +
		"amz-sdk-invocation-id: 6f0e3c52-0c5e-4d0c-a1f4-3f6f0e9d1c2b\r\n" +
		"amz-sdk-request: attempt=1\r\n" +
		"Content-Length: 59\r\n\r\n" + string(body)
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		b.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != string(body) {
		b.Fatalf("body %q, %v", got, err)
	}
	return r, body
}

// BenchmarkVerify measures Verify alone, the cost the control plane pays
// per request once it has parsed the claims and found the secret.
func BenchmarkVerify(b *testing.B) {
	r, body := benchRequest(b)
	a, err := Parse(r, testNow, testSkew, "codeartifact")
	if err != nil {
		b.Fatal(err)
	}
	hash := PayloadHash(body)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(r, a, testSecret, hash); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerify measures the whole check: Parse, hashing the body,
// and Verify.
func BenchmarkParseVerify(b *testing.B) {
	r, body := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		a, err := Parse(r, testNow, testSkew, "codeartifact")
		if err != nil {
			b.Fatal(err)
		}
		if err := Verify(r, a, testSecret, PayloadHash(body)); err != nil {
			b.Fatal(err)
		}
	}
}
