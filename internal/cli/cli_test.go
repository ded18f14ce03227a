package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"

	"github.com/arcahq/arca/internal/cli/tools"
	"github.com/arcahq/arca/internal/servertest"
)

// setAWSEnv gives the process (which the AWS SDK reads) the test server's
// root credentials and nothing else of the caller's AWS setup.
func setAWSEnv(t *testing.T, secret string) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":             servertest.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":         secret,
		"AWS_SESSION_TOKEN":             "",
		"AWS_PROFILE":                   "",
		"AWS_DEFAULT_PROFILE":           "",
		"AWS_REGION":                    "",
		"AWS_DEFAULT_REGION":            "",
		"AWS_ENDPOINT_URL":              "",
		"AWS_ENDPOINT_URL_CODEARTIFACT": "",
		"AWS_CONFIG_FILE":               filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":   filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":     "true",
	} {
		t.Setenv(k, v)
	}
}

// testApp returns an App with its own directories and captured output.
func testApp(t *testing.T) (*App, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	home := t.TempDir()
	var out, errb bytes.Buffer
	return &App{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv:     func(string) string { return "" },
		Executable: "/opt/arca/arca",
		Home:       home, ConfigDir: filepath.Join(home, ".config"), CacheDir: filepath.Join(home, ".cache"), Dir: home,
	}, &out, &errb
}

// fixture starts a server with domain my-domain and repository my-repo.
func fixture(t *testing.T) *servertest.Server {
	t.Helper()
	s := servertest.Start(t)
	c := codeartifact.New(codeartifact.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL),
		Credentials: credentials.NewStaticCredentialsProvider(servertest.AccessKeyID, servertest.SecretAccessKey, ""),
	})
	ctx := context.Background()
	if _, err := c.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws.String("my-domain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("my-domain"), Repository: aws.String("my-repo")}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCredentialCachesAndRefreshes(t *testing.T) {
	s := fixture(t)
	setAWSEnv(t, servertest.SecretAccessKey)
	a, out, _ := testApp(t)
	now := time.Now()
	a.Now = func() time.Time { return now }
	f := Flags{Endpoint: s.URL, Domain: "my-domain", Duration: 3600}
	get := func() string {
		t.Helper()
		out.Reset()
		if err := a.Credential(context.Background(), f, "token"); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out.String())
	}
	first := get()
	if first == "" {
		t.Fatal("no token")
	}
	now = now.Add(50 * time.Minute) // 10 minutes left, margin 6: cached
	if got := get(); got != first {
		t.Error("a fresh cached token was not reused")
	}
	now = now.Add(5 * time.Minute) // 5 minutes left: refreshed
	second := get()
	c, _ := a.cache()
	entries, _ := filepath.Glob(filepath.Join(c.Dir, "token-*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache entries %v", entries)
	}
	b, _ := os.ReadFile(entries[0])
	var e struct {
		Token  string
		Issued time.Time
	}
	json.Unmarshal(b, &e)
	if e.Token != second || !e.Issued.Equal(now) {
		t.Errorf("the refreshed token was not cached: %+v (handed out %.10s, first %.10s)", e, second, first)
	}
}

