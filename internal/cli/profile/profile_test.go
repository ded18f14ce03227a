package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveMergesAndLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca", "config.json")
	if f, err := Load(path); err != nil || len(f.Profiles) != 0 {
		t.Fatalf("a missing file: %v %v", f, err)
	}
	steps := []struct {
		name string
		p    Profile
	}{
		{Default, Profile{Endpoint: "http://127.0.0.1:8700", Domain: "d", DomainOwner: "111122223333", Repositories: map[string]string{"npm": "r"}, Formats: map[string]string{"npm": "r"}}},
		{Default, Profile{Repositories: map[string]string{"cargo": "crates"}, Formats: map[string]string{"cargo": "crates"}}},
		{Default, Profile{Repositories: map[string]string{"pip": "py"}, Formats: map[string]string{"pypi": "py"}}},
		{Default, Profile{Region: "eu-west-1"}},
		{"shared", Profile{Domain: "shared-packages"}},
	}
	for _, s := range steps {
		if _, err := Save(path, s.name, s.p); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := f.Profiles[Default]
	if d.Endpoint != "http://127.0.0.1:8700" || d.Domain != "d" || d.Region != "eu-west-1" || d.RepositoryFor("npm", "npm") != "r" ||
		d.RepositoryFor("cargo", "cargo") != "crates" || d.RepositoryFor("pip", "pypi") != "py" || d.RepositoryFor("twine", "pypi") != "py" ||
		d.RepositoryFor("pnpm", "npm") != "r" || d.RepositoryFor("maven", "maven") != "" {
		t.Errorf("default profile: %+v", d)
	}
	if r := (Profile{Repository: "all", Formats: map[string]string{"npm": "n"}}).RepositoryFor("maven", "maven"); r != "all" {
		t.Errorf("the profile's default repository: %q", r)
	}
	if got := strings.Join(f.Names(), ","); got != "default,shared" {
		t.Errorf("names %s", got)
	}
	if changed, err := Save(path, "shared", Profile{Domain: "shared-packages"}); err != nil || changed {
		t.Errorf("saving the same again: changed=%v %v", changed, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

func TestLoadIsStrict(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"unknown field": `{"profiles":{"default":{"domian":"x"}}}`,
		"bad name":      `{"profiles":{"a b":{}}}`,
		"not JSON":      `{`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(p, []byte(content), 0o600)
		if _, err := Load(p); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if err := CheckName("../x"); err == nil {
		t.Error("CheckName(../x) passed")
	}
}
