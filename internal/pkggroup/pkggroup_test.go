package pkggroup

import (
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

func TestParse(t *testing.T) {
	good := []struct {
		in    string
		level Level
		ns    string
		name  string
	}{
		{"/*", LevelAll, "", ""},
		{"/npm/*", LevelFormat, "", ""},
		{"/maven/com.anycompany~", LevelNamespacePrefix, "com.anycompany", ""},
		{"/npm/space/*", LevelNamespace, "space", ""},
		{"/npm//*", LevelNamespace, "", ""},
		{"/npm/space/anycompany-ui~", LevelNamePrefix, "space", "anycompany-ui"},
		{"/maven/org.apache.logging.log4j/log4j-core$", LevelExact, "org.apache.logging.log4j", "log4j-core"},
		{"/pypi//requests$", LevelExact, "", "requests"},
		{"/pypi//my-lib~", LevelNamePrefix, "", "my-lib"},
		{"/nuget//newtonsoft.json$", LevelExact, "", "newtonsoft.json"},
	}
	for _, c := range good {
		p, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if p.Level != c.level || p.Namespace != c.ns || p.Name != c.name || p.Text != c.in {
			t.Errorf("Parse(%q) = %+v", c.in, p)
		}
	}
	bad := map[string]string{
		"":                             "characters long",
		"/":                            "characters long",
		"npm/*":                        "must start with /",
		"/npm":                         "ends with",
		"/npm/":                        "ends with",
		"/gems/*":                      "unknown package format",
		"/npm/space/foo":               "ends with",
		"/npm/space/foo-~":             "word character",
		"/npm/space/~":                 "must follow",
		"/npm/sp*ce/foo$":              "may not appear",
		"/npm/space/foo*":              "stands alone",
		"/npm/space$":                  "full package path",
		"/pypi/ns/requests$":           "no namespace",
		"/pypi/ns~":                    "no namespace",
		"/maven//log4j$":               "always have a namespace",
		"/generic//thing~":             "always have a namespace",
		"/pypi//Requests$":             "normal form",
		"/pypi//my_lib$":               "normal form",
		"/nuget//Newtonsoft.Json$":     "normal form",
		"/swift/Apple/foo$":            "normal form",
		"/npm/a/b/c$":                  "at most three",
		"/npm/sp ace/*":                "whitespace",
		"/" + strings.Repeat("a", 520): "characters long",
	}
	for in, want := range bad {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) accepted", in)
			continue
		}
		if !errors.Is(err, errkind.ErrValidation) || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want a Validation error about %q", in, err, want)
		}
	}
}

func ref(f artifact.Format, ns, name string) artifact.PackageRef {
	return artifact.PackageRef{Format: f, Namespace: ns, Name: name}
}

func TestMatches(t *testing.T) {
	cases := []struct {
		pattern string
		ref     artifact.PackageRef
		want    bool
	}{
		{"/*", ref(artifact.PyPI, "", "x"), true},
		{"/npm/*", ref(artifact.NPM, "s", "x"), true},
		{"/npm/*", ref(artifact.PyPI, "", "x"), false},
		{"/npm/space/foo~", ref(artifact.NPM, "space", "foo"), true},
		{"/npm/space/foo~", ref(artifact.NPM, "space", "foo-bar"), true},
		{"/npm/space/foo~", ref(artifact.NPM, "space", "foo.bar"), true},
		{"/npm/space/foo~", ref(artifact.NPM, "space", "food"), false},
		{"/npm/space/foo~", ref(artifact.NPM, "space", "foot"), false},
		{"/npm/space/foo~", ref(artifact.NPM, "other", "foo"), false},
		{"/maven/com.anycompany~", ref(artifact.Maven, "com.anycompany", "a"), true},
		{"/maven/com.anycompany~", ref(artifact.Maven, "com.anycompany.ui", "a"), true},
		{"/maven/com.anycompany~", ref(artifact.Maven, "com.anycompanyx", "a"), false},
		{"/npm//*", ref(artifact.NPM, "", "react"), true},
		{"/npm//*", ref(artifact.NPM, "s", "react"), false},
		{"/npm/space/Foo$", ref(artifact.NPM, "space", "foo"), false}, // case-sensitive
	}
	for _, c := range cases {
		p, err := Parse(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Matches(c.ref); got != c.want {
			t.Errorf("%s matches %v = %v, want %v", c.pattern, c.ref, got, c.want)
		}
	}
}

func index(t *testing.T, patterns ...string) *Index {
	t.Helper()
	var gs []Group
	for i, s := range patterns {
		p, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, Group{ID: int64(i + 1), Pattern: p})
	}
	return NewIndex(gs)
}

