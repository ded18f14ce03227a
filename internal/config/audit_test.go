package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditLogDefaults(t *testing.T) {
	c := Defaults()
	c.Data = "/srv/arca"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.AuditLog != filepath.Join("/srv/arca", "audit", "audit.log") || c.AuditLogMaxSize != 100<<20 || c.AuditLogKeep != 10 || c.AuditLogStdout {
		t.Errorf("audit defaults: %q %d %d %v", c.AuditLog, c.AuditLogMaxSize, c.AuditLogKeep, c.AuditLogStdout)
	}
}

func TestAuditLogEnvironment(t *testing.T) {
	c := Defaults()
	err := c.FromEnv(env(map[string]string{
		EnvAuditLog: "-", EnvAuditLogMaxSize: "5MiB", EnvAuditLogKeep: "3", EnvAuditLogStdout: "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.AuditLog != AuditStdout || c.AuditLogMaxSize != 5<<20 || c.AuditLogKeep != 3 || !c.AuditLogStdout {
		t.Errorf("audit from env: %q %d %d %v", c.AuditLog, c.AuditLogMaxSize, c.AuditLogKeep, c.AuditLogStdout)
	}
	for k, v := range map[string]string{EnvAuditLogMaxSize: "lots", EnvAuditLogKeep: "x", EnvAuditLogStdout: "maybe"} {
		c := Defaults()
		if err := c.FromEnv(env(map[string]string{k: v})); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
	c = Defaults()
	c.AuditLogMaxSize = 10
	if err := c.Validate(); err == nil {
		t.Error("a 10-byte audit log accepted")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "2048": 2048, "4k": 4096, "4KiB": 4096, "10M": 10 << 20, "10 MB": 10 << 20, "1G": 1 << 30, "12b": 12} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "M", "-1", "1.5M", "1T", "99999999999999G"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

// Package reads are not audited unless selected: all of them, or those
// of named repositories; "none" clears what an earlier source selected.
func TestAuditDataEvents(t *testing.T) {
	c := Defaults()
	if len(c.AuditDataEvents) != 0 {
		t.Fatalf("default data events %v, want none", c.AuditDataEvents)
	}
	if err := c.Set("audit-data-events", "my-domain/my-repo", "all"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.AuditDataEvents, " "); got != "my-domain/my-repo all" {
		t.Errorf("data events %q", got)
	}
	if err := c.FromEnv(func(k string) (string, bool) { return "none,d/r", k == EnvAuditDataEvents }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.AuditDataEvents, " "); got != "d/r" {
		t.Errorf("data events after none,d/r: %q", got)
	}
	for _, bad := range []string{"my-repo", "d/r/x", "/r", "d/", "everything"} {
		if err := c.Set("audit-data-events", bad); err == nil {
			t.Errorf("--audit-data-events %q accepted", bad)
		}
	}
}

// The cache budget is a size, at least 4MiB.
func TestCacheBytes(t *testing.T) {
	c := Defaults()
	c.Data = t.TempDir()
	if err := c.Set("cache-bytes", "64MiB"); err != nil || c.CacheBytes != 64<<20 {
		t.Fatalf("--cache-bytes 64MiB: %d, %v", c.CacheBytes, err)
	}
	c.CacheBytes = 1 << 20
	if err := c.Validate(); err == nil {
		t.Error("a 1MiB cache budget was accepted")
	}
}
