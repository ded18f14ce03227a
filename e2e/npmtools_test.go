package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// Helpers for the tests that drive npm, yarn 1 and pnpm against a
// repository endpoint configured the way users configure it: by
// `aws codeartifact login --tool npm` in an isolated HOME.

// Install hints for the package managers beyond npm (docs/CLIENTS.md §4.2, §4.3).
const (
	yarnHint = "run scripts/install-test-deps.sh (or: apt-get install -y yarnpkg; it runs as yarnpkg with NODE_PATH=/usr/share/nodejs)"
	pnpmHint = "run scripts/install-test-deps.sh (or: npm install -g pnpm)"
)

// needTool returns the path of a program, failing the test with hint
// when it is missing (the end-to-end tests never skip).
func needTool(t testing.TB, name, hint string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed, and the end-to-end tests need it (they never skip): %s", name, hint)
	}
	return tool(t, name)
}

// npmUser is one user's machine for the npm family of clients: a HOME
// whose ~/.npmrc `aws codeartifact login --tool npm` wrote for one
// repository. npm's cache (~/.npm), yarn's (~/.cache/yarn) and pnpm's
// store (~/.local/share/pnpm) are all under that HOME, so each user has
// its own.
type npmUser struct {
	AWS      *cli
	Home     string
	Endpoint string // the repository endpoint login configured, with its trailing /
	Repo     string
	env      []string
}

// npmLogin runs `aws codeartifact login --tool npm` for domain/repo in a
// new HOME and returns that user.
func npmLogin(t testing.TB, s *server, domain, repo string) *npmUser {
	t.Helper()
	tool(t, "npm")
	aws := newCLI(t, s)
	r := aws.Raw(t, "codeartifact", "login", "--tool", "npm", "--domain", domain, "--domain-owner", s.Account, "--repository", repo)
	if r.Code != 0 {
		t.Fatalf("aws codeartifact login --tool npm failed\n%s", r)
	}
	endpoint := s.URL + "/" + domain + "-" + s.Account + "/npm/" + repo + "/"
	npmrc, err := os.ReadFile(filepath.Join(aws.Home, ".npmrc"))
	if err != nil || !strings.Contains(string(npmrc), "registry="+endpoint+"\n") {
		t.Fatalf("login did not configure registry=%s in ~/.npmrc (%v):\n%s\n%s", endpoint, err, npmrc, r)
	}
	return &npmUser{AWS: aws, Home: aws.Home, Endpoint: endpoint, Repo: repo, env: clientEnv(aws.Home)}
}

// AlwaysAuth appends always-auth=true for the endpoint to ~/.npmrc, as a
// yarn 1 user must by hand: yarn 1 sends no token for GETs of unscoped
// packages without it, and `aws codeartifact login` cannot write it with
// npm 11, which rejects the option (docs/CLIENTS.md §2, §4.2).
func (u *npmUser) AlwaysAuth(t testing.TB) {
	t.Helper()
	line := "//" + strings.TrimPrefix(u.Endpoint, "http://") + ":always-auth=true\n"
	f, err := os.OpenFile(filepath.Join(u.Home, ".npmrc"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		t.Fatal(err)
	}
}

// run runs a program of the npm family in dir (HOME when empty).
func (u *npmUser) run(t testing.TB, env []string, dir, prog string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = u.Home
	}
	start := time.Now()
	r := runProgram(t, env, dir, prog, args...)
	if d := time.Since(start); d > 5*time.Second {
		t.Logf("slow: %s took %v", r.Cmd, d.Round(time.Millisecond))
	}
	return r
}

// NPM runs npm with args in dir.
func (u *npmUser) NPM(t testing.TB, dir string, args ...string) result {
	t.Helper()
	return u.run(t, u.env, dir, tool(t, "npm"), args...)
}

// NPMOK runs npm with args in dir and fails the test unless it succeeds.
func (u *npmUser) NPMOK(t testing.TB, dir string, args ...string) result {
	t.Helper()
	r := u.NPM(t, dir, args...)
	if r.Code != 0 {
		t.Fatalf("npm failed (registry %s)\n%s", u.Endpoint, r)
	}
	return r
}

// installFlags are the flags of every npm install and npm ci here: no
// audit or funding messages, and package documents revalidated with the
// registry rather than taken from the cache.
var installFlags = []string{"--no-audit", "--no-fund", "--prefer-online"}

// Install runs `npm install specs...` in the project dir.
func (u *npmUser) Install(t testing.TB, dir string, specs ...string) result {
	t.Helper()
	return u.NPM(t, dir, append(append([]string{"install"}, installFlags...), specs...)...)
}

