// Package e2e holds Arca's end-to-end tests (tier 4): the real `arca`
// binary, built once per run and started as a subprocess, driven by the
// real clients users type: the AWS CLI v1, boto3 and npm.
//
// The tests need `aws`, python3 with boto3, and npm on PATH. When one is
// missing they FAIL (with how to install it) rather than skip, so CI can
// never pass without running them: scripts/install-test-deps.sh installs
// them.
//
// Every client runs in an isolated environment: HOME, AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE point into a temporary directory, AWS_* and
// npm/pip configuration variables from the caller's environment are
// dropped, and the server's root credentials come in through
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/middleware"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
)

// arcaBin is the arca binary built by TestMain.
var arcaBin string

// Fixed root credentials for servers started with them in the environment.
const (
	testAccount = "111122223333"
	testKeyID   = "AKIAARCAE2ETESTKEY01"
	testSecret  = "arca-e2e-root-secret-access-key-000000000"
)

const installHint = "run scripts/install-test-deps.sh (or: python3 -m pip install awscli boto3; apt-get install nodejs npm)"

func TestMain(m *testing.M) {
	// Parsed here, before m.Run would, to see -short: the fast lane
	// (`go test -short ./...`) builds nothing and drives no client.
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: -short: skipping the end-to-end tests (they build arca and drive the real clients)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "arca-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(2)
	}
	arcaBin = filepath.Join(dir, "arca")
	root, err := filepath.Abs("..")
	if err == nil {
		err = buildArca(root, arcaBin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building arca:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildArca(root, out string) error {
	goBin := "go"
	if _, err := exec.LookPath(goBin); err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	// -buildvcs=auto over any GOFLAGS=-buildvcs=false: in a git clone the
	// binary carries its commit, as a user's build does (TestVersion).
	cmd := exec.Command(goBin, "build", "-buildvcs=auto", "-o", out, "./cmd/arca")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -o %s ./cmd/arca in %s: %v\n%s", out, root, err, b)
	}
	return nil
}

// --- the clients ---

// toolPaths caches the resolved paths of the client programs.
var toolPaths sync.Map // name -> string

// tool returns the path of a client program, failing the test when it is
// missing. A pyenv shim is resolved to the program it runs: the shim is a
// shell script that costs up to seconds per call on a loaded machine.
func tool(t testing.TB, name string) string {
	t.Helper()
	if p, ok := toolPaths.Load(name); ok {
		return p.(string)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed, and the end-to-end tests need it (they never skip): %s", name, installHint)
	}
	if strings.Contains(p, string(filepath.Separator)+"shims"+string(filepath.Separator)) {
		if pyenv, err := exec.LookPath("pyenv"); err == nil {
			if out, err := exec.Command(pyenv, "which", name).Output(); err == nil {
				if real := strings.TrimSpace(string(out)); real != "" {
					p = real
				}
			}
		}
	}
	toolPaths.Store(name, p)
	return p
}

var boto3Check struct {
	once sync.Once
	err  error
	out  []byte
}

// python returns the python3 that has boto3, failing the test without it.
func python(t testing.TB) string {
	t.Helper()
	py := tool(t, "python3")
	boto3Check.once.Do(func() {
		boto3Check.out, boto3Check.err = exec.Command(py, "-c", "import boto3").CombinedOutput()
	})
	if boto3Check.err != nil {
		t.Fatalf("boto3 is not importable by %s (the end-to-end tests never skip): %v\n%s\n%s", py, boto3Check.err, boto3Check.out, installHint)
	}
	return py
}

// --- the server ---

// server is an `arca serve` subprocess.
type server struct {
	URL      string // http://127.0.0.1:PORT, https:// with TLS
	Addr     string // 127.0.0.1:PORT
	CAFile   string // with TLS, the CA bundle that verifies the server
	Data     string
	Account  string
	KeyID    string
	Secret   string
	cmd      *exec.Cmd
	stderr   *syncBuffer
	stdout   *syncBuffer
	done     chan struct{}
	waitErr  error
	stopOnce sync.Once
}

// syncBuffer is a bytes.Buffer safe for the process's writer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serverEnv is the environment of an arca process: the caller's without
// any ARCA_* variable, plus env.
func serverEnv(env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ARCA_") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// startOpts describes one start of the server.
type startOpts struct {
	// Data is the data directory; a new temporary one when empty.
	Data string
	// Args are extra arguments after `arca serve --listen ADDR --data DIR`
	// (each of those two left out with NoListenFlag / NoDataFlag).
	Args         []string
	Env          []string
	NoListenFlag bool   // the address comes from ARCA_LISTEN in Env
	NoDataFlag   bool   // the data directory comes from ARCA_DATA in Env
	Addr         string // the address to wait on; a free one when empty
	// CAFile, when set, is the CA bundle of the certificate the server
	// serves (its Args give --tls-cert and --tls-key): the URL is https.
	CAFile string
	// Root credentials: from the environment when RootFromEnv, else read
	// from <data>/root-credentials.json once the server is up.
	RootFromEnv bool
}

// startServer starts arca with fixed root credentials in the environment
// and registers its shutdown (SIGTERM, clean exit) with t.Cleanup.
func startServer(t testing.TB, extraArgs ...string) *server {
	t.Helper()
	return start(t, startOpts{Args: extraArgs, Env: rootEnv(), RootFromEnv: true})
}

// rootEnv is the environment that gives a server the fixed root
// credentials, followed by extra.
func rootEnv(extra ...string) []string {
	return append([]string{
		"ARCA_ACCOUNT_ID=" + testAccount,
		"ARCA_ROOT_ACCESS_KEY_ID=" + testKeyID,
		"ARCA_ROOT_SECRET_ACCESS_KEY=" + testSecret,
	}, extra...)
}

func start(t testing.TB, o startOpts) *server {
	t.Helper()
	s := launch(t, &o)
	s.ready(t, o)
	return s
}

// launch starts the process of a server (filling o's defaults) and
// registers its shutdown, without waiting for it to serve.
func launch(t testing.TB, o *startOpts) *server {
	t.Helper()
	if o.Data == "" {
		o.Data = t.TempDir()
	}
	if o.Addr == "" {
		o.Addr = freeAddr(t)
	}
	args := []string{"serve"}
	if !o.NoListenFlag {
		args = append(args, "--listen", o.Addr)
	}
	if !o.NoDataFlag {
		args = append(args, "--data", o.Data)
	}
	args = append(args, o.Args...)
	scheme := "http://"
	if o.CAFile != "" {
		scheme = "https://"
	}
	s := &server{
		URL: scheme + o.Addr, Addr: o.Addr, Data: o.Data, CAFile: o.CAFile,
		stderr: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan struct{}),
	}
	s.cmd = exec.Command(arcaBin, args...)
	s.cmd.Env = serverEnv(o.Env)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", s.cmd, err)
	}
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// ready waits until a launched server serves, and learns its root
// credentials.
func (s *server) ready(t testing.TB, o startOpts) {
	t.Helper()
	s.waitHealthy(t)
	if o.RootFromEnv {
		for _, kv := range o.Env {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "ARCA_ACCOUNT_ID":
				s.Account = v
			case "ARCA_ROOT_ACCESS_KEY_ID":
				s.KeyID = v
			case "ARCA_ROOT_SECRET_ACCESS_KEY":
				s.Secret = v
			}
		}
	} else {
		r := readRootFile(t, s.Data)
		s.Account, s.KeyID, s.Secret = r.AccountID, r.AccessKeyID, r.SecretAccessKey
	}
}

