package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// upstreamDomain is the domain of TestUpstreams.
const upstreamDomain = "my-domain"

// createRepo creates a repository of upstreamDomain with the AWS CLI,
// with upstreams in priority order.
func createRepo(t testing.TB, aws *cli, name string, upstreams ...string) {
	t.Helper()
	args := []string{"create-repository", "--domain", upstreamDomain, "--repository", name}
	if len(upstreams) > 0 {
		args = append(args, "--upstreams")
		for _, u := range upstreams {
			args = append(args, "repositoryName="+u)
		}
	}
	r := obj(t, aws.OK(t, args...), "repository")
	if got := len(list(t, r, "upstreams")); got != len(upstreams) {
		t.Fatalf("create-repository %s: %d upstreams, want %d\n%s", name, got, len(upstreams), pretty(r))
	}
}

// repoVersions lists a package's versions in one repository with the AWS
// CLI, as "version:status" in the CLI's order; nil when the repository
// has no such package (ResourceNotFoundException).
func repoVersions(t testing.TB, aws *cli, repo, pkg string) []string {
	t.Helper()
	r := aws.Run(t, "list-package-versions", "--domain", upstreamDomain, "--repository", repo, "--format", "npm", "--package", pkg)
	if r.Code != 0 {
		expectCLIError(t, r, "ResourceNotFoundException", "ListPackageVersions")
		return nil
	}
	return versionList(t, mustJSON(t, r))
}

// sdkVersions is repoVersions through aws-sdk-go-v2.
func sdkVersions(t testing.TB, s *server, repo, pkg string) []string {
	t.Helper()
	out, err := sdk(s).ListPackageVersions(context.Background(), &codeartifact.ListPackageVersionsInput{
		Domain: sdkaws.String(upstreamDomain), Repository: sdkaws.String(repo), Format: types.PackageFormatNpm, Package: sdkaws.String(pkg),
	})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		t.Fatalf("ListPackageVersions %s in %s: %v", pkg, repo, err)
	}
	var vs []string
	for _, v := range out.Versions {
		vs = append(vs, sdkaws.ToString(v.Version)+":"+string(v.Status))
	}
	return vs
}

// wantVersions fails unless repo has exactly these versions of pkg ("" for
// no package at all).
func wantVersions(t testing.TB, aws *cli, repo, pkg string, want ...string) {
	t.Helper()
	if got := repoVersions(t, aws, repo, pkg); !sameList(got, want) {
		t.Errorf("%s in %s: versions %v, want %v", pkg, repo, got, want)
	}
}

// versionOrigin returns describe-package-version's origin of a version,
// as "TYPE repository/connection".
func versionOrigin(t testing.TB, aws *cli, repo, pkg, version string) string {
	t.Helper()
	v := obj(t, aws.OK(t, "describe-package-version", "--domain", upstreamDomain, "--repository", repo, "--format", "npm", "--package", pkg, "--package-version", version), "packageVersion")
	o := obj(t, v, "origin")
	ep, _ := o["domainEntryPoint"].(map[string]any)
	return fmt.Sprintf("%v %v/%v", o["originType"], ep["repositoryName"], ep["externalConnectionName"])
}

