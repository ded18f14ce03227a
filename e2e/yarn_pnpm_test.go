package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestYarnAndPNPM drives yarn 1 (Debian's yarnpkg) and pnpm against a
// repository configured by `aws codeartifact login --tool npm`: yarn
// publish and yarn tag add, yarn installing scoped and unscoped packages,
// pnpm publish and pnpm add, and npm installing what they published.
func TestYarnAndPNPM(t *testing.T) {
	t.Parallel()
	needTool(t, "yarnpkg", yarnHint)
	needTool(t, "pnpm", pnpmHint)
	s := startServer(t)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	u := npmLogin(t, s, "my-domain", "my-repo")
	step := steps(t)

	scoped := pkgSpec{Name: "@arca/scoped", Version: "1.0.0", Mark: "npm"}
	unscoped := pkgSpec{Name: "arca-plain", Version: "1.0.0", Mark: "npm"}
	yarned := pkgSpec{Name: "yarn-made", Version: "2.0.0", Mark: "yarn"}
	pnpmed := pkgSpec{Name: "pnpm-made", Version: "3.0.0", Mark: "pnpm", Deps: map[string]string{"@arca/scoped": "^1.0.0"}}

	step("npm publish", func(t *testing.T) {
		u.PublishOK(t, scoped)
		u.PublishOK(t, unscoped)
	})

	step("yarn install scoped", func(t *testing.T) {
		// What login wrote is enough for scoped packages: yarn sends the
		// token with them.
		p := newProject(t)
		r := u.YarnOK(t, p, "add", "@arca/scoped@1.0.0")
		if !strings.Contains(r.Stdout, "@arca/scoped@1.0.0") {
			t.Errorf("yarn add: unexpected output\n%s", r)
		}
		wantInstalled(t, p, scoped)
	})

	// yarn 1 sends no token for GETs of unscoped packages unless .npmrc
	// says always-auth=true, which `aws codeartifact login` cannot write
	// with npm 11 (docs/CLIENTS.md §2, §4.2). A user adds the line by hand:
	// so does the test.
	u.AlwaysAuth(t)

	step("yarn install unscoped", func(t *testing.T) {
		p := newProject(t)
		u.YarnOK(t, p, "add", "arca-plain")
		wantInstalled(t, p, unscoped)
	})

	step("yarn publish and tag", func(t *testing.T) {
		r := u.YarnOK(t, writePkg(t, yarned), "publish", "--new-version", yarned.Version)
		if !strings.Contains(r.Stdout, "Published.") {
			t.Errorf("yarn publish: unexpected output\n%s", r)
		}
		// yarn's tarball URL names yarn's public registry; the document
		// names this server.
		if got, _ := u.View(t, "yarn-made@2.0.0", "dist.tarball").(string); got != u.Endpoint+"yarn-made/-/yarn-made-2.0.0.tgz" {
			t.Errorf("npm view yarn-made dist.tarball = %q, want this repository's URL", got)
		}
		u.YarnOK(t, "", "tag", "add", "yarn-made@2.0.0", "stable")
		if got := u.DistTags(t, "yarn-made"); len(got) != 2 || got["latest"] != "2.0.0" || got["stable"] != "2.0.0" {
			t.Errorf("dist-tags after yarn tag add = %v, want latest and stable: 2.0.0", got)
		}
		r = u.YarnOK(t, "", "tag", "list", "yarn-made")
		if !strings.Contains(r.Stdout, "stable: 2.0.0") {
			t.Errorf("yarn tag list: no stable: 2.0.0\n%s", r)
		}
		p := newProject(t)
		u.InstallOK(t, p, "yarn-made@stable")
		wantInstalled(t, p, yarned)
	})

	step("pnpm publish and add", func(t *testing.T) {
		r := u.PNPMOK(t, writePkg(t, pnpmed), "publish", "--no-git-checks")
		if !strings.Contains(r.Stdout+r.Stderr, "pnpm-made@3.0.0") {
			t.Errorf("pnpm publish: unexpected output\n%s", r)
		}
		p := newProject(t)
		u.PNPMOK(t, p, "add", "pnpm-made", "yarn-made", "arca-plain", "@arca/scoped")
		for _, spec := range []pkgSpec{pnpmed, yarned, unscoped, scoped} {
			wantInstalled(t, p, spec)
		}
		// npm and yarn install what pnpm published, with its dependency.
		p = newProject(t)
		u.InstallOK(t, p, "pnpm-made")
		wantInstalled(t, p, pnpmed)
		wantInstalled(t, p, scoped)
		p = newProject(t)
		u.YarnOK(t, p, "add", "pnpm-made")
		wantInstalled(t, p, pnpmed)
	})

	step("list-packages", func(t *testing.T) {
		var got []string
		for _, x := range list(t, aws.OK(t, "list-packages", "--domain", "my-domain", "--repository", "my-repo"), "packages") {
			p := x.(map[string]any)
			ns, _ := p["namespace"].(string)
			got = append(got, fmt.Sprintf("%v:%s/%v", p["format"], ns, p["package"]))
		}
		sort.Strings(got)
		if want := []string{"npm:/arca-plain", "npm:/pnpm-made", "npm:/yarn-made", "npm:arca/scoped"}; !sameList(got, want) {
			t.Errorf("list-packages = %v, want %v", got, want)
		}
	})
}
