package server

import (
	"io"
	"log/slog"
	"os"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/config"
)

// openAudit opens the audit log the configuration asks for: a file
// (rotating), standard output, both, or none.
func openAudit(cfg config.Config, log *slog.Logger) (*audit.Log, error) {
	ac := audit.Config{MaxSize: cfg.AuditLogMaxSize, Keep: cfg.AuditLogKeep, MinAge: cfg.AuditLogMinAge, Log: log}
	for _, sel := range cfg.AuditDataEvents {
		if sel == config.AuditDataAll {
			ac.DataEvents.All = true
			continue
		}
		if ac.DataEvents.Repositories == nil {
			ac.DataEvents.Repositories = map[string]bool{}
		}
		ac.DataEvents.Repositories[sel] = true
	}
	if ac.MinAge == 0 {
		ac.MinAge = -1 // no floor
	}
	switch cfg.AuditLog {
	case config.AuditOff:
		if !cfg.AuditLogStdout {
			return nil, nil
		}
	case config.AuditStdout:
		ac.Stdout = os.Stdout
	default:
		ac.Path = cfg.AuditLog
	}
	if cfg.AuditLogStdout {
		ac.Stdout = io.Writer(os.Stdout)
	}
	return audit.Open(ac)
}
