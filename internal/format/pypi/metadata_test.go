package pypi

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// A METADATA file as setuptools 69 writes it: description in the body.
const setuptoolsMetadata = `Metadata-Version: 2.1
Name: Hello_CA
Version: 1.0.0
Summary: A hello world project
Home-page: https://example.com/hello
Author: Jane Doe
Author-email: jane@example.com
License: MIT
Project-URL: Source, https://github.com/example/hello
Project-URL: Bug Tracker, https://github.com/example/hello/issues
Keywords: hello,world
Classifier: Programming Language :: Python :: 3
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=3.8
Description-Content-Type: text/markdown
License-File: LICENSE
Requires-Dist: requests (>=2.0,<3)
Requires-Dist: Typing_Extensions>=4; python_version < "3.11"
Requires-Dist: pytest ; extra == 'test'
Provides-Extra: test

# Hello

Hello, world.
`

// A PKG-INFO of metadata 1.1, description in a folded header, CRLF line
// ends, UNKNOWN for empty fields.
const oldPKGInfo = "Metadata-Version: 1.1\r\n" +
	"Name: oldproj\r\n" +
	"Version: 0.9\r\n" +
	"Summary: UNKNOWN\r\n" +
	"Home-page: UNKNOWN\r\n" +
	"Author: Someone\r\n" +
	"License: Copyright (c) 2010\r\n" +
	"        All rights reserved.\r\n" +
	"Description: Old project\r\n" +
	"        ===========\r\n" +
	"        \r\n" +
	"        Indented:\r\n" +
	"        \r\n" +
	"            code\r\n" +
	"Platform: UNKNOWN\r\n"

