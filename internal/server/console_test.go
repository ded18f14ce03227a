package server_test

// The web console in process, over HTTP as a browser speaks it: sign-in
// (root and IAM user), its CSRF token and throttling, the session cookie's
// flags, the security headers, a refusal by policy, a status change, and
// sign-out.

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
)

// browser is an HTTP client with a cookie jar, as a browser is.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

type page struct {
	status int
	url    string
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Request.URL.Path, resp.Header, string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on %s:\n%s", p.url, p.body)
	}
	return m[1]
}

// signIn signs in with the form's fields and returns the page it lands on.
func (b *browser) signIn(fields ...string) page {
	b.t.Helper()
	form := url.Values{"csrf": {csrfOf(b.t, b.get("/console/signin"))}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return b.post("/console/signin", form)
}

func TestConsole(t *testing.T) {
	s := servertest.Start(t)
	ctx := context.Background()
	ca := s.CodeArtifact()
	servertest.Domain(t, ca, "web")
	servertest.Repository(t, ca, "web", "base", types.PackageFormatNpm)
	servertest.Repository(t, ca, "web", "app", types.PackageFormatNpm, "base")
	iam := &secretsClient{t: t, url: s.URL, secrets: map[string]string{}}
	root := func(params ...string) { iam.iam(servertest.AccessKeyID, servertest.SecretAccessKey, params...) }
	// A webhook for the domain's package version events.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer hook.Close()
	if status, body := iam.send("POST", "/v1/event-subscription?domain=web", "codeartifact", servertest.AccessKeyID, servertest.SecretAccessKey,
		`{"url":"`+hook.URL+`/hook","secret":"hook-secret-0123456789","name":"ci"}`, http.Header{"Content-Type": {"application/json"}}, nil); status != http.StatusOK {
		t.Fatalf("CreateEventSubscription: %d %s", status, body)
	}

	t.Run("sign-in page and headers", func(t *testing.T) {
		b := newBrowser(t, s.URL)
		p := b.get("/console/domains/" + servertest.AccountID + "/web/repositories/app?format=npm&prefix=x")
		if p.url != "/console/signin" || p.status != http.StatusOK {
			t.Fatalf("an anonymous page view lands on %s (%d)", p.url, p.status)
		}
		if !strings.Contains(p.body, `name="next" value="/console/domains/`+servertest.AccountID+`/web/repositories/app?format=npm&amp;prefix=x"`) {
			t.Errorf("the sign-in page does not return to the page asked for:\n%s", p.body)
		}
		csp := p.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
		if p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", p.header)
		}
		if strings.Contains(p.body, "<script") {
			t.Errorf("the page has a script")
		}
	})

	t.Run("root signs in; cookie flags", func(t *testing.T) {
		b := newBrowser(t, s.URL)
		p := b.signIn("kind", "root", "accessKeyId", servertest.AccessKeyID, "secretAccessKey", "not-the-secret")
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "authentication information is incorrect") {
			t.Fatalf("a wrong secret: %d\n%s", p.status, p.body)
		}
		// Without the sign-in form's CSRF token.
		p = b.post("/console/signin", url.Values{"kind": {"root"}, "accessKeyId": {servertest.AccessKeyID}, "secretAccessKey": {servertest.SecretAccessKey}})
		if p.status != http.StatusForbidden {
			t.Fatalf("a sign-in without its CSRF token: %d", p.status)
		}
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/console/signin", strings.NewReader(url.Values{
			"kind": {"root"}, "accessKeyId": {servertest.AccessKeyID}, "secretAccessKey": {servertest.SecretAccessKey},
			"csrf": {csrfOf(t, b.get("/console/signin"))}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := (&http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var cookie string
		for _, c := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "arca_console=") {
				cookie = c
			}
		}
		for _, flag := range []string{"Path=/console/", "HttpOnly", "SameSite=Strict"} {
			if !strings.Contains(cookie, flag) {
				t.Errorf("session cookie %q lacks %s", cookie, flag)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("session cookie %q is Secure over plain HTTP", cookie)
		}
		p = b.get("/console/domains")
		if p.status != http.StatusOK || !strings.Contains(p.body, ">web</a>") {
			t.Fatalf("domains: %d\n%s", p.status, p.body)
		}
		p = b.get("/console/domains/" + servertest.AccountID + "/web/repositories/app")
		if p.status != http.StatusOK || !strings.Contains(p.body, `<a href="/console/domains/`+servertest.AccountID+`/web/repositories/base">base</a>`) {
			t.Fatalf("the repository page does not draw its upstream: %d\n%s", p.status, p.body)
		}
		p = b.get("/console/domains/" + servertest.AccountID + "/web/repositories/app/connect?tool=npm")
		if p.status != http.StatusOK || !strings.Contains(p.body, "aws codeartifact login --tool npm --domain web --domain-owner "+servertest.AccountID+" --repository app") ||
			!strings.Contains(p.body, "arca login --tool npm") || !strings.Contains(p.body, "~/.npmrc") {
			t.Fatalf("connection instructions: %d\n%s", p.status, p.body)
		}
		for tool, wants := range map[string][]string{
			"pip":   {"aws codeartifact login --tool pip", "&lt;token&gt;", "~/.config/pip/pip.conf"},
			"maven": {"${env.CODEARTIFACT_AUTH_TOKEN}", "~/.m2/settings.xml"},
			"cargo": {"arca credential", "arca login --tool cargo"},
		} {
			p := b.get("/console/domains/" + servertest.AccountID + "/web/repositories/app/connect?tool=" + tool)
			for _, w := range wants {
				if p.status != http.StatusOK || !strings.Contains(p.body, w) {
					t.Errorf("connection instructions for %s lack %q: %d\n%s", tool, w, p.status, p.body)
				}
			}
			if tool == "cargo" && strings.Contains(p.body, "aws codeartifact login") {
				t.Errorf("AWS has no login for cargo, the page shows one")
			}
		}
		if p := b.get("/console/domains/" + servertest.AccountID + "/web/repositories/app/connect?tool=ant"); p.status != http.StatusBadRequest {
			t.Errorf("an unknown tool: %d", p.status)
		}
		// Sign out: the form needs the session's token; then the session is gone.
		if p := b.post("/console/signout", url.Values{}); p.status != http.StatusForbidden {
			t.Fatalf("sign-out without the CSRF token: %d", p.status)
		}
		p = b.post("/console/signout", url.Values{"csrf": {csrfOf(t, b.get("/console/domains"))}})
		if p.url != "/console/signin" {
			t.Fatalf("sign-out lands on %s", p.url)
		}
		if p := b.get("/console/domains"); p.url != "/console/signin" {
			t.Fatalf("after sign-out, a page lands on %s", p.url)
		}
	})

	t.Run("a user without permissions sees a refusal", func(t *testing.T) {
		root("Action", "CreateUser", "UserName", "viewer")
		root("Action", "CreateLoginProfile", "UserName", "viewer", "Password", "Vi3wer-password")
		b := newBrowser(t, s.URL)
		p := b.signIn("kind", "user", "account", servertest.AccountID, "user", "viewer", "password", "Vi3wer-password")
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "is not authorized to perform: codeartifact:ListDomains") {
			t.Fatalf("a user without policies: %d\n%s", p.status, p.body)
		}
	})

	t.Run("status change needs the CSRF token and the permission", func(t *testing.T) {
		_, err := ca.PublishPackageVersion(ctx, &codeartifact.PublishPackageVersionInput{Domain: aws.String("web"), Repository: aws.String("app"),
			Format: types.PackageFormatGeneric, Namespace: aws.String("tools"), Package: aws.String("kit"), PackageVersion: aws.String("1.0.0"),
			AssetName: aws.String("kit.txt"), AssetContent: strings.NewReader("kit"), AssetSHA256: aws.String(sha256hex([]byte("kit")))})
		if err != nil {
			t.Fatal(err)
		}
		version := "/console/domains/" + servertest.AccountID + "/web/repositories/app/packages/generic/kit/versions/1.0.0"
		status := func() types.PackageVersionStatus {
			out, err := ca.DescribePackageVersion(ctx, &codeartifact.DescribePackageVersionInput{Domain: aws.String("web"), Repository: aws.String("app"),
				Format: types.PackageFormatGeneric, Namespace: aws.String("tools"), Package: aws.String("kit"), PackageVersion: aws.String("1.0.0")})
			if err != nil {
				t.Fatal(err)
			}
			return out.PackageVersion.Status
		}
		root("Action", "CreateUser", "UserName", "reader")
		root("Action", "CreateLoginProfile", "UserName", "reader", "Password", "R3ader-password")
		root("Action", "AttachUserPolicy", "UserName", "reader", "PolicyArn", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess")
		reader := newBrowser(t, s.URL)
		p := reader.signIn("kind", "user", "account", servertest.AccountID, "user", "reader", "password", "R3ader-password")
		if p.status != http.StatusOK || !strings.Contains(p.body, ">web</a>") {
			t.Fatalf("a read-only user: %d\n%s", p.status, p.body)
		}
		p = reader.get(version + "?namespace=tools")
		if p.status != http.StatusOK || !strings.Contains(p.body, "kit.txt") {
			t.Fatalf("the version page: %d\n%s", p.status, p.body)
		}
		// The asset downloads as an attachment, through the same operation
		// (and permission) as GetPackageVersionAsset.
		dl := reader.get(version + "/assets/kit.txt?namespace=tools")
		if dl.status != http.StatusOK || dl.body != "kit" || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %d %v %q", dl.status, dl.header, dl.body)
		}
		if p := reader.get(version + "/assets/nope.txt?namespace=tools"); p.status != http.StatusNotFound || p.header.Get("Content-Disposition") != "" {
			t.Fatalf("a missing asset: %d %v", p.status, p.header)
		}
		form := url.Values{"status": {"Archived"}, "expectedStatus": {"Published"}}
		if p := reader.post(version+"/status?namespace=tools", form); p.status != http.StatusForbidden || !strings.Contains(p.body, "security token") {
			t.Fatalf("a status change without the CSRF token: %d\n%s", p.status, p.body)
		}
		form.Set("csrf", csrfOf(t, p))
		if p := reader.post(version+"/status?namespace=tools", form); p.status != http.StatusForbidden || !strings.Contains(p.body, "codeartifact:UpdatePackageVersionsStatus") {
			t.Fatalf("a read-only user's status change: %d\n%s", p.status, p.body)
		}
		if got := status(); got != types.PackageVersionStatusPublished {
			t.Fatalf("status %s after refused changes", got)
		}
		// Policies decide the audit log too.
		if p := reader.get("/console/audit"); p.status != http.StatusForbidden || !strings.Contains(p.body, "cloudtrail:LookupEvents") {
			t.Fatalf("the audit log for a read-only user: %d\n%s", p.status, p.body)
		}

		admin := newBrowser(t, s.URL)
		admin.signIn("kind", "root", "accessKeyId", servertest.AccessKeyID, "secretAccessKey", servertest.SecretAccessKey)
		form.Set("csrf", csrfOf(t, admin.get(version+"?namespace=tools")))
		p = admin.post(version+"/status?namespace=tools", form)
		if p.status != http.StatusOK || !strings.Contains(p.body, "The status is now Archived.") {
			t.Fatalf("the root's status change: %d\n%s", p.status, p.body)
		}
		if got := status(); got != types.PackageVersionStatusArchived {
			t.Fatalf("status %s, want Archived", got)
		}
		// The page showed Published: changing again from it conflicts.
		if p := admin.post(version+"/status?namespace=tools", form); p.status != http.StatusConflict {
			t.Fatalf("a change from a stale page: %d\n%s", p.status, p.body)
		}
	})

	t.Run("event subscriptions and their deliveries", func(t *testing.T) {
		b := newBrowser(t, s.URL)
		b.signIn("kind", "root", "accessKeyId", servertest.AccessKeyID, "secretAccessKey", servertest.SecretAccessKey)
		events := "/console/domains/" + servertest.AccountID + "/web/events"
		p := b.get(events)
		m := regexp.MustCompile(`<a href="(` + regexp.QuoteMeta(events) + `/[^"]+)">`).FindStringSubmatch(p.body)
		if p.status != http.StatusOK || !strings.Contains(p.body, "<td>ci</td>") || m == nil {
			t.Fatalf("the subscriptions: %d\n%s", p.status, p.body)
		}
		// The publish and the status change of the subtest above, whatever
		// their delivery's progress.
		p = b.get(m[1])
		for _, want := range []string{"Created generic tools/kit 1.0.0 in app (Published, #1)", "Updated generic tools/kit 1.0.0 in app (Archived, #2)"} {
			if p.status != http.StatusOK || !strings.Contains(p.body, want) {
				t.Fatalf("the deliveries lack %q: %d\n%s", want, p.status, p.body)
			}
		}
		p = b.post(m[1]+"/redrive", url.Values{"csrf": {csrfOf(t, p)}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "0 dead deliveries will be sent again.") {
			t.Fatalf("redrive: %d\n%s", p.status, p.body)
		}
	})

	t.Run("failed sign-ins are throttled", func(t *testing.T) {
		root("Action", "CreateUser", "UserName", "target")
		root("Action", "CreateLoginProfile", "UserName", "target", "Password", "T4rget-password")
		b := newBrowser(t, s.URL)
		for i := 0; i < 5; i++ {
			if p := b.signIn("kind", "user", "account", servertest.AccountID, "user", "target", "password", "guess"); p.status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i, p.status)
			}
		}
		p := b.signIn("kind", "user", "account", servertest.AccountID, "user", "target", "password", "T4rget-password")
		if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many failed sign-in attempts") {
			t.Fatalf("the right password after 5 failures: %d\n%s", p.status, p.body)
		}
	})
}

