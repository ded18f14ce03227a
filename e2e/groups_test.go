package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestPackageGroupsCLI drives the ten package group operations with the
// AWS CLI (shapes, pagination, errors), then shows their origin controls
// binding real npm and pip: a group blocking EXTERNAL_UPSTREAM makes a
// public package uninstallable through a repository chained to the
// external connection while others still install, ALLOW_SPECIFIC_REPOSITORIES
// on PUBLISH lets one repository publish and refuses another, a look-alike
// name is refused, and INHERIT shows the mode it inherits.
func TestPackageGroupsCLI(t *testing.T) {
	t.Parallel()
	reg := upstreamtest.NewNPM(t)
	idx := upstreamtest.NewPyPI(t)
	s := startServer(t, "--external-connection", "public:npmjs="+reg.URL, "--external-connection", "public:pypi="+idx.IndexURL, "--upstream-timeout", "5s")
	aws := newCLI(t, s)
	step := steps(t)
	d := []string{"--domain", "my-domain"}
	args := func(a ...string) []string { return append(append([]string{}, a...), d...) }
	aws.OK(t, args("create-domain")...)
	for _, r := range []string{"npm-store", "pypi-store", "team", "other"} {
		aws.OK(t, args("create-repository", "--repository", r)...)
	}
	aws.OK(t, args("associate-external-connection", "--repository", "npm-store", "--external-connection", "public:npmjs")...)
	aws.OK(t, args("associate-external-connection", "--repository", "pypi-store", "--external-connection", "public:pypi")...)
	aws.OK(t, args("create-repository", "--repository", "my-repo", "--upstreams", "repositoryName=npm-store", "repositoryName=pypi-store")...)

	step("the ten operations", func(t *testing.T) {
		root := obj(t, aws.OK(t, args("describe-package-group", "--package-group", "/*")...), "packageGroup")
		want(t, "root group", root, "arn", "arn:aws:codeartifact:us-east-1:"+s.Account+":package-group/my-domain/%2a")
		onlyKeys(t, "root group", root, "arn", "pattern", "domainName", "domainOwner", "createdTime", "originConfiguration")

		g := obj(t, aws.OK(t, args("create-package-group", "--package-group", "/npm/acme/*", "--contact-info", "acme-team@example.com",
			"--description", "Acme's npm scope", "--tags", "key=team,value=web")...), "packageGroup")
		hasKeys(t, "created group", g, "arn", "pattern", "domainName", "domainOwner", "createdTime", "contactInfo", "description", "originConfiguration", "parent")
		want(t, "created group", obj(t, g, "parent"), "pattern", "/*")
		for _, p := range []string{"/npm/acme/ui~", "/npm/blocked/*", "/npm//left-pad$", "/pypi//blocked-lib$", "/maven/com.acme~"} {
			aws.OK(t, args("create-package-group", "--package-group", p)...)
		}
		msg := aws.Fail(t, "ConflictException", "CreatePackageGroup", args("create-package-group", "--package-group", "/npm/acme/*")...)
		if !strings.Contains(msg, "/npm/acme/*") {
			t.Errorf("conflict message %q", msg)
		}
		for bad, why := range map[string]string{"/npm/acme/x-~": "word character", "/pypi//Blocked_Lib$": "normal form", "/maven//x$": "namespace"} {
			if msg := aws.Fail(t, "ValidationException", "CreatePackageGroup", args("create-package-group", "--package-group", bad)...); !strings.Contains(msg, why) {
				t.Errorf("create %s: %q does not say %q", bad, msg, why)
			}
		}
		aws.Fail(t, "ResourceNotFoundException", "DescribePackageGroup", args("describe-package-group", "--package-group", "/npm/nope/*")...)
		aws.Fail(t, "ValidationException", "DeletePackageGroup", args("delete-package-group", "--package-group", "/*")...)

		// Pagination: --max-items 2 stops with a NextToken, --starting-token goes on.
		p1 := aws.OK(t, args("list-package-groups", "--max-items", "2")...)
		tok, _ := p1["NextToken"].(string)
		if len(list(t, p1, "packageGroups")) != 2 || tok == "" {
			t.Fatalf("first page: %s", pretty(p1))
		}
		all := aws.OK(t, args("list-package-groups", "--page-size", "2")...)
		var patterns []string
		for _, x := range list(t, all, "packageGroups") {
			patterns = append(patterns, x.(map[string]any)["pattern"].(string))
		}
		if strings.Join(patterns, " ") != "/* /maven/com.acme~ /npm//left-pad$ /npm/acme/* /npm/acme/ui~ /npm/blocked/* /pypi//blocked-lib$" {
			t.Errorf("list-package-groups --page-size 2: %v", patterns)
		}
		sub := aws.OK(t, args("list-sub-package-groups", "--package-group", "/npm/acme/*")...)
		if l := list(t, sub, "packageGroups"); len(l) != 1 || l[0].(map[string]any)["pattern"] != "/npm/acme/ui~" {
			t.Errorf("list-sub-package-groups: %s", pretty(sub))
		}
		up := obj(t, aws.OK(t, args("update-package-group", "--package-group", "/npm/acme/*", "--description", "Acme, updated")...), "packageGroup")
		want(t, "updated group", up, "description", "Acme, updated")
		want(t, "updated group", up, "contactInfo", "acme-team@example.com")

		oc := aws.OK(t, args("update-package-group-origin-configuration", "--package-group", "/npm/acme/*",
			"--restrictions", "PUBLISH=ALLOW_SPECIFIC_REPOSITORIES",
			"--add-allowed-repositories", "originRestrictionType=PUBLISH,repositoryName=team")...)
		if got := pretty(obj(t, oc, "allowedRepositoryUpdates")); !strings.Contains(got, `"ADDED"`) || !strings.Contains(got, `"team"`) {
			t.Errorf("allowedRepositoryUpdates: %s", got)
		}
		aws.Fail(t, "ResourceNotFoundException", "UpdatePackageGroupOriginConfiguration", args("update-package-group-origin-configuration",
			"--package-group", "/npm/acme/*", "--add-allowed-repositories", "originRestrictionType=PUBLISH,repositoryName=nope")...)
		aws.Fail(t, "ValidationException", "UpdatePackageGroupOriginConfiguration", args("update-package-group-origin-configuration",
			"--package-group", "/npm/acme/*", "--restrictions", "PUBLISH=SOMETIMES")...)
		for p, r := range map[string]string{"/npm/blocked/*": "EXTERNAL_UPSTREAM=BLOCK", "/pypi//blocked-lib$": "EXTERNAL_UPSTREAM=BLOCK"} {
			aws.OK(t, args("update-package-group-origin-configuration", "--package-group", p, "--restrictions", r)...)
		}
		ar := aws.OK(t, args("list-allowed-repositories-for-group", "--package-group", "/npm/acme/*", "--origin-restriction-type", "PUBLISH")...)
		if l := list(t, ar, "allowedRepositories"); len(l) != 1 || l[0] != "team" {
			t.Errorf("list-allowed-repositories-for-group: %s", pretty(ar))
		}

		// INHERIT shows the inherited mode and where it comes from.
		child := obj(t, obj(t, obj(t, aws.OK(t, args("describe-package-group", "--package-group", "/npm/acme/ui~")...), "packageGroup"), "originConfiguration"), "restrictions")
		pub := obj(t, child, "PUBLISH")
		want(t, "inherited PUBLISH", pub, "mode", "INHERIT")
		want(t, "inherited PUBLISH", pub, "effectiveMode", "ALLOW_SPECIFIC_REPOSITORIES")
		want(t, "inherited PUBLISH", obj(t, pub, "inheritedFrom"), "pattern", "/npm/acme/*")

		as := aws.OK(t, args("get-associated-package-group", "--format", "npm", "--namespace", "acme", "--package", "ui-kit")...)
		want(t, "ui-kit", obj(t, as, "packageGroup"), "pattern", "/npm/acme/ui~")
		want(t, "ui-kit", as, "associationType", "STRONG")
		as = aws.OK(t, args("get-associated-package-group", "--format", "npm", "--package", "left_pad")...)
		want(t, "left_pad", as, "associationType", "WEAK")
		aws.Fail(t, "ValidationException", "GetAssociatedPackageGroup", args("get-associated-package-group", "--format", "maven", "--package", "x")...)

		tags := aws.OK(t, "list-tags-for-resource", "--resource-arn", str(t, g, "arn"))
		if l := list(t, tags, "tags"); len(l) != 1 {
			t.Errorf("tags of the group: %s", pretty(tags))
		}
	})

	npmTeam := npmLogin(t, s, "my-domain", "team")
	npmOther := npmLogin(t, s, "my-domain", "other")
	npmApp := npmLogin(t, s, "my-domain", "my-repo")

	step("npm: EXTERNAL_UPSTREAM blocked for one scope", func(t *testing.T) {
		reg.Publish("@blocked/pkg", upstreamtest.Version{Version: "1.0.0"})
		reg.AddPackage("free-pkg", 1)
		project := newProject(t)
		r := npmApp.Install(t, project, "@blocked/pkg")
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "403") || !strings.Contains(r.Stdout+r.Stderr, "/npm/blocked/*") {
			t.Errorf("npm install @blocked/pkg: want a 403 naming the group\n%s", r)
		}
		if n := reg.Packuments("@blocked/pkg"); n != 0 {
			t.Errorf("the public registry was asked %d times for a blocked package", n)
		}
		// The group blocks taking the scope from outside, not publishing it.
		npmApp.PublishOK(t, pkgSpec{Name: "@blocked/own", Version: "1.0.0", Mark: "my-repo"})
		npmApp.InstallOK(t, project, "@blocked/own")
		if n := reg.Packuments("@blocked/own"); n != 0 {
			t.Errorf("the public registry was asked %d times for a blocked scope", n)
		}
		npmApp.InstallOK(t, project, "free-pkg")
		if got := installedVersion(t, project, "free-pkg"); got == "" {
			t.Error("free-pkg not installed")
		}
		// The association shows in the domain once ingested.
		ap := aws.OK(t, args("list-associated-packages", "--package-group", "/*")...)
		if !strings.Contains(pretty(ap), "free-pkg") {
			t.Errorf("list-associated-packages /*: %s", pretty(ap))
		}
		pv := aws.OK(t, args("list-associated-packages", "--package-group", "/npm//free~", "--preview")...)
		if l := list(t, pv, "packages"); len(l) != 1 {
			t.Errorf("list-associated-packages --preview /npm//free~: %s", pretty(pv))
		}
	})

	step("npm: PUBLISH for specific repositories, and a look-alike name", func(t *testing.T) {
		npmTeam.PublishOK(t, pkgSpec{Name: "@acme/lib", Version: "1.0.0", Mark: "team"})
		r := npmOther.Publish(t, pkgSpec{Name: "@acme/lib", Version: "1.0.0", Mark: "other"})
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "403") || !strings.Contains(r.Stdout+r.Stderr, "/npm/acme/*") {
			t.Errorf("npm publish @acme/lib to other: want a 403 naming the group\n%s", r)
		}
		npmOther.PublishOK(t, pkgSpec{Name: "@other/lib", Version: "1.0.0", Mark: "other"})
		r = npmTeam.Publish(t, pkgSpec{Name: "left_pad", Version: "1.0.0", Mark: "team"})
		if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "/npm//left-pad$") {
			t.Errorf("npm publish left_pad (look-alike of /npm//left-pad$): want a refusal naming the group\n%s", r)
		}
		npmTeam.PublishOK(t, pkgSpec{Name: "left-pad", Version: "1.0.0", Mark: "team"})
	})

	step("pip: EXTERNAL_UPSTREAM blocked for one project", func(t *testing.T) {
		idx.Publish("blocked-lib", upstreamtest.PyPIDist{Version: "1.0"})
		idx.Publish("tiny-lib", upstreamtest.PyPIDist{Version: "1.0"})
		u := newPyUser(t, s)
		u.login(t, "pip", "my-domain", "my-repo")
		venv := u.venv(t, "groups")
		r := u.pip(t, venv, "install", "--no-cache-dir", "--retries", "0", "Blocked_Lib")
		if r.Code == 0 || !strings.Contains(r.Stderr, "No matching distribution found for Blocked_Lib") {
			t.Errorf("pip install Blocked_Lib: want no distribution found\n%s", r)
		}
		// pip reports a 403 on a project page only with -v; the page says why.
		resp, err := http.Get(u.indexURL(t) + "blocked-lib/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "/pypi//blocked-lib$") {
			t.Errorf("GET simple/blocked-lib/: %d %s, want 403 naming the group", resp.StatusCode, body)
		}
		if n := idx.Pages("blocked-lib"); n != 0 {
			t.Errorf("the index was asked %d times for a blocked project", n)
		}
		r = u.pip(t, venv, "install", "--no-cache-dir", "tiny-lib")
		if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed tiny-lib-1.0") {
			t.Errorf("pip install tiny-lib\n%s", r)
		}
	})

	step("boto3", func(t *testing.T) {
		py := python(t)
		script, err := filepath.Abs(filepath.Join("testdata", "boto3_groups.py"))
		if err != nil {
			t.Fatal(err)
		}
		home := t.TempDir()
		env := clientEnv(home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"),
			"AWS_ACCESS_KEY_ID="+s.KeyID, "AWS_SECRET_ACCESS_KEY="+s.Secret, "AWS_EC2_METADATA_DISABLED=true")
		r := runProgram(t, env, home, py, script, s.URL, s.Account)
		var summary struct{ OK bool }
		if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &summary) != nil || !summary.OK {
			t.Fatalf("the boto3 package group scenario failed\n%s", r)
		}
	})
}
