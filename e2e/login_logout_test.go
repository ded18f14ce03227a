package e2e

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
)

// `arca login` refuses formats the server has no endpoints for, keeps a
// repository per format in the profile, and `arca logout` takes back
// exactly what login changed.

// homeFiles returns every file and directory under HOME with its mode and
// content, but arca's own (profiles, login records, token cache) and
// npm's cache.
func homeFiles(t *testing.T, home string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(home, p)
		if err != nil || rel == "." || rel == ".config" || rel == ".cache" || rel == ".npm" ||
			strings.HasPrefix(rel, filepath.Join(".cache", "")) || strings.HasPrefix(rel, ".npm"+string(filepath.Separator)) ||
			strings.HasPrefix(rel, filepath.Join(".config", "arca")) && !strings.Contains(rel, "helpers") {
			return nil
		}
		fi, _ := d.Info()
		m[rel] = fi.Mode().String()
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			m[rel] += "\n" + string(b)
		}
		return nil
	})
	return m
}

// sameFiles fails unless two homeFiles snapshots are equal.
func sameFiles(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("%s: ~/%s is\n%s\nwant\n%s", what, k, got[k], want[k])
		}
	}
}

// TestArcaProfilesPerFormat: logins for npm and pip with different
// repositories both stay in the profile; arca env uses the pip one for
// pip and twine (same format), and has none for maven.
func TestArcaProfilesPerFormat(t *testing.T) {
	t.Parallel()
	tool(t, "npm")
	tool(t, "pip")
	s := arcaFixture(t)
	if _, err := sdk(s).CreateRepository(context.Background(), &codeartifact.CreateRepositoryInput{Domain: aws_("my-domain"), Repository: aws_("py-repo")}); err != nil {
		t.Fatal(err)
	}
	u := newArcaUser(t, s)
	u.arcaOK(t, loginArgs(s, "npm")...)
	u.arcaOK(t, "login", "--tool", "pip", "--repository", "py-repo")
	pyIndex := "@" + s.Addr + "/my-domain-" + s.Account + "/pypi/py-repo/simple/'"
	if r := u.arcaOK(t, "env", "--tool", "pip"); !strings.Contains(r.Stdout, "export PIP_INDEX_URL='http://aws:") || !strings.Contains(r.Stdout, pyIndex) {
		t.Errorf("arca env --tool pip after logins for npm (my-repo) and pip (py-repo)\n%s", r)
	}
	if r := u.arcaOK(t, "env", "--tool", "twine"); !strings.Contains(r.Stdout, "export TWINE_REPOSITORY_URL='"+s.URL+"/my-domain-"+s.Account+"/pypi/py-repo/'") {
		t.Errorf("arca env --tool twine uses the pypi repository\n%s", r)
	}
	if r := u.arcaOK(t, "exec", "--tool", "npm", "--", "/bin/sh", "-c", `cat "$NPM_CONFIG_USERCONFIG"`); !strings.Contains(r.Stdout, "registry="+endpointOf(s, "npm")+"\n") {
		t.Errorf("arca exec --tool npm still uses my-repo\n%s", r)
	}
	if r := u.arca(t, "env", "--tool", "maven"); r.Code == 0 || !strings.HasPrefix(r.Stderr, "arca: no repository for maven: pass --repository") {
		t.Errorf("arca env --tool maven with no maven login\n%s", r)
	}
}

// userConfig is what a user has in their files before any login.
var userConfig = map[string]string{
	".npmrc":                       "color=false\nregistry=https://registry.example.com/\n//registry.example.com/:_authToken=USER-OWN-SECRET\n",
	".config/pip/pip.conf":         "[global]\nindex-url = https://mirror.example.com/simple/\ntimeout = 30\n",
	".pypirc":                      "[distutils]\nindex-servers =\n\tpypi\n\n[pypi]\nusername = __token__\n",
	".config/uv/uv.toml":           "[[index]]\nname = \"corp\"\nurl = \"https://corp.example.com/simple/\"\ndefault = true\n",
	".config/pypoetry/config.toml": "[virtualenvs]\nin-project = true\n",
	".m2/settings.xml":             "<settings>\n  <localRepository>/tmp/m2</localRepository>\n</settings>\n",
	".gradle/gradle.properties":    "org.gradle.daemon=false\n",
	".config/pypoetry/auth.toml":   "[http-basic.corp]\nusername = \"me\"\n",
	".yarnrc":                      "--install.frozen-lockfile true\n",
	"proj/pyproject.toml":          "[project]\nname = \"proj\"\nversion = \"0.1.0\"\n\n[tool.poetry]\npackage-mode = false\n",
}

// TestArcaLogout: for every tool that can log in here, over a HOME with
// the user's own files and over an empty one, login (twice, as tokens
// expire) then logout leaves every file byte for byte as it was, with its
// mode; logout says what it did, and a second logout has nothing to do.
func TestArcaLogout(t *testing.T) {
	t.Parallel()
	s := arcaFixture(t)
	for _, tl := range []string{"npm", "pnpm", "yarn", "pip", "twine", "uv", "poetry", "maven", "gradle"} {
		for _, seeded := range []bool{false, true} {
			u := newArcaUser(t, s)
			if seeded {
				for f, c := range userConfig {
					p := filepath.Join(u.Home, f)
					os.MkdirAll(filepath.Dir(p), 0o755)
					os.WriteFile(p, []byte(c), 0o644)
				}
			}
			before := homeFiles(t, u.Home)
			dir := u.Home
			if seeded {
				dir = filepath.Join(u.Home, "proj")
			}
			for i := 0; i < 2; i++ {
				if r := runProgram(t, u.env, dir, arcaBin, loginArgs(s, tl)...); r.Code != 0 {
					t.Fatalf("login --tool %s\n%s", tl, r)
				}
			}
			if after := homeFiles(t, u.Home); len(after) == len(before) && tl != "gradle" {
				same := true
				for k, v := range after {
					same = same && before[k] == v
				}
				if same {
					t.Fatalf("login --tool %s changed nothing", tl)
				}
			}
			if b, err := os.ReadFile(filepath.Join(u.Home, ".config", "arca", "logins.json")); err != nil || strings.Contains(string(b), "USER-OWN-SECRET") || strings.Contains(string(b), cachedToken(t, u.Home)) {
				t.Errorf("the login records hold a secret (%v):\n%s", err, b)
			}
			r := runProgram(t, u.env, dir, arcaBin, "logout", "--tool", tl)
			if r.Code != 0 || !strings.HasPrefix(r.Stdout, "Removed what arca login --tool "+tl+" configured\n") {
				t.Fatalf("logout --tool %s\n%s", tl, r)
			}
			sameFiles(t, "login --tool "+tl+" then logout", homeFiles(t, u.Home), before)
			if r := u.arca(t, "logout", "--tool", tl); r.Code == 0 || !strings.HasPrefix(r.Stderr, "arca: no arca login --tool "+tl) {
				t.Errorf("a second logout --tool %s\n%s", tl, r)
			}
		}
	}
}