func TestAssociateAndTree(t *testing.T) {
	ix := index(t, "/*", "/npm/*", "/npm/space/*", "/npm/space/ui~", "/npm/space/ui-core$", "/maven/com.a~", "/maven/com.a.b~", "/maven/com.a.b/*")
	cases := []struct {
		ref   artifact.PackageRef
		group string
		weak  bool
	}{
		{ref(artifact.NPM, "", "react"), "/npm/*", false},
		{ref(artifact.NPM, "space", "amplify"), "/npm/space/*", false},
		{ref(artifact.NPM, "space", "ui-kit"), "/npm/space/ui~", false},
		{ref(artifact.NPM, "space", "ui-core"), "/npm/space/ui-core$", false},
		{ref(artifact.NPM, "space", "UI-Core"), "/npm/space/ui-core$", true},
		{ref(artifact.NPM, "space", "ui_core"), "/npm/space/ui-core$", true},
		{ref(artifact.NPM, "space", "ui--core"), "/npm/space/ui-core$", true},
		{ref(artifact.NPM, "space", "uі-core"), "/npm/space/ui-core$", true}, // Cyrillic і
		{ref(artifact.NPM, "space", "ui-c0re"), "/npm/space/ui-core$", true},
		{ref(artifact.NPM, "space", "ui-cores"), "/npm/space/ui~", false},
		{ref(artifact.PyPI, "", "requests"), "/*", false},
		{ref(artifact.Maven, "com.a", "x"), "/maven/com.a~", false},
		{ref(artifact.Maven, "com.a.b.c", "x"), "/maven/com.a.b~", false},
		{ref(artifact.Maven, "com.a.b", "x"), "/maven/com.a.b/*", false},
	}
	for _, c := range cases {
		a := ix.Associate(c.ref)
		if a.Group == nil || a.Group.Pattern.Text != c.group || a.Weak != c.weak {
			t.Errorf("Associate(%v) = %v weak=%v, want %s weak=%v", c.ref, a.Group.Pattern.Text, a.Weak, c.group, c.weak)
		}
	}
	parents := map[string]string{
		"/*": "", "/npm/*": "/*", "/npm/space/*": "/npm/*", "/npm/space/ui~": "/npm/space/*",
		"/npm/space/ui-core$": "/npm/space/ui~", "/maven/com.a~": "/*", "/maven/com.a.b~": "/maven/com.a~",
		"/maven/com.a.b/*": "/maven/com.a.b~",
	}
	for p, want := range parents {
		n, _ := ix.Group(p)
		got := ""
		if n.Parent != nil {
			got = n.Parent.Pattern.Text
		}
		if got != want {
			t.Errorf("parent of %s = %q, want %q", p, got, want)
		}
	}
	root, _ := ix.Group("/*")
	if len(root.Children) != 2 {
		t.Errorf("root children = %d, want 2 (/maven/com.a~ and /npm/*)", len(root.Children))
	}
}

