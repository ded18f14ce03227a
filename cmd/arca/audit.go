package main

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/config"
)

// auditFlagValues are the audit log's flags of `arca serve`.
type auditFlagValues struct {
	path, maxSize string
	keep          int
	minAge        time.Duration
	stdout        bool
}

func addAuditFlags(cmd *cobra.Command, v *auditFlagValues) {
	d := config.Defaults()
	f := cmd.Flags()
	f.StringVar(&v.path, "audit-log", "", `audit log file; "-" for standard output only, "off" for none; default <data>/audit/audit.log (`+config.EnvAuditLog+")")
	f.StringVar(&v.maxSize, "audit-log-max-size", strconv.FormatInt(d.AuditLogMaxSize>>20, 10)+"MiB", "size at which the audit log file rotates, e.g. 100MiB ("+config.EnvAuditLogMaxSize+")")
	f.IntVar(&v.keep, "audit-log-keep", d.AuditLogKeep, "rotated audit log files to keep ("+config.EnvAuditLogKeep+")")
	f.DurationVar(&v.minAge, "audit-log-min-age", d.AuditLogMinAge, "rotated audit log files younger than this are kept even beyond --audit-log-keep; 0 for none ("+config.EnvAuditLogMinAge+")")
	f.BoolVar(&v.stdout, "audit-log-stdout", false, "copy the audit log to standard output ("+config.EnvAuditLogStdout+")")
}

// auditFlags applies the audit flags that were set over cfg.
func auditFlags(cmd *cobra.Command, cfg *config.Config, v *auditFlagValues) error {
	f := cmd.Flags()
	if f.Changed("audit-log") {
		cfg.AuditLog = v.path
	}
	if f.Changed("audit-log-max-size") {
		n, err := config.ParseSize(v.maxSize)
		if err != nil {
			return err
		}
		cfg.AuditLogMaxSize = n
	}
	if f.Changed("audit-log-keep") {
		cfg.AuditLogKeep = v.keep
	}
	if f.Changed("audit-log-min-age") {
		cfg.AuditLogMinAge = v.minAge
	}
	if f.Changed("audit-log-stdout") {
		cfg.AuditLogStdout = v.stdout
	}
	return nil
}
