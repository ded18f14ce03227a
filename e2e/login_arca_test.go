package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// End-to-end tests of the client side of the arca binary: `arca login`,
// `arca credential`, `arca env` and `arca exec`, run as a user runs them
// (a HOME of their own, AWS credentials in the environment) against a
// started `arca serve`, with the real package managers.

// arcaTokenRE matches an authorization token.
var arcaTokenRE = regexp.MustCompile(`[A-Za-z0-9_\-.~]{40,}`)

// arcaUser is one user's machine: a HOME with nothing in it, and the
// server's root credentials in the environment.
type arcaUser struct {
	srv  *server
	Home string
	env  []string
}

// arcaNeedTool returns the path of yarnpkg or pnpm, failing the test with
// how to install it when it is missing (the end-to-end tests never skip).
func arcaNeedTool(t testing.TB, name string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed, and the end-to-end tests need it (they never skip): run scripts/install-test-deps.sh "+
			"(yarn 1: apt-get install -y yarnpkg, run with NODE_PATH=/usr/share/nodejs; pnpm: npm install -g pnpm)", name)
	}
	return tool(t, name)
}

// newArcaUser returns a user of s with a new HOME. extra is added to the
// environment.
func newArcaUser(t testing.TB, s *server, extra ...string) *arcaUser {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	return arcaUserAt(s, home, extra...)
}

