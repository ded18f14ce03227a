package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
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
	buf = a.Time.UTC().AppendFormat(buf, amzDateLayout)
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

// signingKey returns step 3's key for the secret and scope: derived once
// and kept (signingKeys), since a client signs every request of a day with
// the same key.
func signingKey(secretAccessKey string, s Scope) []byte {
	id := signingKeyID{secretAccessKey, s}
	signingKeys.Lock()
	k, ok := signingKeys.m[id]
	signingKeys.Unlock()
	if ok {
		return k[:]
	}
	key := deriveSigningKey(secretAccessKey, s)
	signingKeys.Lock()
	if len(signingKeys.m) >= maxSigningKeys {
		clear(signingKeys.m) // callers of other days and regions derive again
	}
	signingKeys.m[id] = [sha256.Size]byte(key)
	signingKeys.Unlock()
	return key
}

// signingKeys are the derived keys of the secrets and scopes seen lately:
// the four HMACs of the derivation were a third of a signature check. A
// scope's date is the request's (within the allowed skew), so a key stays
// in use for a day; at most maxSigningKeys are kept, and the process
// holds the secrets anyway.
var signingKeys = struct {
	sync.Mutex
	m map[signingKeyID][sha256.Size]byte
}{m: map[signingKeyID][sha256.Size]byte{}}

const maxSigningKeys = 1024

type signingKeyID struct {
	secret string
	scope  Scope
}

// deriveSigningKey derives step 3's key from the secret by the HMAC chain
// over the scope: date, region, service, "aws4_request".
func deriveSigningKey(secretAccessKey string, s Scope) []byte {
	k := hmacSHA256([]byte("AWS4"+secretAccessKey), s.Date)
	k = hmacSHA256(k, s.Region)
	k = hmacSHA256(k, s.Service)
	return hmacSHA256(k, terminator)
}

// sign computes step 4, the signature: HMAC-SHA256 of the string to sign
// under the signing key, as raw bytes.
func sign(key, stringToSign []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(stringToSign)
	return h.Sum(nil)
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
