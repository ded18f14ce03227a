package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/format/nuget/nugettest"
)

// The NuGet scenarios drive NuGet.exe 5.8 on Mono (the only NuGet V3
// client that runs on the project's machines; the dotnet SDK is not
// packaged for Debian bookworm, so `dotnet nuget` is not tried) against
// `arca serve`: `aws codeartifact login --tool nuget` adds the source
// with `nuget sources add`, then nuget pack, push, install (latest,
// -Version, -Prerelease), restore of a packages.config, and delete
// (unlist), with the AWS CLI checking what the repository holds. NuGet
// sends no credentials until a request is refused with a Basic
// challenge, so every request here is first refused, then retried.

// nugetUser is a developer with the AWS CLI and nuget, both reading their
// configuration from one throwaway HOME.
type nugetUser struct {
	aws *cli
	env []string
}

func newNuGetUser(t *testing.T, s *server) *nugetUser {
	t.Helper()
	tool(t, "nuget")
	tool(t, "mono")
	aws := newCLI(t, s)
	var env []string
	for _, kv := range aws.env {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(strings.ToUpper(k), "NUGET_") {
			continue
		}
		env = append(env, kv)
	}
	return &nugetUser{aws: aws, env: append(env, "NUGET_PACKAGES="+filepath.Join(aws.Home, ".nuget", "packages"))}
}

// nuget runs nuget non-interactively in dir (HOME when empty).
func (u *nugetUser) nuget(t testing.TB, dir string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = u.aws.Home
	}
	return runProgram(t, u.env, dir, tool(t, "nuget"), append(args, "-NonInteractive")...)
}

func (u *nugetUser) ok(t testing.TB, dir string, args ...string) result {
	t.Helper()
	r := u.nuget(t, dir, args...)
	if r.Code != 0 {
		t.Fatalf("nuget failed:\n%s", r)
	}
	return r
}

