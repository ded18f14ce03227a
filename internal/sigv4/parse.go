package sigv4

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	terminator      = "aws4_request"
	amzDateLayout   = "20060102T150405Z"
	scopeDateLayout = "20060102"

	// maxExpires is the longest X-Amz-Expires AWS accepts: seven days.
	maxExpires = 7 * 24 * 60 * 60
)

// The query parameters of a presigned request.
const (
	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
	paramSecurityToken = "X-Amz-Security-Token"
)

// param is one decoded query parameter.
type param struct{ key, value string }

// requestTarget returns the escaped path and the raw query of r as they were
// sent. A server request carries the request target verbatim in RequestURI,
// which survives handlers that rewrite r.URL; a request built in a test (or
// one in absolute form) falls back to r.URL.
func requestTarget(r *http.Request) (path, rawQuery string) {
	if strings.HasPrefix(r.RequestURI, "/") {
		path, rawQuery, _ = strings.Cut(r.RequestURI, "?")
		return path, rawQuery
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

// parseQuery decodes a raw query into its parameters, in order, the way
// url.ParseQuery does: '&' separates pairs, the first '=' separates key from
// value, '+' is a space. Unlike url.ParseQuery it fails instead of silently
// dropping a pair that does not decode, so that nothing unsigned can hide in
// the query.
func parseQuery(raw string) ([]param, bool) {
	if raw == "" {
		return nil, true
	}
	params := make([]param, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if strings.IndexByte(pair, ';') >= 0 {
			return nil, false
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, false
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return nil, false
		}
		params = append(params, param{k, v})
	}
	return params, true
}

// hasParam reports whether params has key.
func hasParam(params []param, key string) bool {
	_, ok := getParam(params, key)
	return ok
}

// getParam returns the first value of key in params.
func getParam(params []param, key string) (string, bool) {
	for _, p := range params {
		if p.key == key {
			return p.value, true
		}
	}
	return "", false
}

// plainWord reports whether s looks like an authorization scheme (Bearer,
// Basic, AWS4-HMAC-SHA256): short, letters, digits and dashes.
func plainWord(s string) bool {
	if len(s) > 24 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parseHeaderAuth reads the claims of a request signed in its Authorization
// header.
func parseHeaderAuth(r *http.Request, header string) (*Auth, *Error) {
	alg, rest, _ := strings.Cut(header, " ")
	if alg != algorithm {
		if !plainWord(alg) {
			// Not a scheme but a credential sent bare (cargo sends its
			// token so): never echoed.
			return nil, incomplete("Unsupported AWS 'algorithm'.")
		}
		return nil, incomplete("Unsupported AWS 'algorithm': '" + alg + "'.")
	}
	var credential, signedHeaders, signature string
	var haveCredential, haveSignedHeaders, haveSignature bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			// AWS does not echo the pair; it names it by a digest.
			sum := sha256.Sum256([]byte(part))
			return nil, incomplete("Invalid key=value pair (missing equal-sign) in Authorization header " +
				"(hashed with SHA-256 and encoded with Base64): '" + base64.StdEncoding.EncodeToString(sum[:]) + "'.")
		}
		switch k {
		case "Credential":
			credential, haveCredential = v, true
		case "SignedHeaders":
			signedHeaders, haveSignedHeaders = v, true
		case "Signature":
			signature, haveSignature = v, true
		}
	}

	// The time comes from X-Amz-Date, else from Date; whichever is used
	// must itself be signed.
	dateName, dateValue := "x-amz-date", r.Header.Get("X-Amz-Date")
	if dateValue == "" {
		dateName, dateValue = "date", r.Header.Get("Date")
	}

	// Like AWS, name everything that is missing at once.
	var missing strings.Builder
	if !haveCredential || credential == "" {
		missing.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if !haveSignature || signature == "" {
		missing.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !haveSignedHeaders || signedHeaders == "" {
		missing.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if dateValue == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		// AWS appends "Authorization=" and the whole header, signature
		// included; the message goes to logs, so it names nothing of it.
		return nil, incomplete(strings.TrimSuffix(missing.String(), " "))
	}

	a := &Auth{}
	if err := parseCredential(a, credential); err != nil {
		return nil, err
	}
	var err *Error
	if a.SignedHeaders, err = parseSignedHeaders(signedHeaders); err != nil {
		return nil, err
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return nil, incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !slices.Contains(a.SignedHeaders, dateName) {
		return nil, incomplete("'" + headerDisplayName(dateName) + "' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if a.Signature, err = parseSignature(signature); err != nil {
		return nil, err
	}
	if dateName == "x-amz-date" {
		a.Time, err = parseAmzDate(dateValue)
	} else {
		a.Time, err = parseHTTPDate(dateValue)
	}
	if err != nil {
		return nil, err
	}
	a.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	return a, nil
}

// headerDisplayName returns the conventional spelling of a date header name
// for messages.
func headerDisplayName(lower string) string {
	if lower == "x-amz-date" {
		return "X-Amz-Date"
	}
	return "Date"
}

// parseQueryAuth reads the claims of a presigned request from its query
// parameters, and returns X-Amz-Expires as well.
func parseQueryAuth(params []param) (*Auth, time.Duration, *Error) {
	var missing strings.Builder
	values := make(map[string]string, 6)
	for _, name := range []string{paramAlgorithm, paramCredential, paramSignature, paramDate, paramSignedHeaders, paramExpires} {
		v, ok := getParam(params, name)
		if !ok || v == "" {
			missing.WriteString("AWS query-string parameters must include '" + name + "'. ")
			continue
		}
		values[name] = v
	}
	if missing.Len() > 0 {
		missing.WriteString("Re-examine the query-string parameters.")
		return nil, 0, incomplete(missing.String())
	}
	if values[paramAlgorithm] != algorithm {
		return nil, 0, incomplete("X-Amz-Algorithm only supports \"" + algorithm + "\".")
	}

	a := &Auth{Presigned: true}
	if err := parseCredential(a, values[paramCredential]); err != nil {
		return nil, 0, err
	}
	var err *Error
	if a.SignedHeaders, err = parseSignedHeaders(values[paramSignedHeaders]); err != nil {
		return nil, 0, err
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return nil, 0, incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if a.Signature, err = parseSignature(values[paramSignature]); err != nil {
		return nil, 0, err
	}
	if a.Time, err = parseAmzDate(values[paramDate]); err != nil {
		return nil, 0, err
	}
	expires, err := parseExpires(values[paramExpires])
	if err != nil {
		return nil, 0, err
	}
	a.SecurityToken, _ = getParam(params, paramSecurityToken)
	return a, expires, nil
}

// parseCredential fills a's access key and scope from a credential,
// "keyid/yyyymmdd/region/service/aws4_request". It checks the terminator,
// which Scope does not keep; checkScope checks the rest of the scope once
// the request's time is known.
func parseCredential(a *Auth, credential string) *Error {
	key, rest, _ := strings.Cut(credential, "/")
	date, rest, _ := strings.Cut(rest, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, term, _ := strings.Cut(rest, "/")
	if strings.Count(credential, "/") != 4 || key == "" {
		return incomplete("Credential must have exactly 5 slash-delimited elements, " +
			"e.g. keyid/date/region/service/term, got '" + credential + "'")
	}
	a.AccessKeyID = key
	a.Scope = Scope{Date: date, Region: region, Service: service}
	if term != terminator {
		return invalid("Credential should be scoped with a valid terminator: 'aws4_request', not '" + term + "'. ")
	}
	return nil
}

// parseSignedHeaders splits a SignedHeaders value into lowercase names,
// keeping their order.
func parseSignedHeaders(v string) ([]string, *Error) {
	names := strings.Split(v, ";")
	for i, n := range names {
		if n == "" {
			return nil, incomplete("SignedHeaders must be a ';'-separated list of header names, got '" + v + "'.")
		}
		names[i] = strings.ToLower(n)
	}
	return names, nil
}

// parseSignature checks that a signature is 64 hex digits and returns it in
// lowercase. A malformed signature can never match, so it is reported as a
// mismatch.
func parseSignature(v string) (string, *Error) {
	var sig [sha256.Size]byte
	if !decodeSignature(sig[:], v) {
		return "", mismatch()
	}
	return strings.ToLower(v), nil
}

// decodeSignature decodes the hex signature s into dst, which must be
// sha256.Size bytes long, and reports whether s was exactly that many
// bytes of hex.
func decodeSignature(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseAmzDate parses an ISO 8601 basic format time, "20060102T150405Z",
// strictly: exactly those 16 characters, every field in its range (what
// time.Parse of amzDateLayout accepts and formats back the same, read
// here without either: it ran on every signed request).
func parseAmzDate(v string) (time.Time, *Error) {
	if t, ok := amzDate(v); ok {
		return t, nil
	}
	return time.Time{}, incomplete("Date must be in ISO-8601 'basic format'. Got '" + v +
		"'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// amzDate reads "yyyymmddThhmmssZ".
func amzDate(v string) (time.Time, bool) {
	if len(v) != len(amzDateLayout) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(4, 6), num(6, 8)
	hour, minute, second := num(9, 11), num(11, 13), num(13, 15)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
		minute < 0 || minute > 59 || second < 0 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if t.Day() != day { // past the month's end: time.Date would roll over
		return time.Time{}, false
	}
	return t, true
}

// parseHTTPDate parses the Date header in any of the formats HTTP allows.
func parseHTTPDate(v string) (time.Time, *Error) {
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, incomplete("Date header is not a valid HTTP date: '" + v + "'.")
	}
	return t.UTC(), nil
}

// parseExpires parses X-Amz-Expires, in seconds, at most seven days.
func parseExpires(v string) (time.Duration, *Error) {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return 0, incomplete("X-Amz-Expires should be a number")
	case n < 0:
		return 0, incomplete("X-Amz-Expires must be non-negative")
	case n > maxExpires:
		return 0, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	return time.Duration(n) * time.Second, nil
}

// checkScope checks the credential scope against the request's time and the
// accepted services. Any non-empty region is accepted.
func checkScope(a *Auth, services []string) *Error {
	// The scope's date is the first 8 characters of X-Amz-Date's (UTC),
	// written on the stack.
	var date [16]byte
	if want := appendAmzDate(date[:0], a.Time.UTC())[:len(scopeDateLayout)]; a.Scope.Date != string(want) {
		return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.Scope.Date + "' != '" + string(want) + "', from '" + a.Time.Format(amzDateLayout) + "'.")
	}
	if a.Scope.Region == "" {
		return invalid("Credential should be scoped to a valid region. ")
	}
	if !slices.Contains(services, a.Scope.Service) {
		want := ""
		if len(services) > 0 {
			want = services[0]
		}
		return invalid("Credential should be scoped to correct service: '" + want + "'. ")
	}
	return nil
}

// checkSkew checks that a header-signed request's time t is within skew of
// now, with AWS's messages.
func checkSkew(t, now time.Time, skew time.Duration) *Error {
	if earliest := now.Add(-skew); t.Before(earliest) {
		return invalid("Signature expired: " + t.Format(amzDateLayout) + " is now earlier than " +
			earliest.Format(amzDateLayout) + " (" + now.Format(amzDateLayout) + " - " + formatDuration(skew) + ")")
	}
	if latest := now.Add(skew); t.After(latest) {
		return invalid("Signature not yet current: " + t.Format(amzDateLayout) + " is still later than " +
			latest.Format(amzDateLayout) + " (" + now.Format(amzDateLayout) + " + " + formatDuration(skew) + ")")
	}
	return nil
}

// checkPresignedTime checks that now is within [t-skew, t+expires], the
// validity window of a presigned request signed at t.
func checkPresignedTime(t, now time.Time, skew, expires time.Duration) *Error {
	if latest := now.Add(skew); t.After(latest) {
		return invalid("Signature not yet current: " + t.Format(amzDateLayout) + " is still later than " +
			latest.Format(amzDateLayout) + " (" + now.Format(amzDateLayout) + " + " + formatDuration(skew) + ")")
	}
	if earliest := now.Add(-expires); t.Before(earliest) {
		return invalid("Signature expired: " + t.Format(amzDateLayout) + " is now earlier than " +
			earliest.Format(amzDateLayout) + " (" + now.Format(amzDateLayout) + " - " + formatDuration(expires) + ")")
	}
	return nil
}

// formatDuration writes d the way AWS's skew messages do: "15 min.", or in
// seconds when d is not a whole number of minutes.
func formatDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec."
}
