package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a master key: AES-256.
const KeySize = 32

// prefix starts every sealed value; the key id and the sealed bytes
// follow: "arca-sealed:1:" + 8 hex digits + ":" + base64url(nonce ||
// ciphertext || tag). A plain IAM secret never holds a colon, and a plain
// signing key (32 random bytes) starts with this prefix with a chance of
// 2^-112.
const prefix = "arca-sealed:1:"

// ErrWrongKey is a sealed value that none of the master keys opens: it was
// sealed under another master key, or altered.
var ErrWrongKey = errors.New("no master key opens it")

// Box seals and opens values with a master key ring: the first key seals,
// every key opens (the others are previous keys, kept while the values
// sealed under them are sealed anew).
type Box struct {
	keys []masterKey
}

type masterKey struct {
	id   string // 8 hex digits, from the key's digest: says which key sealed a value
	aead cipher.AEAD
}

// NewBox returns a Box that seals with keys[0] and opens with any of keys.
func NewBox(keys ...[]byte) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("no master key")
	}
	b := &Box{}
	for _, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("a master key is %d bytes, not %d", KeySize, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append([]byte("arca master key id\x00"), k...))
		b.keys = append(b.keys, masterKey{id: hex.EncodeToString(sum[:4]), aead: aead})
	}
	return b, nil
}

// Seal encrypts plain under the current master key with a fresh nonce,
// bound to ad (the identity of the row that holds it: a value moved to
// another row does not open).
func (b *Box) Seal(plain []byte, ad string) string {
	k := b.keys[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + k.id + ":" + base64.RawURLEncoding.EncodeToString(k.aead.Seal(nonce, nonce, plain, []byte(ad)))
}

// Open decrypts a value Seal returned for the same ad. A value that is not
// sealed at all is returned as it is, with plain set: a row written before
// secrets were encrypted, which the caller seals anew. A sealed value no
// master key opens is ErrWrongKey.
func (b *Box) Open(v []byte, ad string) (out []byte, plain bool, err error) {
	rest, ok := strings.CutPrefix(string(v), prefix)
	if !ok {
		return v, true, nil
	}
	id, enc, ok := strings.Cut(rest, ":")
	raw, derr := base64.RawURLEncoding.Strict().DecodeString(enc)
	if !ok || derr != nil {
		return nil, false, fmt.Errorf("sealed value is malformed")
	}
	for _, k := range b.keys {
		if k.id != id || len(raw) < k.aead.NonceSize() {
			continue
		}
		n := k.aead.NonceSize()
		if out, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(ad)); err == nil {
			return out, false, nil
		}
	}
	return nil, false, ErrWrongKey
}

// Current reports whether v is sealed under the current master key (so
// needs no sealing anew).
func (b *Box) Current(v []byte) bool {
	return strings.HasPrefix(string(v), prefix+b.keys[0].id+":")
}
