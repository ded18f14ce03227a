// Package servertest starts a complete Arca server in-process for tests:
// SQLite and a blob directory in a temporary directory, fixed root
// credentials, a real listener on 127.0.0.1, all torn down when the test
// ends. Scenario is the harness of a format's in-process scenarios; World
// is the read path (catalog and resolver, no server) of a format's
// external connection scenarios.
package servertest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/server"
)

// Root credentials of every test server.
const (
	AccountID       = "111122223333"
	AccessKeyID     = "AKIAARCATESTROOTKEY1"
	SecretAccessKey = "arca-test-root-secret-access-key-0000000"
	Region          = "us-east-1"
)

// Server is a running test server.
type Server struct {
	URL    string // http://127.0.0.1:PORT
	Data   string
	Server *server.Server
}

// Start starts a server. Options adjust the configuration before it is
// validated.
func Start(t testing.TB, options ...func(*config.Config)) *Server {
	return StartWith(t, nil, options...)
}

// StartWith starts a server with server options (a clock, say).
func StartWith(t testing.TB, serverOpts []server.Option, options ...func(*config.Config)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return StartOn(t, ln, serverOpts, options...)
}

// StartOn starts a server accepting connections from ln, a listener on
// 127.0.0.1 (a test's wrapper can watch what the server does with each
// connection).
func StartOn(t testing.TB, ln net.Listener, serverOpts []server.Option, options ...func(*config.Config)) *Server {
	t.Helper()
	cfg := config.Defaults()
	cfg.Listen = ln.Addr().String()
	cfg.Data = t.TempDir()
	cfg.AccountID, cfg.RootAccessKeyID, cfg.RootSecretKey = AccountID, AccessKeyID, SecretAccessKey
	cfg.Region = Region
	for _, o := range options {
		o(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), serverOpts...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not shut down")
		}
		srv.Close()
	})
	s := &Server{URL: "http://" + cfg.Listen, Data: cfg.Data, Server: srv}
	waitHealthy(t, s.URL)
	return s
}

func waitHealthy(t testing.TB, url string) {
	for i := 0; i < 100; i++ {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server never became healthy")
}

// HasBlob reports whether the server's blob directory holds the blob with
// SHA-256 sha (hex), whether as a file or in the pack of small blobs.
func (s *Server) HasBlob(t testing.TB, sha string) bool {
	t.Helper()
	st, err := fsblob.Existing(filepath.Join(s.Data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := blob.ParseDigest(sha)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Stat(t.Context(), d)
	if err != nil && !errors.Is(err, errkind.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}
