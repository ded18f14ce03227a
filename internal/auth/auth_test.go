package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
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
	good := &checkedBody{r: io.NopCloser(bytes.NewReader(body)), h: sha256.New(), want: sum[:]}
	if b, err := io.ReadAll(good); err != nil || !bytes.Equal(b, body) {
		t.Fatalf("matching body: %q, %v", b, err)
	}
	other := sha256.Sum256([]byte("something else"))
	bad := &checkedBody{r: io.NopCloser(bytes.NewReader(body)), h: sha256.New(), want: other[:]}
	if _, err := io.ReadAll(bad); !errors.Is(err, ErrBodyHash) {
		t.Fatalf("mismatching body: %v, want ErrBodyHash", err)
	}
}
