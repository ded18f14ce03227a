package pypi

import (
	"errors"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
)

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"Hello_CA":          "hello-ca",
		"hello-ca":          "hello-ca",
		"Hello.CA":          "hello-ca",
		"hello__-._ca":      "hello-ca",
		"friendly-bard":     "friendly-bard",
		"Friendly-Bard":     "friendly-bard",
		"FRIENDLY-BARD":     "friendly-bard",
		"friendly.bard":     "friendly-bard",
		"friendly_bard":     "friendly-bard",
		"friendly--bard":    "friendly-bard",
		"FrIeNdLy-._.-bArD": "friendly-bard",
		"zope.interface":    "zope-interface",
		"a":                 "a",
		"":                  "",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"a", "A1", "hello-ca", "Hello_CA", "zope.interface", "x.y_z-1"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-a", "a-", ".a", "a.", "a b", "a/b", "é", "a@b", "a\x00"} {
		err := ValidateName(bad)
		if !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("ValidateName(%q) = %v, want a Validation error", bad, err)
		}
	}
}

// The cases of the version specification's normalization section.
func TestNormalizeVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1.0.0":            "1.0.0",
		"1.0":              "1.0",
		"1.0-RC1":          "1.0rc1",
		"1.0.0a1":          "1.0.0a1",
		"1.1.0-alpha.1":    "1.1.0a1",
		"1.0b2":            "1.0b2",
		"1.0.c1":           "1.0rc1",
		"1.0pre1":          "1.0rc1",
		"1.0preview2":      "1.0rc2",
		"1.0a":             "1.0a0",
		"1.0-1":            "1.0.post1",
		"1.0.post":         "1.0.post0",
		"1.0-rev3":         "1.0.post3",
		"1.0.dev":          "1.0.dev0",
		"1.0-dev5":         "1.0.dev5",
		"v2":               "2",
		"V2.0":             "2.0",
		"01.002.0003":      "1.2.3",
		"1!2.0":            "1!2.0",
		"1.0+Ubuntu-1":     "1.0+ubuntu.1",
		"1.0+abc_def.9":    "1.0+abc.def.9",
		" 1.0 ":            "1.0",
		"2.0.0.post1.dev2": "2.0.0.post1.dev2",
	} {
		got, err := NormalizeVersion(in)
		if err != nil || got != want {
			t.Errorf("NormalizeVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "latest", "1.0-foo", "1..0", "1.0+", "1.0+a+b", "ab1.0"} {
		if _, err := NormalizeVersion(bad); !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("NormalizeVersion(%q) = %v, want a Validation error", bad, err)
		}
	}
	if got := RemoteVersion("0.1-r1234-beta"); got != "0.1-r1234-beta" {
		t.Errorf("a legacy version is kept as written: %q", got)
	}
}

func TestParseFilename(t *testing.T) {
	for _, c := range []struct {
		file, project string
		want          Filename
	}{
		{"hello_ca-1.0.0-py3-none-any.whl", "Hello-CA", Filename{Kind: Wheel, Name: "hello_ca", Version: "1.0.0", Extension: ".whl", Python: "py3", ABI: "none", Platform: "any"}},
		{"Hello_CA-1.0.0-py3-none-any.whl", "hello-ca", Filename{Kind: Wheel, Name: "Hello_CA", Version: "1.0.0", Extension: ".whl", Python: "py3", ABI: "none", Platform: "any"}},
		{"numpy-2.1.0-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "numpy", Filename{Kind: Wheel, Name: "numpy", Version: "2.1.0", Build: "1", Extension: ".whl", Python: "cp312", ABI: "cp312", Platform: "manylinux_2_17_x86_64.manylinux2014_x86_64"}},
		{"hello_ca-1.0.0.tar.gz", "hello-ca", Filename{Kind: Sdist, Name: "hello_ca", Version: "1.0.0", Extension: ".tar.gz"}},
		{"hello-ca-1.0.0.tar.gz", "hello_ca", Filename{Kind: Sdist, Name: "hello-ca", Version: "1.0.0", Extension: ".tar.gz"}},
		{"foo-bar-2.0.zip", "foo-bar", Filename{Kind: Sdist, Name: "foo-bar", Version: "2.0", Extension: ".zip"}},
		{"foo-1.0-beta.tar.bz2", "foo", Filename{Kind: Sdist, Name: "foo", Version: "1.0-beta", Extension: ".tar.bz2"}},
	} {
		got, err := ParseFilename(c.file, c.project)
		if err != nil || got != c.want {
			t.Errorf("ParseFilename(%q, %q) = %+v, %v; want %+v", c.file, c.project, got, err, c.want)
		}
	}
	for _, c := range []struct{ file, project string }{
		{"other-1.0-py3-none-any.whl", "hello"},
		{"hello-1.0-py3-none.whl", "hello"},
		{"hello-1.0-x-py3-none-any.whl", "hello"},
		{"hello-1.0.egg", "hello"},
		{"hello-1.0.exe", "hello"},
		{"other-1.0.tar.gz", "hello"},
		{"hello.tar.gz", "hello"},
		{"../hello-1.0.tar.gz", "hello"},
		{"hello-1.0.tar.gz\x00", "hello"},
		{".hello-1.0.tar.gz", "hello"},
		{"hello-1.0%2f.tar.gz", "hello"},
	} {
		if _, err := ParseFilename(c.file, c.project); !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("ParseFilename(%q, %q) = %v, want a Validation error", c.file, c.project, err)
		}
	}
	wheel, _ := ParseFilename("x-1-py3-none-any.whl", "x")
	sdist, _ := ParseFilename("x-1.tar.gz", "x")
	if wheel.PackageType() != "bdist_wheel" || wheel.PythonVersion() != "py3" || sdist.PackageType() != "sdist" || sdist.PythonVersion() != "source" {
		t.Errorf("package types: %+v %+v", wheel, sdist)
	}
}

func FuzzParseFilename(f *testing.F) {
	for _, s := range []string{"hello_ca-1.0.0-py3-none-any.whl", "hello-ca-1.0.tar.gz", "a-b-c-d-e-f-g.whl", "x-.zip", "-1.tar"} {
		f.Add(s, "hello-ca")
	}
	f.Fuzz(func(t *testing.T, file, project string) {
		fn, err := ParseFilename(file, project)
		if err != nil {
			if errkind.KindOf(err) != errkind.Validation {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if NormalizeName(fn.Name) != NormalizeName(project) || fn.Version == "" {
			t.Fatalf("ParseFilename(%q, %q) = %+v", file, project, fn)
		}
		if KindOf(file) != fn.Kind {
			t.Fatalf("KindOf(%q) = %v, ParseFilename says %v", file, KindOf(file), fn.Kind)
		}
	})
}
