package npm

import (
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
)

func TestParseName(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   Name
		ok     bool
		newOK  bool // also valid for a new package
		reason string
	}{
		{"lodash", Name{Base: "lodash"}, true, true, ""},
		{"@myscope/hello", Name{Scope: "myscope", Base: "hello"}, true, true, ""},
		{"a.b-c_d", Name{Base: "a.b-c_d"}, true, true, ""},
		{"@types/node", Name{Scope: "types", Base: "node"}, true, true, ""},
		{"JSONStream", Name{Base: "JSONStream"}, true, false, "capital letters"},
		{"@Scope/x", Name{Scope: "Scope", Base: "x"}, true, false, "capital letters"},
		{"hello!", Name{Base: "hello!"}, true, false, "special characters"},
		{"@s/it's", Name{Scope: "s", Base: "it's"}, true, false, "special characters"},
		{strings.Repeat("a", 215), Name{Base: strings.Repeat("a", 215)}, true, false, "214"},
		{strings.Repeat("a", 214), Name{Base: strings.Repeat("a", 214)}, true, true, ""},
		{"", Name{}, false, false, "greater than zero"},
		{".hidden", Name{}, false, false, "period"},
		{"_under", Name{}, false, false, "underscore"},
		{" space", Name{}, false, false, "spaces"},
		{"node_modules", Name{}, false, false, "node_modules"},
		{"favicon.ico", Name{}, false, false, "favicon.ico"},
		{"a/b", Name{}, false, false, "URL-friendly"},
		{"a b", Name{}, false, false, "URL-friendly"},
		{"é", Name{}, false, false, "URL-friendly"},
		{"@scope", Name{}, false, false, "@scope/name"},
		{"@/name", Name{}, false, false, "@scope/name"},
		{"@scope/", Name{}, false, false, "@scope/name"},
		{"@a/b/c", Name{}, false, false, "@scope/name"},
		{"@sc%2fope/x", Name{}, false, false, "URL-friendly"},
	} {
		n, err := ParseName(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseName(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("ParseName(%q) error %q does not say %q", tc.in, err, tc.reason)
			}
			continue
		}
		if n != tc.want || n.String() != tc.in {
			t.Errorf("ParseName(%q) = %+v (%s), want %+v", tc.in, n, n, tc.want)
		}
		err = n.ValidateNew()
		if (err == nil) != tc.newOK {
			t.Errorf("%q.ValidateNew() = %v, want ok=%v", tc.in, err, tc.newOK)
		}
		if err != nil && !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%q.ValidateNew() error %q does not say %q", tc.in, err, tc.reason)
		}
	}
}

func TestNameRef(t *testing.T) {
	n := Name{Scope: "s", Base: "b"}
	if got := n.Ref(); got != (artifact.PackageRef{Format: artifact.NPM, Namespace: "s", Name: "b"}) {
		t.Errorf("Ref = %+v", got)
	}
	if NameOf(n.Ref()) != n {
		t.Error("NameOf(Ref) does not round-trip")
	}
}

func TestValidateTag(t *testing.T) {
	for _, tc := range []struct {
		tag string
		ok  bool
	}{
		{"latest", true}, {"beta", true}, {"next", true}, {"canary-2", true}, {"rc", true},
		{"", false}, {"1.0.0", false}, {"1.x", false}, {"^2", false}, {"x", false}, {"*", false},
		{">=1", false}, {"v1", false}, {"a/b", false}, {"a b", false}, {strings.Repeat("t", 257), false},
	} {
		if err := ValidateTag(tc.tag); (err == nil) != tc.ok {
			t.Errorf("ValidateTag(%q) = %v, want ok=%v", tc.tag, err, tc.ok)
		}
	}
}

func TestValidateVersion(t *testing.T) {
	for _, tc := range []struct {
		v  string
		ok bool
	}{
		{"1.0.0", true}, {"1.2.3-beta.1", true}, {"1.0.0+build.5", true},
		{"1.0", false}, {"v1.0.0", false}, {"01.0.0", false}, {"", false}, {"latest", false},
	} {
		if err := ValidateVersion(tc.v); (err == nil) != tc.ok {
			t.Errorf("ValidateVersion(%q) = %v, want ok=%v", tc.v, err, tc.ok)
		}
	}
}

func TestTarballURLAndFile(t *testing.T) {
	const base = "http://127.0.0.1:1/d-111122223333/npm/r/"
	for _, tc := range []struct {
		name    Name
		version string
		url     string
		files   []string // file names that parse back to version
		others  []string // file names that do not
	}{
		{Name{Base: "hello"}, "1.0.0", base + "hello/-/hello-1.0.0.tgz",
			[]string{"hello-1.0.0.tgz"}, []string{"hello-1.0.0.tar.gz", "other-1.0.0.tgz", "hello-.tgz", "hello1.0.0.tgz"}},
		{Name{Scope: "myscope", Base: "hello"}, "1.0.0-beta.1", base + "@myscope/hello/-/hello-1.0.0-beta.1.tgz",
			[]string{"hello-1.0.0-beta.1.tgz", "@myscope/hello-1.0.0-beta.1.tgz"}, []string{"myscope-hello-1.0.0-beta.1.tgz", "@other/hello-1.0.0-beta.1.tgz"}},
		{Name{Base: "a-b"}, "2.0.0+build", base + "a-b/-/a-b-2.0.0+build.tgz",
			[]string{"a-b-2.0.0+build.tgz"}, nil},
	} {
		if got := TarballURL(base, tc.name, tc.version); got != tc.url {
			t.Errorf("TarballURL(%s, %s) = %s, want %s", tc.name, tc.version, got, tc.url)
		}
		for _, f := range tc.files {
			if v, ok := ParseTarballFile(tc.name, f); !ok || v != tc.version {
				t.Errorf("ParseTarballFile(%s, %q) = %q, %v; want %q", tc.name, f, v, ok, tc.version)
			}
		}
		for _, f := range tc.others {
			if v, ok := ParseTarballFile(tc.name, f); ok {
				t.Errorf("ParseTarballFile(%s, %q) = %q; want no version", tc.name, f, v)
			}
		}
	}
}

