package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/arcahq/arca/internal/audit/audittest"
)

// The web console in a real browser: Debian's chromium, driven by
// chromedp over the DevTools protocol.

// chromium returns the browser's path. Without one the test skips with a
// message, unless ARCA_REQUIRE_CHROMIUM is set (scripts/test.sh sets it),
// when it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ARCA_REQUIRE_CHROMIUM") != "" {
		t.Fatalf("chromium is not installed and ARCA_REQUIRE_CHROMIUM is set: %s", installHint)
	}
	t.Skip("chromium is not installed: the console's browser test is skipped (apt-get install chromium, or scripts/install-test-deps.sh; ARCA_REQUIRE_CHROMIUM=1 makes this a failure)")
	return ""
}

// newBrowser starts a headless chromium for the test and returns its
// context. Every action in the test runs under the deadline of ctx.
func newBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // the tests run as root in a container
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	b, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	return b
}

// run runs browser actions, failing the test with what was being done.
func run(t *testing.T, b context.Context, doing string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b, actions...); err != nil {
		t.Fatalf("%s: %v", doing, err)
	}
}

// read runs an action that returns a value (the text of an element, the
// value of an expression).
func read[T any](t *testing.T, b context.Context, doing string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b, a)
	if err != nil {
		t.Fatalf("%s: %v", doing, err)
	}
	return v
}

