package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// The RubyGems scenarios drive the real gem and Bundler against `arca
// serve`: gem build, gem push --host with the key of ~/.gem/credentials,
// gem install --source with aws:TOKEN in the source URL and every other
// source cleared (the compact index: RubyGems 3.3 uses it when the source
// answers HEAD), gem list --remote (the Marshal index), gem yank, and
// bundle lock (the compact index) with the credentials in Bundler's
// configuration. Each runs with its own HOME, so nothing reaches a public
// gem host.

// gemUser is a developer with gem and Bundler, in a throwaway HOME.
type gemUser struct{ clientUser }

func newGemUser(t *testing.T, s *server) *gemUser {
	t.Helper()
	aws := newCLI(t, s)
	drop := func(uk string) bool {
		return strings.HasPrefix(uk, "GEM_") || strings.HasPrefix(uk, "BUNDLE_") || strings.HasPrefix(uk, "RUBY")
	}
	return &gemUser{newClientUser(aws, drop, "GEM_HOME="+filepath.Join(aws.Home, "gems"), "GEM_PATH="+filepath.Join(aws.Home, "gems"),
		"BUNDLE_USER_HOME="+filepath.Join(aws.Home, ".bundle"), "BUNDLE_DISABLE_VERSION_CHECK=true")}
}