func TestMatchRoutes(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		pattern      string // of the route that answers; "" for none
		pkg, tag     string
		file         string
		allowed      string
	}{
		{"GET", "-/ping", "-/ping", "", "", "", ""},
		{"GET", "-/whoami", "-/whoami", "", "", "", ""},
		{"GET", "lodash", "{pkg}", "lodash", "", "", ""},
		{"HEAD", "lodash", "{pkg}", "lodash", "", "", ""},
		{"GET", "@myscope%2fhello", "{pkg}", "@myscope/hello", "", "", ""},
		{"GET", "@myscope%2Fhello", "{pkg}", "@myscope/hello", "", "", ""},
		{"GET", "@myscope/hello", "{pkg}", "@myscope/hello", "", "", ""},
		{"GET", "%40myscope%2fhello", "{pkg}", "@myscope/hello", "", "", ""},
		{"PUT", "@myscope%2fhello", "{pkg}", "@myscope/hello", "", "", ""},
		{"GET", "lodash/-/lodash-4.17.21.tgz", "{pkg}/-/{file...}", "lodash", "", "lodash-4.17.21.tgz", ""},
		{"GET", "@myscope/hello/-/hello-1.0.0.tgz", "{pkg}/-/{file...}", "@myscope/hello", "", "hello-1.0.0.tgz", ""},
		{"GET", "@myscope%2fhello/-/hello-1.0.0.tgz", "{pkg}/-/{file...}", "@myscope/hello", "", "hello-1.0.0.tgz", ""},
		{"GET", "@myscope/hello/-/@myscope/hello-1.0.0.tgz", "{pkg}/-/{file...}", "@myscope/hello", "", "@myscope/hello-1.0.0.tgz", ""},
		{"GET", "lodash/4.17.21", "{pkg}/{version}", "lodash", "", "", ""},
		{"GET", "@s/p/latest", "{pkg}/{version}", "@s/p", "", "", ""},
		{"GET", "-/package/@myscope%2fhello/dist-tags", "-/package/{pkg}/dist-tags", "@myscope/hello", "", "", ""},
		{"GET", "-/package/@myscope/hello/dist-tags", "-/package/{pkg}/dist-tags", "@myscope/hello", "", "", ""},
		{"PUT", "-/package/hello/dist-tags/beta", "-/package/{pkg}/dist-tags/{tag}", "hello", "beta", "", ""},
		{"DELETE", "-/package/@s%2Fp/dist-tags/beta", "-/package/{pkg}/dist-tags/{tag}", "@s/p", "beta", "", ""},
		{"DELETE", "@s%2fp/-rev/1-abc", "{pkg}/-rev/{rev}", "@s/p", "", "", ""},
		{"PUT", "hello/-rev/undefined", "{pkg}/-rev/{rev}", "hello", "", "", ""},
		{"DELETE", "hello/-/hello-1.0.0.tgz/-rev/1-abc", "{pkg}/-/{file}/-rev/{rev}", "hello", "", "hello-1.0.0.tgz", ""},
		{"POST", "-/npm/v1/security/advisories/bulk", "-/npm/v1/security/advisories/bulk", "", "", "", ""},
		{"GET", "-/v1/search", "-/v1/search", "", "", "", ""},
		{"PUT", "-/user/org.couchdb.user:bob", "-/user/{rest...}", "", "", "", ""},
		{"DELETE", "-/user/token/abc", "-/user/token/{rest...}", "", "", "", ""},
		{"GET", "-/npm/v1/tokens", "-/npm/v1/tokens{rest...}", "", "", "", ""},
		{"GET", "-/org/aws/package", "-/org/{org}/package", "", "", "", ""},
		{"GET", "-/org/aws/team", "-/org/{rest...}", "", "", "", ""},
		{"GET", "-/anything/else", "-/{rest...}", "", "", "", ""},
		{"POST", "lodash", "", "", "", "", "GET PUT"},
		{"PUT", "lodash/1.0.0", "", "", "", "", "GET"},
		{"GET", "", "", "", "", "", ""},
		{"GET", "@scope", "", "", "", "", ""},
		{"GET", "a/b/c", "", "", "", "", ""},
		{"GET", "-/ping/", "-/{rest...}", "", "", "", ""},
	} {
		rt, p, allowed := lookup(tc.method, tc.path)
		got := ""
		if rt != nil {
			got = rt.pattern
		}
		if got != tc.pattern || p.pkg != tc.pkg || p.tag != tc.tag || p.file != tc.file || strings.Join(allowed, " ") != tc.allowed {
			t.Errorf("%s %s: route %q pkg %q tag %q file %q allowed %v; want %q %q %q %q %q",
				tc.method, tc.path, got, p.pkg, p.tag, p.file, allowed, tc.pattern, tc.pkg, tc.tag, tc.file, tc.allowed)
		}
	}
}