// waitHealthy waits until GET /healthz answers 200, failing if the
// process exits first or it takes too long.
func (s *server) waitHealthy(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	client := s.httpClient(t)
	for {
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.done:
			t.Fatalf("%s exited before it was healthy: %v\nstderr:\n%s", s.cmd, s.waitErr, s.stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: GET /healthz did not answer 200 within 30s (last error %v)\nstderr:\n%s", s.cmd, err, s.stderr)
		}
	}
}

// httpClient is a client for the server: with TLS, one that trusts the
// server's CA.
func (s *server) httpClient(t testing.TB) *http.Client {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(pem)
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	}
	return client
}

// Stderr returns what the server wrote to stderr so far.
func (s *server) Stderr() string { return s.stderr.String() }

// AccessLog returns the server's stderr once the access log lines of the
// requests made so far are in it: the server batches them for up to
// middleware.FlushDelay.
func (s *server) AccessLog() string {
	time.Sleep(2 * middleware.FlushDelay)
	return s.stderr.String()
}

// Stop sends SIGTERM and asserts a clean exit (code 0) within 10 seconds.
// It is idempotent; t.Cleanup calls it for every server.
func (s *server) Stop(t testing.TB) {
	t.Helper()
	s.stopOnce.Do(func() { s.signalAndWait(t, syscall.SIGTERM) })
}

