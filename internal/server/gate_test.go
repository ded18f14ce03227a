package server_test

// The release-age gate across the documents of every format, in process:
// a version an hour old under a 72h gate is in no npm package document
// (versions, time, dist-tags), no PyPI page or JSON, no Maven metadata,
// and its download is each format's 403 saying when it becomes available.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

func TestReleaseGateInEveryFormat(t *testing.T) {
	now := time.Now().UTC()
	old, young := now.Add(-10*24*time.Hour), now.Add(-time.Hour)
	npmReg := upstreamtest.NewNPM(t)
	npmReg.Publish("lib", upstreamtest.Version{Version: "1.0.0", Time: old})
	npmReg.Publish("lib", upstreamtest.Version{Version: "1.1.0", Time: young})
	idx := upstreamtest.NewPyPI(t)
	idx.Publish("py-lib", upstreamtest.PyPIDist{Version: "1.0", Time: old})
	idx.Publish("py-lib", upstreamtest.PyPIDist{Version: "1.1", Time: young})
	central := upstreamtest.NewMaven(t)
	central.PublishAt(old, "org.fake", "lib", "1.0")
	central.PublishAt(young, "org.fake", "lib", "1.1")
	srv := servertest.Start(t, func(c *config.Config) {
		c.ExternalConnections = map[string]string{"public:npmjs": npmReg.URL, "public:pypi": idx.IndexURL, "public:maven-central": central.URL}
	})
	ca := srv.CodeArtifact()
	ctx := t.Context()
	token := servertest.Domain(t, ca, "dom")
	var eps = map[types.PackageFormat]string{}
	for f, conn := range map[types.PackageFormat]string{types.PackageFormatNpm: "public:npmjs", types.PackageFormatPypi: "public:pypi", types.PackageFormatMaven: "public:maven-central"} {
		store := string(f) + "-store"
		servertest.Repository(t, ca, "dom", store, f)
		if _, err := ca.AssociateExternalConnection(ctx, &codeartifact.AssociateExternalConnectionInput{Domain: aws.String("dom"), Repository: aws.String(store), ExternalConnection: aws.String(conn)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []types.PackageFormat{types.PackageFormatNpm, types.PackageFormatPypi, types.PackageFormatMaven} {
		if f == types.PackageFormatNpm {
			eps[f] = servertest.Repository(t, ca, "dom", "app", f, "npm-store", "pypi-store", "maven-store")
			continue
		}
		out, err := ca.GetRepositoryEndpoint(ctx, &codeartifact.GetRepositoryEndpointInput{Domain: aws.String("dom"), Repository: aws.String("app"), Format: f})
		if err != nil {
			t.Fatal(err)
		}
		eps[f] = *out.RepositoryEndpoint
	}

	// The gate on the root group, through the signed API.
	body := `{"minimumAgeSeconds":259200}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/v1/release-gate?domain=dom&package-group=%2F%2A", strings.NewReader(body))
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: servertest.AccessKeyID, SecretAccessKey: servertest.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), "codeartifact", servertest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PutReleaseGate: %v %v", resp, err)
	}

	get := func(url string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	documents := map[string][2]string{ // url: what must be there, what must not
		eps[types.PackageFormatNpm] + "lib":                               {`"1.0.0"`, `1.1.0`},
		eps[types.PackageFormatPypi] + "simple/py-lib/":                   {"py_lib-1.0", "py_lib-1.1"},
		eps[types.PackageFormatPypi] + "pypi/py-lib/json":                 {`"1.0"`, `"1.1"`},
		eps[types.PackageFormatMaven] + "org/fake/lib/maven-metadata.xml": {"<version>1.0</version>", "<version>1.1</version>"},
	}
	for url, want := range documents {
		st, b := get(url)
		if st != 200 || !strings.Contains(b, want[0]) || strings.Contains(b, want[1]) {
			t.Errorf("GET %s: %d, want %s and no %s:\n%s", url, st, want[0], want[1], b)
		}
	}
	if _, b := get(eps[types.PackageFormatNpm] + "lib"); !strings.Contains(b, `"latest":"1.0.0"`) {
		t.Errorf("npm dist-tags: latest did not move to 1.0.0:\n%s", b)
	}
	downloads := []string{
		eps[types.PackageFormatNpm] + "lib/-/lib-1.1.0.tgz",
		eps[types.PackageFormatPypi] + "files/py-lib/1.1/py_lib-1.1-py3-none-any.whl",
		eps[types.PackageFormatMaven] + "org/fake/lib/1.1/lib-1.1.jar",
	}
	for _, url := range downloads {
		if st, b := get(url); st != http.StatusForbidden || !strings.Contains(b, "becomes available at") {
			t.Errorf("GET %s: %d %s, want 403 saying when it becomes available", url, st, b)
		}
	}
}
