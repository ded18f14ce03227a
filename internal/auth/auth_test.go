package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/sigv4"
)

func TestBearer(t *testing.T) {
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		header, token string
		err           error
	}{
		{"Bearer TOK", "TOK", nil},
		{"bearer  TOK ", "TOK", nil},
		{basic("aws:TOK"), "TOK", nil},
		{basic("anyone:TOK"), "TOK", nil},
		{"TOK", "TOK", nil}, // cargo
		{"", "", ErrNoCredentials},
		{"  ", "", ErrNoCredentials},
		{"Basic !!!", "", errkind.ErrUnauthenticated},
		{basic("no-colon"), "", errkind.ErrUnauthenticated},
		{"Digest x=y", "", errkind.ErrUnauthenticated},
		// Credentials up to basicMax bytes, well above the longest token.
		{basic("aws:" + strings.Repeat("T", basicMax-4)), strings.Repeat("T", basicMax-4), nil},
		{basic("aws:" + strings.Repeat("T", basicMax-3)), "", errkind.ErrUnauthenticated},
	}
	for _, c := range cases {
		tok, err := bearer(c.header)
		if c.err == nil && (err != nil || tok != c.token) {
			t.Errorf("bearer(%q) = %q, %v; want %q", c.header, tok, err, c.token)
		}
		if c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("bearer(%q) error = %v, want %v", c.header, err, c.err)
		}
	}
}

func TestCheckedBody(t *testing.T) {
	body := []byte("the asset bytes")
	sum := sha256.Sum256(body)
	good := &checkedBody{r: io.NopCloser(bytes.NewReader(body)), h: sha256.New(), want: sum[:], limit: -1}
	if b, err := io.ReadAll(good); err != nil || !bytes.Equal(b, body) {
		t.Fatalf("matching body: %q, %v", b, err)
	}
	other := sha256.Sum256([]byte("something else"))
	bad := &checkedBody{r: io.NopCloser(bytes.NewReader(body)), h: sha256.New(), want: other[:], limit: -1}
	if _, err := io.ReadAll(bad); !errors.Is(err, ErrBodyHash) {
		t.Fatalf("mismatching body: %v, want ErrBodyHash", err)
	}
}

// keys is a KeyLookup answering with a fixed error.
type keys struct{ err error }

func (k keys) Lookup(context.Context, string, string) (string, identity.Principal, error) {
	return "", identity.Principal{}, k.err
}

func TestSigV4CredentialErrors(t *testing.T) {
	now := time.Date(2026, 11, 23, 19, 4, 53, 0, time.UTC)
	cases := []struct {
		err  error
		code string
	}{
		{identity.ErrUnknownKey, CodeUnrecognizedClient},
		{identity.ErrExpiredToken, CodeExpiredToken},
	}
	for _, c := range cases {
		a := New(keys{c.err}, nil, func() time.Time { return now })
		r := httptest.NewRequest(http.MethodPost, "/v1/domains", nil)
		r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
		r.Header.Set("X-Amz-Security-Token", "tok")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE0/20261123/us-east-1/codeartifact/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
		_, _, err := a.SigV4(r, MaxBufferedBody, "codeartifact")
		var se *sigv4.Error
		if !errors.As(err, &se) || se.Code != c.code {
			t.Errorf("Lookup error %v: SigV4 = %v, want %s", c.err, err, c.code)
		}
	}
}

func TestCheckedBodyLimit(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 100)
	sum := sha256.Sum256(body)
	at := &checkedBody{r: io.NopCloser(bytes.NewReader(body)), h: sha256.New(), want: sum[:], left: 100, limit: 100}
	if b, err := io.ReadAll(at); err != nil || len(b) != 100 {
		t.Fatalf("a body of exactly the limit: %d bytes, %v", len(b), err)
	}
	over := &checkedBody{r: io.NopCloser(bytes.NewReader(append(body, 'x'))), h: sha256.New(), want: sum[:], left: 100, limit: 100}
	if _, err := io.ReadAll(over); !errors.Is(err, errkind.ErrValidation) || errors.Is(err, ErrBodyHash) {
		t.Fatalf("a body one byte over the limit: %v, want a Validation error about its size", err)
	}
}
