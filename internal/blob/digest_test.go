package blob_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
)

// emptySHA256 is the well-known SHA-256 of zero bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func TestParseDigest(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" means a Validation error
	}{
		{emptySHA256, emptySHA256},
		{strings.ToUpper(emptySHA256), emptySHA256},
		{strings.Repeat("0", 64), strings.Repeat("0", 64)},
		{"", ""},
		{emptySHA256[:63], ""},
		{emptySHA256 + "0", ""},
		{"sha256:" + emptySHA256, ""},
		{" " + emptySHA256[1:], ""},
		{"g" + emptySHA256[1:], ""},
		{strings.Repeat("x", 10000), ""},
	} {
		d, err := blob.ParseDigest(tt.in)
		if tt.want == "" {
			if !errors.Is(err, errkind.ErrValidation) {
				t.Errorf("ParseDigest(%.70q) = %v, %v; want a Validation error", tt.in, d, err)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Errorf("ParseDigest(%.70q) error is %d bytes long; want the input cut short", tt.in, len(err.Error()))
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("ParseDigest(%.70q) = %v, %v; want %s", tt.in, d, err, tt.want)
		}
	}
}

func TestDigest(t *testing.T) {
	empty := blob.Digest(sha256.Sum256(nil))
	if empty.String() != emptySHA256 {
		t.Errorf("String() = %s, want %s", empty, emptySHA256)
	}
	if empty.IsZero() || !(blob.Digest{}).IsZero() {
		t.Error("IsZero must be true only for the zero value")
	}

	// Digests appear in JSON and logs as hex, not as 32 numbers.
	b, err := json.Marshal(struct{ D blob.Digest }{empty})
	if err != nil || string(b) != `{"D":"`+emptySHA256+`"}` {
		t.Errorf("json.Marshal = %s, %v", b, err)
	}
	var back struct{ D blob.Digest }
	if err := json.Unmarshal(b, &back); err != nil || back.D != empty {
		t.Errorf("json.Unmarshal = %v, %v; want %s", back.D, err, empty)
	}
	if err := json.Unmarshal([]byte(`{"D":"nope"}`), &back); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("json.Unmarshal of a bad digest: %v, want a Validation error", err)
	}
}
