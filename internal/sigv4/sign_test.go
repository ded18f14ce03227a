package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"
	"time"

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

// The string to sign carries the request's time as amzDateLayout formats
// it, whatever the time's own zone.
func TestAppendAmzDate(t *testing.T) {
	zone := time.FixedZone("x", -5*3600)
	for _, at := range []time.Time{
		time.Date(2026, 12, 8, 1, 2, 3, 999, time.UTC),
		time.Date(1999, 1, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 0, zone),
		time.Unix(0, 0),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		want := at.UTC().Format(amzDateLayout)
		if got := string(appendAmzDate([]byte("x"), at.UTC())); got != "x"+want {
			t.Errorf("%v: %q, want %q", at, got, "x"+want)
		}
	}
}

// A kept key's HMAC signs each string as a fresh HMAC would, also when
// it is reused for another string right after.
func TestKeptKeySignsAsFreshHMAC(t *testing.T) {
	s := Scope{Date: "20261208", Region: "us-west-2", Service: "codeartifact"}
	k := keyFor("kept-key-secret", s)
	for _, sts := range []string{"first", "second, longer than the first one", "", "first"} {
		h := hmac.New(sha256.New, k.key[:])
		h.Write([]byte(sts))
		want := h.Sum(nil)
		for range 3 {
			if got := k.sign(nil, []byte(sts)); !bytes.Equal(got, want) {
				t.Fatalf("%q: %x, want %x", sts, got, want)
			}
		}
	}
}