// signalAndWait sends sig and asserts exit code 0 within 10 seconds.
func (s *server) signalAndWait(t testing.TB, sig os.Signal) {
	t.Helper()
	select {
	case <-s.done:
		t.Errorf("%s had exited before it was stopped: %v\nstderr:\n%s", s.cmd, s.waitErr, s.stderr)
		return
	default:
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Errorf("signalling %s: %v", s.cmd, err)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		t.Errorf("%s did not exit within 10s of %v\nstderr:\n%s", s.cmd, sig, s.stderr)
		return
	}
	if s.waitErr != nil {
		t.Errorf("%s did not exit cleanly after %v: %v (want exit code 0)\nstderr:\n%s", s.cmd, sig, s.waitErr, s.stderr)
	}
}

// rootFile is <data>/root-credentials.json.
type rootFile struct {
	AccountID       string `json:"accountId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

func readRootFile(t testing.TB, data string) rootFile {
	t.Helper()
	path := filepath.Join(data, "root-credentials.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("root credentials file: %v", err)
	}
	var r rootFile
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return r
}

// runArcaExpectExit runs `arca serve args...` that must exit by itself
// within 15 seconds, and returns its exit code and output.
func runArcaExpectExit(t testing.TB, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, arcaBin, append([]string{"serve"}, args...)...)
	cmd.Env = serverEnv(env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s (env %q) did not exit within 15s; it should have refused to start\nstderr:\n%s", cmd, env, errb.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return 0, out.String(), errb.String()
}

// --- the AWS CLI ---

// cli runs the AWS CLI against a server in an isolated environment.
type cli struct {
	srv  *server
	Home string
	env  []string
}

// clientEnv is the caller's environment without anything that configures
// AWS clients, npm or pip, plus HOME and env.
func clientEnv(home string, env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		uk := strings.ToUpper(k)
		switch {
		case strings.HasPrefix(uk, "AWS_"), strings.HasPrefix(uk, "NPM_CONFIG_"),
			strings.HasPrefix(uk, "PIP_CONFIG_FILE"), strings.HasPrefix(uk, "XDG_"),
			strings.HasPrefix(uk, "ARCA_"), uk == "HOME", uk == "PYTHONUSERBASE":
			continue
		}
		out = append(out, kv)
	}
	return append(append(out, "HOME="+home), env...)
}

// newCLI returns a CLI with its own HOME, config files and the server's
// root credentials.
func newCLI(t testing.TB, s *server) *cli {
	t.Helper()
	tool(t, "aws")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	cfg := filepath.Join(dir, "aws-config")
	creds := filepath.Join(dir, "aws-credentials")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{cfg, creds} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var bundle []string
	if s.CAFile != "" {
		bundle = []string{"AWS_CA_BUNDLE=" + s.CAFile}
	}
	return &cli{srv: s, Home: home, env: append(clientEnv(home,
		"AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+creds,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID="+s.KeyID,
		"AWS_SECRET_ACCESS_KEY="+s.Secret,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	), bundle...)}
}

// result is one finished command.
type result struct {
	Cmd    string
	Code   int
	Stdout string
	Stderr string
}

func (r result) String() string {
	return fmt.Sprintf("$ %s\nexit code %d\n--- stdout:\n%s--- stderr:\n%s", r.Cmd, r.Code, r.Stdout, r.Stderr)
}

// runProgram runs a program with env and returns what it did.
func runProgram(t testing.TB, env []string, dir string, prog string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = env
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{Cmd: shellQuote(append([]string{filepath.Base(prog)}, args...)), Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", r.Cmd, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s timed out\n%s", r.Cmd, r)
	}
	return r
}

func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n\"'$`\\|&;<>(){}*?[]#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// Raw runs `aws args... --endpoint-url URL` exactly as given otherwise.
func (c *cli) Raw(t testing.TB, args ...string) result {
	t.Helper()
	args = append(args, "--endpoint-url", c.srv.URL)
	return runProgram(t, c.env, c.Home, tool(t, "aws"), args...)
}

// Run runs `aws codeartifact args... --endpoint-url URL --output json`.
func (c *cli) Run(t testing.TB, args ...string) result {
	t.Helper()
	return c.Raw(t, append(append([]string{"codeartifact"}, args...), "--output", "json")...)
}

// OK runs a codeartifact command that must succeed and returns its JSON
// output (nil when it printed nothing).
func (c *cli) OK(t testing.TB, args ...string) map[string]any {
	t.Helper()
	return mustJSON(t, c.Run(t, args...))
}

// mustJSON checks that r succeeded and parses its stdout.
func mustJSON(t testing.TB, r result) map[string]any {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("command failed:\n%s", r)
	}
	if strings.TrimSpace(r.Stdout) == "" {
		return nil
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, r)
	}
	return v
}

