package blob

import (
	"encoding/hex"
	"strconv"

	"github.com/arcahq/arca/internal/errkind"
)

// Digest is the SHA-256 of a blob's bytes; blobs are keyed by it.
//
// A Digest is a plain array so that it can be compared with == and used as a
// map key; convert from crypto/sha256 with blob.Digest(sha256.Sum256(b)).
type Digest [32]byte

// String returns the digest as 64 lowercase hexadecimal characters, the form
// used in file names, URLs and CodeArtifact's assetSHA256 field.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// IsZero reports whether d is the zero value, which callers use to mean "no
// digest known"; it is not the digest of the empty blob.
func (d Digest) IsZero() bool { return d == Digest{} }

// MarshalText encodes d as lowercase hex so that JSON bodies and structured
// logs show the digest rather than an array of 32 numbers.
func (d Digest) MarshalText() ([]byte, error) {
	b := make([]byte, hex.EncodedLen(len(d)))
	hex.Encode(b, d[:])
	return b, nil
}

// UnmarshalText decodes a digest written by MarshalText; it accepts what
// ParseDigest accepts.
func (d *Digest) UnmarshalText(text []byte) error {
	p, err := ParseDigest(string(text))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// ParseDigest parses 64 hexadecimal characters, in lower or upper case, into a
// Digest. Anything else (a "sha256:" prefix, surrounding space, a wrong length)
// is an errkind.Validation error, because digests arrive from clients.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if len(s) != hex.EncodedLen(len(d)) {
		return Digest{}, errkind.Validationf("invalid SHA-256 digest %s: want 64 hexadecimal characters, got %d characters", quoteShort(s), len(s))
	}
	if _, err := hex.Decode(d[:], []byte(s)); err != nil {
		return Digest{}, errkind.Wrap(errkind.Validation, err, "invalid SHA-256 digest %s: not hexadecimal", quoteShort(s))
	}
	return d, nil
}

// quoteShort quotes s for an error message, cut short so that a hostile
// client cannot make the message (and the log line) arbitrarily long.
func quoteShort(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
