package server_test

// Two servers over one store (one SQLite file and one blob directory,
// which SQLite lets several servers share), as replicas share a database
// and a blob store: whatever one changes binds the other on its next
// request, and a Maven deploy may send its files to either.

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
	"github.com/aws/smithy-go"

	"github.com/arcahq/arca/internal/admin"
	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// replicas starts two servers over one data directory's store and blobs.
// Their counters are read from the store on every request (window 0), so
// "the next request" is exact; the default window of a millisecond is
// package generation's business.
func replicas(t *testing.T, opts ...server.Option) (a, b *servertest.Server) {
	t.Helper()
	opts = append([]server.Option{server.WithFreshness(0)}, opts...)
	a = servertest.StartWith(t, opts)
	b = servertest.StartWith(t, opts, func(c *config.Config) { c.Data = a.Data })
	return a, b
}

// replicaGraphs returns a graph (multiformat_test.go's request helpers)
// per server over one domain, with one token minted by a: a token minted
// on one replica works on the other.
func replicaGraphs(t *testing.T, a, b *servertest.Server) (ga, gb *graph) {
	ga = &graph{t: t, ca: a.CodeArtifact(), domain: "shared", accepted: map[string]int{}}
	ga.token = servertest.Domain(t, ga.ca, ga.domain)
	gb = &graph{t: t, ca: b.CodeArtifact(), domain: "shared", token: ga.token, accepted: map[string]int{}}
	return ga, gb
}

// wantStatus returns a check, to apply to a request's status and body,
// that fails the test unless the status is want.
func wantStatus(t *testing.T, what string, want int) func(int, []byte) {
	return func(status int, body []byte) {
		t.Helper()
		if status != want {
			t.Fatalf("%s: %d %s, want %d", what, status, body, want)
		}
	}
}

