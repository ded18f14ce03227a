package nuget_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/format/nuget"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
	"github.com/arcahq/arca/internal/servertest"
)

// connected starts a server whose public:nuget-org points at a fake
// registry, and returns the endpoint of a repository with that external
// connection.
func connected(t *testing.T) (*env, *nugettest.Registry, string) {
	t.Helper()
	reg := nugettest.NewRegistry(t)
	srv := servertest.Start(t, func(c *config.Config) { c.ExternalConnections[nuget.ConnectionName] = reg.IndexURL })
	ca := srv.CodeArtifact()
	e := &env{t: t, ca: ca, token: servertest.Domain(t, ca, domain)}
	ep := e.repo("my-repo")
	if _, err := ca.AssociateExternalConnection(t.Context(), &codeartifact.AssociateExternalConnectionInput{
		Domain: aws.String(domain), Repository: aws.String("my-repo"), ExternalConnection: aws.String(nuget.ConnectionName)}); err != nil {
		t.Fatal(err)
	}
	return e, reg, ep
}

func TestConnectionIngests(t *testing.T) {
	e, reg, ep := connected(t)
	reg.Add(nugettest.Spec{ID: "Newtonsoft.Json", Version: "13.0.1", License: "MIT", Readme: "# Json\n",
		Dependencies: map[string]map[string]string{"net6.0": {"Other": "[1.0.0, )"}}})
	reg.Add(nugettest.Spec{ID: "Newtonsoft.Json", Version: "13.0.2-beta.1"})
	reg.Paged(true)

	idx := e.get(ep + "v3/registrations2/newtonsoft.json/index.json")
	if idx.status != http.StatusOK {
		t.Fatalf("registration through the connection: %d %s", idx.status, idx.body)
	}
	leaves := leavesOf(t, e, idx.json(t))
	if len(leaves) != 2 || leaves[0]["catalogEntry"].(map[string]any)["licenseExpression"] != "MIT" ||
		leaves[0]["packageContent"] != ep+"v3/package/newtonsoft.json/13.0.1/newtonsoft.json.13.0.1.nupkg" {
		t.Fatalf("leaves = %v", leaves)
	}
	if reg.Requests("/reg/newtonsoft.json/page.json") == 0 {
		t.Error("the page left out of the registry's index was not fetched")
	}

	// Concurrent downloads ingest once.
	path := nugettest.FlatPath("newtonsoft.json", "13.0.1")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := e.get(ep + "v3/package/newtonsoft.json/13.0.1/newtonsoft.json.13.0.1.nupkg"); r.status != http.StatusOK {
				t.Errorf("download: %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()
	if n := reg.Requests(path); n != 1 {
		t.Errorf("the registry got %d requests for the package, want 1", n)
	}
	d, err := e.ca.DescribePackageVersion(t.Context(), &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("Newtonsoft.Json"), PackageVersion: aws.String("13.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	if pv := d.PackageVersion; pv.Origin.OriginType != types.PackageVersionOriginTypeExternal || *pv.DisplayName != "Newtonsoft.Json" || *pv.Licenses[0].Name != "MIT" {
		t.Errorf("ingested version = %+v", pv)
	}
	readme, err := e.ca.GetPackageVersionReadme(t.Context(), &codeartifact.GetPackageVersionReadmeInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("newtonsoft.json"), PackageVersion: aws.String("13.0.1")})
	if err != nil || *readme.Readme != "# Json\n" {
		t.Errorf("the ingested version's readme comes from its own .nuspec: %v", err)
	}

	// What was ingested serves while the registry is down.
	reg.SetStatus(http.StatusServiceUnavailable)
	if r := e.get(ep + "v3/package/newtonsoft.json/13.0.1/newtonsoft.json.13.0.1.nupkg"); r.status != http.StatusOK {
		t.Errorf("an ingested version while the registry is down: %d", r.status)
	}
	if r := e.push(ep, nugettest.Package(nugettest.Spec{ID: "Newtonsoft.Json", Version: "13.0.1"})); r.status == http.StatusCreated {
		t.Error("pushed over an ingested version")
	}
}

func TestConnectionRefusesCorruptPackages(t *testing.T) {
	e, reg, ep := connected(t)
	reg.Add(nugettest.Spec{ID: "Lib", Version: "1.0.0"})
	reg.Corrupt("lib", "1.0.0")
	r := e.get(ep + "v3/package/lib/1.0.0/lib.1.0.0.nupkg")
	if r.status < 400 || !strings.Contains(string(r.body), "SHA-512") {
		t.Errorf("a package whose hash does not match: %d %s", r.status, r.body)
	}
	if _, err := e.ca.DescribePackageVersion(t.Context(), &codeartifact.DescribePackageVersionInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatNuget, Package: aws.String("lib"), PackageVersion: aws.String("1.0.0")}); err == nil {
		t.Error("a corrupt package was retained")
	}
	if r := e.get(ep + "v3/package/nope/index.json"); r.status != http.StatusNotFound {
		t.Errorf("a package neither here nor in the registry: %d", r.status)
	}
}
