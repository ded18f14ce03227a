package servertest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// Scenario is the harness of a format's in-process scenarios (tier 3):
// a started server, a domain on it with an authorization token, the
// control plane's client, and an HTTP client for the format's requests.
// Each format's scenario_test.go adds the requests its clients send.
type Scenario struct {
	*Server
	T      testing.TB
	CA     *codeartifact.Client
	Domain string
	Token  string
	// HTTP neither decompresses nor follows redirects: what the server
	// sends is the test's business.
	HTTP *http.Client
}

// NewScenario starts a server (options adjust its configuration) and
// creates domain on it.
func NewScenario(t testing.TB, domain string, options ...func(*config.Config)) *Scenario {
	t.Helper()
	srv := Start(t, options...)
	ca := srv.CodeArtifact()
	return &Scenario{
		Server: srv, T: t, CA: ca, Domain: domain, Token: Domain(t, ca, domain),
		HTTP: &http.Client{
			Transport:     &http.Transport{DisableCompression: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Repository creates a repository of the scenario's domain with
// upstreams and returns its endpoint for format.
func (s *Scenario) Repository(name string, format types.PackageFormat, upstreams ...string) string {
	s.T.Helper()
	return Repository(s.T, s.CA, s.Domain, name, format, upstreams...)
}

// Catalog opens the server's store a second time, for the scenario to
// check the stored state directly; it knows no external connections.
func (s *Scenario) Catalog() *catalog.Catalog {
	s.T.Helper()
	st, err := sqlite.Open(s.T.Context(), filepath.Join(s.Data, "arca.db"))
	if err != nil {
		s.T.Fatal(err)
	}
	s.T.Cleanup(func() { st.Close() })
	return catalog.New(st, Region, time.Now, nil)
}

// Response is an answer as a scenario reads it.
type Response struct {
	Status int
	Header http.Header
	// Body is decompressed when the server sent it gzipped (Gzipped).
	Body    []byte
	Gzipped bool
}

// Send sends req with s.HTTP and reads the whole answer, failing the
// test if it cannot.
func (s *Scenario) Send(req *http.Request) Response {
	s.T.Helper()
	resp, err := s.HTTP.Do(req)
	if err != nil {
		s.T.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	gz := resp.Header.Get("Content-Encoding") == "gzip" && req.Method != http.MethodHead
	if gz {
		if r, err = gzip.NewReader(resp.Body); err != nil {
			s.T.Fatal(err)
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		s.T.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Gzipped: gz}
}

// Call sends method to url with body, Authorization auth (none when
// empty) and the header name-value pairs, and reads the whole answer.
func (s *Scenario) Call(method, url, auth string, body []byte, header ...string) Response {
	s.T.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		s.T.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.Send(req)
}

// Expect fails the test unless r has status and a body containing body;
// what names the request.
func (r Response) Expect(t testing.TB, what string, status int, body string) {
	t.Helper()
	if r.Status != status || !strings.Contains(string(r.Body), body) {
		t.Errorf("%s: %d %q, want %d with %q", what, r.Status, r.Body, status, body)
	}
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", r.Status, err, r.Body)
	}
}
