package sigv4

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The derivation example of the AWS documentation ("Examples of how to
// derive a signing key for Signature Version 4").
func TestSigningKeyDerivation(t *testing.T) {
	s := Scope{Date: "20120215", Region: "us-east-1", Service: "iam"}
	const secret, want = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	for i := range 2 { // derived, then kept
		if got := hex.EncodeToString(signingKey(secret, s)); got != want {
			t.Fatalf("call %d: signing key %s, want %s", i+1, got, want)
		}
	}
}

// A kept signing key serves only its own secret and scope: a request
// signed with one secret never verifies under another, before or after
// the right key was kept, nor once the keys kept were dropped.
func TestKeptSigningKeysAreTheirSecretsOnly(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/domain?domain=d", nil)
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, PayloadHash(nil), "codeartifact", "us-east-1", testNow); err != nil {
		t.Fatal(err)
	}
	a, err := Parse(req, testNow, testSkew, "codeartifact")
	if err != nil {
		t.Fatal(err)
	}
	other := testSecret + "x"
	check := func(when string) {
		t.Helper()
		if err := Verify(req, a, other, PayloadHash(nil)); err == nil {
			t.Errorf("%s: verified under another secret", when)
		}
		if err := Verify(req, a, testSecret, PayloadHash(nil)); err != nil {
			t.Errorf("%s: %v", when, err)
		}
	}
	check("first")
	check("kept")
	for i := range maxSigningKeys + 1 {
		signingKey(fmt.Sprint("filler", i), a.Scope)
	}
	signingKeys.Lock()
	n := len(signingKeys.m)
	signingKeys.Unlock()
	if n > maxSigningKeys {
		t.Errorf("%d signing keys kept, at most %d wanted", n, maxSigningKeys)
	}
	check("after the keys were dropped")
}