// Fail runs a codeartifact command that must fail with the AWS error
// errType on operation op, as the CLI prints it, and returns the message.
func (c *cli) Fail(t testing.TB, errType, op string, args ...string) string {
	t.Helper()
	r := c.Run(t, args...)
	return expectCLIError(t, r, errType, op)
}

func expectCLIError(t testing.TB, r result, errType, op string) string {
	t.Helper()
	prefix := fmt.Sprintf("An error occurred (%s) when calling the %s operation: ", errType, op)
	msg := strings.TrimSpace(r.Stderr)
	if r.Code != 255 || !strings.HasPrefix(msg, prefix) || r.Stdout != "" {
		t.Fatalf("want exit code 255, no stdout and stderr %q<message>\n%s", prefix, r)
	}
	msg = strings.TrimPrefix(msg, prefix)
	if msg == "" {
		t.Fatalf("the error has no message\n%s", r)
	}
	return msg
}

// --- aws-sdk-go-v2, for setup and state snapshots ---

// sdk returns an aws-sdk-go-v2 client for the server: quick setup and
// independent state checks, without the CLI's process start per call.
func sdk(s *server) *codeartifact.Client {
	return codeartifact.New(codeartifact.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(s.KeyID, s.Secret, ""),
		RetryMaxAttempts: 1,
	})
}