func TestCargoPlugin(t *testing.T) {
	s := fixture(t)
	setAWSEnv(t, servertest.SecretAccessKey)
	for _, tc := range []struct {
		name, req, want string
	}{
		{"get", `{"v":1,"kind":"get","operation":"read","registry":{"index-url":"sparse+http://x/","name":"r"},"args":["credential","--endpoint-url","` + s.URL + `","--domain","my-domain"]}`,
			`"kind":"get"`},
		{"login", `{"v":1,"kind":"login","registry":{"index-url":"sparse+http://x/"},"args":[]}`, `{"Err":{"kind":"operation-not-supported"`},
		{"bad args", `{"v":1,"kind":"get","registry":{"index-url":"x"},"args":["credential","--bogus"]}`, `{"Err":{"kind":"other","message":"arca: credential-provider arguments`},
		{"missing domain", `{"v":1,"kind":"get","registry":{"index-url":"x"},"args":["credential","--endpoint-url","` + s.URL + `","--domain","nope"]}`, `{"Err":{"kind":"other","message":"arca: not found:`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, out, _ := testApp(t)
			a.Stdin = strings.NewReader(tc.req + "\n")
			if code := a.CargoPlugin(context.Background()); code != 0 {
				t.Fatalf("exit code %d", code)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != 2 || lines[0] != `{"v":[1]}` || !strings.Contains(lines[1], tc.want) {
				t.Fatalf("protocol output:\n%s\nwant hello, then a line containing %s", out, tc.want)
			}
			if tc.name == "get" {
				var resp struct {
					Ok struct {
						Token      string
						Cache      string
						Expiration int64
					}
				}
				json.Unmarshal([]byte(lines[1]), &resp)
				if resp.Ok.Token == "" || resp.Ok.Cache != "expires" || time.Until(time.Unix(resp.Ok.Expiration, 0)) < 10*time.Hour {
					t.Errorf("get response: %+v", resp)
				}
			}
		})
	}
	if !IsCargoPlugin([]string{"--cargo-plugin"}) || IsCargoPlugin([]string{"credential", "--cargo-plugin"}) {
		t.Error("IsCargoPlugin")
	}
}

func TestResolvePrecedence(t *testing.T) {
	a, _, _ := testApp(t)
	env := map[string]string{}
	a.Getenv = func(k string) string { return env[k] }
	path, _ := a.profilePath()
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`{"profiles":{"default":{"endpoint":"http://file","domain":"d1","region":"eu-west-1","repository":"r1","repositories":{"cargo":"crates"}},"ci":{"domain":"d2","domainOwner":"222233334444"}}}`), 0o600)

	r, err := a.resolve(Flags{}, false)
	if err != nil || r.Domain != "d1" || r.Region != "eu-west-1" || a.fileEndpoint != "http://file" {
		t.Fatalf("default profile: %+v %v", r, err)
	}
	cargo, _ := tools.Lookup("cargo")
	if repo, _ := r.repositoryFor(Flags{}, cargo, "cargo"); repo != "crates" {
		t.Errorf("cargo repository %q", repo)
	}
	if repo, _ := r.repositoryFor(Flags{Repository: "flag"}, cargo, "cargo"); repo != "flag" {
		t.Errorf("a flag does not win: %q", repo)
	}
	if r, _ := a.resolve(Flags{Domain: "flag-domain"}, false); r.Domain != "flag-domain" {
		t.Errorf("a flag does not win over the profile: %+v", r)
	}
	env["ARCA_PROFILE"] = "ci"
	if r, _ := a.resolve(Flags{}, false); r.Domain != "d2" || r.Owner != "222233334444" || r.name != "ci" {
		t.Errorf("ARCA_PROFILE: %+v", r)
	}
	if r, _ := a.resolve(Flags{Profile: "default"}, false); r.Domain != "d1" {
		t.Errorf("--profile does not win over ARCA_PROFILE: %+v", r)
	}
	if _, err := a.resolve(Flags{Profile: "missing"}, false); err == nil || !strings.Contains(err.Error(), `profile "missing" not found`) {
		t.Errorf("a missing named profile: %v", err)
	}
	if _, err := a.resolve(Flags{Profile: "missing", Domain: "d"}, true); err != nil {
		t.Errorf("login creates a profile: %v", err)
	}
	if _, err := a.resolve(Flags{Duration: 60, Domain: "d"}, false); err == nil {
		t.Error("a 60 second token was accepted")
	}
}