// arcaUserAt returns a user of s whose HOME is home.
func arcaUserAt(s *server, home string, extra ...string) *arcaUser {
	env := clientEnv(home,
		"AWS_CONFIG_FILE="+filepath.Join(home, ".aws-config-none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, ".aws-credentials-none"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID="+s.KeyID,
		"AWS_SECRET_ACCESS_KEY="+s.Secret,
		"NODE_PATH=/usr/share/nodejs", // yarn 1 from Debian needs it (docs/CLIENTS.md §4.2)
	)
	return &arcaUser{srv: s, Home: home, env: append(env, extra...)}
}

// without returns the user's environment without the named variables.
func (u *arcaUser) without(names ...string) []string {
	var out []string
	for _, kv := range u.env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || k == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// arca runs the arca binary in HOME.
func (u *arcaUser) arca(t testing.TB, args ...string) result {
	t.Helper()
	return runProgram(t, u.env, u.Home, arcaBin, args...)
}

// arcaOK runs arca and fails the test unless it succeeds.
func (u *arcaUser) arcaOK(t testing.TB, args ...string) result {
	t.Helper()
	r := u.arca(t, args...)
	if r.Code != 0 {
		t.Fatalf("arca failed\n%s", r)
	}
	return r
}

// in runs a program in dir with the user's environment.
func (u *arcaUser) in(t testing.TB, dir, prog string, args ...string) result {
	t.Helper()
	return runProgram(t, u.env, dir, prog, args...)
}

// ok runs a program in dir and fails the test unless it succeeds.
func (u *arcaUser) ok(t testing.TB, dir, prog string, args ...string) result {
	t.Helper()
	r := u.in(t, dir, prog, args...)
	if r.Code != 0 {
		t.Fatalf("command failed\n%s", r)
	}
	return r
}

// dir makes a directory under HOME.
func (u *arcaUser) dir(t testing.TB, name string) string {
	t.Helper()
	d := filepath.Join(u.Home, name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// arcaFixture starts a server with domain my-domain and repository
// my-repo, and returns it and the repository's endpoint for format.
func arcaFixture(t testing.TB) *server {
	t.Helper()
	s := startServer(t)
	ctx := context.Background()
	if _, err := sdk(s).CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("my-domain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk(s).CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("my-domain"), Repository: aws_("my-repo")}); err != nil {
		t.Fatal(err)
	}
	return s
}

func endpointOf(s *server, format string) string {
	return s.URL + "/my-domain-" + s.Account + "/" + format + "/my-repo/"
}

// loginArgs are the flags that select the fixture's repository.
func loginArgs(s *server, tool string, extra ...string) []string {
	return append([]string{"login", "--tool", tool, "--domain", "my-domain", "--domain-owner", s.Account, "--repository", "my-repo", "--endpoint-url", s.URL}, extra...)
}

// writePackage writes an npm package and returns its directory.
func (u *arcaUser) writePackage(t testing.TB, name, version string) string {
	t.Helper()
	d := u.dir(t, "src-"+strings.NewReplacer("@", "", "/", "-").Replace(name)+"-"+version)
	pj := `{"name":"` + name + `","version":"` + version + `","description":"test","main":"index.js","license":"MIT"}`
	for f, c := range map[string]string{"package.json": pj, "index.js": "module.exports = " + `"` + name + "@" + version + `"` + ";\n"} {
		if err := os.WriteFile(filepath.Join(d, f), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// project writes an empty npm project and returns its directory.
func (u *arcaUser) project(t testing.TB, name string) string {
	t.Helper()
	d := u.dir(t, name)
	if err := os.WriteFile(filepath.Join(d, "package.json"), []byte(`{"name":"`+name+`","version":"1.0.0","license":"MIT","private":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// installed fails unless dir/node_modules/name is the version.
func installed(t testing.TB, dir, name, version string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json"))
	if err != nil {
		t.Fatalf("%s is not installed in %s: %v", name, dir, err)
	}
	var pj struct{ Version string }
	json.Unmarshal(b, &pj)
	if pj.Version != version {
		t.Fatalf("%s@%s installed in %s, want %s", name, pj.Version, dir, version)
	}
}

// fileMode fails unless path has mode.
func fileMode(t testing.TB, path string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s: mode %#o, want %#o", path, fi.Mode().Perm(), mode)
	}
}

// tokenFiles returns the files under root whose content holds token.
func tokenFiles(t testing.TB, root, token string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), token) {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// onlyCacheHoldsTokens fails when a file under HOME other than the token
// cache holds a token.
func onlyCacheHoldsTokens(t testing.TB, home string) {
	t.Helper()
	filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(home, p)
		if strings.HasPrefix(rel, filepath.Join(".cache", "arca", "token-")) || strings.HasPrefix(rel, ".npm"+string(filepath.Separator)) ||
			strings.HasPrefix(rel, "src-") {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, m := range arcaTokenRE.FindAllString(string(b), -1) {
			if strings.HasPrefix(m, "AbN_") || len(m) > 150 {
				t.Errorf("~/%s holds a token: %.40s...", rel, m)
			}
		}
		return nil
	})
}

// cacheEntries returns the token cache files of a user.
func cacheEntries(t testing.TB, home string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(home, ".cache", "arca", "token-*.json"))
	return m
}

// expireCache replaces every cached token of a user with a bogus one that
// expired an hour ago, as if the first token's lifetime had passed.
func expireCache(t testing.TB, home string) {
	t.Helper()
	entries := cacheEntries(t, home)
	if len(entries) == 0 {
		t.Fatal("no token cache entry")
	}
	for _, p := range entries {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var e map[string]any
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		e["token"] = "arca-e2e-expired-token"
		e["issued"] = time.Now().Add(-13 * time.Hour).UTC().Format(time.RFC3339)
		e["expiration"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		b, _ = json.Marshal(e)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// cachedToken returns the one token in a user's cache.
func cachedToken(t testing.TB, home string) string {
	t.Helper()
	entries := cacheEntries(t, home)
	if len(entries) != 1 {
		t.Fatalf("token cache entries: %v, want one", entries)
	}
	b, _ := os.ReadFile(entries[0])
	var e struct{ Token string }
	json.Unmarshal(b, &e)
	return e.Token
}

// TestArcaLoginNPM: `arca login --tool npm` writes ~/.npmrc (registry,
// token, always-auth; mode 0600), prints what it configured and when it
// expires, saves the profile, and npm publishes and installs with it.
func TestArcaLoginNPM(t *testing.T) {
	t.Parallel()
	npm := tool(t, "npm")
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	ep := endpointOf(s, "npm")
	nd := "//" + s.Addr + "/my-domain-" + s.Account + "/npm/my-repo/"

	r := u.arcaOK(t, loginArgs(s, "npm")...)
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 3 || lines[0] != "Successfully configured npm to use repository "+ep ||
		strings.TrimSpace(lines[1]) != "wrote "+filepath.Join(u.Home, ".npmrc") ||
		!regexp.MustCompile(`^Login expires in (12 hours|11 hours and 59 minutes) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$`).MatchString(lines[2]) {
		t.Fatalf("login output\n%s", r)
	}
	if r.Stderr != "" {
		t.Errorf("login wrote to stderr\n%s", r)
	}
	npmrcPath := filepath.Join(u.Home, ".npmrc")
	npmrc := readFile(t, npmrcPath)
	m := regexp.MustCompile(`^registry=` + regexp.QuoteMeta(ep) + `\n` + regexp.QuoteMeta(nd) + `:_authToken=([A-Za-z0-9_\-.~]{40,})\n` + regexp.QuoteMeta(nd) + `:always-auth=true\n$`).FindStringSubmatch(npmrc)
	if m == nil {
		t.Fatalf("~/.npmrc:\n%s", npmrc)
	}
	fileMode(t, npmrcPath, 0o600)
	whoami(t, ep, m[1], 200)

	// The profile remembers the settings: a second login needs only --tool.
	var cfg struct {
		Profiles map[string]map[string]any `json:"profiles"`
	}
	json.Unmarshal([]byte(readFile(t, filepath.Join(u.Home, ".config", "arca", "config.json"))), &cfg)
	if d := cfg.Profiles["default"]; d["endpoint"] != s.URL || d["domain"] != "my-domain" || d["domainOwner"] != s.Account ||
		d["repository"] != nil || pretty(d["repositories"]) != pretty(map[string]any{"npm": "my-repo"}) || pretty(d["formats"]) != pretty(map[string]any{"npm": "my-repo"}) {
		t.Errorf("saved profile: %v", cfg.Profiles)
	}
	u.arcaOK(t, "login", "--tool", "npm")
	if again := readFile(t, npmrcPath); !strings.HasPrefix(again, "registry="+ep+"\n") {
		t.Errorf("~/.npmrc after the second login:\n%s", again)
	}

	// npm publishes and installs, unscoped and scoped.
	u.ok(t, u.writePackage(t, "arca-hello", "1.0.0"), npm, "publish")
	u.ok(t, u.writePackage(t, "@myscope/arca-scoped", "2.0.0"), npm, "publish", "--access", "public")
	app := u.project(t, "app")
	u.ok(t, app, npm, "install", "--no-audit", "--no-fund", "arca-hello", "@myscope/arca-scoped")
	installed(t, app, "arca-hello", "1.0.0")
	installed(t, app, "@myscope/arca-scoped", "2.0.0")
}

// TestArcaLoginYarn1: `arca login --tool yarn` finds Debian's yarnpkg
// (and runs it with the NODE_PATH it needs, which the user need not set)
// and writes ~/.npmrc with always-auth, so yarn 1 sends the token for
// unscoped packages too (docs/CLIENTS.md §4.2): yarn publishes and installs
// one. A user of `aws codeartifact login --tool npm` (no always-auth with
// npm 11) gets "authentication required" from yarn 1 until ~/.npmrc
// (not ~/.yarnrc) says always-auth for the registry, as the README tells.
func TestArcaLoginYarn1(t *testing.T) {
	t.Parallel()
	yarn := arcaNeedTool(t, "yarnpkg")
	npm := tool(t, "npm")
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	r := runProgram(t, u.without("NODE_PATH"), u.Home, arcaBin, loginArgs(s, "yarn")...)
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "Successfully configured yarn to use repository "+endpointOf(s, "npm")+"\n") {
		t.Fatalf("login --tool yarn without NODE_PATH\n%s", r)
	}
	if npmrc := readFile(t, filepath.Join(u.Home, ".npmrc")); !strings.Contains(npmrc, ":always-auth=true\n") {
		t.Fatalf("~/.npmrc lacks always-auth:\n%s", npmrc)
	}
	u.ok(t, u.writePackage(t, "arca-yarn-unscoped", "1.0.0"), yarn, "publish", "--non-interactive")
	u.ok(t, u.writePackage(t, "arca-npm-unscoped", "3.0.0"), npm, "publish")
	app := u.project(t, "yarn-app")
	u.ok(t, app, yarn, "add", "--non-interactive", "arca-yarn-unscoped", "arca-npm-unscoped")
	installed(t, app, "arca-yarn-unscoped", "1.0.0")
	installed(t, app, "arca-npm-unscoped", "3.0.0")

	aws := newCLI(t, s)
	if r := aws.Raw(t, "codeartifact", "login", "--tool", "npm", "--domain", "my-domain", "--domain-owner", s.Account, "--repository", "my-repo"); r.Code != 0 {
		t.Fatalf("aws codeartifact login --tool npm\n%s", r)
	}
	v := arcaUserAt(s, aws.Home)
	awsApp := v.project(t, "aws-yarn-app")
	if r := v.in(t, awsApp, yarn, "add", "--non-interactive", "arca-npm-unscoped"); r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "uthentication required") {
		t.Errorf("yarn 1 after aws codeartifact login --tool npm: want authentication required\n%s", r)
	}
	// yarn 1 reads always-auth from npm's configuration only: ~/.yarnrc
	// does not do.
	nd := "//" + s.Addr + "/my-domain-" + s.Account + "/npm/my-repo/:always-auth"
	writeAt(t, filepath.Join(aws.Home, ".yarnrc"), "always-auth true\n\""+nd+"\" true\n")
	if r := v.in(t, awsApp, yarn, "add", "--non-interactive", "arca-npm-unscoped"); r.Code == 0 {
		t.Errorf("always-auth in ~/.yarnrc now works: update the README\n%s", r)
	}
	npmrc := filepath.Join(aws.Home, ".npmrc")
	writeAt(t, npmrc, readFile(t, npmrc)+nd+"=true\n")
	v.ok(t, awsApp, yarn, "add", "--non-interactive", "arca-npm-unscoped")
	installed(t, awsApp, "arca-npm-unscoped", "3.0.0")
}

// TestArcaLoginPNPM: pnpm gets arca as its tokenHelper: no token is
// written, pnpm publishes and installs, and keeps working after the first
// token's lifetime has passed (the cached token expired).
func TestArcaLoginPNPM(t *testing.T) {
	t.Parallel()
	pnpm := arcaNeedTool(t, "pnpm")
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	r := u.arcaOK(t, loginArgs(s, "pnpm")...)
	if !strings.Contains(r.Stdout, "no token was written") || strings.Contains(r.Stdout, "Login expires") {
		t.Errorf("login --tool pnpm output\n%s", r)
	}
	npmrc := readFile(t, filepath.Join(u.Home, ".npmrc"))
	m := regexp.MustCompile(`(?m)^//` + regexp.QuoteMeta(s.Addr+"/my-domain-"+s.Account+"/npm/my-repo/") + `:tokenHelper=(/\S+)$`).FindStringSubmatch(npmrc)
	if m == nil || strings.Contains(npmrc, "_authToken") {
		t.Fatalf("~/.npmrc: want a tokenHelper and no token\n%s", npmrc)
	}
	fileMode(t, m[1], 0o700)
	onlyCacheHoldsTokens(t, u.Home)

	u.ok(t, u.writePackage(t, "arca-pnpm", "1.0.0"), pnpm, "publish", "--no-git-checks")
	app := u.project(t, "pnpm-app")
	u.ok(t, app, pnpm, "add", "arca-pnpm@1.0.0")
	installed(t, app, "arca-pnpm", "1.0.0")

	// Past the first token's lifetime: the helper fetches a new one.
	expireCache(t, u.Home)
	u.ok(t, u.writePackage(t, "arca-pnpm", "1.1.0"), pnpm, "publish", "--no-git-checks")
	u.ok(t, app, pnpm, "add", "arca-pnpm@1.1.0")
	installed(t, app, "arca-pnpm", "1.1.0")
	if tok := cachedToken(t, u.Home); tok == "arca-e2e-expired-token" {
		t.Error("the expired token is still cached")
	} else {
		whoami(t, endpointOf(s, "npm"), tok, 200)
	}
	onlyCacheHoldsTokens(t, u.Home)
}

// TestArcaExecAndEnvNPM: without any login, `arca exec --tool npm -- npm
// ...` and `eval "$(arca env --tool npm)"` publish and install, and no
// token is written outside the token cache.
func TestArcaExecAndEnvNPM(t *testing.T) {
	t.Parallel()
	npm := tool(t, "npm")
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	sel := []string{"--endpoint-url", s.URL, "--domain", "my-domain", "--repository", "my-repo"}
	execArgs := func(args ...string) []string {
		return append(append([]string{"exec", "--tool", "npm"}, sel...), append([]string{"--"}, args...)...)
	}
	pkg := u.writePackage(t, "arca-exec", "1.0.0")
	if r := runProgram(t, u.env, pkg, arcaBin, execArgs(npm, "publish")...); r.Code != 0 {
		t.Fatalf("arca exec npm publish\n%s", r)
	}
	app := u.project(t, "exec-app")
	if r := runProgram(t, u.env, app, arcaBin, execArgs(npm, "install", "--no-audit", "--no-fund", "arca-exec")...); r.Code != 0 {
		t.Fatalf("arca exec npm install\n%s", r)
	}
	installed(t, app, "arca-exec", "1.0.0")

	envApp := u.project(t, "env-app")
	script := `set -e; eval "$("$ARCA" env --tool npm ` + shellQuote(sel) + `)"; test -n "$CODEARTIFACT_AUTH_TOKEN"; npm install --no-audit --no-fund arca-exec`
	if r := runProgram(t, append(u.env, "ARCA="+arcaBin), envApp, "/bin/sh", "-c", script); r.Code != 0 {
		t.Fatalf("eval $(arca env --tool npm); npm install\n%s", r)
	}
	installed(t, envApp, "arca-exec", "1.0.0")

	if _, err := os.Stat(filepath.Join(u.Home, ".npmrc")); !os.IsNotExist(err) {
		t.Errorf("exec/env wrote ~/.npmrc (%v)", err)
	}
	onlyCacheHoldsTokens(t, u.Home)

	// exec passes on the exit code and sets the token.
	if r := u.arca(t, "exec", "--endpoint-url", s.URL, "--domain", "my-domain", "--", "/bin/sh", "-c", `test -n "$CODEARTIFACT_AUTH_TOKEN" && exit 7`); r.Code != 7 {
		t.Errorf("arca exec -- sh -c 'exit 7'\n%s", r)
	}
	// Past the token's lifetime, exec fetches a new one.
	expireCache(t, u.Home)
	if r := runProgram(t, u.env, app, arcaBin, execArgs(npm, "install", "--no-audit", "--no-fund", "--prefer-online", "arca-exec")...); r.Code != 0 {
		t.Fatalf("arca exec npm install after the cached token expired\n%s", r)
	}
	whoami(t, endpointOf(s, "npm"), cachedToken(t, u.Home), 200)
}

// TestArcaExecAndEnvPNPMAndYarn1: without any login, pnpm and yarn 1
// install through arca exec and arca env (yarn 1 an unscoped package,
// which needs always-auth).
func TestArcaExecAndEnvPNPMAndYarn1(t *testing.T) {
	t.Parallel()
	pnpm := arcaNeedTool(t, "pnpm")
	yarn := arcaNeedTool(t, "yarnpkg")
	npm := tool(t, "npm")
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	sel := []string{"--endpoint-url", s.URL, "--domain", "my-domain", "--repository", "my-repo"}
	if r := runProgram(t, u.env, u.writePackage(t, "arca-shared", "1.0.0"), arcaBin, append(append([]string{"exec", "--tool", "npm"}, sel...), "--", npm, "publish")...); r.Code != 0 {
		t.Fatalf("arca exec npm publish\n%s", r)
	}
	for _, tc := range []struct {
		tool string
		argv []string
	}{
		{"pnpm", []string{pnpm, "add", "arca-shared"}},
		{"yarn", []string{yarn, "add", "--non-interactive", "arca-shared"}},
	} {
		app := u.project(t, tc.tool+"-exec-app")
		if r := runProgram(t, u.env, app, arcaBin, append(append(append([]string{"exec", "--tool", tc.tool}, sel...), "--"), tc.argv...)...); r.Code != 0 {
			t.Fatalf("arca exec --tool %s\n%s", tc.tool, r)
		}
		installed(t, app, "arca-shared", "1.0.0")
		envApp := u.project(t, tc.tool+"-env-app")
		script := `set -e; eval "$("$ARCA" env --tool ` + tc.tool + ` ` + shellQuote(sel) + `)"; ` + shellQuote(tc.argv)
		if r := runProgram(t, append(u.env, "ARCA="+arcaBin), envApp, "/bin/sh", "-c", script); r.Code != 0 {
			t.Fatalf("eval $(arca env --tool %s)\n%s", tc.tool, r)
		}
		installed(t, envApp, "arca-shared", "1.0.0")
	}
	if _, err := os.Stat(filepath.Join(u.Home, ".npmrc")); !os.IsNotExist(err) {
		t.Errorf("exec/env wrote ~/.npmrc (%v)", err)
	}
	onlyCacheHoldsTokens(t, u.Home)
}

// TestArcaLoginMatchesAWSCLI runs `aws codeartifact login` and `arca
// login` for npm, pip and twine against the same server in two HOMEs: the
// files are the same but for the token, and for npm the always-auth line
// the AWS CLI fails to write with npm 11 (docs/CLIENTS.md §2).
func TestArcaLoginMatchesAWSCLI(t *testing.T) {
	t.Parallel()
	tool(t, "npm")
	tool(t, "pip")
	s := arcaFixture(t)
	aws := newCLI(t, s)
	u := newArcaUser(t, s)
	nd := "//" + s.Addr + "/my-domain-" + s.Account + "/npm/my-repo/"
	for _, tc := range []struct {
		tool, file string
	}{
		{"npm", ".npmrc"},
		{"pip", filepath.Join(".config", "pip", "pip.conf")},
		{"twine", ".pypirc"},
	} {
		r := aws.Raw(t, "codeartifact", "login", "--tool", tc.tool, "--domain", "my-domain", "--domain-owner", s.Account, "--repository", "my-repo")
		if r.Code != 0 {
			t.Fatalf("aws codeartifact login --tool %s\n%s", tc.tool, r)
		}
		u.arcaOK(t, loginArgs(s, tc.tool)...)
		theirs := arcaTokenRE.ReplaceAllString(readFile(t, filepath.Join(aws.Home, tc.file)), "TOKEN")
		ours := arcaTokenRE.ReplaceAllString(readFile(t, filepath.Join(u.Home, tc.file)), "TOKEN")
		if tc.tool == "npm" {
			ours = strings.Replace(ours, nd+":always-auth=true\n", "", 1)
		}
		if ours != theirs {
			t.Errorf("~/%s differs from what aws codeartifact login --tool %s writes\naws:\n%s\narca:\n%s", tc.file, tc.tool, theirs, ours)
		}
	}
	fileMode(t, filepath.Join(u.Home, ".pypirc"), 0o600)
	fileMode(t, filepath.Join(u.Home, ".config", "pip", "pip.conf"), 0o600)

	// A second login over the files of the first, and over the AWS CLI's
	// files, changes only the token.
	for _, home := range []string{u.Home, aws.Home} {
		v := arcaUserAt(s, home)
		for _, tl := range []string{"npm", "pip", "twine"} {
			v.arcaOK(t, loginArgs(s, tl)...)
		}
		npmrc := arcaTokenRE.ReplaceAllString(readFile(t, filepath.Join(home, ".npmrc")), "TOKEN")
		if want := "registry=" + endpointOf(s, "npm") + "\n" + nd + ":_authToken=TOKEN\n" + nd + ":always-auth=true\n"; npmrc != want {
			t.Errorf("%s/.npmrc after a second login:\n%s\nwant:\n%s", home, npmrc, want)
		}
		pypirc := readFile(t, filepath.Join(home, ".pypirc"))
		if strings.Count(pypirc, "codeartifact") != 2 {
			t.Errorf("%s/.pypirc after a second login:\n%s", home, pypirc)
		}
	}
}

// toolFormat is the repository format of each tool.
var toolFormat = map[string]string{
	"npm": "npm", "pnpm": "npm", "yarn": "npm", "yarn-classic": "npm", "yarn-berry": "npm",
	"pip": "pypi", "twine": "pypi", "uv": "pypi", "poetry": "pypi", "maven": "maven", "gradle": "maven",
	"cargo": "cargo", "nuget": "nuget", "dotnet": "nuget", "swift": "swift", "gem": "ruby", "bundler": "ruby",
}

// serves reports whether the server answers GetRepositoryEndpoint for
// format, which it does for the formats it has endpoints for.
func serves(t testing.TB, s *server, format string) bool {
	t.Helper()
	_, err := sdk(s).GetRepositoryEndpoint(context.Background(), &codeartifact.GetRepositoryEndpointInput{
		Domain: aws_("my-domain"), Repository: aws_("my-repo"), Format: types.PackageFormat(format)})
	var ve *types.ValidationException
	if err != nil && !errors.As(err, &ve) {
		t.Fatalf("GetRepositoryEndpoint --format %s: %v", format, err)
	}
	return err == nil
}

// TestArcaLoginDryRun: --dry-run of every tool prints the files it would
// write, with the token redacted, and writes nothing (dotnet and swift
// cannot run here: this is how they are tested); for a format the server
// has no endpoints for, it refuses as the login would.
func TestArcaLoginDryRun(t *testing.T) {
	t.Parallel()
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	for _, tc := range []struct {
		tool  string
		files []string
		want  []string
	}{
		{"npm", []string{".npmrc"}, []string{"+ registry=" + endpointOf(s, "npm"), ":_authToken=REDACTED-TOKEN", "npm config set registry"}},
		{"pnpm", []string{".npmrc"}, []string{":tokenHelper=" + u.Home}},
		{"yarn-classic", []string{".npmrc"}, []string{":always-auth=true"}},
		{"yarn-berry", []string{".yarnrc.yml"}, []string{`npmAuthToken: "REDACTED-TOKEN"`}},
		{"pip", []string{".config/pip/pip.conf"}, []string{"index-url = http://aws:REDACTED-TOKEN@" + s.Addr}},
		{"twine", []string{".pypirc"}, []string{"password = REDACTED-TOKEN"}},
		{"uv", []string{".config/uv/uv.toml"}, []string{`name = "codeartifact"`}},
		{"poetry", []string{".config/pypoetry/config.toml", ".config/pypoetry/auth.toml"}, []string{`password = "REDACTED-TOKEN"`}},
		{"maven", []string{".m2/settings.xml"}, []string{"<password>REDACTED-TOKEN</password>"}},
		{"gradle", []string{".gradle/init.d/arca-codeartifact.gradle"}, []string{"'credential', '--endpoint-url'"}},
		{"cargo", []string{".cargo/config.toml"}, []string{`index = "sparse+` + endpointOf(s, "cargo") + `"`, `credential-provider = ["` + arcaBin}},
		{"nuget", []string{".config/NuGet/NuGet.Config"}, []string{`<add key="my-domain/my-repo" value="` + endpointOf(s, "nuget") + `v3/index.json" />`, "nuget sources add -name my-domain/my-repo"}},
		{"dotnet", []string{".nuget/NuGet/NuGet.Config"}, []string{`value="REDACTED-TOKEN"`, "dotnet nuget add source " + endpointOf(s, "nuget") + "v3/index.json --name my-domain/my-repo --username aws --password REDACTED-TOKEN --store-password-in-clear-text"}},
		{"swift", []string{".swiftpm/configuration/registries.json", ".netrc"}, []string{"machine 127.0.0.1 login token password REDACTED-TOKEN", "swift package-registry login " + endpointOf(s, "swift") + "login"}},
		{"gem", []string{".gemrc", ".gem/credentials"}, []string{"- http://aws:REDACTED-TOKEN@" + s.Addr}},
		{"bundler", []string{".bundle/config"}, []string{`: "aws:REDACTED-TOKEN"`}},
	} {
		r := u.arca(t, append(loginArgs(s, tc.tool), "--dry-run")...)
		if format := toolFormat[tc.tool]; !serves(t, s, format) {
			// A dry run says what the login would do: refuse.
			if format == "npm" || format == "pypi" || format == "maven" || r.Code == 0 ||
				!strings.Contains(r.Stderr, "This server has no "+format+" repository endpoints") || r.Stdout != "" {
				t.Errorf("login --tool %s --dry-run, %s not served\n%s", tc.tool, format, r)
			}
			continue
		}
		if r.Code != 0 {
			t.Errorf("login --tool %s --dry-run\n%s", tc.tool, r)
			continue
		}
		for _, f := range tc.files {
			if !strings.Contains(r.Stdout, "create "+filepath.Join(u.Home, f)+" (mode ") {
				t.Errorf("login --tool %s --dry-run does not show ~/%s\n%s", tc.tool, f, r)
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(r.Stdout, w) {
				t.Errorf("login --tool %s --dry-run lacks %q\n%s", tc.tool, w, r)
			}
		}
		for _, m := range arcaTokenRE.FindAllString(r.Stdout, -1) {
			if strings.HasPrefix(m, "AbN_") || len(m) > 150 {
				t.Errorf("login --tool %s --dry-run printed a token\n%s", tc.tool, r)
			}
		}
	}
	// Nothing but the token cache was written.
	filepath.WalkDir(u.Home, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(u.Home, p)
		if err == nil && !d.IsDir() && !strings.HasPrefix(rel, filepath.Join(".cache", "arca")+string(filepath.Separator)) {
			t.Errorf("--dry-run wrote ~/%s", rel)
		}
		return nil
	})
}

// TestArcaCredential: arca credential prints a token from the cache
// (mode 0600) until it must be refreshed; --format json and bearer;
// named profiles.
func TestArcaCredential(t *testing.T) {
	t.Parallel()
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	sel := []string{"--endpoint-url", s.URL, "--domain", "my-domain"}
	first := strings.TrimSpace(u.arcaOK(t, append([]string{"credential"}, sel...)...).Stdout)
	whoami(t, endpointOf(s, "npm"), first, 200)
	if again := strings.TrimSpace(u.arcaOK(t, append([]string{"credential"}, sel...)...).Stdout); again != first {
		t.Error("a second arca credential did not use the cached token")
	}
	entries := cacheEntries(t, u.Home)
	if len(entries) != 1 {
		t.Fatalf("cache entries %v", entries)
	}
	fileMode(t, entries[0], 0o600)
	fileMode(t, filepath.Dir(entries[0]), 0o700)

	var out struct {
		AuthorizationToken string  `json:"authorizationToken"`
		Expiration         float64 `json:"expiration"`
	}
	if err := json.Unmarshal([]byte(u.arcaOK(t, append([]string{"credential", "--format", "json"}, sel...)...).Stdout), &out); err != nil || out.AuthorizationToken != first {
		t.Errorf("--format json: %+v %v", out, err)
	}
	if d := time.Until(time.Unix(int64(out.Expiration), 0)); d < 11*time.Hour || d > 12*time.Hour+time.Minute {
		t.Errorf("--format json: expires in %v", d)
	}
	if b := u.arcaOK(t, append([]string{"credential", "--format", "bearer"}, sel...)...).Stdout; b != "Bearer "+first+"\n" {
		t.Errorf("--format bearer: %q", b)
	}
	expireCache(t, u.Home)
	if fresh := strings.TrimSpace(u.arcaOK(t, append([]string{"credential"}, sel...)...).Stdout); fresh == "arca-e2e-expired-token" {
		t.Error("an expired cached token was handed out")
	} else {
		whoami(t, endpointOf(s, "npm"), fresh, 200)
	}

	// The AWS credential chain: a credentials-file profile chosen with
	// AWS_PROFILE, and a config profile with credential_process chosen
	// with --aws-profile, with no keys in the environment.
	awsDir := u.dir(t, "aws")
	credsFile := filepath.Join(awsDir, "credentials")
	configFile := filepath.Join(awsDir, "config")
	procJSON := `{"Version":1,"AccessKeyId":"` + s.KeyID + `","SecretAccessKey":"` + s.Secret + `"}`
	os.WriteFile(credsFile, []byte("[dev]\naws_access_key_id = "+s.KeyID+"\naws_secret_access_key = "+s.Secret+"\n"), 0o600)
	proc := filepath.Join(awsDir, "credential-process")
	os.WriteFile(proc, []byte("#!/bin/sh\ncat <<'EOF'\n"+procJSON+"\nEOF\n"), 0o700)
	os.WriteFile(configFile, []byte("[profile proc]\ncredential_process = "+proc+"\n"), 0o600)
	chain := append(u.without("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"),
		"AWS_SHARED_CREDENTIALS_FILE="+credsFile, "AWS_CONFIG_FILE="+configFile)
	for _, c := range []struct {
		what string
		env  []string
		args []string
	}{
		{"AWS_PROFILE=dev", append(chain, "AWS_PROFILE=dev"), nil},
		{"--aws-profile proc (credential_process)", chain, []string{"--aws-profile", "proc"}},
	} {
		r := runProgram(t, c.env, u.Home, arcaBin, append(append([]string{"credential"}, sel...), c.args...)...)
		if r.Code != 0 {
			t.Fatalf("credentials from %s\n%s", c.what, r)
		}
		whoami(t, endpointOf(s, "npm"), strings.TrimSpace(r.Stdout), 200)
	}

	// A named profile, created by login, selects everything.
	u.arcaOK(t, append(loginArgs(s, "npm"), "--profile", "shared")...)
	tok := strings.TrimSpace(u.arcaOK(t, "credential", "--profile", "shared").Stdout)
	whoami(t, endpointOf(s, "npm"), tok, 200)
	if l := u.arcaOK(t, "profile", "list").Stdout; l != "shared\n" {
		t.Errorf("profile list: %q", l)
	}
	if r := u.arca(t, "credential", "--profile", "nope"); r.Code == 0 || !strings.Contains(r.Stderr, `profile "nope" not found`) {
		t.Errorf("credential --profile nope\n%s", r)
	}
}

// TestArcaErrors: every failure is one line on stderr starting "arca: ",
// a non-zero exit code, nothing on stdout, and nothing written.
func TestArcaErrors(t *testing.T) {
	t.Parallel()
	s := arcaFixture(t)
	closed := freeAddr(t)
	for _, tc := range []struct {
		name string
		env  func(u *arcaUser) []string
		args []string
		want string
	}{
		{"no credentials", func(u *arcaUser) []string { return u.without("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") },
			loginArgs(s, "npm"), "arca: no AWS credentials found"},
		{"wrong endpoint", nil,
			append(loginArgs(s, "npm")[:len(loginArgs(s, "npm"))-1], "http://"+closed), "arca: cannot reach Arca at http://" + closed},
		{"wrong secret", func(u *arcaUser) []string {
			return append(u.without("AWS_SECRET_ACCESS_KEY"), "AWS_SECRET_ACCESS_KEY=wrong-secret-wrong-secret-wrong-secret-00")
		}, loginArgs(s, "npm"), "arca: access denied by " + s.URL},
		{"missing domain", nil,
			[]string{"login", "--tool", "npm", "--domain", "no-such-domain", "--repository", "my-repo", "--endpoint-url", s.URL}, "arca: not found: "},
		{"missing repository", nil,
			[]string{"login", "--tool", "npm", "--domain", "my-domain", "--repository", "no-such-repo", "--endpoint-url", s.URL}, "arca: not found: "},
		{"tool not installed", nil, loginArgs(s, "dotnet"), "arca: dotnet is not installed"},
		{"no domain", nil, []string{"login", "--tool", "npm", "--repository", "my-repo", "--endpoint-url", s.URL}, "arca: no domain"},
		{"no endpoint", nil, []string{"login", "--tool", "npm", "--domain", "my-domain", "--repository", "my-repo"}, "arca: no Arca endpoint"},
		{"unknown tool", nil, loginArgs(s, "ant"), `arca: unknown tool "ant"`},
		{"credential without credentials", func(u *arcaUser) []string { return u.without("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") },
			[]string{"credential", "--domain", "my-domain", "--endpoint-url", s.URL}, "arca: no AWS credentials found"},
		{"exec with a missing repository", nil,
			[]string{"exec", "--tool", "npm", "--domain", "my-domain", "--repository", "nope", "--endpoint-url", s.URL, "--", "true"}, "arca: not found: "},
		{"env with a wrong secret", func(u *arcaUser) []string {
			return append(u.without("AWS_SECRET_ACCESS_KEY"), "AWS_SECRET_ACCESS_KEY=wrong-secret-wrong-secret-wrong-secret-00")
		}, []string{"env", "--tool", "pip", "--domain", "my-domain", "--repository", "my-repo", "--endpoint-url", s.URL}, "arca: access denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newArcaUser(t, s)
			env := u.env
			if tc.env != nil {
				env = tc.env(u)
			}
			r := runProgram(t, env, u.Home, arcaBin, tc.args...)
			lines := strings.Split(strings.TrimRight(r.Stderr, "\n"), "\n")
			if r.Code == 0 || r.Stdout != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], tc.want) {
				t.Fatalf("want exit code != 0, no stdout and one line on stderr starting %q\n%s", tc.want, r)
			}
			filepath.WalkDir(u.Home, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(u.Home, p)
					t.Errorf("a failed command wrote ~/%s", rel)
				}
				return nil
			})
		})
	}
}