func TestReplicasSeeEachOthersChanges(t *testing.T) {
	a, b := replicas(t)
	ga, gb := replicaGraphs(t, a, b)
	ctx := t.Context()
	servertest.Repository(t, ga.ca, "shared", "repo", types.PackageFormatNpm)
	npmB := gb.repoEndpoint("repo", types.PackageFormatNpm)
	pypiB := gb.repoEndpoint("repo", types.PackageFormatPypi)
	mavenB := gb.repoEndpoint("repo", types.PackageFormatMaven)

	// Each document is read (and cached) on b before a changes it.
	wantStatus(t, "npm publish 1.0.0 on a", http.StatusOK)(ga.publishNPM("repo", "lib", "1.0.0"))
	wantStatus(t, "pypi upload 1.0 on a", http.StatusOK)(ga.publishPyPI("repo", "py-lib", "1.0"))
	wantStatus(t, "maven deploy 1.0 on a", http.StatusCreated)(ga.publishMaven("repo", "lib", "1.0"))
	npmDoc := func() string { _, body := gb.do(http.MethodGet, npmB+"lib", "", nil); return string(body) }
	simple := func() string { _, body := gb.do(http.MethodGet, pypiB+"simple/py-lib/", "", nil); return string(body) }
	metadata := func() string {
		_, body := gb.do(http.MethodGet, mavenB+"org/fake/lib/maven-metadata.xml", "", nil)
		return string(body)
	}
	if !strings.Contains(npmDoc(), `"1.0.0"`) || !strings.Contains(simple(), "py_lib-1.0") || !strings.Contains(metadata(), "<version>1.0</version>") {
		t.Fatalf("b does not serve what a published: %s\n%s\n%s", npmDoc(), simple(), metadata())
	}

	t.Run("new version", func(t *testing.T) {
		wantStatus(t, "npm publish 1.1.0 on a", http.StatusOK)(ga.publishNPM("repo", "lib", "1.1.0"))
		wantStatus(t, "pypi upload 1.1 on a", http.StatusOK)(ga.publishPyPI("repo", "py-lib", "1.1"))
		wantStatus(t, "maven deploy 1.1 on a", http.StatusCreated)(ga.publishMaven("repo", "lib", "1.1"))
		if doc := npmDoc(); !strings.Contains(doc, `"1.1.0"`) {
			t.Errorf("b's npm document misses 1.1.0 published on a: %s", doc)
		}
		if page := simple(); !strings.Contains(page, "py_lib-1.1") {
			t.Errorf("b's simple page misses 1.1 uploaded on a: %s", page)
		}
		if m := metadata(); !strings.Contains(m, "<version>1.1</version>") {
			t.Errorf("b's maven-metadata.xml misses 1.1 deployed on a: %s", m)
		}
	})

	t.Run("status change", func(t *testing.T) {
		if doc := npmDoc(); !strings.Contains(doc, `"1.1.0"`) {
			t.Fatalf("b's npm document does not list 1.1.0 to begin with: %s", doc)
		}
		_, err := ga.ca.UpdatePackageVersionsStatus(ctx, &codeartifact.UpdatePackageVersionsStatusInput{
			Domain: aws.String("shared"), Repository: aws.String("repo"), Format: types.PackageFormatNpm,
			Package: aws.String("lib"), Versions: []string{"1.1.0"}, TargetStatus: types.PackageVersionStatusArchived,
		})
		if err != nil {
			t.Fatal(err)
		}
		if doc := npmDoc(); strings.Contains(doc, `"1.1.0"`) {
			t.Errorf("b's npm document still lists 1.1.0, archived on a: %s", doc)
		}
	})

	t.Run("policy change", func(t *testing.T) {
		deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:ReadFromRepository","Resource":"*"}]}`
		if _, err := ga.ca.PutRepositoryPermissionsPolicy(ctx, &codeartifact.PutRepositoryPermissionsPolicyInput{
			Domain: aws.String("shared"), Repository: aws.String("repo"), PolicyDocument: aws.String(deny)}); err != nil {
			t.Fatal(err)
		}
		status, body := gb.do(http.MethodGet, npmB+"lib", "", nil)
		wantStatus(t, "npm document on b after a deny on a", http.StatusForbidden)(status, body)
		if _, err := ga.ca.DeleteRepositoryPermissionsPolicy(ctx, &codeartifact.DeleteRepositoryPermissionsPolicyInput{
			Domain: aws.String("shared"), Repository: aws.String("repo")}); err != nil {
			t.Fatal(err)
		}
		status, body = gb.do(http.MethodGet, npmB+"lib", "", nil)
		wantStatus(t, "npm document on b once a removed the deny", http.StatusOK)(status, body)
	})

	t.Run("deleted repository", func(t *testing.T) {
		servertest.Repository(t, ga.ca, "shared", "gone", types.PackageFormatNpm)
		wantStatus(t, "npm publish to gone on a", http.StatusOK)(ga.publishNPM("gone", "doomed", "1.0.0"))
		goneB := gb.repoEndpoint("gone", types.PackageFormatNpm)
		status, body := gb.do(http.MethodGet, goneB+"doomed", "", nil)
		wantStatus(t, "npm document of gone on b", http.StatusOK)(status, body)
		if _, err := ga.ca.DeleteRepository(ctx, &codeartifact.DeleteRepositoryInput{Domain: aws.String("shared"), Repository: aws.String("gone")}); err != nil {
			t.Fatal(err)
		}
		status, body = gb.do(http.MethodGet, goneB+"doomed", "", nil)
		wantStatus(t, "npm document on b of a repository deleted on a", http.StatusNotFound)(status, body)
	})

	t.Run("deactivated access key", func(t *testing.T) {
		// IAM state written by another process over the store (as arca
		// admin does), signed for on b.
		dir, closeDir, err := admin.Open(ctx, admin.Dir{Data: a.Data})
		if err != nil {
			t.Fatal(err)
		}
		defer closeDir()
		root := identity.Principal{Account: servertest.AccountID, ARN: arn.AccountRoot(servertest.AccountID), Kind: identity.KindRoot}
		if _, err := dir.CreateUser(ctx, servertest.AccountID, "dev", "/"); err != nil {
			t.Fatal(err)
		}
		key, _, err := dir.CreateAccessKey(ctx, root, "dev")
		if err != nil {
			t.Fatal(err)
		}
		dev := codeartifact.New(codeartifact.Options{
			Region: servertest.Region, BaseEndpoint: aws.String(b.URL), Retryer: aws.NopRetryer{},
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}, nil
			}),
		})
		code := func() string {
			_, err := dev.ListDomains(ctx, &codeartifact.ListDomainsInput{})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("list-domains as dev on b: %v, want an error (dev has no policy)", err)
			}
			return apiErr.ErrorCode()
		}
		if got := code(); got != "AccessDeniedException" {
			t.Fatalf("dev's key on b: %s, want AccessDeniedException (known, not allowed)", got)
		}
		if err := dir.UpdateAccessKey(ctx, root, "dev", key.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := code(); got != "UnrecognizedClientException" {
			t.Errorf("dev's key deactivated by another process, on b: %s, want UnrecognizedClientException", got)
		}
	})

	t.Run("revoked token", func(t *testing.T) {
		if _, err := admin.Revoke(ctx, admin.Dir{Data: a.Data}, admin.RevokeRequest{Token: ga.token}, time.Now()); err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]*graph{"a": ga, "b": gb} {
			status, body := g.do(http.MethodGet, g.repoEndpoint("repo", types.PackageFormatNpm)+"lib", "", nil)
			wantStatus(t, "npm document on "+name+" with a revoked token", http.StatusUnauthorized)(status, body)
		}
	})
}

