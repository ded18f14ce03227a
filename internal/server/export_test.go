package server

import "context"

// Sweep runs one sweep as the server's timer does, and reports whether
// this server held the lease for it.
func (s *Server) Sweep(ctx context.Context) (bool, error) { return s.sweep(ctx) }
