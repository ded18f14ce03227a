package sigv4

import (
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// canonicalRequest builds step 1 of signing, the canonical request:
//
//	method \n canonical URI \n canonical query \n canonical headers \n signed headers \n payload hash
//
// where the canonical headers end with their own newline. It reports false
// when the query does not decode.
func canonicalRequest(r *http.Request, a *Auth, payloadHash string) ([]byte, bool) {
	path, rawQuery := requestTarget(r)
	buf := make([]byte, 0, 256+len(path)+2*len(rawQuery))
	buf = append(buf, r.Method...)
	buf = append(buf, '\n')
	buf = canonicalURI(buf, path)
	buf = append(buf, '\n')
	var ok bool
	if a.parsed {
		buf = canonicalParams(buf, a.query, a.Presigned)
	} else if buf, ok = canonicalQuery(buf, rawQuery, a.Presigned); !ok {
		return nil, false
	}
	buf = append(buf, '\n')
	buf = canonicalHeaders(buf, r, a.SignedHeaders)
	buf = append(buf, '\n')
	for i, name := range a.SignedHeaders {
		if i > 0 {
			buf = append(buf, ';')
		}
		buf = append(buf, name...)
	}
	buf = append(buf, '\n')
	buf = append(buf, payloadHash...)
	return buf, true
}

// canonicalURI appends the canonical URI of the escaped path as sent: the
// path URI-encoded once more (non-S3 services encode twice), with '/' kept
// and no normalisation. An empty path is "/".
func canonicalURI(dst []byte, escapedPath string) []byte {
	if escapedPath == "" {
		return append(dst, '/')
	}
	return appendEncoded(dst, escapedPath, true)
}

// canonicalQuery appends the canonical query string of a raw query: each
// key and value decoded, then encoded again, sorted by key and then by
// value, joined with '&'. A presigned request's X-Amz-Signature is left out.
// It reports false when the query does not decode.
func canonicalQuery(dst []byte, rawQuery string, presigned bool) ([]byte, bool) {
	params, ok := parseQuery(rawQuery)
	if !ok {
		return nil, false
	}
	return canonicalParams(dst, params, presigned), true
}

// canonicalParams appends the canonical query string of a decoded query
// (canonicalQuery), leaving query as it is.
func canonicalParams(dst []byte, query []param, presigned bool) []byte {
	var room [16]param
	params := room[:0]
	for _, p := range query {
		if presigned && p.key == paramSignature {
			continue
		}
		params = append(params, param{encodeComponent(p.key), encodeComponent(p.value)})
	}
	// SigV4 sorts after encoding: the orders of the two forms differ
	// ("a-b" < "a/b" but "a%2Fb" < "a-b").
	slices.SortFunc(params, func(x, y param) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return strings.Compare(x.value, y.value)
	})
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}

// canonicalHeaders appends "name:value\n" for each signed header, in the
// order listed.
func canonicalHeaders(dst []byte, r *http.Request, names []string) []byte {
	for _, name := range names {
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = headerValue(dst, r, name)
		dst = append(dst, '\n')
	}
	return dst
}

// headerValue appends the canonical value of the header with the lowercase
// name: all its values, trimmed and with runs of spaces collapsed, joined
// with ','. A header the request lacks has an empty value.
func headerValue(dst []byte, r *http.Request, name string) []byte {
	switch name {
	case "host":
		// Go's server moves Host out of r.Header.
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		return appendTrimmed(dst, host)
	case "content-length":
		if vs := r.Header["Content-Length"]; len(vs) > 0 {
			return appendJoined(dst, vs)
		}
		if r.ContentLength >= 0 {
			return strconv.AppendInt(dst, r.ContentLength, 10)
		}
		return dst
	}
	return appendJoined(dst, r.Header[canonicalHeaderKey(name)])
}

// canonicalHeaderKey returns the key under which Go stores the header with
// the lowercase name; the common names avoid an allocation.
func canonicalHeaderKey(name string) string {
	switch name {
	case "content-type":
		return "Content-Type"
	case "x-amz-date":
		return "X-Amz-Date"
	case "x-amz-content-sha256":
		return "X-Amz-Content-Sha256"
	case "x-amz-security-token":
		return "X-Amz-Security-Token"
	case "x-amz-target":
		return "X-Amz-Target"
	case "date":
		return "Date"
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// appendJoined appends the values joined with ',', each trimmed.
func appendJoined(dst []byte, values []string) []byte {
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return dst
}

// appendTrimmed appends v without leading and trailing spaces and tabs, and
// with each run of spaces inside it collapsed to one space.
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// unreserved reports whether c is one of RFC 3986's unreserved characters,
// the only ones SigV4 leaves unencoded.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendEncoded appends s URI-encoded: every byte but the unreserved ones
// (and '/' when keepSlash) as %XX with uppercase hex.
func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// encodeComponent returns a query key or value URI-encoded, and s itself
// when nothing needs encoding.
func encodeComponent(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return string(appendEncoded(make([]byte, 0, len(s)+16), s, false))
		}
	}
	return s
}