// InstallOK is Install that must succeed.
func (u *npmUser) InstallOK(t testing.TB, dir string, specs ...string) result {
	t.Helper()
	r := u.Install(t, dir, specs...)
	if r.Code != 0 {
		t.Fatalf("npm install failed (registry %s)\n%s", u.Endpoint, r)
	}
	return r
}

// CI runs `npm ci` in dir with a new, empty cache, so every tarball comes
// from the registry.
func (u *npmUser) CI(t testing.TB, dir string) result {
	t.Helper()
	return u.NPM(t, dir, append([]string{"ci", "--cache", t.TempDir()}, installFlags...)...)
}

// View runs `npm view spec fields... --json` and decodes its output
// (nil when npm printed nothing).
func (u *npmUser) View(t testing.TB, spec string, fields ...string) any {
	t.Helper()
	r := u.NPMOK(t, "", append(append([]string{"view", spec}, fields...), "--json")...)
	if strings.TrimSpace(r.Stdout) == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
		t.Fatalf("npm view printed no JSON: %v\n%s", err, r)
	}
	return v
}

// Versions is `npm view name versions`: the versions clients see.
func (u *npmUser) Versions(t testing.TB, name string) []string {
	t.Helper()
	switch v := u.View(t, name, "versions").(type) {
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = fmt.Sprint(x)
		}
		return out
	case string: // npm prints a single version as a string
		return []string{v}
	case nil:
		return nil
	default:
		t.Fatalf("npm view %s versions: unexpected %#v", name, v)
		return nil
	}
}

