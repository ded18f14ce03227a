package e2e

import (
	"slices"
	"strings"
	"testing"
)

// steps runs the steps of a scenario in order as subtests, stopping at
// the first that fails: each builds on the state the previous ones left.
func steps(t *testing.T) func(name string, f func(t *testing.T)) {
	return func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
}

// domainAssetSize is the domain's assetSizeBytes, through the CLI.
func domainAssetSize(t testing.TB, aws *cli, domain string) float64 {
	t.Helper()
	d := obj(t, aws.OK(t, "describe-domain", "--domain", domain), "domain")
	n, ok := d["assetSizeBytes"].(float64)
	if !ok {
		t.Fatalf("describe-domain: assetSizeBytes is not a number: %s", pretty(d))
	}
	return n
}

// TestNPM is the life of a user's own npm packages: npm configured by
// `aws codeartifact login --tool npm`, then npm publish (unscoped and
// scoped), install, view, dist-tag, deprecate, ping, a refused
// republish; and the AWS CLI promoting, unlisting, archiving, disposing,
// copying and deleting versions, each seen through npm.
func TestNPM(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "promoted")
	u := npmLogin(t, s, "my-domain", "my-repo")
	step := steps(t)

	hello := func(version string) pkgSpec { return pkgSpec{Name: "arca-hello", Version: version, Mark: "my-repo"} }
	util := pkgSpec{Name: "@arca/util", Version: "1.0.0", Mark: "my-repo", Deps: map[string]string{"arca-hello": "^1.0.0"}}
	pkgArgs := func(name string, extra ...string) []string {
		return append([]string{"--domain", "my-domain", "--repository", "my-repo", "--format", "npm", "--package", name}, extra...)
	}
	// A project that installed arca-hello@1.1.0 and @arca/util, kept
	// across the steps.
	project := newProject(t)

	step("ping", func(t *testing.T) {
		r := u.NPMOK(t, "", "ping")
		if !strings.Contains(r.Stdout+r.Stderr, "PONG") {
			t.Fatalf("npm ping: no PONG\n%s", r)
		}
	})

	step("publish", func(t *testing.T) {
		for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
			u.PublishOK(t, hello(v))
		}
		u.PublishOK(t, util)
		if got := u.Versions(t, "arca-hello"); !sameList(got, []string{"1.0.0", "1.1.0", "2.0.0"}) {
			t.Errorf("npm view arca-hello versions = %v, want [1.0.0 1.1.0 2.0.0]", got)
		}
		if got := u.DistTags(t, "arca-hello"); len(got) != 1 || got["latest"] != "2.0.0" {
			t.Errorf("npm view arca-hello dist-tags = %v, want latest: 2.0.0", got)
		}
		if got := u.Versions(t, "@arca/util"); !sameList(got, []string{"1.0.0"}) {
			t.Errorf("npm view @arca/util versions = %v, want [1.0.0]", got)
		}
		tarball, _ := u.View(t, "@arca/util@1.0.0", "dist.tarball").(string)
		if want := u.Endpoint + "@arca/util/-/util-1.0.0.tgz"; tarball != want {
			t.Errorf("npm view @arca/util@1.0.0 dist.tarball = %q, want %q", tarball, want)
		}
		if got, _ := u.View(t, "arca-hello@1.1.0", "description").(string); got != "The arca-hello package, version 1.1.0, from my-repo" {
			t.Errorf("npm view arca-hello@1.1.0 description = %q", got)
		}
	})

	step("install", func(t *testing.T) {
		u.InstallOK(t, project, "@arca/util", "arca-hello@1.1.0")
		wantInstalled(t, project, util)
		wantInstalled(t, project, hello("1.1.0"))
		if got := lockResolved(t, project, "arca-hello"); got != u.Endpoint+"arca-hello/-/arca-hello-1.1.0.tgz" {
			t.Errorf("package-lock.json resolves arca-hello to %q, want this repository's tarball URL", got)
		}
		// The latest version, in another project.
		p2 := newProject(t)
		u.InstallOK(t, p2, "arca-hello")
		wantInstalled(t, p2, hello("2.0.0"))
	})

	step("dist-tag", func(t *testing.T) {
		r := u.NPMOK(t, "", "dist-tag", "add", "arca-hello@1.1.0", "beta")
		if !strings.Contains(r.Stdout, "+beta: arca-hello@1.1.0") {
			t.Errorf("npm dist-tag add: unexpected output\n%s", r)
		}
		r = u.NPMOK(t, "", "dist-tag", "ls", "arca-hello")
		if r.Stdout != "beta: 1.1.0\nlatest: 2.0.0\n" {
			t.Errorf("npm dist-tag ls: want beta: 1.1.0 and latest: 2.0.0\n%s", r)
		}
		p := newProject(t)
		u.InstallOK(t, p, "arca-hello@beta")
		wantInstalled(t, p, hello("1.1.0"))
		r = u.NPMOK(t, "", "dist-tag", "rm", "arca-hello", "beta")
		if !strings.Contains(r.Stdout, "-beta: arca-hello@1.1.0") {
			t.Errorf("npm dist-tag rm: unexpected output\n%s", r)
		}
		if got := u.DistTags(t, "arca-hello"); len(got) != 1 || got["latest"] != "2.0.0" {
			t.Errorf("after npm dist-tag rm, dist-tags = %v, want latest: 2.0.0 only", got)
		}
		// The latest tag selects defaultDisplayVersion.
		u.NPMOK(t, "", "dist-tag", "add", "arca-hello@1.1.0", "latest")
		want(t, "list-package-versions after dist-tag add latest", aws.OK(t, append([]string{"list-package-versions"}, pkgArgs("arca-hello")...)...), "defaultDisplayVersion", "1.1.0")
		u.NPMOK(t, "", "dist-tag", "add", "arca-hello@2.0.0", "latest")
		want(t, "list-package-versions after dist-tag add latest", aws.OK(t, append([]string{"list-package-versions"}, pkgArgs("arca-hello")...)...), "defaultDisplayVersion", "2.0.0")
	})

	step("deprecate", func(t *testing.T) {
		u.NPMOK(t, "", "deprecate", "arca-hello@1.0.0", "use 2.0.0")
		if got, _ := u.View(t, "arca-hello@1.0.0", "deprecated").(string); got != "use 2.0.0" {
			t.Errorf("npm view arca-hello@1.0.0 deprecated = %q, want \"use 2.0.0\"", got)
		}
		if got := u.View(t, "arca-hello@2.0.0", "deprecated"); got != nil {
			t.Errorf("npm view arca-hello@2.0.0 deprecated = %v, want nothing", got)
		}
		r := u.InstallOK(t, newProject(t), "arca-hello@1.0.0")
		if !strings.Contains(r.Stderr, "deprecated arca-hello@1.0.0: use 2.0.0") {
			t.Errorf("npm install of a deprecated version does not warn\n%s", r)
		}
		// Undeprecate.
		u.NPMOK(t, "", "deprecate", "arca-hello@1.0.0", "")
		if got := u.View(t, "arca-hello@1.0.0", "deprecated"); got != nil {
			t.Errorf("after npm deprecate with an empty message, deprecated = %v", got)
		}
	})

	step("republish is refused", func(t *testing.T) {
		before := packageState(t, s, "my-domain")
		for _, p := range []pkgSpec{hello("2.0.0"), {Name: "arca-hello", Version: "2.0.0", Mark: "somewhere else"}, util} {
			// npm 11 refuses by itself when the document lists the version...
			r := u.Publish(t, p)
			if r.Code == 0 || !strings.Contains(r.Stderr, "You cannot publish over the previously published versions: "+p.Version) {
				t.Errorf("npm publish of %s@%s again: want npm's refusal\n%s", p.Name, p.Version, r)
			}
			// ... and the server refuses what reaches it.
			r = u.Publish(t, p, "--force")
			if r.Code == 0 || !strings.Contains(r.Stderr, "E409") || !strings.Contains(r.Stderr, "409 Conflict - PUT "+u.Endpoint) {
				t.Errorf("npm publish --force of %s@%s again: want E409 Conflict from the server\n%s", p.Name, p.Version, r)
			}
		}
		samePackages(t, s, "my-domain", before, "a refused republish")
		wantInstalled(t, project, hello("1.1.0"))
	})

	step("unlisted", func(t *testing.T) {
		out := aws.OK(t, append([]string{"update-package-versions-status"}, pkgArgs("arca-hello", "--versions", "1.1.0", "--target-status", "Unlisted")...)...)
		wantBatch(t, "update-package-versions-status Unlisted", out, []string{"1.1.0:Unlisted"}, nil)
		if got := u.Versions(t, "arca-hello"); !sameList(got, []string{"1.0.0", "2.0.0"}) {
			t.Errorf("npm view arca-hello versions with 1.1.0 Unlisted = %v, want [1.0.0 2.0.0]", got)
		}
		// npm resolves versions from the document, which no longer has
		// 1.1.0 ...
		r := u.Install(t, newProject(t), "arca-hello@1.1.0")
		if r.Code == 0 || !strings.Contains(r.Stderr, "ETARGET") {
			t.Errorf("npm install arca-hello@1.1.0 while Unlisted: want ETARGET (the version is not listed)\n%s", r)
		}
		// ... but a project whose lockfile names it installs it (the
		// guide: "it can still be downloaded and installed, for example,
		// when running npm ci").
		p := copyProject(t, project)
		if r := u.CI(t, p); r.Code != 0 {
			t.Fatalf("npm ci of a lockfile naming the Unlisted arca-hello@1.1.0 failed\n%s", r)
		}
		wantInstalled(t, p, hello("1.1.0"))
		// Not in the document, so npm does not refuse it; the server does.
		before := packageState(t, s, "my-domain")
		r = u.Publish(t, hello("1.1.0"), "--tag", "old")
		if r.Code == 0 || !strings.Contains(r.Stderr, "E409") {
			t.Errorf("npm publish of the Unlisted arca-hello@1.1.0: want E409 Conflict\n%s", r)
		}
		samePackages(t, s, "my-domain", before, "publishing an Unlisted version")
		vs := versionList(t, aws.OK(t, append([]string{"list-package-versions"}, pkgArgs("arca-hello", "--status", "Unlisted")...)...))
		if !sameList(vs, []string{"1.1.0:Unlisted"}) {
			t.Errorf("list-package-versions --status Unlisted = %v", vs)
		}
	})

	step("archived", func(t *testing.T) {
		out := aws.OK(t, append([]string{"update-package-versions-status"}, pkgArgs("arca-hello", "--versions", "1.1.0", "--target-status", "Archived")...)...)
		wantBatch(t, "update-package-versions-status Archived", out, []string{"1.1.0:Archived"}, nil)
		if got := u.Versions(t, "arca-hello"); !sameList(got, []string{"1.0.0", "2.0.0"}) {
			t.Errorf("npm view arca-hello versions with 1.1.0 Archived = %v, want [1.0.0 2.0.0]", got)
		}
		p := copyProject(t, project)
		r := u.CI(t, p)
		if r.Code == 0 || !strings.Contains(r.Stderr, "404") {
			t.Fatalf("npm ci of a lockfile naming the Archived arca-hello@1.1.0: want a 404 for its tarball\n%s", r)
		}
		// Back to Published: installable again.
		out = aws.OK(t, append([]string{"update-package-versions-status"}, pkgArgs("arca-hello", "--versions", "1.1.0", "--target-status", "Published", "--expected-status", "Archived")...)...)
		wantBatch(t, "update-package-versions-status Published", out, []string{"1.1.0:Published"}, nil)
		if got := u.Versions(t, "arca-hello"); !sameList(got, []string{"1.0.0", "1.1.0", "2.0.0"}) {
			t.Errorf("npm view arca-hello versions with 1.1.0 Published again = %v", got)
		}
		if r := u.CI(t, copyProject(t, project)); r.Code != 0 {
			t.Fatalf("npm ci with arca-hello@1.1.0 Published again failed\n%s", r)
		}
	})

	step("disposed", func(t *testing.T) {
		assets := aws.OK(t, append([]string{"list-package-version-assets"}, pkgArgs("arca-hello", "--package-version", "1.0.0")...)...)
		size := list(t, assets, "assets")[0].(map[string]any)["size"].(float64)
		lockProject := newProject(t)
		u.InstallOK(t, lockProject, "arca-hello@1.0.0")
		before := domainAssetSize(t, aws, "my-domain")

		out := aws.OK(t, append([]string{"dispose-package-versions"}, pkgArgs("arca-hello", "--versions", "1.0.0")...)...)
		wantBatch(t, "dispose-package-versions", out, []string{"1.0.0:Disposed"}, nil)
		if after := domainAssetSize(t, aws, "my-domain"); after != before-size {
			t.Errorf("assetSizeBytes after disposing arca-hello@1.0.0 (%v bytes) = %v, want %v - %v", size, after, before, size)
		}
		if got := u.Versions(t, "arca-hello"); !sameList(got, []string{"1.1.0", "2.0.0"}) {
			t.Errorf("npm view arca-hello versions with 1.0.0 Disposed = %v, want [1.1.0 2.0.0]", got)
		}
		if r := u.CI(t, copyProject(t, lockProject)); r.Code == 0 || !strings.Contains(r.Stderr, "404") {
			t.Fatalf("npm ci of a lockfile naming the Disposed arca-hello@1.0.0: want a 404\n%s", r)
		}
		vs := versionList(t, aws.OK(t, append([]string{"list-package-versions"}, pkgArgs("arca-hello")...)...))
		if !slices.Contains(vs, "1.0.0:Disposed") {
			t.Errorf("list-package-versions: %v, want 1.0.0:Disposed", vs)
		}
	})

	step("copy", func(t *testing.T) {
		// The guide's S and D: D's latest points at its own 0.9.0, S's at
		// 2.0.0; copying 2.0.0 brings latest (and stable) along.
		pu := npmLogin(t, s, "my-domain", "promoted")
		pu.PublishOK(t, pkgSpec{Name: "arca-hello", Version: "0.9.0", Mark: "promoted"})
		u.NPMOK(t, "", "dist-tag", "add", "arca-hello@2.0.0", "stable")
		out := aws.OK(t, "copy-package-versions", "--domain", "my-domain", "--source-repository", "my-repo", "--destination-repository", "promoted",
			"--format", "npm", "--package", "arca-hello", "--versions", "2.0.0")
		wantBatch(t, "copy-package-versions", out, []string{"2.0.0:Published"}, nil)
		if got := pu.DistTags(t, "arca-hello"); len(got) != 2 || got["latest"] != "2.0.0" || got["stable"] != "2.0.0" {
			t.Errorf("npm view arca-hello dist-tags in the destination = %v, want latest and stable: 2.0.0", got)
		}
		if got := pu.Versions(t, "arca-hello"); !sameList(got, []string{"0.9.0", "2.0.0"}) {
			t.Errorf("npm view arca-hello versions in the destination = %v, want [0.9.0 2.0.0]", got)
		}
		p := newProject(t)
		pu.InstallOK(t, p, "arca-hello")
		wantInstalled(t, p, hello("2.0.0"))
		// Copying again is idempotent: 2.0.0, identical in both, is not
		// reported; 1.1.0 is copied.
		out = aws.OK(t, "copy-package-versions", "--domain", "my-domain", "--source-repository", "my-repo", "--destination-repository", "promoted",
			"--format", "npm", "--package", "arca-hello", "--versions", "2.0.0", "1.1.0")
		wantBatch(t, "copy-package-versions again", out, []string{"1.1.0:Published"}, nil)
		if got := pu.DistTags(t, "arca-hello"); len(got) != 2 || got["latest"] != "2.0.0" {
			t.Errorf("npm view arca-hello dist-tags in the destination = %v, want latest: 2.0.0 still", got)
		}
		// A scoped package, with --namespace.
		out = aws.OK(t, "copy-package-versions", "--domain", "my-domain", "--source-repository", "my-repo", "--destination-repository", "promoted",
			"--format", "npm", "--namespace", "arca", "--package", "util", "--versions", "1.0.0")
		wantBatch(t, "copy-package-versions @arca/util", out, []string{"1.0.0:Published"}, nil)
		p = newProject(t)
		pu.InstallOK(t, p, "@arca/util")
		wantInstalled(t, p, util)
		wantInstalled(t, p, hello("1.1.0")) // its dependency, ^1.0.0
	})

	step("delete and republish", func(t *testing.T) {
		out := aws.OK(t, append([]string{"delete-package-versions"}, pkgArgs("arca-hello", "--versions", "2.0.0")...)...)
		wantBatch(t, "delete-package-versions", out, []string{"2.0.0:Deleted"}, nil)
		if got := u.Versions(t, "arca-hello"); !sameList(got, []string{"1.1.0"}) {
			t.Errorf("npm view arca-hello versions after deleting 2.0.0 = %v, want [1.1.0]", got)
		}
		aws.Fail(t, "ResourceNotFoundException", "DescribePackageVersion", append([]string{"describe-package-version"}, pkgArgs("arca-hello", "--package-version", "2.0.0")...)...)
		next := pkgSpec{Name: "arca-hello", Version: "2.0.0", Mark: "my-repo, again"}
		u.PublishOK(t, next)
		p := newProject(t)
		u.InstallOK(t, p, "arca-hello@2.0.0")
		wantInstalled(t, p, next)
		if got := u.DistTags(t, "arca-hello"); got["latest"] != "2.0.0" {
			t.Errorf("after republishing 2.0.0, dist-tags = %v, want latest: 2.0.0", got)
		}
		// The copy in the other repository is its own.
		pu := npmLogin(t, s, "my-domain", "promoted")
		p = newProject(t)
		pu.InstallOK(t, p, "arca-hello@2.0.0")
		wantInstalled(t, p, hello("2.0.0"))
	})
}
