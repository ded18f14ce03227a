package nuget_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/nuget"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
)

func readPackage(b []byte) (*nuget.Contents, error) {
	return nuget.ReadPackage(bytes.NewReader(b), int64(len(b)))
}

func TestReadPackage(t *testing.T) {
	spec := nugettest.Spec{
		ID: "Hello.CA", Version: "1.0.0-Beta.1+build.7", Description: "Says hello", Authors: "Arca",
		License: "MIT", Repository: "https://git.example/hello.git", ProjectURL: "https://example/hello",
		Readme: "# Hello\n",
		Dependencies: map[string]map[string]string{
			"net6.0":          {"Dep.One": "[1.0.0, )"},
			".NETStandard2.0": {"Dep.One": "[1.0.0, 2.0.0)", "Dep.Two": "2.1.0"},
		},
		Extra: "    <tags> a  b </tags>\n    <requireLicenseAcceptance>true</requireLicenseAcceptance>\n",
	}
	c, err := readPackage(nugettest.Package(spec))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Nuspec
	if n.ID != "Hello.CA" || n.Version != "1.0.0-Beta.1+build.7" || n.Description != "Says hello" || n.Authors != "Arca" ||
		n.LicenseExpression != "MIT" || n.RepositoryURL != "https://git.example/hello.git" || n.ProjectURL != "https://example/hello" ||
		n.Tags != "a b" || !n.RequireLicenseAcceptance || n.Readme != "docs/README.md" {
		t.Errorf("manifest = %+v", n)
	}
	if c.Readme != "# Hello\n" || string(c.NuspecFile) != spec.Nuspec() {
		t.Errorf("readme %q; nuspec bytes kept as sent: %v", c.Readme, string(c.NuspecFile) == spec.Nuspec())
	}
	if len(n.DependencyGroups) != 2 || n.DependencyGroups[0].TargetFramework != ".NETStandard2.0" ||
		len(n.DependencyGroups[0].Dependencies) != 2 || n.DependencyGroups[0].Dependencies[1] != (nuget.Dependency{ID: "Dep.Two", Range: "2.1.0"}) ||
		n.DependencyGroups[1].TargetFramework != "net6.0" {
		t.Errorf("dependency groups = %+v", n.DependencyGroups)
	}
}

func TestReadPackageDependenciesWithoutGroups(t *testing.T) {
	nuspec := `<package><metadata><id>a</id><version>1.0</version><authors>x</authors><description>d</description>
<dependencies><dependency id="b" version="1.0" /><dependency id="c" /></dependencies></metadata></package>`
	c, err := readPackage(nugettest.Zip(map[string]string{"a.nuspec": nuspec}))
	if err != nil {
		t.Fatal(err)
	}
	g := c.Nuspec.DependencyGroups
	if len(g) != 1 || g[0].TargetFramework != "" || len(g[0].Dependencies) != 2 || g[0].Dependencies[1] != (nuget.Dependency{ID: "c"}) {
		t.Errorf("groups = %+v", g)
	}
}

