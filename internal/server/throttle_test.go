package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
)

// get sends a GET with the scenario's token and returns the answer.
func get(s *servertest.Scenario, u string) servertest.Response {
	s.T.Helper()
	req, err := http.NewRequestWithContext(s.T.Context(), http.MethodGet, u, nil)
	if err != nil {
		s.T.Fatal(err)
	}
	req.SetBasicAuth("aws", s.Token)
	return s.Send(req)
}

// A request beyond a quota gets 429 with Retry-After, in the shape of the
// format it was sent to (npm's JSON error, PyPI's plain text).
func TestRepositoryEndpointsThrottleInTheirFormat(t *testing.T) {
	// A ten-thousandth of CodeArtifact's quotas: 0.08 requests a second per
	// token, a bucket of one.
	s := servertest.NewScenario(t, "my-domain", func(c *config.Config) { c.Throttle = 0.0001 })
	npm := s.Repository("npm-repo", types.PackageFormatNpm)
	pypi := s.Repository("pypi-repo", types.PackageFormatPypi)
	if r := get(s, npm+"left-pad"); r.Status == http.StatusTooManyRequests {
		t.Fatalf("the first request is throttled: %s", r.Body)
	}
	r := get(s, npm+"left-pad")
	var body struct{ Error string }
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || json.Unmarshal(r.Body, &body) != nil ||
		!strings.Contains(body.Error, "Rate exceeded") {
		t.Errorf("npm, beyond the token's quota: %d Retry-After=%q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	r = get(s, pypi+"simple/")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || !strings.Contains(string(r.Body), "Rate exceeded") {
		t.Errorf("PyPI, beyond the token's quota: %d %v %s", r.Status, r.Header, r.Body)
	}
}

// hold sends the headers of a request with a body and part of the body,
// then nothing, and returns the connection; the request stays in flight
// until the test ends.
func hold(t *testing.T, base, path, token, framing string) {
	t.Helper()
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	auth := "Basic " + basic("aws", token)
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: multipart/form-data; boundary=b\r\n%s\r\n", path, u.Host, auth, framing)
	if strings.Contains(framing, "chunked") {
		fmt.Fprint(c, "5\r\n--b\r\n\r\n")
	} else {
		fmt.Fprint(c, "--b\r\n")
	}
	// The server answers nothing until the body is complete.
	go bufio.NewReader(c).ReadByte()
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// until sends requests until one gets want (each request in flight held
// by hold reaches the server's handler at some point), giving up after
// tries.
func until(s *servertest.Scenario, want, tries int, send func() servertest.Response) servertest.Response {
	s.T.Helper()
	var r servertest.Response
	for range tries {
		if r = send(); r.Status == want {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.T.Fatalf("after %d tries: %d %s, want %d", tries, r.Status, r.Body, want)
	return r
}

// One client address has at most --max-requests-per-client requests in
// flight: one more gets 429 with Retry-After in the format's shape.
func TestRequestsInFlightPerClient(t *testing.T) {
	s := servertest.NewScenario(t, "my-domain", func(c *config.Config) { c.MaxRequestsPerClient = 1 })
	pypi := s.Repository("pypi-repo", types.PackageFormatPypi)
	path := strings.TrimPrefix(pypi, s.URL)
	hold(t, s.URL, path, s.Token, "Content-Length: 1000\r\n")
	r := until(s, http.StatusTooManyRequests, 100, func() servertest.Response { return get(s, pypi+"simple/") })
	if r.Header.Get("Retry-After") != "1" || !strings.Contains(string(r.Body), "Too many requests in flight from this address: at most 1") {
		t.Errorf("one request too many: %d %v %s", r.Status, r.Header, r.Body)
	}
}

// Beyond the buffer budget a request waits, then gets 503 with
// Retry-After before any of its body is read.
func TestBufferBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("a refused request waits 5 s")
	}
	s := servertest.NewScenario(t, "my-domain", func(c *config.Config) { c.BufferBudget = 64 << 20 })
	pypi := s.Repository("pypi-repo", types.PackageFormatPypi)
	path := strings.TrimPrefix(pypi, s.URL)
	// A body of unknown length counts for the most any surface buffers:
	// here, the whole budget.
	hold(t, s.URL, path, s.Token, "Transfer-Encoding: chunked\r\n")
	post := func() servertest.Response {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, pypi, strings.NewReader("--b--\r\n"))
		req.SetBasicAuth("aws", s.Token)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		return s.Send(req)
	}
	r := until(s, http.StatusServiceUnavailable, 5, post)
	if r.Header.Get("Retry-After") != "1" || !strings.Contains(string(r.Body), "retry later") {
		t.Errorf("beyond the budget: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r := get(s, pypi+"simple/"); r.Status != http.StatusOK {
		t.Errorf("a request without a body is not held back: %d %s", r.Status, r.Body)
	}
}
