package server

import (
	"log/slog"
	"net"
)

// warnIfExposed warns when the server listens beyond the loopback
// interface (`--listen :8700` binds every interface): the control plane,
// IAM and the repositories are then reachable from the network, over
// plain HTTP unless a TLS proxy fronts the server.
func warnIfExposed(addr net.Addr, log *slog.Logger) {
	if exposed(addr) {
		log.Warn("listening beyond loopback: the server is reachable from the network; "+
			"keep it behind a firewall, or listen on 127.0.0.1", "listen", addr.String())
	}
}

// exposed reports whether addr is not a loopback address.
func exposed(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return false // a Unix socket, a test's pipe
	}
	return !tcp.IP.IsLoopback()
}
