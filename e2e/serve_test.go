package e2e

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/tlstest"
)

// TestFirstStartGeneratesRootCredentials starts arca with no credentials
// configured: it generates root credentials, prints once how to use them,
// and keeps them (mode 0600) for the next start, which prints nothing of
// the kind and accepts the same credentials.
func TestFirstStartGeneratesRootCredentials(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data") // does not exist yet: arca creates it
	s := start(t, startOpts{Data: data})

	fi, err := os.Stat(filepath.Join(data, "root-credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("root-credentials.json has mode %v, want 0600", fi.Mode().Perm())
	}
	if !regexp.MustCompile(`^[1-9][0-9]{11}$`).MatchString(s.Account) {
		t.Errorf("generated account id %q is not 12 digits", s.Account)
	}
	if len(s.KeyID) < 16 || len(s.Secret) < 16 {
		t.Errorf("generated keys look too short: %q / %q", s.KeyID, s.Secret)
	}
	banner := s.Stderr()
	for _, want := range []string{
		"account " + s.Account,
		filepath.Join(data, "root-credentials.json"),
		"export AWS_ACCESS_KEY_ID=" + s.KeyID + "\n",
		"export AWS_SECRET_ACCESS_KEY=" + s.Secret + "\n",
		"export AWS_DEFAULT_REGION=us-east-1\n",
		"--endpoint-url " + s.URL,
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("first start: stderr lacks %q\nstderr:\n%s", want, banner)
		}
	}
	if n := strings.Count(banner, s.Secret); n != 1 {
		t.Errorf("first start: the secret appears %d times on stderr, want exactly once (in the export line)\n%s", n, banner)
	}

	aws := newCLI(t, s)
	d := obj(t, aws.OK(t, "create-domain", "--domain", "first-start"), "domain")
	want(t, "create-domain with generated credentials", d, "owner", s.Account)
	s.Stop(t)

	// Second start on the same data directory.
	s2 := start(t, startOpts{Data: data})
	if s2.Account != s.Account || s2.KeyID != s.KeyID || s2.Secret != s.Secret {
		t.Errorf("second start changed the kept credentials: %+v, then %+v", s, s2)
	}
	out := s2.Stderr()
	for _, leak := range []string{s.Secret, "export AWS_", "generated root credentials", "shown once"} {
		if strings.Contains(out, leak) {
			t.Errorf("second start: stderr contains %q; the credentials are printed once, on the first start\n%s", leak, out)
		}
	}
	aws2 := newCLI(t, s2) // the same credentials, read from the file
	d = obj(t, aws2.OK(t, "describe-domain", "--domain", "first-start"), "domain")
	want(t, "describe-domain after a restart", d, "owner", s.Account)
}