// TestMavenDeploySplitAcrossReplicas sends one deploy's files to two
// servers, as a load balancer may: checksums uploaded on one are checked
// against files uploaded on the other, and the metadata uploaded on one
// publishes the version for both.
func TestMavenDeploySplitAcrossReplicas(t *testing.T) {
	a, b := replicas(t)
	ga, gb := replicaGraphs(t, a, b)
	servertest.Repository(t, ga.ca, "shared", "repo", types.PackageFormatMaven)
	dirA := ga.repoEndpoint("repo", types.PackageFormatMaven) + "org/fake/lib/"
	dirB := gb.repoEndpoint("repo", types.PackageFormatMaven) + "org/fake/lib/"
	put := func(g *graph, url, body string) (int, []byte) {
		return g.do(http.MethodPut, url, "application/octet-stream", []byte(body))
	}
	sha := func(s string) string { sum := sha1.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	jar, pom := "the jar", `<project><modelVersion>4.0.0</modelVersion><groupId>org.fake</groupId><artifactId>lib</artifactId><version>1.0</version></project>`
	metadata := `<metadata><groupId>org.fake</groupId><artifactId>lib</artifactId><versioning><latest>1.0</latest><release>1.0</release><versions><version>1.0</version></versions></versioning></metadata>`

	// A checksum sent to b before its file: the file sent to a must match.
	st, body := put(gb, dirB+"1.0/lib-1.0.jar.sha1", sha("other bytes"))
	wantStatus(t, "jar.sha1 before the jar, on b", http.StatusCreated)(st, body)
	st, body = put(ga, dirA+"1.0/lib-1.0.jar", jar)
	wantStatus(t, "jar on a, against the checksum b took", http.StatusBadRequest)(st, body)
	st, body = put(gb, dirB+"1.0/lib-1.0.jar.sha1", sha(jar))
	wantStatus(t, "the right jar.sha1, on b", http.StatusCreated)(st, body)
	st, body = put(ga, dirA+"1.0/lib-1.0.jar", jar)
	wantStatus(t, "jar on a", http.StatusCreated)(st, body)
	st, body = put(gb, dirB+"1.0/lib-1.0.pom", pom)
	wantStatus(t, "pom on b", http.StatusCreated)(st, body)

	// Unfinished until the metadata: neither server serves the jar.
	for name, dir := range map[string]string{"a": dirA, "b": dirB} {
		g := map[string]*graph{"a": ga, "b": gb}[name]
		if st, body := g.do(http.MethodGet, dir+"1.0/lib-1.0.jar", "", nil); st == http.StatusOK {
			t.Fatalf("%s serves the jar of an Unfinished version: %s", name, body)
		}
	}
	st, body = put(gb, dirB+"maven-metadata.xml", metadata)
	wantStatus(t, "maven-metadata.xml on b", http.StatusCreated)(st, body)
	// The metadata's checksum sent to a is checked against what b took.
	st, body = put(ga, dirA+"maven-metadata.xml.sha1", sha("not the metadata"))
	wantStatus(t, "a wrong maven-metadata.xml.sha1 on a", http.StatusBadRequest)(st, body)
	st, body = put(ga, dirA+"maven-metadata.xml.sha1", sha(metadata))
	wantStatus(t, "maven-metadata.xml.sha1 on a", http.StatusCreated)(st, body)
	for name, g := range map[string]*graph{"a": ga, "b": gb} {
		dir := map[string]string{"a": dirA, "b": dirB}[name]
		st, got := g.do(http.MethodGet, dir+"1.0/lib-1.0.jar", "", nil)
		if st != http.StatusOK || string(got) != jar {
			t.Errorf("jar from %s: %d %q, want the jar", name, st, got)
		}
		if st, m := g.do(http.MethodGet, dir+"maven-metadata.xml", "", nil); st != http.StatusOK || !strings.Contains(string(m), "<version>1.0</version>") {
			t.Errorf("maven-metadata.xml from %s: %d %s", name, st, m)
		}
	}
}

// TestSweepTakesTurns: the sweep of unreferenced blobs runs only on the
// server that holds the store's lease.
func TestSweepTakesTurns(t *testing.T) {
	// The sweeping server's clock is two hours on, past the grace period
	// of every blob.
	later := server.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	a, b := replicas(t, later)
	ctx := context.Background()
	blobs, err := fsblob.New(filepath.Join(a.Data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	d := orphan(t, blobs)
	st, err := sqlite.Open(ctx, filepath.Join(a.Data, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().Add(2 * time.Hour)
	if ok, err := st.TakeLease(ctx, "blob-sweep", "another server", now, now.Add(time.Hour)); err != nil || !ok {
		t.Fatalf("take the lease: %v %v", ok, err)
	}
	for name, s := range map[string]*servertest.Server{"a": a, "b": b} {
		swept, err := s.Server.Sweep(ctx)
		if err != nil || swept {
			t.Fatalf("%s swept (%v, %v) while another server held the lease", name, swept, err)
		}
	}
	if _, err := blobs.Stat(ctx, d); err != nil {
		t.Fatalf("the orphan is gone though no server swept: %v", err)
	}
	if err := st.ReleaseLease(ctx, "blob-sweep", "another server"); err != nil {
		t.Fatal(err)
	}
	swept, err := b.Server.Sweep(ctx)
	if err != nil || !swept {
		t.Fatalf("b did not sweep with the lease free: %v %v", swept, err)
	}
	if _, err := blobs.Stat(ctx, d); err == nil {
		t.Fatal("the orphan survived the sweep")
	}
	// b released the lease when done: a can take its turn.
	if swept, err := a.Server.Sweep(ctx); err != nil || !swept {
		t.Fatalf("a could not sweep after b: %v %v", swept, err)
	}
}

// orphan commits a blob nothing references and returns its digest.
func orphan(t *testing.T, blobs blob.Store) blob.Digest {
	t.Helper()
	ctx := context.Background()
	w, err := blobs.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Cancel(ctx)
	fmt.Fprintf(w, "orphan %d", os.Getpid())
	info, err := w.Commit(ctx, w.Digest())
	if err != nil {
		t.Fatal(err)
	}
	return info.Digest
}
