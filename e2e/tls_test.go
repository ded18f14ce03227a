package e2e

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/tlstest"
)

// TestTLS serves HTTPS with `--tls-cert` and `--tls-key` (a certificate of
// a CA made for the test) and drives the clients over it without a reverse
// proxy: the AWS CLI with --ca-bundle and AWS_CA_BUNDLE, `aws codeartifact
// login --tool npm`, npm with cafile; each refuses the server without the
// CA, so the certificate is really checked. Then SIGHUP reloads a renewed
// certificate, and a bad pair keeps the previous one.
func TestTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca := tlstest.NewCA(t, dir)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	ca.Issue(t, 501, certFile, keyFile)
	s := start(t, startOpts{
		Args:        []string{"--tls-cert", certFile, "--tls-key", keyFile},
		CAFile:      ca.File,
		Env:         rootEnv(),
		RootFromEnv: true,
	})
	step := steps(t)

	step("aws cli", func(t *testing.T) {
		// Without the CA the CLI refuses the certificate.
		untrusting := newCLI(t, &server{URL: s.URL, KeyID: s.KeyID, Secret: s.Secret})
		r := untrusting.Run(t, "list-domains")
		if r.Code == 0 || !strings.Contains(r.Stderr, "CERTIFICATE_VERIFY_FAILED") {
			t.Fatalf("the AWS CLI without the CA bundle: want a certificate verification failure\n%s", r)
		}
		// --ca-bundle
		r = untrusting.Raw(t, "codeartifact", "create-domain", "--domain", "tls-domain", "--ca-bundle", ca.File, "--output", "json")
		d := obj(t, mustJSON(t, r), "domain")
		want(t, "create-domain over TLS", d, "name", "tls-domain")
		// AWS_CA_BUNDLE (newCLI sets it for a TLS server).
		aws := newCLI(t, s)
		aws.OK(t, "create-repository", "--domain", "tls-domain", "--repository", "my-repo")
		ep := aws.OK(t, "get-repository-endpoint", "--domain", "tls-domain", "--repository", "my-repo", "--format", "npm")
		want(t, "the default public URL with TLS", ep, "repositoryEndpoint", s.URL+"/tls-domain-"+testAccount+"/npm/my-repo/")
		if !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("server URL %q is not https", s.URL)
		}
	})

	step("npm", func(t *testing.T) {
		u := npmLogin(t, s, "tls-domain", "my-repo") // aws codeartifact login, with AWS_CA_BUNDLE
		p := pkgSpec{Name: "arca-tls", Version: "1.0.0", Mark: "my-repo"}
		if r := u.Publish(t, p, "--fetch-retries=0"); r.Code == 0 || !strings.Contains(strings.ToLower(r.Stderr), "certificate") {
			t.Fatalf("npm publish without cafile: want a certificate error\n%s", r)
		}
		f, err := os.OpenFile(filepath.Join(u.Home, ".npmrc"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("cafile=" + ca.File + "\n")
		f.Close()
		u.PublishOK(t, p)
		project := newProject(t)
		u.InstallOK(t, project, "arca-tls")
		wantInstalled(t, project, p)
	})

	serial := func(t *testing.T) int64 {
		t.Helper()
		conn, err := tls.Dial("tcp", s.Addr, &tls.Config{RootCAs: ca.Pool()})
		if err != nil {
			t.Fatalf("TLS handshake: %v", err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}
	step("SIGHUP reloads the certificate", func(t *testing.T) {
		if got := serial(t); got != 501 {
			t.Fatalf("serial %d, want 501", got)
		}
		ca.Issue(t, 502, certFile, keyFile)
		s.signalLogged(t, syscall.SIGHUP, "TLS certificate reloaded")
		if got := serial(t); got != 502 {
			t.Errorf("after SIGHUP, serial %d, want 502", got)
		}
		// A half-written renewal: the key is not a key. The server logs it
		// and keeps serving the previous certificate.
		if err := os.WriteFile(keyFile, []byte("-----BEGIN PRIVATE KEY-----\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		s.signalLogged(t, syscall.SIGHUP, "TLS certificate not reloaded")
		if got := serial(t); got != 502 {
			t.Errorf("after a SIGHUP with a bad key, serial %d, want still 502", got)
		}
		aws := newCLI(t, s)
		aws.OK(t, "describe-domain", "--domain", "tls-domain")
	})
}

// signalLogged sends sig to the server and waits until its stderr has one
// more line containing logged than before.
func (s *server) signalLogged(t testing.TB, sig os.Signal, logged string) {
	t.Helper()
	before := strings.Count(s.Stderr(), logged)
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(s.Stderr(), logged) == before {
		if time.Now().After(deadline) {
			t.Fatalf("after %v, the server did not log %q within 10s\n%s", sig, logged, s.Stderr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