// TestUpstreams runs the User Guide's upstream examples ("Working with
// upstream repositories", "npm tag handling") with real npm: repositories
// built with the AWS CLI, versions that say where they were published
// put into specific repositories with npm configured for each, then
// installed through the downstream repository, and the AWS CLI telling
// where versions were retained.
func TestUpstreams(t *testing.T) {
	t.Parallel()
	reg := upstreamtest.NewNPM(t)
	s := startServer(t, "--external-connection", "public:npmjs="+reg.URL)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", upstreamDomain)

	// users holds npm configured for each repository, by login.
	users := map[string]*npmUser{}
	npmFor := func(t *testing.T, repo string) *npmUser {
		t.Helper()
		if users[repo] == nil {
			users[repo] = npmLogin(t, s, upstreamDomain, repo)
		}
		return users[repo]
	}
	publish := func(t *testing.T, name, version string, repos ...string) {
		t.Helper()
		for _, repo := range repos {
			npmFor(t, repo).PublishOK(t, pkgSpec{Name: name, Version: version, Mark: repo})
		}
	}
	from := func(name, version, repo string) pkgSpec { return pkgSpec{Name: name, Version: version, Mark: repo} }

	t.Run("simple priority order", func(t *testing.T) {
		// my-repo's upstreams are upstream-1, upstream-2, upstream-3, in
		// that order. web-lib 1.0.0 is in upstream-2 and upstream-3; 2.0.0
		// only in upstream-3.
		for _, r := range []string{"upstream-1", "upstream-2", "upstream-3"} {
			createRepo(t, aws, r)
		}
		createRepo(t, aws, "my-repo", "upstream-1", "upstream-2", "upstream-3")
		desc := obj(t, aws.OK(t, "describe-repository", "--domain", upstreamDomain, "--repository", "my-repo"), "repository")
		want(t, "describe-repository my-repo", desc, "upstreams", []any{
			map[string]any{"repositoryName": "upstream-1"}, map[string]any{"repositoryName": "upstream-2"}, map[string]any{"repositoryName": "upstream-3"},
		})
		publish(t, "web-lib", "1.0.0", "upstream-3", "upstream-2")
		publish(t, "web-lib", "2.0.0", "upstream-3")
		u := npmFor(t, "my-repo")

		// The search stops at upstream-2, the first that has 1.0.0.
		p := newProject(t)
		u.InstallOK(t, p, "web-lib@1.0.0")
		wantInstalled(t, p, from("web-lib", "1.0.0", "upstream-2"))
		wantVersions(t, aws, "my-repo", "web-lib", "1.0.0:Published")
		wantVersions(t, aws, "upstream-1", "web-lib")
		wantVersions(t, aws, "upstream-2", "web-lib", "1.0.0:Published")
		wantVersions(t, aws, "upstream-3", "web-lib", "2.0.0:Published", "1.0.0:Published")
		if o := versionOrigin(t, aws, "my-repo", "web-lib", "1.0.0"); o != "INTERNAL upstream-2/<nil>" {
			t.Errorf("origin of the retained web-lib 1.0.0 = %s, want INTERNAL from upstream-2", o)
		}
		// The package APIs ignore upstreams.
		aws.Fail(t, "ResourceNotFoundException", "DescribePackageVersion", "describe-package-version", "--domain", upstreamDomain, "--repository", "my-repo",
			"--format", "npm", "--package", "web-lib", "--package-version", "2.0.0")

		// 2.0.0 is only in upstream-3.
		p2 := newProject(t)
		u.InstallOK(t, p2, "web-lib@2.0.0")
		wantInstalled(t, p2, from("web-lib", "2.0.0", "upstream-3"))
		wantVersions(t, aws, "my-repo", "web-lib", "2.0.0:Published", "1.0.0:Published")
		wantVersions(t, aws, "upstream-1", "web-lib")

		// Deleting the version upstream does not affect the retained copy.
		out := aws.OK(t, "delete-package-versions", "--domain", upstreamDomain, "--repository", "upstream-2", "--format", "npm", "--package", "web-lib", "--versions", "1.0.0")
		wantBatch(t, "delete-package-versions in upstream-2", out, []string{"1.0.0:Deleted"}, nil)
		wantVersions(t, aws, "my-repo", "web-lib", "2.0.0:Published", "1.0.0:Published")
		ci := copyProject(t, p)
		if r := u.CI(t, ci); r.Code != 0 {
			t.Fatalf("npm ci of web-lib@1.0.0 after its deletion upstream failed\n%s", r)
		}
		wantInstalled(t, ci, from("web-lib", "1.0.0", "upstream-2"))
		p3 := newProject(t)
		u.InstallOK(t, p3, "web-lib@1.0.0") // my-repo's copy, not upstream-3's
		wantInstalled(t, p3, from("web-lib", "1.0.0", "upstream-2"))
		// Nor does removing the upstreams.
		aws.OK(t, "update-repository", "--domain", upstreamDomain, "--repository", "my-repo", "--upstreams")
		p4 := newProject(t)
		u.InstallOK(t, p4, "web-lib@2.0.0")
		wantInstalled(t, p4, from("web-lib", "2.0.0", "upstream-3"))
		if got := u.Versions(t, "web-lib"); !sameList(got, []string{"1.0.0", "2.0.0"}) {
			t.Errorf("npm view web-lib versions through my-repo without upstreams = %v", got)
		}
	})

	t.Run("complex priority order", func(t *testing.T) {
		// The guide's diagram: my-repo2 has upstreams A and B; A has C and
		// D; D has E. The search order is my-repo2, A, C, D, E, B. Each
		// probe-N 1.0.0 is published to the repositories of one row, and
		// installing it through my-repo2 must give the first of them in
		// that order. (One package per probe: a package published to a
		// repository blocks upstream versions of it there by default, so
		// the probes never share a package name across rows.)
		createRepo(t, aws, "repo-e")
		createRepo(t, aws, "repo-d", "repo-e")
		createRepo(t, aws, "repo-c")
		createRepo(t, aws, "repo-a", "repo-c", "repo-d")
		createRepo(t, aws, "repo-b")
		createRepo(t, aws, "my-repo2", "repo-a", "repo-b")
		// Each row lists its repositories downstream first: a version
		// cannot be published to a repository whose upstreams already have
		// it.
		probes := []struct {
			repos []string
			want  string
		}{
			{[]string{"repo-a", "repo-c", "repo-d", "repo-e", "repo-b"}, "repo-a"},
			{[]string{"repo-c", "repo-d", "repo-e", "repo-b"}, "repo-c"},
			{[]string{"repo-d", "repo-e", "repo-b"}, "repo-d"},
			{[]string{"repo-e", "repo-b"}, "repo-e"},
			{[]string{"repo-b"}, "repo-b"},
		}
		for i, pr := range probes {
			publish(t, fmt.Sprintf("probe-%d", i+1), "1.0.0", pr.repos...)
		}
		u := npmFor(t, "my-repo2")
		p := newProject(t)
		var specs []string
		for i := range probes {
			specs = append(specs, fmt.Sprintf("probe-%d@1.0.0", i+1))
		}
		u.InstallOK(t, p, specs...)
		for i, pr := range probes {
			name := fmt.Sprintf("probe-%d", i+1)
			wantInstalled(t, p, from(name, "1.0.0", pr.want))
			wantVersions(t, aws, "my-repo2", name, "1.0.0:Published")
			// Retained only in the requesting repository: never in an
			// intermediate one (repo-a for probes from repo-c, repo-d and
			// repo-e; repo-d for repo-e's).
			// (Through aws-sdk-go-v2: 25 more CLI runs would cost seconds.)
			for _, r := range []string{"repo-a", "repo-b", "repo-c", "repo-d", "repo-e"} {
				var want []string
				if slices.Contains(pr.repos, r) {
					want = []string{"1.0.0:Published"}
				}
				if got := sdkVersions(t, s, r, name); !sameList(got, want) {
					t.Errorf("%s in %s: versions %v, want %v", name, r, got, want)
				}
			}
		}
	})

	t.Run("retention in intermediate repositories", func(t *testing.T) {
		// chain-a -> chain-b -> chain-c -> chain-d; deep-lib is in chain-d.
		createRepo(t, aws, "chain-d")
		createRepo(t, aws, "chain-c", "chain-d")
		createRepo(t, aws, "chain-b", "chain-c")
		createRepo(t, aws, "chain-a", "chain-b")
		publish(t, "deep-lib", "1.0.0", "chain-d")
		p := newProject(t)
		npmFor(t, "chain-a").InstallOK(t, p, "deep-lib")
		wantInstalled(t, p, from("deep-lib", "1.0.0", "chain-d"))
		wantVersions(t, aws, "chain-a", "deep-lib", "1.0.0:Published")
		wantVersions(t, aws, "chain-b", "deep-lib")
		wantVersions(t, aws, "chain-c", "deep-lib")
		wantVersions(t, aws, "chain-d", "deep-lib", "1.0.0:Published")
	})

	t.Run("retention from an external connection", func(t *testing.T) {
		// ext-a -> ext-b -> ext-c, and ext-c has public:npmjs (the fake
		// registry). The version is retained in ext-a, the requesting
		// repository, and in ext-c, which holds the connection; not in
		// ext-b.
		public := func(version string) pkgSpec { return from("ext-lib", version, "the public registry") }
		for _, v := range []string{"1.0.0", "1.1.0"} {
			reg.Publish("ext-lib", upstreamtest.Version{Version: v, Files: map[string]string{"index.js": "module.exports = " + mustMarshal(public(v).export()) + ";\n"}})
		}
		createRepo(t, aws, "ext-c")
		aws.OK(t, "associate-external-connection", "--domain", upstreamDomain, "--repository", "ext-c", "--external-connection", "public:npmjs")
		createRepo(t, aws, "ext-b", "ext-c")
		createRepo(t, aws, "ext-a", "ext-b")
		u := npmFor(t, "ext-a")
		p := newProject(t)
		u.InstallOK(t, p, "ext-lib@1.0.0")
		wantInstalled(t, p, public("1.0.0"))
		wantVersions(t, aws, "ext-a", "ext-lib", "1.0.0:Published")
		wantVersions(t, aws, "ext-b", "ext-lib")
		wantVersions(t, aws, "ext-c", "ext-lib", "1.0.0:Published")
		if o := versionOrigin(t, aws, "ext-c", "ext-lib", "1.0.0"); o != "EXTERNAL <nil>/public:npmjs" {
			t.Errorf("origin of ext-lib 1.0.0 in ext-c = %s, want EXTERNAL through public:npmjs", o)
		}
		// The public registry changes 1.0.0 (which it never does, but an
		// upstream repository's version may be deleted and published
		// again): what was retained stays.
		reg.Publish("ext-lib", upstreamtest.Version{Version: "1.0.0", Files: map[string]string{"index.js": "module.exports = \"changed\";\n"}})
		p2 := newProject(t)
		u.InstallOK(t, p2, "ext-lib@1.0.0")
		wantInstalled(t, p2, public("1.0.0"))
	})

	t.Run("tags", func(t *testing.T) {
		// The guide's web-helper tables: R has upstream U (repo-r and
		// repo-u: a repository name has at least two characters).
		createRepo(t, aws, "repo-u")
		createRepo(t, aws, "repo-r", "repo-u")
		ru, uu := npmFor(t, "repo-r"), npmFor(t, "repo-u")
		ru.PublishOK(t, from("web-helper", "1.0.0", "repo-r"))
		uu.PublishOK(t, from("web-helper", "1.0.1", "repo-u"), "--tag", "alpha")
		wantTags := func(what string, u *npmUser, want map[string]string) {
			t.Helper()
			got := u.DistTags(t, "web-helper")
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: npm view web-helper dist-tags through %s = %v, want %v", what, u.Repo, got, want)
			}
		}
		// A package published to r blocks upstream versions of it there by
		// default (its origin configuration): r shows only its own.
		pkg := []string{"--domain", upstreamDomain, "--repository", "repo-r", "--format", "npm", "--package", "web-helper"}
		d := obj(t, aws.OK(t, append([]string{"describe-package"}, pkg...)...), "package")
		want(t, "describe-package web-helper in repo-r", d, "originConfiguration", map[string]any{"restrictions": map[string]any{"publish": "ALLOW", "upstream": "BLOCK"}})
		wantTags("upstream blocked", ru, map[string]string{"latest": "1.0.0"})
		aws.OK(t, append([]string{"put-package-origin-configuration"}, append(pkg, "--restrictions", "publish=ALLOW,upstream=ALLOW")...)...)

		// Table 1: latest -> 1.0.0 in r, alpha -> 1.0.1 in u: both.
		wantTags("table 1", ru, map[string]string{"latest": "1.0.0", "alpha": "1.0.1"})
		if got := ru.Versions(t, "web-helper"); !sameList(got, []string{"1.0.0", "1.0.1"}) {
			t.Errorf("npm view web-helper versions through r = %v, want [1.0.0 1.0.1]", got)
		}
		r := ru.NPMOK(t, "", "dist-tag", "ls", "web-helper")
		if r.Stdout != "alpha: 1.0.1\nlatest: 1.0.0\n" {
			t.Errorf("npm dist-tag ls web-helper through r\n%s", r)
		}
		// Table 2: latest in both; u's wins.
		r = uu.NPMOK(t, "", "dist-tag", "add", "web-helper@1.0.1", "latest")
		if strings.Contains(r.Stderr, "latest is already set to version 1.0.1") {
			t.Errorf("npm dist-tag add web-helper@1.0.1 latest in repo-u did nothing: repo-u's dist-tags claim latest: 1.0.1 "+
				"though no latest tag is set there (a fallback for the highest version), so npm sends no PUT and the tag is never stored\n%s", r)
		}
		wantTags("table 2, repo-u", uu, map[string]string{"latest": "1.0.1", "alpha": "1.0.1"})
		wantTags("table 2 (repo-u, the upstream, serves latest: 1.0.1, so it wins)", ru, map[string]string{"latest": "1.0.1", "alpha": "1.0.1"})
		p := newProject(t)
		ru.InstallOK(t, p, "web-helper")
		wantInstalled(t, p, from("web-helper", "1.0.1", "repo-u"))

		// A version reachable upstream cannot be published to r: npm sees
		// it in the document, and the server refuses it when forced.
		before := packageState(t, s, upstreamDomain)
		if r := ru.Publish(t, from("web-helper", "1.0.1", "repo-r"), "--force"); r.Code == 0 || !strings.Contains(r.Stderr, "E409") {
			t.Errorf("npm publish --force of web-helper 1.0.1 to r, which u has: want E409\n%s", r)
		}
		samePackages(t, s, upstreamDomain, before, "publishing a version an upstream has")

		// Tables 3 and 4: 1.0.2 published to r moves r's latest, but u's
		// latest still wins; the new version installs by its number.
		ru.PublishOK(t, from("web-helper", "1.0.2", "repo-r"))
		wantTags("table 4", ru, map[string]string{"latest": "1.0.1", "alpha": "1.0.1"})
		wantTags("table 4, u", uu, map[string]string{"latest": "1.0.1", "alpha": "1.0.1"})
		p = newProject(t)
		ru.InstallOK(t, p, "web-helper")
		wantInstalled(t, p, from("web-helper", "1.0.1", "repo-u"))
		p = newProject(t)
		ru.InstallOK(t, p, "web-helper@1.0.2")
		wantInstalled(t, p, from("web-helper", "1.0.2", "repo-r"))
		// The package APIs see r alone: its own latest tag.
		lv := aws.OK(t, append([]string{"list-package-versions"}, pkg...)...)
		want(t, "list-package-versions web-helper in repo-r", lv, "defaultDisplayVersion", "1.0.2")
	})
}
