package format_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/maven"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/format/pypi"
)

// rules is a registry of the formats with rules of their own.
var rules = format.NewRegistry(npm.Rules{}, pypi.Rules{}, maven.Rules{})

func TestCompareVersions(t *testing.T) {
	const NPM, PyPI, Maven = artifact.NPM, artifact.PyPI, artifact.Maven
	cases := []struct {
		f    artifact.Format
		in   []string
		want []string
	}{
		{NPM, []string{"1.10.0", "1.2.0", "1.2.0-beta.2", "1.2.0-beta.10", "0.1.0", "2.0.0-rc.1"},
			[]string{"0.1.0", "1.2.0-beta.2", "1.2.0-beta.10", "1.2.0", "1.10.0", "2.0.0-rc.1"}},
		{NPM, []string{"not-semver", "1.0.0"}, []string{"not-semver", "1.0.0"}},
		{PyPI, []string{"1.10", "1.9", "1.9.1", "0.9", "1.0rc1", "1.0", "1.0.post1", "1.0.dev1"}, []string{"0.9", "1.0.dev1", "1.0rc1", "1.0", "1.0.post1", "1.9", "1.9.1", "1.10"}},
		{Maven, []string{"27.1-jre", "3.0", "28.0-jre", "1.0-SNAPSHOT", "1.0", "1.0-alpha-1"}, []string{"1.0-alpha-1", "1.0-SNAPSHOT", "1.0", "3.0", "27.1-jre", "28.0-jre"}},
	}
	for _, c := range cases {
		got := append([]string(nil), c.in...)
		sort.Slice(got, func(i, j int) bool { return rules.CompareVersions(c.f, got[i], got[j]) < 0 })
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s order of %v = %v, want %v", c.f, c.in, got, c.want)
				break
			}
		}
	}
}

func TestNormalize(t *testing.T) {
	const NPM, PyPI, Maven = artifact.NPM, artifact.PyPI, artifact.Maven
	for in, want := range map[string]string{"Hello_CA": "hello-ca", "a.-_b": "a-b", "Django": "django", "x-": "x-"} {
		if got := rules.Normalize(artifact.PackageRef{Format: PyPI, Name: in}).Name; got != want {
			t.Errorf("Normalize(pypi %q) = %q, want %q", in, got, want)
		}
	}
	if got := rules.Normalize(artifact.PackageRef{Format: NPM, Name: "Hello_CA"}).Name; got != "Hello_CA" {
		t.Errorf("npm names are not normalised: got %q", got)
	}
	for in, want := range map[string]string{"1.0-RC1": "1.0rc1", "v2": "2", "1.0+Ubuntu-1": "1.0+ubuntu.1", "not a version": "not a version"} {
		if got := rules.NormalizeVersion(PyPI, in); got != want {
			t.Errorf("NormalizeVersion(pypi %q) = %q, want %q", in, got, want)
		}
	}
	if got := rules.NormalizeVersion(Maven, "1.0-RC1"); got != "1.0-RC1" {
		t.Errorf("Maven versions are kept: got %q", got)
	}
}

func TestNamespaces(t *testing.T) {
	for f, want := range map[artifact.Format][2]bool{artifact.NPM: {true, false}, artifact.PyPI: {false, false}, artifact.Maven: {true, true}} {
		if has, req := rules.HasNamespace(f), rules.NamespaceRequired(f); has != want[0] || req != want[1] {
			t.Errorf("%s: HasNamespace %v, NamespaceRequired %v; want %v", f, has, req, want)
		}
	}
	if !(format.Basic{Namespaced: true}).HasNamespace() || (format.Basic{Name: artifact.Cargo}).HasNamespace() {
		t.Error("Basic.HasNamespace is Namespaced")
	}
}

func TestDisplay(t *testing.T) {
	cases := map[artifact.PackageRef]string{
		{Format: artifact.NPM, Namespace: "types", Name: "node"}:              "npm @types/node",
		{Format: artifact.NPM, Name: "left-pad"}:                              "npm left-pad",
		{Format: artifact.Maven, Namespace: "org.apache", Name: "log4j-core"}: "maven org.apache:log4j-core",
		{Format: artifact.PyPI, Name: "requests"}:                             "pypi requests",
		{Format: artifact.Swift, Namespace: "apple", Name: "swift-log"}:       "swift apple/swift-log",
	}
	for ref, want := range cases {
		if got := rules.Display(ref); got != want {
			t.Errorf("Display(%+v) = %q, want %q", ref, got, want)
		}
	}
}

// SortParsed gives CompareSemVer's order, unparsable versions first.
func TestSortParsedIsCompareOrder(t *testing.T) {
	vs := []string{"1.10.0", "1.2.0", "banana", "1.2.0-beta.2", "0.9.1", "1.2.0-beta.10", "apple", "2.0.0", "1.2.0-alpha"}
	want := slices.Clone(vs)
	slices.SortFunc(want, format.CompareSemVer)
	got := slices.Clone(vs)
	format.SortParsed(got, func(s string) string { return s }, semver.StrictNewVersion, (*semver.Version).Compare)
	if !slices.Equal(got, want) {
		t.Errorf("SortParsed = %v, want %v", got, want)
	}
}

func TestSplit(t *testing.T) {
	for _, p := range []string{"", "/", "a", "a/b", "/a/b/", "a//b", "@scope%2fname/-/name-1.0.0.tgz", "1/2/3/4/5/6/7/8/9/10"} {
		var buf [4]string
		if got, want := format.Split(buf[:0], p), strings.Split(p, "/"); !slices.Equal(got, want) {
			t.Errorf("Split(%q) = %q, want %q", p, got, want)
		}
	}
}
