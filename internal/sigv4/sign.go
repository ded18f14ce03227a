package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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

// signingKey derives step 3's key from the secret by the HMAC chain over the
// scope: date, region, service, "aws4_request".
func signingKey(secretAccessKey string, s Scope) []byte {
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
