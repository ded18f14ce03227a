// Package jsonstr appends strings as JSON, byte for byte as encoding/json
// writes them, without its reflection: for the log lines written on every
// request (audit events, the access log).
package jsonstr

import "encoding/json"

// Append appends s as a JSON string. Printable ASCII that needs no
// escaping (ids, ARNs, names, paths: nearly every string) is copied as it
// is; any other string goes through json.Marshal, so that escaping (HTML
// characters, control characters, invalid UTF-8, U+2028 and U+2029) stays
// encoding/json's.
func Append(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plain[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plain marks the bytes Append copies as they are: printable ASCII but for
// the quote, the backslash and the characters json.Marshal escapes for
// HTML.
var plain = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()