func TestInheritAndDecide(t *testing.T) {
	ix := index(t, "/*", "/npm/*", "/npm/space/*")
	npm, _ := ix.Group("/npm/*")
	space, _ := ix.Group("/npm/space/*")
	npm.Modes = map[Restriction]Mode{Publish: AllowSpecificRepositories, ExternalUpstream: Block}
	npm.Allowed = map[Restriction]map[int64]string{Publish: {7: "team"}}
	ix = NewIndex([]Group{*ix.Nodes[0].Group, *npm.Group, *space.Group}) // recompute inheritance
	space, _ = ix.Group("/npm/space/*")
	mode, from := space.Effective(Publish)
	if mode != AllowSpecificRepositories || from.Pattern.Text != "/npm/*" {
		t.Errorf("space publish = %s from %v", mode, from.Pattern.Text)
	}
	if m, from := space.Effective(InternalUpstream); m != Allow || from.Pattern.Text != "/*" {
		t.Errorf("space internal = %s from %s, want ALLOW from /*", m, from.Pattern.Text)
	}
	pkg := ref(artifact.NPM, "space", "x")
	if d := ix.Decide(pkg, Publish, 7, "team"); !d.Allowed {
		t.Errorf("publish to the allowed repository refused: %s", d.Reason)
	}
	d := ix.Decide(pkg, Publish, 8, "other")
	if d.Allowed || d.Group != "/npm/space/*" || !strings.Contains(d.Reason, "inherited from /npm/*") {
		t.Errorf("publish to another repository = %+v", d)
	}
	if d := ix.Decide(pkg, ExternalUpstream, 7, "team"); d.Allowed {
		t.Error("external upstream allowed under an inherited BLOCK")
	}
	if d := ix.Decide(ref(artifact.PyPI, "", "x"), ExternalUpstream, 7, "team"); !d.Allowed {
		t.Error("a package of the root group refused")
	}
	if d := ix.Decide(ref(artifact.NPM, "Space", "x"), Publish, 7, "team"); d.Allowed || !strings.Contains(d.Reason, "normalization") {
		t.Errorf("weak match allowed: %+v", d)
	}
}

func TestAssociateWithPreview(t *testing.T) {
	ix := index(t, "/*")
	p, _ := Parse("/npm/space/*")
	if a := ix.AssociateWith(p, ref(artifact.NPM, "space", "x")); a.Group.Pattern.Text != "/npm/space/*" {
		t.Errorf("preview association = %s", a.Group.Pattern.Text)
	}
	if a := ix.Associate(ref(artifact.NPM, "space", "x")); a.Group.Pattern.Text != "/*" {
		t.Errorf("preview changed the index: %s", a.Group.Pattern.Text)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/*", "/npm/*", "/npm/space/foo~", "/maven/a/b$", "/pypi//x$", "/npm//*", "/a/b/c/d", "~", "/npm/ü~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			if !errors.Is(err, errkind.ErrValidation) {
				t.Fatalf("Parse(%q) error %v is not a Validation error", s, err)
			}
			return
		}
		if p.Text != s {
			t.Fatalf("Parse(%q).Text = %q", s, p.Text)
		}
		// A definition covers nothing of itself, and the root covers it.
		if p.Covers(p) {
			t.Fatalf("%q covers itself", s)
		}
		root, _ := Parse(Root)
		if s != Root && !root.Covers(p) {
			t.Fatalf("/* does not cover %q", s)
		}
		// An exact definition matches the package it names.
		if p.Level == LevelExact && !p.Matches(artifact.PackageRef{Format: p.Format, Namespace: p.Namespace, Name: p.Name}) {
			t.Fatalf("%q does not match its own package", s)
		}
	})
}

// A lookup looks at the few groups that can match, in memory: two
// lookups among 400 groups of one format take a few microseconds.
func BenchmarkDecide(b *testing.B) {
	var gs []Group
	add := func(s string) {
		p, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		gs = append(gs, Group{ID: int64(len(gs) + 1), Pattern: p})
	}
	add("/*")
	add("/npm/*")
	for i := 0; i < 200; i++ {
		add("/npm/scope" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "/*")
		add("/npm//lib-" + string(rune('a'+i%26)) + strings.Repeat("y", i/26) + "$")
	}
	ix := NewIndex(gs)
	scoped := artifact.PackageRef{Format: artifact.NPM, Namespace: "scopexa", Name: "web-helper"}
	unscoped := artifact.PackageRef{Format: artifact.NPM, Name: "lib-cy"}
	if d := ix.Decide(unscoped, Publish, 1, "repo"); d.Group != "/npm//lib-cy$" {
		b.Fatalf("lib-cy decided by %s", d.Group)
	}
	b.ReportAllocs()
	for b.Loop() {
		ix.Decide(scoped, Publish, 1, "repo")
		ix.Decide(unscoped, Publish, 1, "repo")
	}
}
