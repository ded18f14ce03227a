package sigv4

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCanonicalURI(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "/"},
		{"/", "/"},
		{"/v1/domain", "/v1/domain"},
		{"/prefix/v1/domain", "/prefix/v1/domain"},
		{"/a%20b", "/a%2520b"},
		{"/a%2Fb/c", "/a%252Fb/c"},
		{"/%C3%BC", "/%25C3%25BC"},
		{"/-._~AZaz09", "/-._~AZaz09"},
		{"/a+b*c!d'e(f)g$h&i,j;k=l:m@n", "/a%2Bb%2Ac%21d%27e%28f%29g%24h%26i%2Cj%3Bk%3Dl%3Am%40n"},
		{"//a/./b/../c/", "//a/./b/../c/"},
	}
	for _, tc := range tests {
		if got := string(canonicalURI(nil, tc.path)); got != tc.want {
			t.Errorf("canonicalURI(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"domain=my-domain&repository=my-repo&format=npm", false, "domain=my-domain&format=npm&repository=my-repo"},
		{"asset=a%20b%2Bc%2F%C3%BC.txt", false, "asset=a%20b%2Bc%2F%C3%BC.txt"},
		{"asset=a+b", false, "asset=a%20b"},
		{"k=b&k=a&k=c", false, "k=a&k=b&k=c"},
		{"a=&b&c=1", false, "a=&b=&c=1"},
		{"a=1&&b=2&", false, "a=1&b=2"},
		{"v=a-b&v=a%2Fb", false, "v=a%2Fb&v=a-b"},
		{"path=a/b&x=*", false, "path=a%2Fb&x=%2A"},
		{"%E1%88%B4=bar", false, "%E1%88%B4=bar"},
		{"t=x%3D%3D", false, "t=x%3D%3D"},
		{"a=1=2", false, "a=1%3D2"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
	}
	for _, tc := range tests {
		got, ok := canonicalQuery(nil, tc.raw, tc.presigned)
		if !ok || string(got) != tc.want {
			t.Errorf("canonicalQuery(%q, %v) = %q, %v, want %q", tc.raw, tc.presigned, got, ok, tc.want)
		}
	}
	for _, raw := range []string{"a=%zz", "a=%", "a;b=1", "a=1;b=2", "%G0=1"} {
		if _, ok := canonicalQuery(nil, raw, false); ok {
			t.Errorf("canonicalQuery(%q) accepted a query that does not decode", raw)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	r.Host = "127.0.0.1:8080"
	r.Header["Content-Type"] = []string{"application/json"}
	r.Header["X-Multi"] = []string{" one ", "two   three", "\tfour"}
	r.Header["X-Empty"] = []string{""}
	r.ContentLength = 42
	got := string(canonicalHeaders(nil, r, []string{"content-length", "content-type", "host", "x-absent", "x-empty", "x-multi"}))
	want := "content-length:42\ncontent-type:application/json\nhost:127.0.0.1:8080\nx-absent:\nx-empty:\nx-multi:one,two three,four\n"
	if got != want {
		t.Errorf("canonicalHeaders =\n%q\nwant\n%q", got, want)
	}

	// The Content-Length header wins over r.ContentLength; an unknown length
	// is empty.
	r.Header.Set("Content-Length", "7")
	if got := string(headerValue(nil, r, "content-length")); got != "7" {
		t.Errorf("content-length = %q, want the header's 7", got)
	}
	r.Header.Del("Content-Length")
	r.ContentLength = -1
	if got := string(headerValue(nil, r, "content-length")); got != "" {
		t.Errorf("content-length = %q, want empty", got)
	}

	// A request built for a client has its host in the URL.
	c, _ := http.NewRequest("GET", "http://example.com:9000/x", nil)
	c.Host = ""
	if got := string(headerValue(nil, c, "host")); got != "example.com:9000" {
		t.Errorf("host = %q", got)
	}
}

func TestCanonicalHeaderKey(t *testing.T) {
	for _, name := range []string{"content-type", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "x-amz-target", "date", "my-header1", "x-amz-meta-foo"} {
		if got, want := canonicalHeaderKey(name), http.CanonicalHeaderKey(name); got != want {
			t.Errorf("canonicalHeaderKey(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestAppendTrimmed(t *testing.T) {
	for in, want := range map[string]string{
		"":                "",
		"   ":             "",
		"a":               "a",
		"  a  b   c  ":    "a b c",
		"\"a   b   c\"":   "\"a b c\"",
		"\ta \t b\t":      "a \t b",
		"x-amz-date only": "x-amz-date only",
	} {
		if got := string(appendTrimmed(nil, in)); got != want {
			t.Errorf("appendTrimmed(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStringToSign(t *testing.T) {
	// The "post-x-www-form-urlencoded" case of the AWS test suite.
	a := &Auth{Time: suiteTime, Scope: Scope{Date: "20150830", Region: "us-east-1", Service: "service"}}
	creq := "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
	got := string(stringToSign(a, sha256Sum(creq)))
	want := "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"
	if got != want {
		t.Errorf("stringToSign =\n%s\nwant\n%s", got, want)
	}
}

func sha256Sum(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