// nugetInstalled lists the package directories nuget install wrote to dir.
func nugetInstalled(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestNuGet(t *testing.T) {
	s := startServer(t)
	u := newNuGetUser(t, s)
	step := pySteps(t)
	const source = "my-domain/my-repo"
	work := t.TempDir()

	step("setup and login", func(t *testing.T) {
		u.aws.OK(t, "create-domain", "--domain", "my-domain")
		u.aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
		r := u.aws.Raw(t, "codeartifact", "login", "--tool", "nuget", "--domain", "my-domain", "--repository", "my-repo")
		if r.Code != 0 {
			t.Fatalf("login --tool nuget failed:\n%s", r)
		}
		cfg, err := os.ReadFile(filepath.Join(u.aws.Home, ".config", "NuGet", "NuGet.Config"))
		if err != nil || !strings.Contains(string(cfg), s.URL+"/my-domain-"+testAccount+"/nuget/my-repo/v3/index.json") {
			t.Fatalf("NuGet.Config (%v):\n%s", err, cfg)
		}
	})

	step("pack and push", func(t *testing.T) {
		// One package packed by nuget itself, the others built here.
		writeNuGetFile(t, filepath.Join(work, "Hello.CA.nuspec"), nugettest.Spec{
			ID: "Hello.CA", Version: "1.0.0", Description: "Says hello", License: "MIT",
			Files: nil,
		}.Nuspec())
		writeNuGetFile(t, filepath.Join(work, "content", "hello.txt"), "hello 1.0.0\n")
		u.ok(t, work, "pack", "Hello.CA.nuspec", "-OutputDirectory", work)
		for _, spec := range []nugettest.Spec{
			{ID: "Dep.Lib", Version: "1.0.0"},
			{ID: "Hello.CA", Version: "1.1.0", Dependencies: map[string]map[string]string{"": {"Dep.Lib": "[1.0.0, )"}}},
			{ID: "Hello.CA", Version: "2.0.0-beta"},
		} {
			writeNuGetFile(t, filepath.Join(work, spec.ID+"."+spec.Version+".nupkg"), string(nugettest.Package(spec)))
		}
		for _, file := range []string{"Hello.CA.1.0.0.nupkg", "Dep.Lib.1.0.0.nupkg", "Hello.CA.1.1.0.nupkg", "Hello.CA.2.0.0-beta.nupkg"} {
			r := u.ok(t, work, "push", file, "-Source", source)
			if !strings.Contains(r.Stdout, "Your package was pushed.") {
				t.Errorf("push %s:\n%s", file, r)
			}
		}
		out := u.aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", "my-repo", "--format", "nuget", "--package", "hello.ca")
		var versions []string
		for _, v := range list(t, out, "versions") {
			versions = append(versions, str(t, v.(map[string]any), "version"))
		}
		if strings.Join(versions, " ") != "2.0.0-beta 1.1.0 1.0.0" {
			t.Errorf("versions of hello.ca = %v", versions)
		}
	})

	step("push refusals", func(t *testing.T) {
		before := snapshot(t, s)
		r := u.nuget(t, work, "push", "Hello.CA.1.0.0.nupkg", "-Source", source)
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "409") {
			t.Errorf("pushing an existing version:\n%s", r)
		}
		writeNuGetFile(t, filepath.Join(work, "bad", "Bad.1.0.0.nupkg"), "this is not a zip archive")
		r = u.nuget(t, work, "push", filepath.Join("bad", "Bad.1.0.0.nupkg"), "-Source", source)
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "400") {
			t.Errorf("pushing a bad package:\n%s", r)
		}
		unchanged(t, s, before, "refused pushes")
	})

	step("install", func(t *testing.T) {
		out := filepath.Join(work, "out-latest")
		u.ok(t, work, "install", "Hello.CA", "-Source", source, "-OutputDirectory", out)
		if got := strings.Join(nugetInstalled(t, out), " "); got != "Dep.Lib.1.0.0 Hello.CA.1.1.0" {
			t.Errorf("nuget install Hello.CA installed %s, want the latest stable version and its dependency", got)
		}
		if b, err := os.ReadFile(filepath.Join(out, "Hello.CA.1.1.0", "content", "hello.txt")); err != nil || !strings.Contains(string(b), "Hello.CA 1.1.0") {
			t.Errorf("content of the installed package: %q %v", b, err)
		}
		out = filepath.Join(work, "out-version")
		u.ok(t, work, "install", "Hello.CA", "-Version", "1.0.0", "-Source", source, "-OutputDirectory", out)
		if b, err := os.ReadFile(filepath.Join(out, "Hello.CA.1.0.0", "content", "hello.txt")); err != nil || string(b) != "hello 1.0.0\n" {
			t.Errorf("nuget install -Version 1.0.0: %q %v (%v)", b, err, nugetInstalled(t, out))
		}
		out = filepath.Join(work, "out-pre")
		u.ok(t, work, "install", "Hello.CA", "-Prerelease", "-Source", source, "-OutputDirectory", out)
		if got := strings.Join(nugetInstalled(t, out), " "); got != "Hello.CA.2.0.0-beta" {
			t.Errorf("nuget install -Prerelease installed %s", got)
		}
	})

	step("restore", func(t *testing.T) {
		proj := filepath.Join(work, "proj")
		writeNuGetFile(t, filepath.Join(proj, "packages.config"), `<?xml version="1.0" encoding="utf-8"?>
<packages>
  <package id="Hello.CA" version="1.0.0" targetFramework="net48" />
  <package id="Dep.Lib" version="1.0.0" targetFramework="net48" />
</packages>
`)
		u.ok(t, proj, "restore", "packages.config", "-PackagesDirectory", "packages", "-Source", source)
		if got := strings.Join(nugetInstalled(t, filepath.Join(proj, "packages")), " "); got != "Dep.Lib.1.0.0 Hello.CA.1.0.0" {
			t.Errorf("nuget restore installed %s", got)
		}
	})

	step("delete unlists", func(t *testing.T) {
		u.ok(t, work, "delete", "Hello.CA", "1.1.0", "-Source", source)
		d := u.aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", "my-repo", "--format", "nuget", "--package", "hello.ca", "--package-version", "1.1.0")
		want(t, "describe-package-version", obj(t, d, "packageVersion"), "status", "Unlisted")
		// An unlisted version still installs by its version. (nuget
		// install without -Version takes unlisted versions too: its
		// resolution includes them.)
		out := filepath.Join(work, "out-pinned")
		u.ok(t, work, "install", "Hello.CA", "-Version", "1.1.0", "-Source", source, "-OutputDirectory", out, "-NoCache")
		if got := strings.Join(nugetInstalled(t, out), " "); got != "Dep.Lib.1.0.0 Hello.CA.1.1.0" {
			t.Errorf("an unlisted version still installs by its version; got %s", got)
		}
	})

	step("archived versions are gone for nuget", func(t *testing.T) {
		u.aws.OK(t, "update-package-versions-status", "--domain", "my-domain", "--repository", "my-repo", "--format", "nuget",
			"--package", "Hello.CA", "--versions", "1.1.0", "--target-status", "Archived")
		// nuget keeps the registrations it read for 30 minutes, whatever
		// -NoCache says.
		if err := os.RemoveAll(filepath.Join(u.aws.Home, ".local", "share", "NuGet", "v3-cache")); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(work, "out-archived")
		u.ok(t, work, "install", "Hello.CA", "-Source", source, "-OutputDirectory", out, "-NoCache")
		if got := strings.Join(nugetInstalled(t, out), " "); got != "Hello.CA.1.0.0" {
			t.Errorf("with 1.1.0 Archived, nuget install Hello.CA installed %s, want 1.0.0", got)
		}
		out = filepath.Join(work, "out-archived-pinned")
		r := u.nuget(t, work, "install", "Hello.CA", "-Version", "1.1.0", "-Source", source, "-OutputDirectory", out, "-NoCache")
		if r.Code == 0 {
			t.Errorf("an Archived version installed:\n%s", r)
		}
	})

	step("list is not supported", func(t *testing.T) {
		r := u.nuget(t, work, "list", "-Source", source)
		// nuget itself says so (and exits 0): the service index has no
		// V2 listing resource, as CodeArtifact supports only V3.
		if !strings.Contains(r.Stdout+r.Stderr, "does not support listing") || strings.Contains(r.Stdout, "Hello.CA") {
			t.Errorf("nuget list:\n%s", r)
		}
	})
}

