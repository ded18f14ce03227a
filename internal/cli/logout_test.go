package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/cli/tools"
	"github.com/arcahq/arca/internal/cli/undo"
)

// userFiles are what a user may already have in the files logins edit,
// by base name.
var userFiles = map[string]string{
	".npmrc":                   "color=false\nregistry=https://registry.example.com/\n//other.example.com/:_authToken=USER-OWN-SECRET\n",
	"pip.conf":                 "[global]\nindex-url = https://mirror.example.com/simple/\ntimeout = 30\n",
	".pypirc":                  "[distutils]\nindex-servers =\n\tpypi\n\n[pypi]\nusername = __token__\n",
	"uv.toml":                  "[[index]]\nname = \"corp\"\nurl = \"https://corp.example.com/simple/\"\ndefault = true\n",
	"config.toml":              "# mine\n[virtualenvs]\nin-project = true\n",
	"auth.toml":                "[http-basic.corp]\nusername = \"me\"\n",
	"settings.xml":             "<settings>\n  <localRepository>/tmp/m2</localRepository>\n</settings>\n",
	"NuGet.Config":             "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"corp\" value=\"https://corp.example.com/v3/index.json\" />\n  </packageSources>\n</configuration>\n",
	"registries.json":          "{\"version\": 1, \"registries\": {}}",
	".netrc":                   "machine other.example.com login me password user-own-secret\n",
	".gemrc":                   "---\n:sources:\n- https://gems.example.com/\n:verbose: true\n",
	"credentials":              "---\n:rubygems_api_key: user-own-key\n",
	"config":                   "---\nBUNDLE_JOBS: \"4\"\n",
	".yarnrc.yml":              "enableTelemetry: false\n",
	"arca-codeartifact.gradle": "// an older init script\n",
}

// TestLogoutRestoresEveryTool: for every tool, over no files and over
// files of the user's, one login and then two, then logout leave the
// files byte for byte as they were, with their modes, and the directories
// login created are gone.
func TestLogoutRestoresEveryTool(t *testing.T) {
	for _, tool := range tools.All() {
		for _, seeded := range []bool{false, true} {
			name := tool.Name + "/new"
			if seeded {
				name = tool.Name + "/existing"
			}
			t.Run(name, func(t *testing.T) {
				a, out, errb := testApp(t)
				env, _ := a.toolEnv()
				before := map[string]string{}
				if seeded {
					files, _ := tool.Files(env, tools.Target{Endpoint: "http://127.0.0.1:9/d-111122223333/" + tool.Format + "/r/", Domain: "d", Repository: "r"})
					for _, f := range files {
						c, ok := userFiles[filepath.Base(f.Path)]
						if !ok {
							continue
						}
						os.MkdirAll(filepath.Dir(f.Path), 0o755)
						os.WriteFile(f.Path, []byte(c), 0o644)
					}
				}
				snap := func() map[string]string {
					m := map[string]string{}
					filepath.WalkDir(a.Home, func(p string, d os.DirEntry, err error) error {
						rel, _ := filepath.Rel(a.Home, p)
						if err != nil || rel == ".config" || strings.HasPrefix(rel, filepath.Join(".config", "arca")) && !strings.Contains(rel, "helpers") {
							return nil
						}
						fi, _ := d.Info()
						m[rel] = fi.Mode().String()
						if !d.IsDir() {
							b, _ := os.ReadFile(p)
							m[rel] += " " + string(b)
						}
						return nil
					})
					return m
				}
				before = snap()
				for i, tok := range []string{strings.Repeat("FirstToken", 10), strings.Repeat("SecondToken", 10)} {
					target := tools.Target{
						Endpoint: "http://127.0.0.1:9/d-111122223333/" + tool.Format + "/r/", Domain: "d", Repository: "r",
						Token: tok, Helper: []string{"/opt/arca/arca", "credential", "--domain", "d"}, Mirror: i == 1,
					}
					changes, _, err := plan(tool, env, target)
					if err != nil {
						t.Fatal(err)
					}
					if err := a.apply(undo.Key("default", tool.Name), changes); err != nil {
						t.Fatal(err)
					}
				}
				if errb.Len() > 0 {
					t.Fatalf("login warned: %s", errb)
				}
				state, _ := os.ReadFile(filepath.Join(a.ConfigDir, "arca", "logins.json"))
				for _, s := range []string{"FirstToken", "SecondToken", "USER-OWN-SECRET", "user-own-secret", "user-own-key"} {
					if strings.Contains(string(state), s) {
						t.Errorf("the login record holds %s:\n%s", s, state)
					}
				}
				if err := a.Logout(Flags{}, tool.Name); err != nil {
					t.Fatal(err)
				}
				after := snap()
				for k, v := range before {
					if after[k] != v {
						t.Errorf("~/%s after logout:\n%s\nwant:\n%s", k, after[k], v)
					}
				}
				for k, v := range after {
					if _, ok := before[k]; !ok {
						t.Errorf("~/%s is left after logout: %.80s", k, v)
					}
				}
				if !strings.HasPrefix(out.String(), "Removed what arca login --tool "+tool.Name+" configured\n") {
					t.Errorf("logout output:\n%s", out)
				}
				if err := a.Logout(Flags{}, tool.Name); err == nil || !strings.Contains(err.Error(), "no arca login --tool "+tool.Name) {
					t.Errorf("a second logout: %v", err)
				}
			})
		}
	}
}

