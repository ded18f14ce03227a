package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
)

// loginFiles are the files `aws codeartifact login` writes, relative to HOME.
var loginFiles = []string{".npmrc", filepath.Join(".config", "pip", "pip.conf"), ".pypirc"}

// TestLogin runs `aws codeartifact login --tool npm|pip|twine`, first with
// --dry-run (which prints the configuration and writes nothing), then for
// real, checks the files written, and uses them: npm ping and npm whoami
// with the written ~/.npmrc, and the pip.conf and .pypirc tokens on the
// pypi endpoint.
func TestLogin(t *testing.T) {
	t.Parallel()
	npm := tool(t, "npm")
	s := startServer(t)
	acct := s.Account
	ctx := context.Background()
	if _, err := sdk(s).CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("my-domain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk(s).CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("my-domain"), Repository: aws_("my-repo")}); err != nil {
		t.Fatal(err)
	}
	aws := newCLI(t, s)
	host := strings.TrimPrefix(s.URL, "http://")
	npmEndpoint := s.URL + "/my-domain-" + acct + "/npm/my-repo/"
	pypiEndpoint := s.URL + "/my-domain-" + acct + "/pypi/my-repo/"
	login := func(tool string, extra ...string) result {
		t.Helper()
		args := append([]string{"codeartifact", "login", "--tool", tool, "--domain", "my-domain", "--domain-owner", acct, "--repository", "my-repo"}, extra...)
		r := aws.Raw(t, args...)
		if r.Code != 0 {
			t.Fatalf("login --tool %s failed\n%s", tool, r)
		}
		return r
	}
	const tok = `([A-Za-z0-9_\-.~]{20,})`

	// --- dry runs ---
	r := login("npm", "--dry-run")
	m := regexp.MustCompile(`(?m)^npm config set //` + regexp.QuoteMeta(host+"/my-domain-"+acct+"/npm/my-repo/") + `:_authToken ` + tok + `$`).FindStringSubmatch(r.Stdout)
	if !strings.Contains(r.Stdout, "npm config set registry "+npmEndpoint+"\n") || m == nil {
		t.Fatalf("login --tool npm --dry-run: want `npm config set registry %s` and `npm config set //%s...:_authToken TOKEN`\n%s", npmEndpoint, host, r)
	}
	whoami(t, npmEndpoint, m[1], http.StatusOK) // the printed token is a real one

	r = login("pip", "--dry-run")
	wantPip := regexp.MustCompile(`(?m)^pip config set global\.index-url http://aws:` + tok + `@` + regexp.QuoteMeta(host+"/my-domain-"+acct+"/pypi/my-repo/simple/") + `$`)
	if !wantPip.MatchString(r.Stdout) {
		t.Fatalf("login --tool pip --dry-run: want `pip config set global.index-url http://aws:TOKEN@%s/my-domain-%s/pypi/my-repo/simple/`\n%s", host, acct, r)
	}

	r = login("twine", "--dry-run")
	for _, w := range []string{"[codeartifact]\n", "repository = " + pypiEndpoint + "\n", "username = aws\n", "password = "} {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("login --tool twine --dry-run: output lacks %q\n%s", w, r)
		}
	}
	for _, f := range loginFiles {
		if _, err := os.Stat(filepath.Join(aws.Home, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after the --dry-run logins, ~/%s exists (or stat failed: %v)", f, err)
		}
	}

	// --- real logins ---
	for _, tool := range []string{"npm", "pip", "twine"} {
		r := login(tool)
		endpoint := npmEndpoint
		if tool != "npm" {
			endpoint = pypiEndpoint
		}
		if !strings.Contains(r.Stdout, "Successfully configured "+tool+" to use AWS CodeArtifact repository "+endpoint) ||
			!strings.Contains(r.Stdout, "Login expires in 12 hours at ") {
			t.Errorf("login --tool %s: unexpected output\n%s", tool, r)
		}
	}

	// ~/.npmrc
	npmrc := readFile(t, filepath.Join(aws.Home, ".npmrc"))
	m = regexp.MustCompile(`(?m)^//` + regexp.QuoteMeta(host+"/my-domain-"+acct+"/npm/my-repo/") + `:_authToken=` + tok + `$`).FindStringSubmatch(npmrc)
	if !strings.Contains(npmrc, "registry="+npmEndpoint+"\n") || m == nil {
		t.Fatalf("~/.npmrc: want registry=%s and //%s/...:_authToken=TOKEN\n%s", npmEndpoint, host, npmrc)
	}
	npmToken := m[1]

	// $HOME/.config/pip/pip.conf
	pipConf := readFile(t, filepath.Join(aws.Home, ".config", "pip", "pip.conf"))
	m = regexp.MustCompile(`(?m)^index-url = (http://aws:` + tok + `@` + regexp.QuoteMeta(host+"/my-domain-"+acct+"/pypi/my-repo/simple/") + `)$`).FindStringSubmatch(pipConf)
	if !strings.HasPrefix(pipConf, "[global]\n") || m == nil {
		t.Fatalf("pip.conf: want [global] and index-url = http://aws:TOKEN@%s/my-domain-%s/pypi/my-repo/simple/\n%s", host, acct, pipConf)
	}
	indexURL, pipToken := m[1], m[2]

	// ~/.pypirc, mode 0600
	pypircPath := filepath.Join(aws.Home, ".pypirc")
	pypirc := readFile(t, pypircPath)
	m = regexp.MustCompile(`(?s)\[codeartifact\]\nrepository = ` + regexp.QuoteMeta(pypiEndpoint) + `\nusername = aws\npassword = ` + tok + `\n`).FindStringSubmatch(pypirc)
	if m == nil || !regexp.MustCompile(`(?m)^\tcodeartifact$`).MatchString(pypirc) {
		t.Fatalf("~/.pypirc: want codeartifact in index-servers and a [codeartifact] section for %s\n%s", pypiEndpoint, pypirc)
	}
	twineToken := m[1]
	if fi, err := os.Stat(pypircPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("~/.pypirc mode: %v %v, want 0600", fi.Mode().Perm(), err)
	}

	// Use what was written: npm with that HOME.
	npmEnv := clientEnv(aws.Home)
	ping := runProgram(t, npmEnv, aws.Home, npm, "ping")
	if ping.Code != 0 || !strings.Contains(ping.Stderr+ping.Stdout, "PONG") {
		t.Errorf("npm ping with the ~/.npmrc login wrote failed\n%s", ping)
	}
	who := runProgram(t, npmEnv, aws.Home, npm, "whoami")
	if who.Code != 0 || strings.TrimSpace(who.Stdout) != "aws" {
		t.Errorf("npm whoami: want \"aws\"\n%s", who)
	}
	whoami(t, npmEndpoint, npmToken, http.StatusOK)

	// The pip.conf index URL as pip uses it (credentials in the URL, sent
	// as Basic): the project list of the simple API.
	if code := get(t, indexURL, ""); code != http.StatusOK {
		t.Errorf("GET pip.conf's index-url with its token: %d, want 200", code)
	}
	u, _ := url.Parse(indexURL)
	u.User = nil
	for _, tc := range []struct {
		what, auth string
		want       int
	}{
		{"no credentials", "", http.StatusUnauthorized},
		{"a wrong token", basic("aws:" + tamper(pipToken)), http.StatusUnauthorized},
		{"the .pypirc token", basic("aws:" + twineToken), http.StatusOK},
		{"the pip.conf token as Bearer", "Bearer " + pipToken, http.StatusOK},
	} {
		if code := get(t, u.String(), tc.auth); code != tc.want {
			t.Errorf("GET %s with %s: %d, want %d", u, tc.what, code, tc.want)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func basic(userPass string) string {
	return "Basic " + b64(userPass)
}

// get returns the status of GET url with an Authorization header (none
// when auth is empty; credentials in the URL are sent as Basic by net/http).
func get(t *testing.T, rawURL, auth string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("GET %s: 401 without WWW-Authenticate", rawURL)
	}
	return resp.StatusCode
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// tamper changes a character in the middle of a token.
func tamper(tok string) string {
	i := len(tok) / 2
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}
