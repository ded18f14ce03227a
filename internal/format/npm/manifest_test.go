package npm

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
)

func TestMetaOf(t *testing.T) {
	for _, tc := range []struct {
		name     string
		manifest string
		readme   string
		want     artifact.Meta // without Extra
	}{{
		name: "everything",
		manifest: `{"name":"@s/p","version":"1.0.0","description":"d","homepage":"https://h","readme":"# R",
			"repository":{"type":"git","url":"git+https://example.com/p.git"},"license":"MIT",
			"dependencies":{"b":"^1","@x/a":"~2","opt":"3"},"devDependencies":{"t":"*"},
			"peerDependencies":{"react":">=18"},"optionalDependencies":{"opt":"3"}}`,
		readme: "top-level readme",
		want: artifact.Meta{
			DisplayName: "@s/p", Summary: "d", HomePage: "https://h", Readme: "# R",
			SourceCodeRepository: "https://example.com/p.git",
			Licenses:             []artifact.License{{Name: "MIT"}},
			Dependencies: []artifact.Dependency{
				{Namespace: "x", Package: "a", DependencyType: "regular", VersionRange: "~2"},
				{Package: "b", DependencyType: "regular", VersionRange: "^1"},
				{Package: "t", DependencyType: "dev", VersionRange: "*"},
				{Package: "react", DependencyType: "peer", VersionRange: ">=18"},
				{Package: "opt", DependencyType: "optional", VersionRange: "3"},
			},
		},
	}, {
		name:     "old forms",
		manifest: `{"name":"p","repository":"github:o/p","license":{"type":"BSD","url":"https://l"},"licenses":[{"type":"GPL"},"Apache-2.0"],"dependencies":{"bad":5}}`,
		readme:   "top-level readme",
		want: artifact.Meta{
			DisplayName: "p", Readme: "top-level readme", SourceCodeRepository: "github:o/p",
			Licenses: []artifact.License{{Name: "BSD", URL: "https://l"}, {Name: "GPL"}, {Name: "Apache-2.0"}},
		},
	}, {
		name:     "wrong types are ignored",
		manifest: `{"name":"p","description":5,"homepage":["x"],"repository":7,"license":null,"dependencies":"x"}`,
		want:     artifact.Meta{DisplayName: "p"},
	}} {
		m, err := MetaOf([]byte(tc.manifest), tc.readme)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		extra := m.Extra
		m.Extra = nil
		if !reflect.DeepEqual(m, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, m, tc.want)
		}
		var o map[string]any
		if err := json.Unmarshal(extra, &o); err != nil {
			t.Errorf("%s: Extra %s: %v", tc.name, extra, err)
		}
		if _, ok := o["readme"]; ok {
			t.Errorf("%s: Extra keeps the readme", tc.name)
		}
	}
	if _, err := MetaOf([]byte(`[1]`), ""); err == nil {
		t.Error("a manifest that is not an object was accepted")
	}
	// The client's tarball URL is not kept.
	m, _ := MetaOf([]byte(`{"name":"p","dist":{"tarball":"http://elsewhere/p.tgz","shasum":"ab","fileCount":3}}`), "")
	if strings.Contains(string(m.Extra), "elsewhere") || !strings.Contains(string(m.Extra), `"fileCount":3`) {
		t.Errorf("Extra = %s", m.Extra)
	}
}

func asset(data string) artifact.Asset {
	s1, s256, s512 := sha1.Sum([]byte(data)), sha256.Sum256([]byte(data)), sha512.Sum512([]byte(data))
	return artifact.Asset{Name: TarballAsset, Size: int64(len(data)),
		SHA1: hex.EncodeToString(s1[:]), SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:])}
}

func sri(alg string, sum []byte) string { return alg + "-" + base64.StdEncoding.EncodeToString(sum) }

func TestDist(t *testing.T) {
	a := asset("tarball bytes")
	other := asset("other bytes")
	s512, _ := hex.DecodeString(a.SHA512)
	s256, _ := hex.DecodeString(a.SHA256)
	o512, _ := hex.DecodeString(other.SHA512)
	for _, tc := range []struct {
		name      string
		dist      string
		declared  Digests
		declareOK bool
		checkOK   bool
	}{
		{"both", `{"integrity":"` + sri("sha512", s512) + `","shasum":"` + a.SHA1 + `"}`, Digests{a.SHA1, a.SHA512}, true, true},
		{"upper-case shasum", `{"shasum":"` + strings.ToUpper(a.SHA1) + `"}`, Digests{SHA1: a.SHA1}, true, true},
		{"none", `{}`, Digests{}, true, true},
		{"no dist", ``, Digests{}, true, true},
		{"several SRI hashes and options", `{"integrity":"` + sri("sha256", s256) + "?foo " + sri("sha512", s512) + ` sha384-ignored"}`, Digests{SHA512: a.SHA512}, true, true},
		{"wrong integrity", `{"integrity":"` + sri("sha512", o512) + `"}`, Digests{SHA512: other.SHA512}, true, false},
		{"wrong shasum", `{"shasum":"` + other.SHA1 + `"}`, Digests{SHA1: other.SHA1}, true, false},
		{"malformed shasum", `{"shasum":"xyz"}`, Digests{}, false, false},
		{"malformed integrity", `{"integrity":"sha512-!!!"}`, Digests{}, false, false},
		{"short integrity", `{"integrity":"sha512-AAAA"}`, Digests{}, false, false},
		{"not SRI", `{"integrity":"abc"}`, Digests{}, false, false},
	} {
		m := `{"name":"p"}`
		if tc.dist != "" {
			m = `{"name":"p","dist":` + tc.dist + `}`
		}
		d, err := DeclaredDigests([]byte(m))
		if (err == nil) != tc.declareOK || (err == nil && d != tc.declared) {
			t.Errorf("%s: DeclaredDigests = %+v, %v; want %+v ok=%v", tc.name, d, err, tc.declared, tc.declareOK)
		}
		if err := CheckDist([]byte(m), a); (err == nil) != tc.checkOK {
			t.Errorf("%s: CheckDist = %v, want ok=%v", tc.name, err, tc.checkOK)
		}
	}
	if got := Integrity(a); got != sri("sha512", s512) {
		t.Errorf("Integrity = %s", got)
	}
}

func TestDeprecated(t *testing.T) {
	m := []byte(`{"name":"p","version":"1.0.0"}`)
	if Deprecated(m) != "" {
		t.Error("not deprecated yet")
	}
	d, err := SetDeprecated(m, "use 2.x <soon>")
	if err != nil || Deprecated(d) != "use 2.x <soon>" || !strings.Contains(string(d), `"version":"1.0.0"`) {
		t.Errorf("SetDeprecated = %s, %v", d, err)
	}
	u, err := SetDeprecated(d, "")
	if err != nil || Deprecated(u) != "" || strings.Contains(string(u), "deprecated") {
		t.Errorf("undeprecate = %s, %v", u, err)
	}
	if d, err := SetDeprecated(nil, "x"); err != nil || Deprecated(d) != "x" {
		t.Errorf("SetDeprecated(nil) = %s, %v", d, err)
	}
	if Deprecated([]byte(`{"deprecated":true}`)) != "true" || Deprecated([]byte(`{"deprecated":false}`)) != "" {
		t.Error("boolean deprecated")
	}
}
