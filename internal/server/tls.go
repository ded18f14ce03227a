package server

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
)

// certificate is the server's TLS certificate, read from its PEM files at
// start and again by reload, which swaps it in for the connections that
// follow. Connections already open keep the one they shook hands with.
type certificate struct {
	certFile, keyFile string
	current           atomic.Pointer[tls.Certificate]
}

func loadCertificate(certFile, keyFile string) (*certificate, error) {
	c := &certificate{certFile: certFile, keyFile: keyFile}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// reload reads the files again. A pair that does not load (a key that does
// not match, a file half written) leaves the current certificate in place.
func (c *certificate) reload() error {
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	c.current.Store(&pair)
	return nil
}

// listener serves TLS on ln with the current certificate. HTTP/1.1 only:
// every client speaks it, and it keeps one code path for plain and TLS.
func (c *certificate) listener(ln net.Listener) net.Listener {
	return tls.NewListener(ln, &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return c.current.Load(), nil
		},
	})
}

// ReloadCertificate reads the TLS certificate and key files again (`arca
// serve` calls it on SIGHUP): new connections get the new certificate. If
// the new pair does not load, the server keeps the old one and logs why.
// Without TLS it does nothing.
func (s *Server) ReloadCertificate() error {
	if s.cert == nil {
		return nil
	}
	if err := s.cert.reload(); err != nil {
		s.log.Error("TLS certificate not reloaded; serving the previous one", slog.Any("error", err))
		return err
	}
	s.log.Info("TLS certificate reloaded", slog.String("cert", s.cert.certFile))
	return nil
}
