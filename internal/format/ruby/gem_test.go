package ruby

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"reflect"
	"strings"
	"testing"
)

// testdata/hello-arca-0.1.0.gem is built by gem build (RubyGems 3.3.15)
// from a gemspec with a runtime and a development dependency, a license,
// a homepage and metadata.
func TestParseGem(t *testing.T) {
	f, err := os.Open("testdata/hello-arca-0.1.0.gem")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ParseGem(f)
	if err != nil {
		t.Fatal(err)
	}
	want := &Spec{
		Name: "hello-arca", Version: "0.1.0", Platform: "ruby", Summary: "Says hello",
		Homepage: "https://example.com/hello", Authors: []string{"Arca"}, Email: []string{"arca@example.com"},
		Licenses: []string{"MIT"}, Metadata: map[string]string{"source_code_uri": "https://example.com/src"},
		Dependencies: []Dependency{
			{Name: "dep-a", Type: "runtime", Requirements: []Constraint{{"~>", "1.0"}, {">=", "1.0.2"}}},
			{Name: "dep-b", Type: "development", Requirements: []Constraint{{">=", "0"}}},
		},
		RequiredRuby: []Constraint{{">=", "2.7"}}, RequiredRubygems: []Constraint{{">=", "0"}},
		RubygemsVersion: "3.3.15", SpecificationVersion: 4, Date: "2026-12-07 00:00:00.000000000 Z",
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("ParseGem:\n got %+v\nwant %+v", s, want)
	}
	if s.FullName() != "hello-arca-0.1.0" || FullName("x", "1", "java") != "x-1-java" {
		t.Errorf("FullName = %s", s.FullName())
	}
}

// gemOf is a .gem of the given members, each gzipped.
func gemOf(t *testing.T, members map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, content := range members {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write([]byte(content))
		zw.Close()
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(z.Len()), Typeflag: tar.TypeReg})
		tw.Write(z.Bytes())
	}
	tw.Close()
	return b.Bytes()
}

func TestParseGemRefuses(t *testing.T) {
	good, err := os.ReadFile("testdata/hello-arca.gemspec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		gem  []byte
		want string
	}{
		"not a tar":    {[]byte("hello"), "not a valid tar archive"},
		"no metadata":  {gemOf(t, map[string]string{"data.tar.gz": ""}), "no metadata.gz"},
		"traversal":    {gemOf(t, map[string]string{"../metadata.gz": string(good)}), "outside its top level"},
		"subdirectory": {gemOf(t, map[string]string{"a/metadata.gz": string(good)}), "outside its top level"},
		"not yaml":     {gemOf(t, map[string]string{"metadata.gz": "{"}), "not YAML"},
		"bad name":     {gemOf(t, map[string]string{"metadata.gz": strings.Replace(string(good), "name: hello-arca", "name: ../x", 1)}), "gemspec's name"},
		"bad version":  {gemOf(t, map[string]string{"metadata.gz": strings.Replace(string(good), "version: 0.1.0", "version: x", 1)}), "gemspec's version"},
		"bad platform": {gemOf(t, map[string]string{"metadata.gz": strings.Replace(string(good), "platform: ruby", "platform: a/b", 1)}), "platform"},
		"bad operator": {gemOf(t, map[string]string{"metadata.gz": strings.Replace(string(good), `- "~>"`, `- "=~"`, 1)}), "requirement"},
		"alias":        {gemOf(t, map[string]string{"metadata.gz": "a: &x [1]\nb: *x\n"}), "alias"},
	} {
		_, err := ParseGem(bytes.NewReader(tc.gem))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParseGem = %v, want an error with %q", name, err, tc.want)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	good, err := os.ReadFile("testdata/hello-arca.gemspec.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseSpec(raw)
		if err != nil {
			return
		}
		// What parses renders.
		if ValidateName(s.Name) != nil || validatePlatform(s.Platform) != nil {
			t.Fatalf("ParseSpec accepted %+v", s)
		}
		QuickSpec(s)
		InfoFile([]Gem{{Spec: *s}})
	})
}