// TestRootCredentialsFromEnvironment configures the root account through
// ARCA_ACCOUNT_ID, ARCA_ROOT_ACCESS_KEY_ID and ARCA_ROOT_SECRET_ACCESS_KEY:
// those credentials work, another secret does not, nothing is printed and
// no credentials file is written.
func TestRootCredentialsFromEnvironment(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	if _, err := os.Stat(filepath.Join(s.Data, "root-credentials.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("root-credentials.json exists (or stat failed: %v) although the credentials come from the environment", err)
	}
	for _, leak := range []string{testSecret, "export AWS_", "generated root credentials"} {
		if strings.Contains(s.Stderr(), leak) {
			t.Errorf("stderr contains %q\n%s", leak, s.Stderr())
		}
	}
	aws := newCLI(t, s)
	d := obj(t, aws.OK(t, "create-domain", "--domain", "env-creds"), "domain")
	want(t, "create-domain", d, "owner", testAccount)
	want(t, "create-domain", d, "arn", "arn:aws:codeartifact:us-east-1:"+testAccount+":domain/env-creds")

	before := snapshot(t, s)
	bad := &server{URL: s.URL, KeyID: s.KeyID, Secret: "not-the-secret-access-key-at-all-000000"}
	expectCLIError(t, newCLI(t, bad).Run(t, "delete-domain", "--domain", "env-creds"), "InvalidSignatureException", "DeleteDomain")
	unchanged(t, s, before, "delete-domain with a wrong secret")
}

// TestConfigFromEnvironment configures everything through ARCA_*
// variables: listen address, data directory, region (in ARNs), public URL
// (in repository endpoints) and external connections.
func TestConfigFromEnvironment(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	data := t.TempDir()
	s := start(t, startOpts{
		NoListenFlag: true,
		NoDataFlag:   true,
		Addr:         addr,
		Data:         data,
		RootFromEnv:  true,
		Env: []string{
			"ARCA_LISTEN=" + addr,
			"ARCA_DATA=" + data,
			"ARCA_REGION=eu-west-1",
			"ARCA_PUBLIC_URL=http://arca.example.test:9999/base/",
			"ARCA_EXTERNAL_CONNECTIONS=public:npmjs=http://npm.internal.test:4873, public:pypi=http://pypi.internal.test/simple",
			"ARCA_ACCOUNT_ID=" + testAccount,
			"ARCA_ROOT_ACCESS_KEY_ID=" + testKeyID,
			"ARCA_ROOT_SECRET_ACCESS_KEY=" + testSecret,
		},
	})
	if _, err := os.Stat(filepath.Join(data, "arca.db")); err != nil {
		t.Errorf("ARCA_DATA: %v", err)
	}
	if !strings.Contains(s.Stderr(), "external_connections=public:npmjs,public:pypi") {
		t.Errorf("the serving log line does not list the connections of ARCA_EXTERNAL_CONNECTIONS\n%s", s.Stderr())
	}
	aws := newCLI(t, s)
	d := obj(t, aws.OK(t, "create-domain", "--domain", "env-config"), "domain")
	want(t, "ARCA_REGION", d, "arn", "arn:aws:codeartifact:eu-west-1:"+testAccount+":domain/env-config")
	want(t, "ARCA_REGION", d, "encryptionKey", "arn:aws:kms:eu-west-1:"+testAccount+":alias/aws/codeartifact")
	r := obj(t, aws.OK(t, "create-repository", "--domain", "env-config", "--repository", "repo"), "repository")
	want(t, "ARCA_REGION", r, "arn", "arn:aws:codeartifact:eu-west-1:"+testAccount+":repository/env-config/repo")
	ep := aws.OK(t, "get-repository-endpoint", "--domain", "env-config", "--repository", "repo", "--format", "npm")
	want(t, "ARCA_PUBLIC_URL", ep, "repositoryEndpoint", "http://arca.example.test:9999/base/env-config-"+testAccount+"/npm/repo/")
}

// TestFlagsWinOverEnvironment sets every ARCA_* variable and the flags
// too: the flags win.
func TestFlagsWinOverEnvironment(t *testing.T) {
	t.Parallel()
	envAddr, flagAddr := freeAddr(t), freeAddr(t)
	s := start(t, startOpts{
		Addr:        flagAddr,
		RootFromEnv: true,
		Args: []string{
			"--region", "ap-southeast-2",
			"--public-url", "http://flag.example.test:7000",
			"--external-connection", "public:maven-central=http://maven.internal.test/maven2",
		},
		Env: []string{
			"ARCA_LISTEN=" + envAddr,
			"ARCA_REGION=eu-west-1",
			"ARCA_PUBLIC_URL=http://env.example.test:9999",
			"ARCA_EXTERNAL_CONNECTIONS=public:npmjs=http://npm.internal.test:4873",
			"ARCA_ACCOUNT_ID=" + testAccount,
			"ARCA_ROOT_ACCESS_KEY_ID=" + testKeyID,
			"ARCA_ROOT_SECRET_ACCESS_KEY=" + testSecret,
		},
	})
	if c, err := net.DialTimeout("tcp", envAddr, time.Second); err == nil {
		c.Close()
		t.Errorf("something listens on ARCA_LISTEN %s although --listen %s was given", envAddr, flagAddr)
	}
	// --external-connection adds to ARCA_EXTERNAL_CONNECTIONS (the URL of a
	// name given in both comes from the flag).
	if !strings.Contains(s.Stderr(), "external_connections=public:maven-central,public:npmjs") {
		t.Errorf("the serving log line does not list the configured connections\n%s", s.Stderr())
	}
	aws := newCLI(t, s)
	d := obj(t, aws.OK(t, "create-domain", "--domain", "flag-config"), "domain")
	want(t, "--region", d, "arn", "arn:aws:codeartifact:ap-southeast-2:"+testAccount+":domain/flag-config")
	r := obj(t, aws.OK(t, "create-repository", "--domain", "flag-config", "--repository", "repo"), "repository")
	want(t, "--region", r, "arn", "arn:aws:codeartifact:ap-southeast-2:"+testAccount+":repository/flag-config/repo")
	ep := aws.OK(t, "get-repository-endpoint", "--domain", "flag-config", "--repository", "repo", "--format", "pypi")
	want(t, "--public-url", ep, "repositoryEndpoint", "http://flag.example.test:7000/flag-config-"+testAccount+"/pypi/repo/")
}

// TestInvalidConfigurationRefusesToStart: a configuration the server
// cannot run with stops it before it creates or listens on anything, with
// a message naming the problem and a non-zero exit code.
func TestInvalidConfigurationRefusesToStart(t *testing.T) {
	t.Parallel()
	creds := rootEnv()
	files := t.TempDir()
	badConfig := writeFile(t, "arca.toml", "region = \"eu-west-1\"\nexternal-connections = [\"public:npmjs=http://npm.internal.test\"]\n")
	ca := tlstest.NewCA(t, files)
	certFile := filepath.Join(files, "cert.pem")
	ca.Issue(t, 1, certFile, filepath.Join(files, "key.pem"))
	cases := []struct {
		name string
		args []string
		env  []string
		want []string // substrings of stderr
	}{
		{
			name: "unknown connection name in a flag",
			args: []string{"--external-connection", "public:bogus=http://registry.internal.test"},
			want: []string{`external connection "public:bogus" is not one of`, "public:npmjs", "public:crates-io"},
		},
		{
			name: "unknown connection name in ARCA_EXTERNAL_CONNECTIONS",
			env:  []string{"ARCA_EXTERNAL_CONNECTIONS=public:npmjs=http://npm.internal.test,npmjs=http://registry.internal.test"},
			want: []string{`external connection "npmjs" is not one of`, "public:npmjs"},
		},
		{
			name: "connection without URL",
			args: []string{"--external-connection", "public:npmjs"},
			want: []string{`external connection "public:npmjs" is not NAME=URL`},
		},
		{
			name: "connection URL that is not http",
			env:  []string{"ARCA_EXTERNAL_CONNECTIONS=public:pypi=ftp://pypi.internal.test"},
			want: []string{"external connection public:pypi", "not an absolute http or https URL"},
		},
		{
			name: "region",
			args: []string{"--region", "mars"},
			want: []string{`region "mars" is not a region name`},
		},
		{
			name: "public URL",
			env:  []string{"ARCA_PUBLIC_URL=arca.example.test"},
			want: []string{"public URL", "not an absolute http or https URL"},
		},
		{
			name: "listen address",
			args: []string{"--listen", "127.0.0.1"},
			want: []string{`listen address "127.0.0.1"`},
		},
		{
			name: "account id",
			env:  []string{"ARCA_ACCOUNT_ID=1234", "ARCA_ROOT_ACCESS_KEY_ID=" + testKeyID, "ARCA_ROOT_SECRET_ACCESS_KEY=" + testSecret},
			want: []string{`account id "1234" is not 12 digits`},
		},
		{
			name: "unknown key in the config file",
			args: []string{"--config", badConfig},
			want: []string{badConfig + `:2: unknown key "external-connections"`, "external-connection, "},
		},
		{
			name: "unknown key in the file ARCA_CONFIG names",
			env:  []string{"ARCA_CONFIG=" + badConfig},
			want: []string{badConfig + `:2: unknown key "external-connections"`},
		},
		{
			name: "missing config file",
			args: []string{"--config", filepath.Join(files, "missing.toml")},
			want: []string{"config file: ", "missing.toml: no such file or directory"},
		},
		{
			name: "TLS certificate without key",
			args: []string{"--tls-cert", certFile},
			want: []string{"set both the TLS certificate and key (--tls-cert and --tls-key), or neither"},
		},
		{
			name: "TLS key that does not match",
			args: []string{"--tls-cert", certFile, "--tls-key", ca.File},
			want: []string{"TLS certificate " + certFile + " and key " + ca.File},
		},
		{
			name: "database that is not PostgreSQL",
			args: []string{"--database", "mysql://arca@db.internal.test/arca"},
			want: []string{"database: want a postgres://USER@HOST:PORT/DB URL"},
		},
		{
			name: "shared database without an explicit master key",
			env:  []string{"ARCA_DATABASE=postgres://arca:hunter2@db.internal.test/arca"},
			want: []string{"with a PostgreSQL database, give the master key explicitly", "ARCA_MASTER_KEY or --master-key-file"},
		},
		{
			name: "shared database without the root account",
			env:  []string{"ARCA_DATABASE=postgres://arca@db.internal.test/arca", "ARCA_MASTER_KEY=MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=", "ARCA_ROOT_ACCESS_KEY_ID="},
			want: []string{"give the root account explicitly", "ARCA_ACCOUNT_ID, ARCA_ROOT_ACCESS_KEY_ID and ARCA_ROOT_SECRET_ACCESS_KEY"},
		},
		{
			name: "access key without secret",
			env:  []string{"ARCA_ACCOUNT_ID=" + testAccount, "ARCA_ROOT_ACCESS_KEY_ID=" + testKeyID},
			want: []string{"set both ARCA_ROOT_ACCESS_KEY_ID and ARCA_ROOT_SECRET_ACCESS_KEY"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			env := tc.env
			if !strings.Contains(strings.Join(env, " "), "ARCA_ROOT_") {
				env = append(append([]string{}, creds...), env...)
			}
			args := append([]string{"--data", data}, tc.args...)
			if !strings.Contains(strings.Join(tc.args, " "), "--listen") {
				args = append(args, "--listen", freeAddr(t))
			}
			code, _, stderr := runArcaExpectExit(t, env, args...)
			if code == 0 {
				t.Fatalf("arca serve %s (env %q) exited 0; want a refusal\nstderr:\n%s", shellQuote(args), env, stderr)
			}
			if !strings.HasPrefix(stderr, "arca: ") {
				t.Errorf("stderr does not start with \"arca: \":\n%s", stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the data directory was created (or stat failed: %v) by a server that refused to start", err)
			}
		})
	}
}

// TestHealthzAndSignals: /healthz answers 200 without credentials once the
// server is ready; SIGTERM and SIGINT on an idle server stop it with exit
// code 0.
func TestHealthzAndSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			resp, err := http.Get(s.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
				t.Errorf("GET /healthz: %d %q, want 200 \"ok\"", resp.StatusCode, body)
			}
			s.stopOnce.Do(func() {
				start := time.Now()
				s.signalAndWait(t, sig)
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("an idle server took %v to stop after %v", d, sig)
				}
			})
			if !strings.Contains(s.Stderr(), `msg="shutting down"`) {
				t.Errorf("no shutdown log line after %v\n%s", sig, s.Stderr())
			}
			if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
				c.Close()
				t.Errorf("%s still accepts connections after exiting", s.Addr)
			}
		})
	}
}

