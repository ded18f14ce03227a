package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func basic(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// benchRepository starts an in-process server with domain and repository
// "bench" and returns an authorization token for it and the repository's
// endpoint of each format (ending in "/").
func benchRepository(b *testing.B) (token string, endpoint func(types.PackageFormat) string) {
	_, ca := benchServer(b)
	ctx := context.Background()
	tok, err := ca.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return *tok.AuthorizationToken, func(f types.PackageFormat) string {
		out, err := ca.GetRepositoryEndpoint(ctx, &codeartifact.GetRepositoryEndpointInput{Domain: aws.String("bench"), Repository: aws.String("bench"), Format: f})
		if err != nil {
			b.Fatal(err)
		}
		return strings.TrimSuffix(*out.RepositoryEndpoint, "/") + "/"
	}
}

// benchServer starts an in-process server (options adjust its
// configuration) with domain and repository "bench", and returns it with
// a control-plane client.
func benchServer(b *testing.B, options ...func(*config.Config)) (*servertest.Server, *codeartifact.Client) {
	srv := servertest.Start(b, options...)
	ctx := context.Background()
	ca := srv.CodeArtifact()
	if _, err := ca.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	if _, err := ca.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("bench"), Repository: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	return srv, ca
}

// npmDomain returns a catalog with npm's rules on a new SQLite store,
// with domain d and its repository r.
func npmDomain(b *testing.B) (*catalog.Catalog, catalog.DomainRef, store.Repository) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cat := catalog.New(st, "us-east-1", time.Now, format.NewRegistry(npm.Rules{}))
	d := catalog.DomainRef{Owner: "111122223333", Name: "d"}
	if _, err := cat.CreateDomain(ctx, d, "", nil); err != nil {
		b.Fatal(err)
	}
	repo, err := cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "r"}, d.Owner, "", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return cat, d, repo
}

// sender returns a function that sends a request with an Authorization
// header and a body (of contentType, unless "") and requires a 2xx answer.
func sender(b *testing.B) func(method, url, auth, contentType string, body []byte) {
	return func(method, url, auth, contentType string, body []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		mustDo(b, req)
	}
}

// mustDo sends req and fails the benchmark unless it gets a 2xx answer,
// whose body it reads to the end.
func mustDo(b *testing.B, req *http.Request) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, msg)
	}
}

// benchVersions is the number of versions a growing package starts
// with: ARCA_BENCH_VERSIONS, 1,000 by default.
func benchVersions() int {
	n, _ := strconv.Atoi(os.Getenv("ARCA_BENCH_VERSIONS"))
	if n <= 0 {
		n = 1000
	}
	return n
}