// screenshot saves the page as docs/console/NAME.png when
// ARCA_CONSOLE_SCREENSHOTS names the directory to write to.
func screenshot(t *testing.T, b context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ARCA_CONSOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := read(t, b, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The readme of the package the browser reads: Markdown, and markup that
// would set window.arcaPwned if any of it ran.
const hostileReadme = `# console-demo

A package published with npm, for the console's browser test.

<script>window.arcaPwned = "script";</script>
<img src="x" onerror="window.arcaPwned = 'onerror'">

- Install it with ` + "`npm install console-demo`" + `
- <a href="javascript:window.arcaPwned='link'">a link</a>

` + "```js\nrequire('console-demo');\n```\n"

// TestConsoleChromium: an IAM user whose password must be reset signs in
// to the console in chromium, chooses a new password, browses from the
// domains to a package published with the real npm, reads its readme
// (whose script tag and event handler do not run: window.arcaPwned stays
// undefined), and archives a version from the page, which the aws CLI then
// sees. Signed out and back in as a user without permissions, the browser
// shows a clear refusal.
func TestConsoleChromium(t *testing.T) {
	t.Parallel()
	chromium(t)
	logPath := filepath.Join(t.TempDir(), "audit.log")
	s := startServer(t, "--audit-log", logPath)
	aws := newCLI(t, s)
	step := steps(t)
	const domain, repo = "web", "my-repo"
	// The webhook of the domain's events: it acknowledges everything.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)

	step("a repository with an upstream and a package published with npm", func(t *testing.T) {
		aws.OK(t, "create-domain", "--domain", domain)
		aws.OK(t, "create-repository", "--domain", domain, "--repository", "npm-store")
		aws.OK(t, "associate-external-connection", "--domain", domain, "--repository", "npm-store", "--external-connection", "public:npmjs")
		aws.OK(t, "create-repository", "--domain", domain, "--repository", repo, "--upstreams", "repositoryName=npm-store")
		aws.OK(t, "create-package-group", "--domain", domain, "--package-group", "/npm/*", "--description", "every npm package")
		aws.OK(t, "update-package-group-origin-configuration", "--domain", domain, "--package-group", "/npm/*", "--restrictions", "EXTERNAL_UPSTREAM=BLOCK")
		arca := newArcaUser(t, s)
		arca.arcaOK(t, "gate", "set", "--endpoint-url", s.URL, "--domain", domain, "--package-group", "/npm/*", "--min-age", "3d")
		arca.arcaOK(t, "events", "subscribe", "--endpoint-url", s.URL, "--domain", domain, "--url", hook.URL+"/arca-events",
			"--secret", "console-test-hook-secret", "--name", "ci", "--pattern", `{"detail": {"packageFormat": ["npm"]}}`)
		u := npmLogin(t, s, domain, repo)
		for _, v := range []string{"1.0.0", "1.1.0"} {
			u.PublishOK(t, pkgSpec{Name: "console-demo", Version: v, Mark: repo, Readme: hostileReadme, Deps: map[string]string{"left-pad": "^1.3.0"}})
		}
	})

	step("IAM users with passwords", func(t *testing.T) {
		aws.iam(t, "create-user", "--user-name", "dev")
		aws.iam(t, "create-login-profile", "--user-name", "dev", "--password", "Initial-Passw0rd", "--password-reset-required")
		aws.iam(t, "put-user-policy", "--user-name", "dev", "--policy-name", "console", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["codeartifact:Describe*","codeartifact:List*","codeartifact:Get*",`+
				`"codeartifact:ReadFromRepository","codeartifact:UpdatePackageVersionsStatus","arca:ListHeldVersions","arca:ListReleaseGates"],"Resource":"*"}]}`)
		aws.iam(t, "create-user", "--user-name", "stranger")
		aws.iam(t, "create-login-profile", "--user-name", "stranger", "--password", "Stranger-Passw0rd")
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b := newBrowser(t, ctx)
	console := s.URL + "/console/"
	versionStatus := func(t *testing.T) string {
		out := aws.OK(t, "describe-package-version", "--domain", domain, "--repository", repo, "--format", "npm",
			"--package", "console-demo", "--package-version", "1.0.0")
		return str(t, obj(t, out, "packageVersion"), "status")
	}

	step("sign in and choose a new password", func(t *testing.T) {
		run(t, b, "open the console", chromedp.Navigate(console), chromedp.WaitVisible("#signin-user"))
		screenshot(t, b, "signin")
		run(t, b, "sign in",
			chromedp.SendKeys("#account", s.Account), chromedp.SendKeys("#user", "dev"), chromedp.SendKeys("#password", "Initial-Passw0rd"),
			chromedp.Click("#signin"), chromedp.WaitVisible("#newPassword"))
		if path := read(t, b, "the location", chromedp.Location()); !strings.HasSuffix(path, "/console/password") {
			t.Fatalf("a user whose password must be reset lands on %s", path)
		}
		run(t, b, "change the password",
			chromedp.SendKeys("#oldPassword", "Initial-Passw0rd"), chromedp.SendKeys("#newPassword", "Chosen-Passw0rd"),
			chromedp.SendKeys("#confirmPassword", "Chosen-Passw0rd"), chromedp.Click("#change"), chromedp.WaitVisible("#domains"))
		if who := read(t, b, "who is signed in", chromedp.Text("#who")); !strings.Contains(who, "dev") {
			t.Errorf("signed in as %q", who)
		}
		screenshot(t, b, "domains")
	})

	step("browse to the package and read its readme", func(t *testing.T) {
		run(t, b, "open the domain", chromedp.Click(`//table[@id="domains"]//a[text()="web"]`), chromedp.WaitVisible("#repositories"))
		screenshot(t, b, "domain")
		run(t, b, "open the repository", chromedp.Click(`//table[@id="repositories"]//a[text()="my-repo"]`), chromedp.WaitVisible("#packages"))
		graph := read(t, b, "the upstream graph", chromedp.Text("#upstreams"))
		packages := read(t, b, "the packages", chromedp.Text("#packages"))
		if !strings.Contains(graph, "npm-store") || !strings.Contains(graph, "public:npmjs") {
			t.Errorf("the upstream graph does not show npm-store and its external connection: %q", graph)
		}
		if !strings.Contains(packages, "console-demo") {
			t.Errorf("the package list: %q", packages)
		}
		screenshot(t, b, "repository")
		run(t, b, "filter packages", chromedp.SetValue("#format", "pypi"), chromedp.Click("#apply"), chromedp.WaitVisible(`//p[text()="No packages."]`))
		if !read(t, b, "the filtered list", chromedp.Evaluate[bool](`document.querySelector("#packages") === null`)) {
			t.Errorf("filtering by pypi still lists the npm package")
		}
		run(t, b, "filter by prefix", chromedp.SetValue("#format", "npm"), chromedp.SendKeys("#prefix", "console"), chromedp.Click("#apply"),
			chromedp.WaitVisible("#packages"), chromedp.Click(`//table[@id="packages"]//a[text()="console-demo"]`), chromedp.WaitVisible("#versions"))
		versions := read(t, b, "the versions", chromedp.Text("#versions"))
		if !strings.Contains(versions, "1.0.0") || !strings.Contains(versions, "Published") {
			t.Errorf("the versions: %q", versions)
		}
		screenshot(t, b, "package")
		run(t, b, "open the version", chromedp.Click(`//table[@id="versions"]//a[text()="1.0.0"]`), chromedp.WaitVisible("#readme"))
		readme := read(t, b, "the readme", chromedp.Text("#readme"))
		deps := read(t, b, "the dependencies", chromedp.Text("#dependencies"))
		pwned := read(t, b, "window.arcaPwned", chromedp.Evaluate[string](`typeof window.arcaPwned`))
		if !strings.Contains(readme, "A package published with npm") || !strings.Contains(readme, "<script>window.arcaPwned") {
			t.Errorf("the readme is not shown as text: %q", readme)
		}
		if pwned != "undefined" {
			t.Fatalf("markup in the readme ran: window.arcaPwned is a %s", pwned)
		}
		if !strings.Contains(deps, "left-pad") {
			t.Errorf("dependencies: %q", deps)
		}
		screenshot(t, b, "version")
	})

	step("archive the version from the page; the CLI sees it", func(t *testing.T) {
		if got := versionStatus(t); got != "Published" {
			t.Fatalf("status before: %s", got)
		}
		run(t, b, "change the status", chromedp.SetValue("#target-status", "Archived"), chromedp.Click("#set-status"), chromedp.WaitVisible("#notice"))
		notice := read(t, b, "the notice", chromedp.Text("#notice"))
		status := read(t, b, "the status", chromedp.Text("#status"))
		if status != "Archived" || !strings.Contains(notice, "Archived") {
			t.Errorf("the page shows status %q, notice %q", status, notice)
		}
		if got := versionStatus(t); got != "Archived" {
			t.Fatalf("aws codeartifact describe-package-version: status %s, want Archived", got)
		}
	})

	step("connection instructions and package groups", func(t *testing.T) {
		run(t, b, "open the instructions", chromedp.Navigate(s.URL+"/console/domains/"+s.Account+"/web/repositories/my-repo/connect?tool=npm"),
			chromedp.WaitVisible("#arca-login"))
		awsLogin := read(t, b, "the aws login command", chromedp.Text("#aws-login"))
		arcaLogin := read(t, b, "the arca login command", chromedp.Text("#arca-login"))
		if !strings.HasPrefix(awsLogin, "aws codeartifact login --tool npm --domain web --domain-owner "+s.Account+" --repository my-repo") ||
			!strings.HasPrefix(arcaLogin, "arca login --tool npm") {
			t.Errorf("instructions: %q, %q", awsLogin, arcaLogin)
		}
		screenshot(t, b, "connect")
		run(t, b, "open the package groups", chromedp.Navigate(s.URL+"/console/domains/"+s.Account+"/web/groups"), chromedp.WaitVisible("#groups"))
		groups := read(t, b, "the package groups", chromedp.Text("#groups"))
		if !strings.Contains(groups, "/npm/*") || !strings.Contains(groups, "EXTERNAL_UPSTREAM: BLOCK") {
			t.Errorf("package groups: %q", groups)
		}
		if gates := read(t, b, "the release-age gates", chromedp.Text("#gates")); !strings.Contains(gates, "/npm/*") || !strings.Contains(gates, "3d") {
			t.Errorf("release-age gates: %q", gates)
		}
		screenshot(t, b, "groups")
	})

	step("a user without permissions sees a refusal", func(t *testing.T) {
		run(t, b, "sign out and in as another user", chromedp.Click("#signout"), chromedp.WaitVisible("#signin-user"),
			chromedp.SendKeys("#account", s.Account), chromedp.SendKeys("#user", "stranger"), chromedp.SendKeys("#password", "Stranger-Passw0rd"),
			chromedp.Click("#signin"), chromedp.WaitVisible("#refusal"))
		refusal := read(t, b, "the refusal", chromedp.Text("#refusal"))
		if !strings.Contains(refusal, "Access denied") || !strings.Contains(refusal, "user/stranger is not authorized to perform: codeartifact:ListDomains") {
			t.Errorf("the refusal: %q", refusal)
		}
		screenshot(t, b, "refusal")
	})

	step("sign-ins and the status change are in the audit log, which the root reads", func(t *testing.T) {
		devARN := "arn:aws:iam::" + s.Account + ":user/dev"
		events := audittest.Wait(t, logPath, func(ev []audittest.Event) bool {
			return len(audittest.Named(ev, "ConsoleLogin")) >= 2 && audittest.Has("UpdatePackageVersionsStatus", "")(ev)
		})
		var logins []string
		for _, e := range audittest.Named(events, "ConsoleLogin") {
			if e["eventSource"] != "signin.amazonaws.com" {
				t.Errorf("ConsoleLogin event source: %s", pretty(e))
			}
			logins = append(logins, fmt.Sprint(e.Field("userIdentity", "arn"), " ", e.Field("responseElements", "ConsoleLogin")))
		}
		if !slices.Contains(logins, devARN+" Success") {
			t.Errorf("the sign-ins logged: %v", logins)
		}
		st := audittest.Named(events, "UpdatePackageVersionsStatus")
		if len(st) != 1 || st[0].Field("userIdentity", "arn") != devARN || st[0].Field("requestParameters", "targetStatus") != "Archived" {
			t.Errorf("the status change's event: %s", pretty(st))
		}
		run(t, b, "sign in as root", chromedp.Click("#signout"), chromedp.WaitVisible("#signin-root"),
			chromedp.SendKeys("#accessKeyId", s.KeyID), chromedp.SendKeys("#secretAccessKey", s.Secret), chromedp.Click("#signin-root-submit"),
			chromedp.WaitVisible("#domains"), chromedp.Navigate(console+"audit"), chromedp.WaitVisible("#audit"))
		if trail := read(t, b, "the audit log", chromedp.Text("#audit")); !strings.Contains(trail, "ConsoleLogin") || !strings.Contains(trail, "UpdatePackageVersionsStatus") {
			t.Errorf("the audit page: %q", trail)
		}
		screenshot(t, b, "audit")
	})

	step("the domain's event subscriptions and their deliveries", func(t *testing.T) {
		run(t, b, "open the subscriptions", chromedp.Navigate(s.URL+"/console/domains/"+s.Account+"/web"), chromedp.Click("#events-link"),
			chromedp.WaitVisible("#subscriptions"))
		screenshot(t, b, "events")
		run(t, b, "open the deliveries", chromedp.Click(`//table[@id="subscriptions"]//a`), chromedp.WaitVisible("#deliveries"))
		// The publishes and the status change, whatever their delivery's progress.
		deliveries := read(t, b, "the deliveries", chromedp.Text("#deliveries"))
		for _, want := range []string{"Created npm console-demo 1.0.0 in my-repo", "Updated npm console-demo 1.0.0 in my-repo (Archived"} {
			if !strings.Contains(deliveries, want) {
				t.Errorf("the deliveries lack %q: %q", want, deliveries)
			}
		}
		screenshot(t, b, "deliveries")
	})
}