// TestLogoutKeepsTheUsersEdits: lines the user added after login stay,
// and a logout for another profile says which profile logged in.
func TestLogoutKeepsTheUsersEdits(t *testing.T) {
	a, _, _ := testApp(t)
	env, _ := a.toolEnv()
	npmrc := filepath.Join(a.Home, ".npmrc")
	os.WriteFile(npmrc, []byte("registry=https://registry.example.com/\n"), 0o644)
	npm, _ := tools.Lookup("npm")
	changes, _, _ := plan(npm, env, tools.Target{Endpoint: "http://127.0.0.1:9/d-111122223333/npm/r/", Token: strings.Repeat("tok", 30)})
	if err := a.apply(undo.Key("work", "npm"), changes); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(npmrc)
	os.WriteFile(npmrc, append([]byte("# mine\n"), append(b, "save-exact=true\n"...)...), 0o600)
	if err := a.Logout(Flags{}, "npm"); err == nil || !strings.Contains(err.Error(), "--profile work") {
		t.Errorf("logout with the default profile: %v", err)
	}
	if err := a.Logout(Flags{Profile: "work"}, "npm"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(npmrc); string(b) != "# mine\nregistry=https://registry.example.com/\nsave-exact=true\n" {
		t.Errorf("~/.npmrc after logout:\n%s", b)
	}
	if fi, _ := os.Stat(npmrc); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v after logout", fi.Mode().Perm())
	}
}

func TestYarnEnv(t *testing.T) {
	if _, err := os.Stat("/usr/bin/yarnpkg"); err != nil {
		t.Skip("no Debian yarnpkg here: the e2e tests run it")
	}
	env := yarnEnv("/usr/bin/yarnpkg", []string{"HOME=/h", "NODE_PATH=/opt/mods"})
	if strings.Join(env, " ") != "HOME=/h NODE_PATH=/opt/mods:/usr/share/nodejs" {
		t.Errorf("yarnpkg env %q", env)
	}
	if env := yarnEnv("/usr/bin/yarnpkg", []string{"HOME=/h"}); strings.Join(env, " ") != "HOME=/h NODE_PATH=/usr/share/nodejs" {
		t.Errorf("yarnpkg env %q", env)
	}
	if env := yarnEnv("/bin/sh", []string{"HOME=/h"}); strings.Join(env, " ") != "HOME=/h" {
		t.Errorf("another yarn's env %q", env)
	}
}
