package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/tlstest"
)

// TestTLS serves over TLS with a certificate of a test CA, then swaps the
// certificate files and reloads: a new connection gets the new certificate
// (its serial number tells), and a bad pair keeps the previous one.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t, dir)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	ca.Issue(t, 1001, certFile, keyFile)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Listen, cfg.Data = ln.Addr().String(), t.TempDir()
	cfg.AccountID, cfg.RootAccessKeyID, cfg.RootSecretKey = "111122223333", "AKIAARCATESTROOTKEY1", "arca-test-root-secret-access-key-0000000"
	cfg.TLSCert, cfg.TLSKey = certFile, keyFile
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := "https://" + ln.Addr().String(); cfg.PublicURL != want {
		t.Errorf("with TLS the default public URL is %q, want %q", cfg.PublicURL, want)
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		srv.Close()
	})

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	resp, err := client.Get(cfg.PublicURL + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz over TLS, trusting the test CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || resp.ProtoMajor != 1 {
		t.Errorf("GET /healthz over TLS: %s %s, TLS %v", resp.Proto, resp.Status, resp.TLS != nil)
	}
	// net/http answers plain HTTP on a TLS listener with a 400 saying so.
	if resp, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the TLS listener: %s, want 400", resp.Status)
		}
	}

	serial := func() int64 {
		t.Helper()
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"})
		if err != nil {
			t.Fatalf("TLS handshake: %v", err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}
	if got := serial(); got != 1001 {
		t.Fatalf("serial %d, want 1001", got)
	}

	// A renewal: new files, then the reload SIGHUP triggers in `arca serve`.
	ca.Issue(t, 1002, certFile, keyFile)
	if got := serial(); got != 1001 {
		t.Errorf("before the reload, serial %d, want still 1001", got)
	}
	if err := srv.ReloadCertificate(); err != nil {
		t.Fatal(err)
	}
	if got := serial(); got != 1002 {
		t.Errorf("after the reload, serial %d, want 1002", got)
	}

	// A key that does not match the certificate: the reload fails, says
	// why in the log, and the server keeps serving the previous pair.
	ca.Issue(t, 1003, certFile, filepath.Join(dir, "other-key.pem"))
	if err := srv.ReloadCertificate(); err == nil {
		t.Error("a certificate with another certificate's key was reloaded")
	}
	if got := serial(); got != 1002 {
		t.Errorf("after a failed reload, serial %d, want still 1002", got)
	}
	if !strings.Contains(logs.String(), "TLS certificate not reloaded") || !strings.Contains(logs.String(), "private key does not match public key") {
		t.Errorf("a failed reload is not logged with its reason:\n%s", logs.String())
	}
}

// TestTLSBadPairRefusedAtStart: a server whose key does not load does not
// start.
func TestTLSBadPairRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.Data = t.TempDir()
	cfg.TLSCert, cfg.TLSKey = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "missing-key.pem")
	tlstest.NewCA(t, dir).Issue(t, 1, cfg.TLSCert, filepath.Join(dir, "key.pem"))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "missing-key.pem") {
		t.Fatalf("server.New with a missing key file: %v, want an error naming it", err)
	}
}

// syncBuffer collects the server's log, written from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