// TestAccountIDWithoutKeys: ARCA_ACCOUNT_ID alone makes the generated
// credentials belong to that account; kept credentials of another account
// are refused rather than silently switched.
func TestAccountIDWithoutKeys(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	s := start(t, startOpts{Data: data, Env: []string{"ARCA_ACCOUNT_ID=444455556666"}})
	if s.Account != "444455556666" {
		t.Errorf("generated credentials belong to account %s, want ARCA_ACCOUNT_ID 444455556666", s.Account)
	}
	if !strings.Contains(s.Stderr(), "export AWS_ACCESS_KEY_ID="+s.KeyID) {
		t.Errorf("no banner for the generated credentials\n%s", s.Stderr())
	}
	out, err := sdk(s).ListDomains(t.Context(), nil)
	if err != nil || len(out.Domains) != 0 {
		t.Errorf("ListDomains with the generated credentials: %+v, %v", out, err)
	}
	s.Stop(t)

	code, _, stderr := runArcaExpectExit(t, []string{"ARCA_ACCOUNT_ID=777788889999"}, "--data", data, "--listen", freeAddr(t))
	if code == 0 || !strings.Contains(stderr, "holds credentials of account 444455556666, not 777788889999") {
		t.Errorf("restart with another ARCA_ACCOUNT_ID: exit code %d, want a refusal naming both accounts\n%s", code, stderr)
	}
}