func TestParseMetadata(t *testing.T) {
	m, err := ParseMetadata(strings.NewReader(setuptoolsMetadata), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := &Metadata{
		MetadataVersion: "2.1", Name: "Hello_CA", Version: "1.0.0", Summary: "A hello world project",
		Description: "# Hello\n\nHello, world.\n", DescriptionContentType: "text/markdown",
		Keywords: "hello,world", HomePage: "https://example.com/hello", Author: "Jane Doe", AuthorEmail: "jane@example.com",
		License: "MIT", LicenseFiles: []string{"LICENSE"},
		Classifiers:    []string{"Programming Language :: Python :: 3", "License :: OSI Approved :: MIT License"},
		RequiresDist:   []string{"requests (>=2.0,<3)", `Typing_Extensions>=4; python_version < "3.11"`, "pytest ; extra == 'test'"},
		RequiresPython: ">=3.8",
		ProjectURLs:    []string{"Source, https://github.com/example/hello", "Bug Tracker, https://github.com/example/hello/issues"},
		ProvidesExtra:  []string{"test"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}
	meta := m.Meta()
	if meta.DisplayName != "Hello_CA" || meta.Summary != want.Summary || meta.HomePage != "https://example.com/hello" ||
		meta.SourceCodeRepository != "https://github.com/example/hello" || meta.Readme != want.Description {
		t.Errorf("meta %+v", meta)
	}
	if !reflect.DeepEqual(meta.Licenses, []artifact.License{{Name: "MIT"}}) {
		t.Errorf("licenses %+v", meta.Licenses)
	}
	wantDeps := []artifact.Dependency{
		{Package: "requests", DependencyType: "Requires-Dist", VersionRange: ">=2.0,<3"},
		{Package: "typing-extensions", DependencyType: "Requires-Dist", VersionRange: `>=4; python_version < "3.11"`},
		{Package: "pytest", DependencyType: "Requires-Dist", VersionRange: `; extra == 'test'`},
	}
	if !reflect.DeepEqual(meta.Dependencies, wantDeps) {
		t.Errorf("dependencies\n got %+v\nwant %+v", meta.Dependencies, wantDeps)
	}
	if err := m.Check(); err != nil {
		t.Error(err)
	}

	old, err := ParseMetadata(strings.NewReader(oldPKGInfo), 0)
	if err != nil {
		t.Fatal(err)
	}
	if old.Summary != "" || old.HomePage != "" || old.Name != "oldproj" {
		t.Errorf("UNKNOWN fields: %+v", old)
	}
	if want := "Old project\n===========\n\nIndented:\n\n    code"; old.Description != want {
		t.Errorf("folded description %q, want %q", old.Description, want)
	}
	if old.License != "Copyright (c) 2010\nAll rights reserved." || len(old.Meta().Licenses) != 0 {
		t.Errorf("a license text is no license name: %q %+v", old.License, old.Meta().Licenses)
	}
}

func TestParseMetadataLenient(t *testing.T) {
	for _, c := range []struct {
		name, in string
		check    func(*Metadata) bool
	}{
		{"no body", "Name: a\nVersion: 1", func(m *Metadata) bool { return m.Name == "a" && m.Version == "1" && m.Description == "" }},
		{"bom and case", "\uFEFFname: a\nVERSION: 2\n", func(m *Metadata) bool { return m.Name == "a" && m.Version == "2" }},
		{"a line that is no header starts the body", "Name: a\nnot a header\nVersion: 3\n", func(m *Metadata) bool {
			return m.Name == "a" && m.Version == "" && m.Description == "not a header\nVersion: 3\n"
		}},
		{"folded summary", "Name: a\nSummary: one\n  two\n", func(m *Metadata) bool { return m.Summary == "one two" }},
		{"invalid utf-8", "Name: a\xff\n", func(m *Metadata) bool { return m.Name == "a\uFFFD" }},
		{"header description wins", "Name: a\nDescription: head\n\nbody\n", func(m *Metadata) bool { return m.Description == "head" }},
		{"UNKNOWN header description, body", "Name: a\nDescription: UNKNOWN\n\nbody\n", func(m *Metadata) bool { return m.Description == "body\n" }},
		{"empty", "", func(m *Metadata) bool { return m.Name == "" }},
		{"license expression", "License-Expression: MIT OR Apache-2.0\nLicense: ignored\n", func(m *Metadata) bool {
			return reflect.DeepEqual(m.Licenses(), []artifact.License{{Name: "MIT OR Apache-2.0"}})
		}},
		{"license classifiers", "Classifier: License :: OSI Approved :: BSD License\nClassifier: License :: OSI Approved :: BSD License\nClassifier: License :: Public Domain\n", func(m *Metadata) bool {
			return reflect.DeepEqual(m.Licenses(), []artifact.License{{Name: "BSD License"}, {Name: "Public Domain"}})
		}},
		{"homepage from project urls", "Project-URL: Home-Page, https://h\nProject-URL: Repository, https://r\n", func(m *Metadata) bool {
			return m.HomePageURL() == "https://h" && m.Meta().SourceCodeRepository == "https://r"
		}},
	} {
		m, err := ParseMetadata(strings.NewReader(c.in), 0)
		if err != nil || !c.check(m) {
			t.Errorf("%s: %+v, %v", c.name, m, err)
		}
	}
	if _, err := ParseMetadata(strings.NewReader(strings.Repeat("x", 100)), 99); !errors.Is(err, errkind.ErrQuotaExceeded) {
		t.Errorf("oversized: %v", err)
	}
	m, _ := ParseMetadata(strings.NewReader("Name: -bad\nVersion: 1\n"), 0)
	if err := m.Check(); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("Check of a bad name: %v", err)
	}
}

func TestParseRequirement(t *testing.T) {
	for in, want := range map[string]Requirement{
		"requests":                                {Name: "requests"},
		"requests>=2.0":                           {Name: "requests", Specifier: ">=2.0"},
		"requests (>= 2.0, < 3)":                  {Name: "requests", Specifier: ">=2.0,<3"},
		"requests[socks,security] ~= 2.31":        {Name: "requests", Extras: []string{"socks", "security"}, Specifier: "~=2.31"},
		`pywin32 >=1.0 ; sys_platform == "win32"`: {Name: "pywin32", Specifier: ">=1.0", Marker: `sys_platform == "win32"`},
		"pip @ https://example.com/pip.whl":       {Name: "pip", Specifier: "@ https://example.com/pip.whl"},
		"zope.interface==5.*":                     {Name: "zope.interface", Specifier: "==5.*"},
	} {
		got, err := ParseRequirement(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRequirement(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ">=1", "[x]", "a[b", "a (>=1", "a $$"} {
		if _, err := ParseRequirement(bad); err == nil {
			t.Errorf("ParseRequirement(%q) accepted", bad)
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{setuptoolsMetadata, oldPKGInfo, "", "\n\n", "Name: a\n b\n\tc\n\nbody", ": x\n", "Description: a\n       |b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMetadata(strings.NewReader(string(data)), 1<<16)
		if err != nil {
			if errkind.KindOf(err) == errkind.Internal {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		_ = m.Meta()
		_ = m.Check()
		for _, s := range []string{m.Name, m.Version, m.Summary, m.HomePage} {
			if strings.Contains(s, "\n") {
				t.Fatalf("a single-line field holds a line break: %q", s)
			}
		}
	})
}

func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{"requests[socks] (>=2.0, <3) ; python_version < \"3.8\"", "a @ b", "x", "a[", "a;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			return
		}
		if r.Name == "" || strings.ContainsAny(r.Name, " ;[(") {
			t.Fatalf("ParseRequirement(%q) = %+v", s, r)
		}
	})
}