// writeNuGetFile writes a file, creating its directory.
func writeNuGetFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNuGetArcaLogin: `arca login --tool nuget` writes the source and its
// credentials into NuGet.Config (no AWS CLI involved), and nuget pushes
// and installs with it. (TestNuGetExec has arca exec.)
func TestNuGetArcaLogin(t *testing.T) {
	t.Parallel()
	tool(t, "nuget")
	s := arcaFixture(t)
	const source = "my-domain/my-repo"
	u := newArcaUser(t, s)
	u.env = append(u.env, "NUGET_PACKAGES="+filepath.Join(u.Home, ".nuget", "packages"))
	nuget := func(dir string, args ...string) result {
		t.Helper()
		return u.ok(t, dir, tool(t, "nuget"), append(args, "-NonInteractive")...)
	}
	u.arcaOK(t, loginArgs(s, "nuget")...)
	work := u.dir(t, "work")
	writeNuGetFile(t, filepath.Join(work, "Arca.Login.1.0.0.nupkg"), string(nugettest.Package(nugettest.Spec{ID: "Arca.Login", Version: "1.0.0"})))
	if r := nuget(work, "push", "Arca.Login.1.0.0.nupkg", "-Source", source); !strings.Contains(r.Stdout, "Your package was pushed.") {
		t.Errorf("push after arca login:\n%s", r)
	}
	out := filepath.Join(work, "out")
	nuget(work, "install", "Arca.Login", "-Source", source, "-OutputDirectory", out)
	if got := strings.Join(nugetInstalled(t, out), " "); got != "Arca.Login.1.0.0" {
		t.Errorf("install after arca login: %s", got)
	}
}

// TestNuGetExec: without a login, `arca exec --tool nuget -- nuget ...`
// makes arca NuGet's credential provider plugin (NUGET_PLUGIN_PATHS):
// nuget.exe pushes and installs against the endpoint's service index, no
// NuGet configuration holds a token, and the same install without arca
// exec is refused.
func TestNuGetExec(t *testing.T) {
	t.Parallel()
	nugetExe := tool(t, "nuget")
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	u.env = append(u.env, "NUGET_PACKAGES="+filepath.Join(u.Home, ".nuget", "packages"))
	source := endpointOf(s, "nuget") + "v3/index.json"
	viaExec := func(args ...string) []string {
		return append([]string{"exec", "--tool", "nuget", "--endpoint-url", s.URL, "--domain", "my-domain", "--repository", "my-repo", "--", nugetExe}, append(args, "-NonInteractive")...)
	}
	work := u.dir(t, "work")
	writeNuGetFile(t, filepath.Join(work, "Arca.Exec.2.0.0.nupkg"), string(nugettest.Package(nugettest.Spec{ID: "Arca.Exec", Version: "2.0.0"})))
	if r := runProgram(t, u.env, work, arcaBin, viaExec("push", "Arca.Exec.2.0.0.nupkg", "-Source", source)...); r.Code != 0 || !strings.Contains(r.Stdout, "Your package was pushed.") {
		t.Fatalf("arca exec nuget push:\n%s", r)
	}
	out := filepath.Join(work, "out")
	if r := runProgram(t, u.env, work, arcaBin, viaExec("install", "Arca.Exec", "-Source", source, "-OutputDirectory", out)...); r.Code != 0 {
		t.Fatalf("arca exec nuget install:\n%s", r)
	}
	if got := strings.Join(nugetInstalled(t, out), " "); got != "Arca.Exec.2.0.0" {
		t.Errorf("installed through arca exec: %q", got)
	}
	// arca env gives a shell the same: arca as the plugin, for the endpoint.
	env := u.arcaOK(t, "env", "--tool", "nuget", "--endpoint-url", s.URL, "--domain", "my-domain", "--repository", "my-repo").Stdout
	if !strings.Contains(env, "export NUGET_PLUGIN_PATHS='"+arcaBin+"'") || !strings.Contains(env, "export ARCA_NUGET_PLUGIN_SOURCE='"+endpointOf(s, "nuget")+"'") {
		t.Errorf("arca env --tool nuget:\n%s", env)
	}
	// Nothing was logged in: the plugin alone had the token.
	if r := u.in(t, work, nugetExe, "install", "Arca.Exec", "-Source", source, "-OutputDirectory", filepath.Join(work, "plain"), "-NoCache", "-NonInteractive"); r.Code == 0 {
		t.Errorf("nuget install without arca exec succeeded:\n%s", r)
	}
	filepath.WalkDir(u.Home, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(d.Name(), "NuGet.Config") {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "Password") {
				t.Errorf("%s holds a password after arca exec:\n%s", p, b)
			}
		}
		return nil
	})
}