func TestReadPackageRefuses(t *testing.T) {
	good := nugettest.Spec{ID: "a", Version: "1.0.0"}.Nuspec()
	nuspec := func(metadata string) string {
		return `<?xml version="1.0"?><package><metadata>` + metadata + `</metadata></package>`
	}
	cases := map[string][]byte{
		"not a zip":        []byte("PK\x03\x04 nope"),
		"empty":            nil,
		"no nuspec":        nugettest.Zip(map[string]string{"lib/a.dll": "x"}),
		"nested nuspec":    nugettest.Zip(map[string]string{"x/a.nuspec": good}),
		"two nuspecs":      nugettest.Zip(map[string]string{"a.nuspec": good, "b.nuspec": good}),
		"zip slip":         nugettest.Zip(map[string]string{"a.nuspec": good, "../../etc/passwd": "x"}),
		"zip slip windows": nugettest.Zip(map[string]string{"a.nuspec": good, `lib\..\..\x`: "x"}),
		"absolute":         nugettest.Zip(map[string]string{"a.nuspec": good, "/etc/x": "x"}),
		"drive":            nugettest.Zip(map[string]string{"a.nuspec": good, "C:/x": "x"}),
		"duplicate":        nugettest.Zip(map[string]string{"a.nuspec": good, "lib/x": "1", "LIB/X": "2"}),
		"doctype": nugettest.Zip(map[string]string{"a.nuspec": `<?xml version="1.0"?><!DOCTYPE package [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]>` +
			`<package><metadata><id>a</id><version>1.0.0</version><authors>&y;</authors><description>d</description></metadata></package>`}),
		"external entity": nugettest.Zip(map[string]string{"a.nuspec": `<?xml version="1.0"?><!DOCTYPE package SYSTEM "file:///etc/passwd">` +
			`<package><metadata><id>a</id><version>1.0.0</version><authors>a</authors><description>d</description></metadata></package>`}),
		"undefined entity": nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>a</id><version>1.0.0</version><authors>&x;</authors><description>d</description>`)}),
		"utf-16":           nugettest.Zip(map[string]string{"a.nuspec": `<?xml version="1.0" encoding="utf-16"?><package/>`}),
		"bad xml":          nugettest.Zip(map[string]string{"a.nuspec": `<package><metadata>`}),
		"not a package":    nugettest.Zip(map[string]string{"a.nuspec": `<project/>`}),
		"bad id":           nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>../a</id><version>1.0.0</version><authors>a</authors><description>d</description>`)}),
		"bad version":      nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>a</id><version>1.0.0-</version><authors>a</authors><description>d</description>`)}),
		"no description":   nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>a</id><version>1.0.0</version><authors>a</authors>`)}),
		"bad dependency":   nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>a</id><version>1.0.0</version><authors>a</authors><description>d</description><dependencies><dependency id="a b"/></dependencies>`)}),
		"missing readme":   nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>a</id><version>1.0.0</version><authors>a</authors><description>d</description><readme>README.md</readme>`)}),
		"readme outside":   nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>a</id><version>1.0.0</version><authors>a</authors><description>d</description><readme>../README.md</readme>`)}),
		"deep": nugettest.Zip(map[string]string{"a.nuspec": `<package><metadata>` + strings.Repeat("<x>", 40) + strings.Repeat("</x>", 40) +
			`<id>a</id><version>1.0.0</version><authors>a</authors><description>d</description></metadata></package>`}),
		"huge nuspec": nugettest.Zip(map[string]string{"a.nuspec": nuspec(`<id>a</id><version>1.0.0</version><authors>a</authors><description>` +
			strings.Repeat("d", nuget.MaxNuspecSize) + `</description>`)}),
	}
	for name, b := range cases {
		_, err := readPackage(b)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("%s: %v is not a validation error", name, err)
		}
	}
}

// FuzzReadPackage feeds arbitrary archives to the .nupkg reader: it must
// return a manifest or a validation error, never panic or fail otherwise.
func FuzzReadPackage(f *testing.F) {
	f.Add(nugettest.Package(nugettest.Spec{ID: "a", Version: "1.0.0", Readme: "r", Dependencies: map[string]map[string]string{"net6.0": {"b": "1.0"}}}))
	f.Add(nugettest.Zip(map[string]string{"a.nuspec": "<package/>", "../x": ""}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := readPackage(b)
		if err != nil {
			if !errors.Is(err, errkind.ErrValidation) {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		if nuget.ValidateID(c.Nuspec.ID) != nil {
			t.Fatalf("accepted id %q", c.Nuspec.ID)
		}
	})
}

// FuzzParseNuspec feeds arbitrary bytes to the manifest parser.
func FuzzParseNuspec(f *testing.F) {
	f.Add([]byte(nugettest.Spec{ID: "a", Version: "1.0.0", License: "MIT", Repository: "https://x", Dependencies: map[string]map[string]string{"": {"b": "[1.0, 2.0)"}}}.Nuspec()))
	f.Add([]byte(`<!DOCTYPE package [<!ENTITY x "y">]><package/>`))
	f.Add([]byte(`<package><metadata><id>a</id><version>1.0.0+x</version><authors>&amp;</authors><description>d</description></metadata></package>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := nuget.ParseNuspec(b)
		if err != nil {
			if !errors.Is(err, errkind.ErrValidation) {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		if _, err := nuget.ParseVersion(n.Version); err != nil || nuget.ValidateID(n.ID) != nil {
			t.Fatalf("accepted %q %q", n.ID, n.Version)
		}
	})
}

// FuzzParseVersion checks that a parsed version's normal form parses to
// an equal version.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.0.0", "1.00.0.0-Beta.1+x", "2147483647.1", "1.0.0-rc.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := nuget.ParseVersion(s)
		if err != nil {
			return
		}
		w, err := nuget.ParseVersion(v.String())
		if err != nil || nuget.Compare(v, w) != 0 || w.Key() != v.Key() {
			t.Fatalf("%q normalizes to %q, which parses to %+v (%v)", s, v.String(), w, err)
		}
	})
}
