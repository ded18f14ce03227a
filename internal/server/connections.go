package server

import (
	"context"
	"strings"
)

// warnConnections tells the operator at start about external connections
// that fetch nothing on this server: a URL configured for a connection of
// a format Arca does not fetch (it is ignored), and connections some
// repository is associated with that have no URL configured (their
// repositories serve only what they already hold, and package requests
// that find nothing say so). connected reports whether a connection has
// a registry client.
func (s *Server) warnConnections(ctx context.Context, connected func(name string) bool) error {
	for _, name := range s.cfg.ConnectionNames() {
		if !connected(name) {
			f, _ := s.formats.ConnectionFormat(name)
			s.log.Warn("external connection URL ignored: Arca does not fetch "+string(f)+" packages from public registries yet",
				"connection", name, "format", string(f))
		}
	}
	associated, err := s.store.AssociatedExternalConnections(ctx)
	if err != nil {
		return err
	}
	var missing []string
	for _, name := range associated {
		if _, configured := s.cfg.ExternalConnections[name]; !configured {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		s.log.Warn("external connections associated with repositories have no registry URL configured: nothing is fetched through them, "+
			"their repositories serve only what they already hold (configure each with --external-connection NAME=URL)",
			"connections", strings.Join(missing, ","))
	}
	return nil
}
