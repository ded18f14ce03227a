package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	parseSig  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	parseCred = "AKIAFAKEFAKEFAKE/20261123/us-east-1/codeartifact/aws4_request"
	parseAuth = "AWS4-HMAC-SHA256 Credential=" + parseCred + ", SignedHeaders=host;x-amz-date, Signature=" + parseSig
)

var parseNow = time.Date(2026, 11, 23, 19, 5, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	type hdr = map[string]string
	withAuth := func(auth string) hdr { return hdr{"Authorization": auth, "X-Amz-Date": "20261123T190453Z"} }
	replaced := func(old, new string) hdr { return withAuth(strings.Replace(parseAuth, old, new, 1)) }
	presignQuery := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAFAKEFAKEFAKE%2F20261123%2Fus-east-1%2Fcodeartifact%2Faws4_request" +
		"&X-Amz-Date=20261123T190453Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=" + parseSig

	tests := []struct {
		name     string
		target   string
		header   hdr
		now      time.Time
		services []string
		code     string // "" for success
		message  string // the exact message; a prefix when it ends in "..."
	}{
		{name: "valid", target: "/", header: withAuth(parseAuth)},
		{name: "no authentication", target: "/v1/domains", header: hdr{"X-Amz-Date": "20261123T190453Z"},
			code: codeMissingToken, message: "Missing Authentication Token"},
		{name: "empty Authorization", target: "/", header: hdr{"Authorization": ""},
			code: codeMissingToken, message: "Missing Authentication Token"},
		{name: "bearer", target: "/", header: withAuth("Bearer TOKEN123abc"),
			code: codeIncomplete, message: "Unsupported AWS 'algorithm': 'Bearer'."},
		{name: "a bare token", target: "/", header: withAuth("eyJ2ZXJzaW9uIjoxLCJzZWNyZXQiOiJ4eXoifQ"),
			code: codeIncomplete, message: "Unsupported AWS 'algorithm'."},
		{name: "sha512", target: "/", header: replaced("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
			code: codeIncomplete, message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{name: "no signature", target: "/", header: replaced(", Signature="+parseSig, ""),
			code:    codeIncomplete,
			message: "Authorization header requires 'Signature' parameter."},
		{name: "empty signature", target: "/", header: replaced("Signature="+parseSig, "Signature="),
			code: codeIncomplete, message: "Authorization header requires 'Signature' parameter."},
		{name: "nothing", target: "/", header: hdr{"Authorization": "AWS4-HMAC-SHA256"},
			code: codeIncomplete,
			message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a " +
				"'X-Amz-Date' or a 'Date' header."},
		{name: "no date", target: "/", header: hdr{"Authorization": parseAuth},
			code: codeIncomplete, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."},
		{name: "pair without equals", target: "/", header: withAuth(parseAuth + ", Oops"),
			code: codeIncomplete, message: "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '..."},
		{name: "no space after commas", target: "/", header: withAuth(strings.ReplaceAll(parseAuth, ", ", ","))},
		{name: "unknown parameter ignored", target: "/", header: withAuth(parseAuth + ", Foo=bar")},
		{name: "credential of four elements", target: "/", header: replaced(parseCred, "AKIAFAKEFAKEFAKE/20261123/us-east-1/codeartifact"),
			code: codeIncomplete, message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAFAKEFAKEFAKE/20261123/us-east-1/codeartifact'"},
		{name: "empty access key", target: "/", header: replaced("Credential=AKIAFAKEFAKEFAKE/", "Credential=/"),
			code: codeIncomplete, message: "Credential must have exactly 5 slash-delimited elements, ..."},
		{name: "terminator", target: "/", header: replaced("aws4_request", "aws5_request"),
			code: codeInvalid, message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "host not signed", target: "/", header: replaced("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"),
			code: codeIncomplete, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "x-amz-date not signed", target: "/", header: replaced("SignedHeaders=host;x-amz-date", "SignedHeaders=host"),
			code: codeIncomplete, message: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "empty signed header name", target: "/", header: replaced("SignedHeaders=host;x-amz-date", "SignedHeaders=host;;x-amz-date"),
			code: codeIncomplete, message: "SignedHeaders must be a ';'-separated list of header names, got 'host;;x-amz-date'."},
		{name: "uppercase signed headers", target: "/", header: replaced("SignedHeaders=host;x-amz-date", "SignedHeaders=Host;X-Amz-Date")},
		{name: "date header", target: "/", header: hdr{"Date": "Mon, 23 Nov 2026 19:04:53 GMT",
			"Authorization": strings.Replace(parseAuth, "host;x-amz-date", "date;host", 1)}},
		{name: "date header not signed", target: "/", header: hdr{"Date": "Mon, 23 Nov 2026 19:04:53 GMT",
			"Authorization": strings.Replace(parseAuth, "host;x-amz-date", "host", 1)},
			code: codeIncomplete, message: "'Date' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "bad date header", target: "/", header: hdr{"Date": "yesterday",
			"Authorization": strings.Replace(parseAuth, "host;x-amz-date", "date;host", 1)},
			code: codeIncomplete, message: "Date header is not a valid HTTP date: 'yesterday'."},
		{name: "x-amz-date extended format", target: "/", header: hdr{"Authorization": parseAuth, "X-Amz-Date": "2026-11-23T19:04:53Z"},
			code: codeIncomplete, message: "Date must be in ISO-8601 'basic format'. Got '2026-11-23T19:04:53Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "x-amz-date short hour", target: "/", header: hdr{"Authorization": parseAuth, "X-Amz-Date": "20261123T90453Z"},
			code: codeIncomplete, message: "Date must be in ISO-8601 'basic format'. ..."},
		{name: "scope date", target: "/", header: replaced("/20261123/", "/20261122/"),
			code: codeInvalid, message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261122' != '20261123', from '20261123T190453Z'."},
		{name: "empty region", target: "/", header: replaced("/us-east-1/", "//"),
			code: codeInvalid, message: "Credential should be scoped to a valid region. "},
		{name: "any region", target: "/", header: replaced("/us-east-1/", "/xx-nowhere-9/")},
		{name: "service", target: "/", header: replaced("/codeartifact/", "/s3/"),
			code: codeInvalid, message: "Credential should be scoped to correct service: 'codeartifact'. "},
		{name: "second service", target: "/", header: replaced("/codeartifact/", "/sts/"), services: []string{"codeartifact", "sts"}},
		{name: "no services", target: "/", header: withAuth(parseAuth), services: []string{},
			code: codeInvalid, message: "Credential should be scoped to correct service: ''. "},
		{name: "short signature", target: "/", header: replaced(parseSig, parseSig[1:]),
			code: codeInvalid, message: msgMismatch},
		{name: "non-hex signature", target: "/", header: replaced(parseSig, "g"+parseSig[1:]),
			code: codeInvalid, message: msgMismatch},
		{name: "uppercase signature", target: "/", header: replaced(parseSig, strings.ToUpper(parseSig))},
		{name: "expired", target: "/", header: withAuth(parseAuth), now: time.Date(2026, 11, 23, 19, 25, 0, 0, time.UTC),
			code: codeInvalid, message: "Signature expired: 20261123T190453Z is now earlier than 20261123T191000Z (20261123T192500Z - 15 min.)"},
		{name: "skew edge, past", target: "/", header: withAuth(parseAuth), now: time.Date(2026, 11, 23, 19, 19, 53, 0, time.UTC)},
		{name: "not yet current", target: "/",
			header: hdr{"Authorization": parseAuth, "X-Amz-Date": "20261123T194000Z"},
			now:    time.Date(2026, 11, 23, 19, 20, 0, 0, time.UTC),
			code:   codeInvalid, message: "Signature not yet current: 20261123T194000Z is still later than 20261123T193500Z (20261123T192000Z + 15 min.)"},
		{name: "skew edge, future", target: "/", header: hdr{"Authorization": parseAuth, "X-Amz-Date": "20261123T193500Z"},
			now: time.Date(2026, 11, 23, 19, 20, 0, 0, time.UTC)},
		{name: "now in another zone", target: "/", header: withAuth(parseAuth), now: parseNow.In(time.FixedZone("X", -5*3600))},
		{name: "malformed query", target: "/v1/x?a=%zz", header: withAuth(parseAuth),
			code: codeIncomplete, message: "The query string is not valid URL encoding."},
		{name: "header and presigned query", target: "/?" + presignQuery, header: withAuth(parseAuth),
			code: codeIncomplete, message: "Only one auth mechanism allowed; ..."},
		{name: "presigned", target: "/?" + presignQuery},
		{name: "presigned without date", target: "/?" + strings.Replace(presignQuery, "&X-Amz-Date=20261123T190453Z", "", 1),
			code: codeIncomplete, message: "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{name: "presigned without expires and signed headers", target: "/?" + strings.Replace(strings.Replace(presignQuery, "&X-Amz-Expires=900", "", 1), "&X-Amz-SignedHeaders=host", "", 1),
			code: codeIncomplete, message: "AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Expires'. Re-examine the query-string parameters."},
		{name: "presigned only a signature", target: "/?X-Amz-Signature=" + parseSig,
			code: codeIncomplete, message: "AWS query-string parameters must include 'X-Amz-Algorithm'. ..."},
		{name: "presigned algorithm", target: "/?" + strings.Replace(presignQuery, "SHA256", "SHA1", 1),
			code: codeIncomplete, message: "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"."},
		{name: "presigned expires not a number", target: "/?" + strings.Replace(presignQuery, "Expires=900", "Expires=15m", 1),
			code: codeIncomplete, message: "X-Amz-Expires should be a number"},
		{name: "presigned expires negative", target: "/?" + strings.Replace(presignQuery, "Expires=900", "Expires=-1", 1),
			code: codeIncomplete, message: "X-Amz-Expires must be non-negative"},
		{name: "presigned host not signed", target: "/?" + strings.Replace(presignQuery, "SignedHeaders=host", "SignedHeaders=x-amz-date", 1),
			code: codeIncomplete, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "presigned expired", target: "/?" + presignQuery, now: time.Date(2026, 11, 23, 19, 19, 54, 0, time.UTC),
			code: codeInvalid, message: "Signature expired: 20261123T190453Z is now earlier than 20261123T190454Z (20261123T191954Z - 15 min.)"},
		{name: "presigned expires in seconds", target: "/?" + strings.Replace(presignQuery, "Expires=900", "Expires=30", 1), now: time.Date(2026, 11, 23, 19, 5, 24, 0, time.UTC),
			code: codeInvalid, message: "Signature expired: 20261123T190453Z is now earlier than 20261123T190454Z (20261123T190524Z - 30 sec.)"},
		{name: "presigned not yet current", target: "/?" + presignQuery, now: time.Date(2026, 11, 23, 18, 49, 52, 0, time.UTC),
			code: codeInvalid, message: "Signature not yet current: 20261123T190453Z is still later than 20261123T190452Z (20261123T184952Z + 15 min.)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.target, nil)
			r.Host = "127.0.0.1:8080"
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			now := tc.now
			if now.IsZero() {
				now = parseNow
			}
			services := tc.services
			if services == nil {
				services = []string{"codeartifact"}
			}
			a, err := Parse(r, now, 15*time.Minute, services...)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if a.AccessKeyID != "AKIAFAKEFAKEFAKE" || a.Signature != parseSig || !slices.Contains(a.SignedHeaders, "host") ||
					a.Time.Location() != time.UTC || a.Scope.Date != "20261123" {
					t.Errorf("Auth = %+v", a)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (Auth %+v), want code %s", err, a, tc.code)
			}
			if a != nil {
				t.Error("Parse returned an Auth with an error")
			}
			msgOK := e.Message == tc.message
			if prefix, ok := strings.CutSuffix(tc.message, "..."); ok {
				msgOK = strings.HasPrefix(e.Message, prefix)
			}
			if e.Code != tc.code || !msgOK {
				t.Errorf("err = %s: %s\nwant  %s: %s", e.Code, e.Message, tc.code, tc.message)
			}
			if e.Error() != e.Code+": "+e.Message {
				t.Errorf("Error() = %q", e.Error())
			}
			// Messages reach the audit log: they never echo a signature
			// or a credential sent bare.
			if strings.Contains(e.Message, parseSig) || strings.Contains(e.Message, "eyJ2") {
				t.Errorf("the message echoes a secret: %s", e.Message)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	r := httptest.NewRequest("POST", "/v1/domains", nil)
	r.Header.Set("X-Amz-Date", "20261123T190453Z")
	r.Header.Set("X-Amz-Security-Token", "tok")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-west-1/codeartifact/aws4_request, "+
		"SignedHeaders=Content-Type;Host;X-Amz-Date;x-amz-security-token, Signature="+strings.ToUpper(parseSig))
	a, err := Parse(r, parseNow, 15*time.Minute, "codeartifact")
	if err != nil {
		t.Fatal(err)
	}
	want := &Auth{
		AccessKeyID:   "AKID",
		Time:          time.Date(2026, 11, 23, 19, 4, 53, 0, time.UTC),
		Scope:         Scope{Date: "20261123", Region: "eu-west-1", Service: "codeartifact"},
		SignedHeaders: []string{"content-type", "host", "x-amz-date", "x-amz-security-token"},
		Signature:     parseSig,
		SecurityToken: "tok",
	}
	if !a.Time.Equal(want.Time) || a.AccessKeyID != want.AccessKeyID || a.Scope != want.Scope ||
		!slices.Equal(a.SignedHeaders, want.SignedHeaders) || a.Signature != want.Signature ||
		a.SecurityToken != want.SecurityToken || a.Presigned {
		t.Errorf("Auth = %+v\nwant   %+v", a, want)
	}
}

func TestVerifyRejectsNilAndBadAuth(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	wantError(t, Verify(r, nil, "s", PayloadHash(nil)), codeInvalid, msgMismatch)
	a := &Auth{Signature: "zz", SignedHeaders: []string{"host"}}
	wantError(t, Verify(r, a, "s", PayloadHash(nil)), codeInvalid, msgMismatch)
	// A query that stopped decoding after Parse.
	r = httptest.NewRequest("GET", "/?a=%zz", nil)
	a = &Auth{Signature: parseSig, SignedHeaders: []string{"host"}}
	wantError(t, Verify(r, a, "s", PayloadHash(nil)), codeInvalid, msgMismatch)
}

func TestPayloadHash(t *testing.T) {
	for body, want := range map[string]string{
		"":              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"Param1=value1": "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
	} {
		if got := PayloadHash([]byte(body)); got != want {
			t.Errorf("PayloadHash(%q) = %s, want %s", body, got, want)
		}
	}
}

// FuzzParseVerify checks that no Authorization header or query makes Parse
// or Verify panic, and that Parse returns either an Auth or an *Error.
func FuzzParseVerify(f *testing.F) {
	f.Add(parseAuth, "20261123T190453Z", "a=1&b=2")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=;,Signature=", "", "X-Amz-Algorithm=x")
	f.Add("AWS4-HMAC-SHA256 ,,,=,==", "20261123T190453Z", "%")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261123%2Fr%2Fcodeartifact%2Faws4_request&X-Amz-Date=20261123T190453Z&X-Amz-Expires=9&X-Amz-SignedHeaders=host&X-Amz-Signature="+parseSig)
	f.Fuzz(func(t *testing.T, auth, date, query string) {
		r, err := http.NewRequest("GET", "http://127.0.0.1:8080/v1/x", nil)
		if err != nil {
			t.Skip()
		}
		r.URL.RawQuery = query
		if auth != "" {
			r.Header["Authorization"] = []string{auth}
		}
		if date != "" {
			r.Header["X-Amz-Date"] = []string{date}
		}
		a, err := Parse(r, parseNow, 15*time.Minute, "codeartifact")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || a != nil {
				t.Fatalf("Parse = %v, %v", a, err)
			}
			return
		}
		_ = Verify(r, a, "secret", PayloadHash(nil))
	})
}

// FuzzAmzDate checks the hand-written reading of X-Amz-Date against the
// rule it replaced: time.Parse of the layout, accepted only when the time
// formats back to the same string.
func FuzzAmzDate(f *testing.F) {
	for _, s := range []string{"20261123T190453Z", "20260229T000000Z", "20240229T235959Z", "20261131T000000Z",
		"20261123T240000Z", "20261123T196000Z", "20261123T190460Z", "2026-11-23T19:04:53Z", "20261123T190453", "00001123T190453Z",
		"20261123t190453Z", "+0261123T190453Z", "2026112 T190453Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want, err := time.Parse(amzDateLayout, v)
		wantOK := err == nil && want.Format(amzDateLayout) == v
		got, ok := amzDate(v)
		if ok != wantOK || ok && !got.Equal(want) {
			t.Errorf("amzDate(%q) = %v, %v; time.Parse gives %v, %v", v, got, ok, want, wantOK)
		}
		// The string to sign writes an accepted date back as it came.
		if ok {
			if back := string(appendAmzDate(nil, got.UTC())); back != v {
				t.Errorf("appendAmzDate(amzDate(%q)) = %q", v, back)
			}
		}
	})
}