// TestConfigFile configures the server with a config file named by
// ARCA_CONFIG (listen address, data directory, region, public URL, a list
// of external connections), some keys also set by the environment and by
// flags: the environment wins over the file, the flags over both.
func TestConfigFile(t *testing.T) {
	t.Parallel()
	addr, data := freeAddr(t), t.TempDir()
	file := writeFile(t, "arca.toml", `# arca serve --config
listen = "`+addr+`"
data = '`+data+`'
region = "eu-west-1"                                  # ARCA_REGION overrides it
public-url = "http://file.example.test:7000"          # and --public-url this
external-connection = [
  "public:npmjs=http://npm.internal.test:4873",
  "public:pypi=http://pypi.internal.test/simple/",
]
audit-log-keep = 2
`)
	s := start(t, startOpts{
		NoListenFlag: true,
		NoDataFlag:   true,
		Addr:         addr,
		Data:         data,
		RootFromEnv:  true,
		Args:         []string{"--public-url", "http://flag.example.test:7001"},
		Env:          rootEnv("ARCA_CONFIG="+file, "ARCA_REGION=ap-southeast-2"),
	})
	if _, err := os.Stat(filepath.Join(data, "arca.db")); err != nil {
		t.Errorf("the file's data directory: %v", err)
	}
	if !strings.Contains(s.Stderr(), "external_connections=public:npmjs,public:pypi") {
		t.Errorf("the serving log line does not list the file's connections\n%s", s.Stderr())
	}
	aws := newCLI(t, s)
	d := obj(t, aws.OK(t, "create-domain", "--domain", "file-config"), "domain")
	want(t, "ARCA_REGION over the file's region", d, "arn", "arn:aws:codeartifact:ap-southeast-2:"+testAccount+":domain/file-config")
	aws.OK(t, "create-repository", "--domain", "file-config", "--repository", "repo")
	ep := aws.OK(t, "get-repository-endpoint", "--domain", "file-config", "--repository", "repo", "--format", "npm")
	want(t, "--public-url over the file's public-url", ep, "repositoryEndpoint", "http://flag.example.test:7001/file-config-"+testAccount+"/npm/repo/")
}
