package nuget

import (
	"net/http/httptest"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/format"
)

func TestDescribe(t *testing.T) {
	cases := map[string][2]string{
		"v3/package/hello.ca/1.0.0/hello.ca.1.0.0.nupkg": {"hello.ca", "1.0.0"},
		"v3/package/Hello.CA/index.json":                 {"hello.ca", ""},
		"v3/registrations2/hello.ca/1.00.0.0.json":       {"hello.ca", "1.0.0"},
		"v3/registrations/hello.ca/index.json":           {"hello.ca", ""},
		"v2/package/Hello.CA/2.0.0-Beta":                 {"hello.ca", "2.0.0-beta"},
		"v2/package/":                                    {"", ""},
		"v3/index.json":                                  {"", ""},
		"v3/package/..%2f/index.json":                    {"", ""},
	}
	f := &Format{}
	for rest, want := range cases {
		ns, name, version := f.Describe(httptest.NewRequest("GET", "/", nil), &endpoint.Request{Rest: rest})
		if ns != "" || name != want[0] || version != want[1] {
			t.Errorf("Describe(%s) = %q %q %q, want %q %q", rest, ns, name, version, want[0], want[1])
		}
	}
}

func TestRules(t *testing.T) {
	r := Rules{}
	if r.Normalize(artifact.PackageRef{Format: artifact.NuGet, Name: "Newtonsoft.JSON"}).Name != "newtonsoft.json" ||
		r.NormalizeVersion("12.0.03.0") != "12.0.3" || r.NormalizeVersion("junk") != "junk" ||
		r.CompareVersions("1.0.0-beta", "1.0.0") >= 0 || r.NamespaceRequired() || r.LatestTag() != "" || r.PublishedByAPI() ||
		len(r.Connections()) != 1 || r.Connections()[0] != "public:nuget-org" || r.Format() != artifact.NuGet {
		t.Error("NuGet's rules")
	}
	// Through the registry, as the catalog and the control plane use them.
	reg := format.NewRegistry(Rules{})
	if reg.NormalizeVersion(artifact.NuGet, "1.0.0.0") != "1.0.0" || reg.CompareVersions(artifact.NuGet, "1.0.0-rc.10", "1.0.0-rc.9") <= 0 ||
		reg.Normalize(artifact.PackageRef{Format: artifact.NuGet, Name: "A.B"}).Name != "a.b" {
		t.Error("the registry does not follow NuGet's rules")
	}
	if f, ok := reg.ConnectionFormat(ConnectionName); !ok || f != artifact.NuGet {
		t.Error("public:nuget-org is not NuGet's")
	}
}