// A session started through one server is known to another over the same
// store, as replicas over one database are: sessions live in the store.
func TestConsoleSessionAcrossServers(t *testing.T) {
	a := servertest.Start(t)
	b := servertest.Start(t, func(c *config.Config) { c.Data = a.Data })
	browser := newBrowser(t, a.URL)
	if p := browser.signIn("kind", "root", "accessKeyId", servertest.AccessKeyID, "secretAccessKey", servertest.SecretAccessKey); p.url != "/console/domains" {
		t.Fatalf("sign-in through the first server lands on %s (%d)", p.url, p.status)
	}
	u, _ := url.Parse(a.URL + "/console/")
	other, _ := url.Parse(b.URL + "/console/")
	browser.c.Jar.SetCookies(other, browser.c.Jar.Cookies(u))
	browser.base = b.URL
	p := browser.get("/console/domains")
	if p.url != "/console/domains" || p.status != http.StatusOK {
		t.Fatalf("the second server does not know the session: %s (%d)", p.url, p.status)
	}
	// Signing out through the second ends it for the first, even for a
	// browser that kept the cookie.
	kept := browser.c.Jar.Cookies(other)
	browser.post("/console/signout", url.Values{"csrf": {csrfOf(t, p)}})
	browser.base = a.URL
	browser.c.Jar.SetCookies(u, kept)
	if p := browser.get("/console/domains"); p.url != "/console/signin" {
		t.Fatalf("after sign-out through the other server, a page lands on %s", p.url)
	}
}