// buildGem writes a gemspec and builds it with gem build; it returns the
// .gem's path.
func (u *gemUser) buildGem(t testing.TB, name, version, deps string) string {
	t.Helper()
	dir := filepath.Join(u.aws.Home, "src", name+"-"+version)
	if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := `Gem::Specification.new do |s|
  s.name = "` + name + `"
  s.version = "` + version + `"
  s.summary = "The ` + name + ` gem"
  s.authors = ["Arca"]
  s.email = "arca@example.com"
  s.license = "MIT"
  s.homepage = "https://example.com/` + name + `"
  s.files = ["lib/` + name + `.rb"]
  s.required_ruby_version = ">= 2.7"
` + deps + `end
`
	for f, c := range map[string]string{name + ".gemspec": spec, "lib/" + name + ".rb": "module Arca; end\n"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	u.ok(t, dir, tool(t, "gem"), "build", name+".gemspec")
	return filepath.Join(dir, name+"-"+version+".gem")
}

func TestRubyGems(t *testing.T) {
	t.Parallel()
	gem, bundle := tool(t, "gem"), tool(t, "bundle")
	s := startServer(t)
	u := newGemUser(t, s)
	aws := u.aws
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	token := str(t, aws.OK(t, "get-authorization-token", "--domain", "my-domain"), "authorizationToken")
	endpoint := s.URL + "/my-domain-" + s.Account + "/ruby/my-repo/"
	host := strings.TrimSuffix(endpoint, "/")
	src, _ := url.Parse(endpoint)
	src.User = url.UserPassword("aws", token)
	step := pySteps(t)

	dep := u.buildGem(t, "arca-dep", "1.0.2", "")
	hello := u.buildGem(t, "hello-arca", "0.1.0", `  s.add_dependency "arca-dep", "~> 1.0", ">= 1.0.1"
  s.add_development_dependency "rake", ">= 12"
`)
	pre := u.buildGem(t, "hello-arca", "0.2.0.pre1", `  s.add_dependency "arca-dep", "~> 1.0"
`)
	gems := filepath.Join(aws.Home, "installed")
	// A version with two platforms: the machine's own, and ruby.
	nativeRuby := u.buildGem(t, "arca-native", "1.0.0", "")
	native := u.buildGem(t, "arca-native", "1.0.0", "  s.platform = Gem::Platform.local\n")

	step("gem push", func(t *testing.T) {
		creds := filepath.Join(aws.Home, ".gem", "credentials")
		os.MkdirAll(filepath.Dir(creds), 0o700)
		if err := os.WriteFile(creds, []byte("---\n:codeartifact_api_key: Bearer "+token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, g := range []string{dep, hello, pre, nativeRuby} {
			r := u.ok(t, "", gem, "push", "--key", "codeartifact_api_key", "--host", host, g)
			stem := strings.TrimSuffix(filepath.Base(g), ".gem")
			i := strings.LastIndex(stem, "-")
			if want := "Successfully registered gem: " + stem[:i] + " (" + stem[i+1:] + ")"; !strings.Contains(r.Stdout, want) {
				t.Errorf("gem push %s: want %q\n%s", g, want, r)
			}
		}
	})

	step("gem push of another platform", func(t *testing.T) {
		// gem build names the file after the platform.
		matches, _ := filepath.Glob(strings.TrimSuffix(native, ".gem") + "-*.gem")
		if len(matches) != 1 {
			t.Fatalf("built native gems: %v", matches)
		}
		native = matches[0]
		platform := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(native), "arca-native-1.0.0-"), ".gem")
		r := u.ok(t, "", gem, "push", "--key", "codeartifact_api_key", "--host", host, native)
		if want := "Successfully registered gem: arca-native (1.0.0-" + platform + ")"; !strings.Contains(r.Stdout, want) {
			t.Errorf("gem push %s: want %q\n%s", native, want, r)
		}
		assets := list(t, aws.OK(t, "list-package-version-assets", "--domain", "my-domain", "--repository", "my-repo", "--format", "ruby",
			"--package", "arca-native", "--package-version", "1.0.0"), "assets")
		if len(assets) != 2 {
			t.Errorf("the version's assets: %v", assets)
		}
	})

	step("a push of a bad gem changes nothing", func(t *testing.T) {
		// gem checks a .gem before pushing it: the bad bodies are sent as
		// gem push sends a body.
		before := snapshot(t, s)
		for body, want := range map[string]string{
			"not a tar":                     "The gem is not a valid tar archive",
			string(tarOf(t, "../x")):        `member "../x" outside its top level`,
			string(tarOf(t, "data.tar.gz")): "The gem has no metadata.gz",
		} {
			req, _ := http.NewRequest(http.MethodPost, endpoint+"api/v1/gems", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := s.httpClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), want) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("push of a bad gem: %d %s %q, want 400 with %q", resp.StatusCode, resp.Header.Get("Content-Type"), b, want)
			}
		}
		unchanged(t, s, before, "a refused push")
	})

	step("gem install --source", func(t *testing.T) {
		r := u.ok(t, "", gem, "install", "hello-arca", "--clear-sources", "--source", src.String(), "--install-dir", gems, "--no-document")
		if !strings.Contains(r.Stdout, "Successfully installed arca-dep-1.0.2") || !strings.Contains(r.Stdout, "Successfully installed hello-arca-0.1.0") {
			t.Errorf("gem install:\n%s", r)
		}
		for _, d := range []string{"hello-arca-0.1.0", "arca-dep-1.0.2"} {
			if _, err := os.Stat(filepath.Join(gems, "gems", d, "lib")); err != nil {
				t.Errorf("%s is not installed: %v", d, err)
			}
		}
		// The machine's platform wins over ruby.
		r = u.ok(t, "", gem, "install", "arca-native", "--clear-sources", "--source", src.String(), "--install-dir", gems, "--no-document")
		if !strings.Contains(r.Stdout, "Successfully installed arca-native-1.0.0-") {
			t.Errorf("gem install of a platform gem:\n%s", r)
		}
		r = u.ok(t, "", gem, "install", "hello-arca", "--pre", "--clear-sources", "--source", src.String(), "--install-dir", gems, "--no-document")
		if !strings.Contains(r.Stdout, "Successfully installed hello-arca-0.2.0.pre1") {
			t.Errorf("gem install --pre:\n%s", r)
		}
		// The spec gem installed is the one pushed.
		spec, err := os.ReadFile(filepath.Join(gems, "specifications", "hello-arca-0.1.0.gemspec"))
		if err != nil || !strings.Contains(string(spec), `s.summary = "The hello-arca gem".freeze`) || !strings.Contains(string(spec), `%q<arca-dep>.freeze, ["~> 1.0", ">= 1.0.1"]`) {
			t.Errorf("installed gemspec (%v):\n%s", err, spec)
		}
		// gem list --remote reads the Marshal index (gem install reads
		// the compact index, since the endpoint answers gem's HEAD).
		r = u.ok(t, "", gem, "list", "hello-arca", "--remote", "--all", "--prerelease", "--clear-sources", "--source", src.String())
		if !strings.Contains(r.Stdout, "hello-arca (0.2.0.pre1, 0.1.0)") {
			t.Errorf("gem list --remote --all --prerelease:\n%s", r)
		}
	})

	step("bundle lock", func(t *testing.T) {
		dir := filepath.Join(aws.Home, "app")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "Gemfile"), []byte("source \""+endpoint+"\"\ngem \"hello-arca\"\n"), 0o644)
		u.ok(t, dir, bundle, "config", "set", "--global", endpoint, "aws:"+token)
		r := u.ok(t, dir, bundle, "lock")
		lock, _ := os.ReadFile(filepath.Join(dir, "Gemfile.lock"))
		if !strings.Contains(string(lock), "hello-arca (0.1.0)") || !strings.Contains(string(lock), "arca-dep (1.0.2)") {
			t.Errorf("Gemfile.lock:\n%s\n%s", lock, r)
		}
		// Again: Bundler revalidates what it holds.
		u.ok(t, dir, bundle, "lock", "--update")
		r = u.ok(t, dir, bundle, "install", "--path", filepath.Join(aws.Home, "vendor"))
		if !strings.Contains(r.Stdout, "Installing hello-arca 0.1.0") || !strings.Contains(r.Stdout, "Installing arca-dep 1.0.2") {
			t.Errorf("bundle install:\n%s", r)
		}
		if log := s.AccessLog(); !strings.Contains(log, "/ruby/my-repo/versions") {
			t.Errorf("bundle did not read the compact index:\n%s", log)
		}
	})

	step("control plane", func(t *testing.T) {
		sel := []string{"--domain", "my-domain", "--repository", "my-repo", "--format", "ruby", "--package", "hello-arca", "--package-version", "0.1.0"}
		pv := obj(t, aws.OK(t, append([]string{"describe-package-version"}, sel...)...), "packageVersion")
		want(t, "packageVersion", pv, "summary", "The hello-arca gem")
		want(t, "packageVersion", pv, "homePage", "https://example.com/hello-arca")
		if l := list(t, pv, "licenses"); len(l) != 1 || l[0].(map[string]any)["name"] != "MIT" {
			t.Errorf("licenses: %v", l)
		}
		deps := list(t, aws.OK(t, append([]string{"list-package-version-dependencies"}, sel...)...), "dependencies")
		got := map[string]string{}
		for _, d := range deps {
			d := d.(map[string]any)
			got[d["package"].(string)] = d["dependencyType"].(string) + " " + d["versionRequirement"].(string)
		}
		if got["arca-dep"] != "runtime ~> 1.0, >= 1.0.1" || got["rake"] != "development >= 12" || len(got) != 2 {
			t.Errorf("dependencies: %v", got)
		}
		assets := list(t, aws.OK(t, append([]string{"list-package-version-assets"}, sel...)...), "assets")
		if len(assets) != 1 || assets[0].(map[string]any)["name"] != "hello-arca-0.1.0.gem" {
			t.Errorf("assets: %v", assets)
		}
		// A copy serves from the other repository.
		aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "copy")
		aws.OK(t, "copy-package-versions", "--domain", "my-domain", "--source-repository", "my-repo", "--destination-repository", "copy",
			"--format", "ruby", "--package", "arca-dep", "--versions", "1.0.2")
		copySrc := strings.Replace(src.String(), "/my-repo/", "/copy/", 1)
		r := u.ok(t, "", gem, "install", "arca-dep", "--clear-sources", "--source", copySrc, "--install-dir", filepath.Join(aws.Home, "copied"), "--no-document")
		if !strings.Contains(r.Stdout, "Successfully installed arca-dep-1.0.2") {
			t.Errorf("gem install from the copy:\n%s", r)
		}
	})

	step("gem yank", func(t *testing.T) {
		r := u.ok(t, "", gem, "yank", "hello-arca", "-v", "0.1.0", "--key", "codeartifact_api_key", "--host", host)
		if !strings.Contains(r.Stdout, "Successfully deleted gem: hello-arca (0.1.0)") {
			t.Errorf("gem yank:\n%s", r)
		}
		out := aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", "my-repo", "--format", "ruby", "--package", "hello-arca", "--package-version", "0.1.0")
		if got := str(t, obj(t, out, "packageVersion"), "status"); got != "Unlisted" {
			t.Errorf("a yanked version is %s, want Unlisted", got)
		}
		r = u.run(t, "", gem, "install", "hello-arca", "-v", "0.1.0", "--clear-sources", "--source", src.String(), "--install-dir", filepath.Join(aws.Home, "other"), "--no-document")
		if r.Code == 0 {
			t.Errorf("gem install of a yanked version succeeded:\n%s", r)
		}
	})
}