func TestEndpointPrecedence(t *testing.T) {
	setAWSEnv(t, servertest.SecretAccessKey)
	a, _, _ := testApp(t)
	env := map[string]string{}
	a.Getenv = func(k string) string { return env[k] }
	a.fileEndpoint = "http://from-profile"
	ep := func(s Settings) string {
		t.Helper()
		sess, err := a.newSession(context.Background(), s)
		if err != nil {
			return "error: " + err.Error()
		}
		return sess.endpoint
	}
	if got := ep(Settings{Endpoint: "http://flag/"}); got != "http://flag" {
		t.Errorf("flag: %s", got)
	}
	if got := ep(Settings{}); got != "http://from-profile" {
		t.Errorf("profile: %s", got)
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://global")
	env["AWS_ENDPOINT_URL"] = "http://global"
	if got := ep(Settings{}); got != "http://global" {
		t.Errorf("AWS_ENDPOINT_URL: %s", got)
	}
	t.Setenv("AWS_ENDPOINT_URL_CODEARTIFACT", "http://service")
	env["AWS_ENDPOINT_URL_CODEARTIFACT"] = "http://service"
	if got := ep(Settings{}); got != "http://service" {
		t.Errorf("AWS_ENDPOINT_URL_CODEARTIFACT: %s", got)
	}
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_CODEARTIFACT", "")
	env = map[string]string{}
	a.fileEndpoint = ""
	if got := ep(Settings{}); !strings.HasPrefix(got, "error: no Arca endpoint") {
		t.Errorf("none: %s", got)
	}
}

func TestLoginWritesNothingOnError(t *testing.T) {
	s := fixture(t)
	setAWSEnv(t, servertest.SecretAccessKey)
	a, _, _ := testApp(t)
	a.LookPath = func(string) (string, error) { return "/usr/bin/true", nil }
	// An .npmrc the writer cannot... every writer accepts any .npmrc, so
	// use a settings.xml without its root element.
	m2 := filepath.Join(a.Home, ".m2")
	os.MkdirAll(m2, 0o700)
	os.WriteFile(filepath.Join(m2, "settings.xml"), []byte("<notsettings/>\n"), 0o644)
	err := a.Login(context.Background(), Flags{Endpoint: s.URL, Domain: "my-domain", Repository: "my-repo"}, LoginOptions{Tool: "maven"})
	if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("Login: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(m2, "settings.xml")); string(b) != "<notsettings/>\n" {
		t.Errorf("settings.xml changed: %s", b)
	}
	if _, err := os.Stat(filepath.Join(a.ConfigDir, "arca", "config.json")); !os.IsNotExist(err) {
		t.Error("the profile was saved by a failed login")
	}
}

func TestWrongSecret(t *testing.T) {
	s := fixture(t)
	setAWSEnv(t, "wrong-secret-wrong-secret-wrong-secret-00")
	a, _, _ := testApp(t)
	err := a.Credential(context.Background(), Flags{Endpoint: s.URL, Domain: "my-domain"}, "token")
	if err == nil || !strings.HasPrefix(err.Error(), "access denied by "+s.URL+": ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvShells(t *testing.T) {
	for shell, want := range map[string]string{
		"sh":         `export K='it'\''s'`,
		"fish":       `set -gx K 'it\'s';`,
		"powershell": `$env:K = 'it''s'`,
	} {
		if got := shells[shell]("K", "it's"); got != want {
			t.Errorf("%s: %s, want %s", shell, got, want)
		}
	}
}

func TestExpiresIn(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12 * time.Hour:                "12 hours",
		12*time.Hour - 20*time.Second: "12 hours",
		time.Hour + 5*time.Minute:     "1 hour and 5 minutes",
		15 * time.Minute:              "15 minutes",
		time.Minute:                   "1 minute",
		11*time.Hour + 59*time.Minute: "11 hours and 59 minutes",
	} {
		if got := expiresIn(d); got != want {
			t.Errorf("expiresIn(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestWriteDiff(t *testing.T) {
	var b bytes.Buffer
	writeDiff(&b, "a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\nh\n")
	want := "  ...\n    b\n    c\n  - d\n  + D\n    e\n    f\n    g\n  + h\n"
	if b.String() != want {
		t.Errorf("diff:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	writeDiff(&b, "", "x\n")
	if b.String() != "  + x\n" {
		t.Errorf("diff of a new file: %q", b.String())
	}
	if got := redact("a TOK b TOK", "TOK"); got != "a "+RedactedToken+" b "+RedactedToken {
		t.Errorf("redact: %s", got)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"72h": 72 * time.Hour, "3d": 72 * time.Hour, "90m": 90 * time.Minute, "0d": 0} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"soon", "-1h", "-3d", "3w", ""} {
		if _, err := parseAge(in); err == nil {
			t.Errorf("parseAge(%q) accepted", in)
		}
	}
}