// snapshot returns everything the control plane says about the caller's
// account, as JSON: domains, each domain's policy and tags, and each
// repository's description, policy and tags. Two equal snapshots mean
// nothing observable changed.
func snapshot(t testing.TB, s *server) string {
	t.Helper()
	ctx := context.Background()
	c := sdk(s)
	fail := func(what string, err error) {
		t.Helper()
		t.Fatalf("snapshot: %s: %v", what, err)
	}
	type repoState struct {
		Description any
		Policy      any
		Tags        any
	}
	type domainState struct {
		Description  any
		Policy       any
		Tags         any
		Repositories map[string]repoState
	}
	state := map[string]domainState{}
	doms := codeartifact.NewListDomainsPaginator(c, &codeartifact.ListDomainsInput{})
	for doms.HasMorePages() {
		page, err := doms.NextPage(ctx)
		if err != nil {
			fail("ListDomains", err)
		}
		for _, d := range page.Domains {
			ds := domainState{Repositories: map[string]repoState{}}
			dd, err := c.DescribeDomain(ctx, &codeartifact.DescribeDomainInput{Domain: d.Name})
			if err != nil {
				fail("DescribeDomain", err)
			}
			ds.Description = dd.Domain
			if p, err := c.GetDomainPermissionsPolicy(ctx, &codeartifact.GetDomainPermissionsPolicyInput{Domain: d.Name}); err == nil {
				ds.Policy = p.Policy
			} else if !strings.Contains(err.Error(), "ResourceNotFoundException") {
				fail("GetDomainPermissionsPolicy", err)
			}
			tags, err := c.ListTagsForResource(ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: d.Arn})
			if err != nil {
				fail("ListTagsForResource", err)
			}
			ds.Tags = tags.Tags
			repos := codeartifact.NewListRepositoriesInDomainPaginator(c, &codeartifact.ListRepositoriesInDomainInput{Domain: d.Name})
			for repos.HasMorePages() {
				rp, err := repos.NextPage(ctx)
				if err != nil {
					fail("ListRepositoriesInDomain", err)
				}
				for _, r := range rp.Repositories {
					var rs repoState
					rd, err := c.DescribeRepository(ctx, &codeartifact.DescribeRepositoryInput{Domain: d.Name, Repository: r.Name})
					if err != nil {
						fail("DescribeRepository", err)
					}
					rs.Description = rd.Repository
					if p, err := c.GetRepositoryPermissionsPolicy(ctx, &codeartifact.GetRepositoryPermissionsPolicyInput{Domain: d.Name, Repository: r.Name}); err == nil {
						rs.Policy = p.Policy
					} else if !strings.Contains(err.Error(), "ResourceNotFoundException") {
						fail("GetRepositoryPermissionsPolicy", err)
					}
					tags, err := c.ListTagsForResource(ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: r.Arn})
					if err != nil {
						fail("ListTagsForResource", err)
					}
					rs.Tags = tags.Tags
					ds.Repositories[aws.ToString(r.Name)] = rs
				}
			}
			state[aws.ToString(d.Name)] = ds
		}
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// unchanged fails the test when the server's state differs from before,
// a snapshot taken before what was done.
func unchanged(t testing.TB, s *server, before, what string) {
	t.Helper()
	if after := snapshot(t, s); after != before {
		t.Fatalf("%s changed the server's state\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// --- JSON helpers ---

// obj returns v[key] as an object, failing otherwise.
func obj(t testing.TB, v map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := v[key].(map[string]any)
	if !ok {
		t.Fatalf("%q is not an object in %s", key, pretty(v))
	}
	return o
}

// list returns v[key] as an array, failing otherwise.
func list(t testing.TB, v map[string]any, key string) []any {
	t.Helper()
	l, ok := v[key].([]any)
	if !ok {
		t.Fatalf("%q is not an array in %s", key, pretty(v))
	}
	return l
}

func str(t testing.TB, v map[string]any, key string) string {
	t.Helper()
	s, ok := v[key].(string)
	if !ok {
		t.Fatalf("%q is not a string in %s", key, pretty(v))
	}
	return s
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// hasKeys fails unless every key is present in v.
func hasKeys(t testing.TB, what string, v map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := v[k]; !ok {
			t.Errorf("%s: key %q missing in %s", what, k, pretty(v))
		}
	}
}

// onlyKeys fails when v has a key outside allowed (the model's members).
func onlyKeys(t testing.TB, what string, v map[string]any, allowed ...string) {
	t.Helper()
	ok := map[string]bool{}
	for _, k := range allowed {
		ok[k] = true
	}
	for k := range v {
		if !ok[k] {
			t.Errorf("%s: key %q is not a member of the model's shape (%v)", what, k, allowed)
		}
	}
}

// want fails unless v[key] equals the JSON value want (compared after a
// JSON round trip, so 0 matches the float 0 of a decoded number).
func want(t testing.TB, what string, v map[string]any, key string, want any) {
	t.Helper()
	got, _ := json.Marshal(v[key])
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Errorf("%s: %s = %s, want %s", what, key, got, exp)
	}
}

// Members of the model's output shapes.
var (
	domainDescriptionKeys     = []string{"name", "owner", "arn", "status", "createdTime", "encryptionKey", "repositoryCount", "assetSizeBytes", "s3BucketArn"}
	domainSummaryKeys         = []string{"name", "owner", "arn", "status", "createdTime", "encryptionKey"}
	repositoryDescriptionKeys = []string{"name", "administratorAccount", "domainName", "domainOwner", "arn", "description", "upstreams", "externalConnections", "createdTime"}
	repositorySummaryKeys     = []string{"name", "administratorAccount", "domainName", "domainOwner", "arn", "description", "createdTime"}
)

// writeFile writes a file in a new temporary directory and returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