// tarOf is a tar of one empty member.
func tarOf(t testing.TB, name string) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	return b.Bytes()
}

// TestArcaLoginGemAndBundler: after `arca login --tool gem`, gem push
// (the key of ~/.gem/credentials for the endpoint) and gem install (the
// endpoint as the .gemrc source, credentials in its URL) need no other
// flag; after `arca login --tool bundler`, bundle lock reads the
// endpoint; and `arca exec` runs gem and bundle with the token in their
// environment, writing nothing.
func TestArcaLoginGemAndBundler(t *testing.T) {
	t.Parallel()
	gem, bundle := tool(t, "gem"), tool(t, "bundle")
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	gems := filepath.Join(u.Home, "gems")
	u.env = append(u.env, "GEM_HOME="+gems, "GEM_PATH="+gems, "BUNDLE_DISABLE_VERSION_CHECK=true")
	endpoint := endpointOf(s, "ruby")
	builder := &gemUser{clientUser{aws: &cli{Home: u.Home}, env: u.env}}
	one := builder.buildGem(t, "arca-login-gem", "1.0.0", "")
	two := builder.buildGem(t, "arca-exec-gem", "2.0.0", `  s.add_dependency "arca-login-gem", ">= 1"
`)

	u.arcaOK(t, loginArgs(s, "gem")...)
	if r := u.ok(t, u.Home, gem, "push", "--host", strings.TrimSuffix(endpoint, "/"), one); !strings.Contains(r.Stdout, "Successfully registered gem: arca-login-gem (1.0.0)") {
		t.Errorf("gem push after arca login --tool gem:\n%s", r)
	}
	if r := u.ok(t, u.Home, gem, "install", "--no-document", "arca-login-gem"); !strings.Contains(r.Stdout, "Successfully installed arca-login-gem-1.0.0") {
		t.Errorf("gem install after arca login --tool gem:\n%s", r)
	}

	// arca exec: the environment alone configures gem push.
	sel := []string{"--endpoint-url", s.URL, "--domain", "my-domain", "--repository", "my-repo"}
	exec := func(tool string, args ...string) []string {
		return append(append([]string{"exec", "--tool", tool}, sel...), append([]string{"--"}, args...)...)
	}
	if r := runProgram(t, u.env, u.Home, arcaBin, exec("gem", gem, "push", two)...); r.Code != 0 || !strings.Contains(r.Stdout, "Successfully registered gem: arca-exec-gem (2.0.0)") {
		t.Errorf("arca exec --tool gem -- gem push:\n%s", r)
	}

	app := u.dir(t, "app")
	os.WriteFile(filepath.Join(app, "Gemfile"), []byte("source \""+endpoint+"\"\ngem \"arca-exec-gem\"\n"), 0o644)
	if r := runProgram(t, u.env, app, arcaBin, exec("bundler", bundle, "lock")...); r.Code != 0 {
		t.Errorf("arca exec --tool bundler -- bundle lock:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(u.Home, ".bundle", "config")); !os.IsNotExist(err) {
		t.Errorf("arca exec wrote Bundler's configuration (%v)", err)
	}
	os.Remove(filepath.Join(app, "Gemfile.lock"))
	u.arcaOK(t, loginArgs(s, "bundler")...)
	u.ok(t, app, bundle, "lock")
	lock, _ := os.ReadFile(filepath.Join(app, "Gemfile.lock"))
	if !strings.Contains(string(lock), "arca-exec-gem (2.0.0)") || !strings.Contains(string(lock), "arca-login-gem (1.0.0)") {
		t.Errorf("Gemfile.lock after arca login --tool bundler:\n%s", lock)
	}
}

// TestRubyExternalConnection: my-repo's upstream ruby-store has
// public:ruby-gems-org, pointed at a fake gem registry. Bundler installs
// a gem (and its dependency) that only the registry has: Arca lists the
// registry's gems in the versions file, renders their info files from the
// registry's, downloads each .gem once checked against its info line's
// checksum, and keeps the versions (the control plane shows them). gem
// install (which reads the compact index since the endpoint answers its
// HEAD) installs them too.
func TestRubyExternalConnection(t *testing.T) {
	t.Parallel()
	gem, bundle := tool(t, "gem"), tool(t, "bundle")
	reg := upstreamtest.NewRubyGems(t)
	reg.Publish(upstreamtest.Gem{Name: "ext-dep", Version: "1.0.0"})
	reg.Publish(upstreamtest.Gem{Name: "ext-gem", Version: "1.1.0"})
	reg.Publish(upstreamtest.Gem{Name: "ext-gem", Version: "1.2.0", Dependencies: map[string]string{"ext-dep": "~> 1.0"}})
	reg.Publish(upstreamtest.Gem{Name: "ext-gem", Version: "1.3.0"})
	reg.Yank("ext-gem", "1.3.0")

	s := startServer(t, "--external-connection", "public:ruby-gems-org="+reg.URL, "--upstream-timeout", "5s")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "ruby-store")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "ruby-store", "--external-connection", "public:ruby-gems-org")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo", "--upstreams", "repositoryName=ruby-store")
	u := newArcaUser(t, s)
	gems := filepath.Join(u.Home, "gems")
	u.env = append(u.env, "GEM_HOME="+gems, "GEM_PATH="+gems, "BUNDLE_DISABLE_VERSION_CHECK=true", "BUNDLE_PATH="+filepath.Join(u.Home, "vendor"))
	u.arcaOK(t, loginArgs(s, "bundler")...)

	app := u.dir(t, "app")
	os.WriteFile(filepath.Join(app, "Gemfile"), []byte("source \""+endpointOf(s, "ruby")+"\"\ngem \"ext-gem\"\n"), 0o644)
	u.ok(t, app, bundle, "install")
	if r := u.ok(t, app, bundle, "exec", "ruby", "-e", `require "ext-gem"; require "ext-dep"; puts $arca_loaded`); strings.TrimSpace(r.Stdout) != "ext-dep 1.0.0" {
		t.Errorf("bundle exec after bundle install through the connection:\n%s", r)
	}
	lock, _ := os.ReadFile(filepath.Join(app, "Gemfile.lock"))
	if !strings.Contains(string(lock), "ext-gem (1.2.0)") || !strings.Contains(string(lock), "ext-dep (~> 1.0)") {
		t.Errorf("Gemfile.lock: the newest version not yanked upstream, with its dependency:\n%s", lock)
	}
	for path, want := range map[string]int64{"/gems/ext-gem-1.2.0.gem": 1, "/gems/ext-dep-1.0.0.gem": 1, "/gems/ext-gem-1.1.0.gem": 0} {
		if n := reg.Requests(path); n != want {
			t.Errorf("%s fetched %d times, want %d", path, n, want)
		}
	}
	for _, repo := range []string{"ruby-store", "my-repo"} {
		d := aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", repo, "--format", "ruby", "--package", "ext-gem", "--package-version", "1.2.0")
		pv := d["packageVersion"].(map[string]any)
		if pv["status"] != "Published" || pv["origin"].(map[string]any)["originType"] != "EXTERNAL" {
			t.Errorf("%s: ext-gem 1.2.0 = %v", repo, pv)
		}
	}

	// A second install reads what is kept, and the indexes agree.
	os.RemoveAll(filepath.Join(u.Home, "vendor"))
	u.ok(t, app, bundle, "install")
	if n := reg.Requests("/gems/ext-gem-1.2.0.gem"); n != 1 {
		t.Errorf("the second install fetched the gem again (%d requests)", n)
	}

	// gem install resolves through the compact index too (the endpoint
	// answers its HEAD): a kept version, and a gem only the registry has.
	u.arcaOK(t, loginArgs(s, "gem")...)
	if r := u.ok(t, u.Home, gem, "install", "--no-document", "ext-gem", "-v", "1.2.0"); !strings.Contains(r.Stdout, "Successfully installed ext-gem-1.2.0") {
		t.Errorf("gem install of a kept version:\n%s", r)
	}
	reg.Publish(upstreamtest.Gem{Name: "ext-solo", Version: "0.5.0", Dependencies: map[string]string{"ext-dep": ">= 1"}})
	if r := u.ok(t, u.Home, gem, "install", "--no-document", "ext-solo"); !strings.Contains(r.Stdout, "Successfully installed ext-solo-0.5.0") {
		t.Errorf("gem install of a gem only the registry has:\n%s", r)
	}
	if n := reg.Requests("/gems/ext-solo-0.5.0.gem"); n != 1 {
		t.Errorf("ext-solo fetched %d times, want 1", n)
	}

	// A gem whose bytes do not match the registry's checksum is refused
	// and not kept.
	reg.Corrupt("ext-gem-1.1.0.gem")
	os.WriteFile(filepath.Join(app, "Gemfile"), []byte("source \""+endpointOf(s, "ruby")+"\"\ngem \"ext-gem\", \"1.1.0\"\n"), 0o644)
	os.Remove(filepath.Join(app, "Gemfile.lock"))
	if r := u.in(t, app, bundle, "install"); r.Code == 0 {
		t.Errorf("bundle install of a corrupt gem succeeded:\n%s", r)
	}
	if r := aws.Raw(t, "describe-package-version", "--domain", "my-domain", "--repository", "ruby-store", "--format", "ruby", "--package", "ext-gem", "--package-version", "1.1.0"); r.Code == 0 {
		t.Errorf("a corrupt gem was kept:\n%s", r)
	}
}