// DistTags is `npm view name dist-tags`.
func (u *npmUser) DistTags(t testing.TB, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	m, ok := u.View(t, name, "dist-tags").(map[string]any)
	if !ok {
		t.Fatalf("npm view %s dist-tags printed no object", name)
	}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// Yarn runs yarn 1 (Debian's yarnpkg, which needs NODE_PATH, docs/CLIENTS.md
// §4.2) with args in dir.
func (u *npmUser) Yarn(t testing.TB, dir string, args ...string) result {
	t.Helper()
	yarn := needTool(t, "yarnpkg", yarnHint)
	return u.run(t, append(append([]string{}, u.env...), "NODE_PATH=/usr/share/nodejs"), dir, yarn, append(args, "--non-interactive")...)
}

// YarnOK is Yarn that must succeed.
func (u *npmUser) YarnOK(t testing.TB, dir string, args ...string) result {
	t.Helper()
	r := u.Yarn(t, dir, args...)
	if r.Code != 0 {
		t.Fatalf("yarn failed (registry %s)\n%s", u.Endpoint, r)
	}
	return r
}

// PNPMOK runs pnpm with args in dir and fails the test unless it succeeds.
func (u *npmUser) PNPMOK(t testing.TB, dir string, args ...string) result {
	t.Helper()
	r := u.run(t, u.env, dir, needTool(t, "pnpm", pnpmHint), args...)
	if r.Code != 0 {
		t.Fatalf("pnpm failed (registry %s)\n%s", u.Endpoint, r)
	}
	return r
}

// --- packages and projects on disk ---

// pkgSpec is an npm package version to publish. Every version says who
// it is and where it was published (Mark) in its description, its
// README and what require() returns, so a test can tell which copy a
// client got.
type pkgSpec struct {
	Name, Version string
	Mark          string // e.g. the repository it is published to
	Deps          map[string]string
	Extra         map[string]any // more package.json fields
	Readme        string         // README.md; readmeOf(p) when empty
}

// exportOf is what require(name) returns for a version made by writePkg.
func (p pkgSpec) export() string { return p.Name + "@" + p.Version + " from " + p.Mark }

// writePkg writes the package's source directory and returns it.
func writePkg(t testing.TB, p pkgSpec) string {
	t.Helper()
	dir := t.TempDir()
	manifest := map[string]any{
		"name":        p.Name,
		"version":     p.Version,
		"description": "The " + p.Name + " package, version " + p.Version + ", from " + p.Mark,
		"license":     "MIT",
		"main":        "index.js",
		"homepage":    "https://example.invalid/" + p.Name,
		"repository":  map[string]any{"type": "git", "url": "https://example.invalid/" + p.Name + ".git"},
	}
	if len(p.Deps) > 0 {
		manifest["dependencies"] = p.Deps
	}
	for k, v := range p.Extra {
		manifest[k] = v
	}
	b, _ := json.MarshalIndent(manifest, "", "  ")
	files := map[string]string{
		"package.json": string(b) + "\n",
		"index.js":     "module.exports = " + mustMarshal(p.export()) + ";\n",
		"README.md":    readmeOf(p),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readmeOf(p pkgSpec) string {
	if p.Readme != "" {
		return p.Readme
	}
	return "# " + p.Name + "\n\nVersion " + p.Version + ", published to " + p.Mark + ".\n"
}

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Publish runs `npm publish` in the package's directory.
func (u *npmUser) Publish(t testing.TB, p pkgSpec, args ...string) result {
	t.Helper()
	return u.NPM(t, writePkg(t, p), append([]string{"publish"}, args...)...)
}

// PublishOK publishes p with npm and checks npm's "+ name@version".
func (u *npmUser) PublishOK(t testing.TB, p pkgSpec, args ...string) {
	t.Helper()
	r := u.Publish(t, p, args...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "+ "+p.Name+"@"+p.Version) {
		t.Fatalf("npm publish %s@%s to %s failed\n%s", p.Name, p.Version, u.Endpoint, r)
	}
}

// Pack runs `npm pack` for p and returns the tarball's path: the exact
// bytes `npm publish <tarball>` sends.
func (u *npmUser) Pack(t testing.TB, p pkgSpec) string {
	t.Helper()
	dir := writePkg(t, p)
	out := t.TempDir()
	r := u.NPMOK(t, dir, "pack", "--pack-destination", out, "--json")
	var packed []struct {
		Filename string `json:"filename"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &packed); err != nil || len(packed) != 1 {
		t.Fatalf("npm pack printed no file name (%v)\n%s", err, r)
	}
	return filepath.Join(out, packed[0].Filename)
}

// newProject returns a directory with an empty private package.json.
func newProject(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name": "e2e-app", "version": "1.0.0", "private": true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyProject copies a project's package.json and lock files (not
// node_modules) into a new directory: the same project checked out on
// another machine.
func copyProject(t testing.TB, from string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// installedVersion returns the version of name in dir/node_modules, or ""
// when it is not installed.
func installedVersion(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", filepath.FromSlash(name), "package.json"))
	if err != nil {
		return ""
	}
	var m struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("node_modules/%s/package.json: %v", name, err)
	}
	return m.Version
}

// requireIn returns what require(name) gives in the project dir, with node.
func requireIn(t testing.TB, dir, name string) string {
	t.Helper()
	r := runProgram(t, os.Environ(), dir, tool(t, "node"), "-e", "process.stdout.write(String(require("+mustMarshal(name)+")))")
	if r.Code != 0 {
		t.Fatalf("require(%q) failed in %s\n%s", name, dir, r)
	}
	return r.Stdout
}

// wantInstalled fails unless require(name) in dir gives what p exports.
func wantInstalled(t testing.TB, dir string, p pkgSpec) {
	t.Helper()
	if got := requireIn(t, dir, p.Name); got != p.export() {
		t.Errorf("require(%q) = %q, want %q (the copy published to %s)", p.Name, got, p.export(), p.Mark)
	}
}

// lockResolved returns the "resolved" URL of node_modules/name in the
// project's package-lock.json.
func lockResolved(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct {
			Version  string `json:"version"`
			Resolved string `json:"resolved"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatalf("package-lock.json: %v\n%s", err, b)
	}
	return lock.Packages["node_modules/"+name].Resolved
}

// --- the package state of a domain, through aws-sdk-go-v2 ---

// packageState returns everything the package operations say about a
// domain, as JSON: its assetSizeBytes, and per repository each package
// (description) and each version (all statuses, with revision, origin
// and assets). Two equal states mean no package operation could tell a
// difference.
func packageState(t testing.TB, s *server, domain string) string {
	t.Helper()
	ctx := context.Background()
	c := sdk(s)
	d := sdkaws.String(domain)
	state := map[string]any{}
	dd, err := c.DescribeDomain(ctx, &codeartifact.DescribeDomainInput{Domain: d})
	if err != nil {
		t.Fatalf("package state: DescribeDomain: %v", err)
	}
	state["assetSizeBytes"] = dd.Domain.AssetSizeBytes
	repos := codeartifact.NewListRepositoriesInDomainPaginator(c, &codeartifact.ListRepositoriesInDomainInput{Domain: d})
	for repos.HasMorePages() {
		page, err := repos.NextPage(ctx)
		if err != nil {
			t.Fatalf("package state: ListRepositoriesInDomain: %v", err)
		}
		for _, r := range page.Repositories {
			pkgs := map[string]any{}
			lp := codeartifact.NewListPackagesPaginator(c, &codeartifact.ListPackagesInput{Domain: d, Repository: r.Name})
			for lp.HasMorePages() {
				pp, err := lp.NextPage(ctx)
				if err != nil {
					t.Fatalf("package state: ListPackages: %v", err)
				}
				for _, p := range pp.Packages {
					key := string(p.Format) + ":" + sdkaws.ToString(p.Namespace) + "/" + sdkaws.ToString(p.Package)
					desc, err := c.DescribePackage(ctx, &codeartifact.DescribePackageInput{Domain: d, Repository: r.Name, Format: p.Format, Namespace: p.Namespace, Package: p.Package})
					if err != nil {
						t.Fatalf("package state: DescribePackage %s: %v", key, err)
					}
					versions := map[string]any{}
					lv := codeartifact.NewListPackageVersionsPaginator(c, &codeartifact.ListPackageVersionsInput{Domain: d, Repository: r.Name, Format: p.Format, Namespace: p.Namespace, Package: p.Package})
					var display string
					for lv.HasMorePages() {
						vp, err := lv.NextPage(ctx)
						if err != nil {
							t.Fatalf("package state: ListPackageVersions %s: %v", key, err)
						}
						display = sdkaws.ToString(vp.DefaultDisplayVersion)
						for _, v := range vp.Versions {
							var assets any
							if v.Status == types.PackageVersionStatusPublished || v.Status == types.PackageVersionStatusUnlisted {
								la, err := c.ListPackageVersionAssets(ctx, &codeartifact.ListPackageVersionAssetsInput{Domain: d, Repository: r.Name, Format: p.Format, Namespace: p.Namespace, Package: p.Package, PackageVersion: v.Version})
								if err != nil {
									t.Fatalf("package state: ListPackageVersionAssets %s %s: %v", key, sdkaws.ToString(v.Version), err)
								}
								assets = la.Assets
							}
							versions[sdkaws.ToString(v.Version)] = map[string]any{"revision": v.Revision, "status": v.Status, "origin": v.Origin, "assets": assets}
						}
					}
					pkgs[key] = map[string]any{"origin": desc.Package.OriginConfiguration, "defaultDisplayVersion": display, "versions": versions}
				}
			}
			state[sdkaws.ToString(r.Name)] = pkgs
		}
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// samePackages fails the test when the domain's package state differs
// from before (a packageState taken before what was done).
func samePackages(t testing.TB, s *server, domain, before, what string) {
	t.Helper()
	if after := packageState(t, s, domain); after != before {
		t.Fatalf("%s changed the domain's packages\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// --- CLI output helpers ---

// versionList returns the versions of a list-package-versions output, in
// order, as "version:status".
func versionList(t testing.TB, out map[string]any) []string {
	t.Helper()
	var vs []string
	for _, x := range list(t, out, "versions") {
		v := x.(map[string]any)
		vs = append(vs, fmt.Sprint(v["version"])+":"+fmt.Sprint(v["status"]))
	}
	return vs
}

// batchOutcome describes a batch operation's output: successful versions as
// "version:status" and failed ones as "version:errorCode", each sorted.
func batchOutcome(t testing.TB, out map[string]any) (ok, failed []string) {
	t.Helper()
	for v, x := range obj(t, out, "successfulVersions") {
		ok = append(ok, v+":"+fmt.Sprint(x.(map[string]any)["status"]))
	}
	for v, x := range obj(t, out, "failedVersions") {
		e := x.(map[string]any)
		if msg, _ := e["errorMessage"].(string); msg == "" {
			t.Errorf("failedVersions[%s] has no errorMessage: %s", v, pretty(e))
		}
		failed = append(failed, v+":"+fmt.Sprint(e["errorCode"]))
	}
	sort.Strings(ok)
	sort.Strings(failed)
	return ok, failed
}

// wantBatch fails unless a batch output has exactly these successful and
// failed versions (see batchOutcome).
func wantBatch(t testing.TB, what string, out map[string]any, ok, failed []string) {
	t.Helper()
	gotOK, gotFailed := batchOutcome(t, out)
	if strings.Join(gotOK, ",") != strings.Join(ok, ",") || strings.Join(gotFailed, ",") != strings.Join(failed, ",") {
		t.Fatalf("%s: successful %v failed %v, want successful %v failed %v\n%s", what, gotOK, gotFailed, ok, failed, pretty(out))
	}
}

// sameList reports whether two string slices are equal.
func sameList(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }
