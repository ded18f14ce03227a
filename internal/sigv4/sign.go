package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
	"time"
)

// stringToSign builds step 2 of signing:
//
//	AWS4-HMAC-SHA256 \n amzdate \n scope \n hex(sha256(canonical request))
//
// The amzdate is the request's time in ISO 8601 basic format, also when it
// came from the Date header.
func stringToSign(a *Auth, canonicalRequestHash [sha256.Size]byte) []byte {
	buf := make([]byte, 0, 160)
	buf = append(buf, algorithm...)
	buf = append(buf, '\n')
	buf = appendAmzDate(buf, a.Time.UTC())
	buf = append(buf, '\n')
	buf = appendScope(buf, a.Scope)
	buf = append(buf, '\n')
	return hex.AppendEncode(buf, canonicalRequestHash[:])
}

// appendScope appends "yyyymmdd/region/service/aws4_request".
func appendScope(dst []byte, s Scope) []byte {
	dst = append(dst, s.Date...)
	dst = append(dst, '/')
	dst = append(dst, s.Region...)
	dst = append(dst, '/')
	dst = append(dst, s.Service...)
	dst = append(dst, '/')
	return append(dst, terminator...)
}

// appendAmzDate appends t (UTC) as amzDateLayout does, yyyymmddThhmmssZ,
// without time.Time.AppendFormat's general layout walk.
func appendAmzDate(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	dst = appendDigits(dst, y, 4)
	dst = appendDigits(dst, int(mo), 2)
	dst = appendDigits(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, h, 2)
	dst = appendDigits(dst, mi, 2)
	dst = appendDigits(dst, sec, 2)
	return append(dst, 'Z')
}

// appendDigits appends v, 0 <= v < 10^n, as n decimal digits.
func appendDigits(dst []byte, v, n int) []byte {
	var b [4]byte
	for i := n - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:n]...)
}

// signingKey returns step 3's key for the secret and scope (keyFor's).
func signingKey(secretAccessKey string, s Scope) []byte {
	k := keyFor(secretAccessKey, s)
	return k.key[:]
}

// keyFor returns the signing key of the secret and scope: derived once and
// kept (signingKeys), since a client signs every request of a day with the
// same key.
func keyFor(secretAccessKey string, s Scope) *signingKeyState {
	id := signingKeyID{secretAccessKey, s}
	signingKeys.Lock()
	k := signingKeys.m[id]
	signingKeys.Unlock()
	if k != nil {
		return k
	}
	k = &signingKeyState{key: [sha256.Size]byte(deriveSigningKey(secretAccessKey, s))}
	signingKeys.Lock()
	if len(signingKeys.m) >= maxSigningKeys {
		clear(signingKeys.m) // callers of other days and regions derive again
	}
	signingKeys.m[id] = k
	signingKeys.Unlock()
	return k
}

// signingKeys are the derived keys of the secrets and scopes seen lately:
// the four HMACs of the derivation were a third of a signature check. A
// scope's date is the request's (within the allowed skew), so a key stays
// in use for a day; at most maxSigningKeys are kept, and the process
// holds the secrets anyway.
var signingKeys = struct {
	sync.Mutex
	m map[signingKeyID]*signingKeyState
}{m: map[signingKeyID]*signingKeyState{}}

const maxSigningKeys = 1024

type signingKeyID struct {
	secret string
	scope  Scope
}

// signingKeyState is a kept signing key and the HMACs keyed with it that
// signed before: an HMAC reset after its first use starts again from its
// keyed inner and outer states, where hmac.New would allocate two digests
// and hash the padded key twice for every request (a third of what
// Verify spent after the key was kept).
type signingKeyState struct {
	key  [sha256.Size]byte
	macs sync.Pool // of hash.Hash, hmac.New(sha256.New, key)
}

// sign computes step 4, the signature: HMAC-SHA256 of the string to sign
// under the signing key, appended to dst as raw bytes.
func (k *signingKeyState) sign(dst, stringToSign []byte) []byte {
	h, _ := k.macs.Get().(hash.Hash)
	if h == nil {
		h = hmac.New(sha256.New, k.key[:])
	} else {
		h.Reset()
	}
	h.Write(stringToSign)
	dst = h.Sum(dst)
	k.macs.Put(h)
	return dst
}

// deriveSigningKey derives step 3's key from the secret by the HMAC chain
// over the scope: date, region, service, "aws4_request".
func deriveSigningKey(secretAccessKey string, s Scope) []byte {
	k := hmacSHA256([]byte("AWS4"+secretAccessKey), s.Date)
	k = hmacSHA256(k, s.Region)
	k = hmacSHA256(k, s.Service)
	return hmacSHA256(k, terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
