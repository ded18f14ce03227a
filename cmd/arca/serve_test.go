package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/arcahq/arca/internal/config"
)

// TestServeConfig: every flag reaches the configuration through the
// settings table, over the config file and the environment.
func TestServeConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "arca.toml")
	if err := os.WriteFile(file, []byte(`
listen = "127.0.0.1:1111"
region = "eu-west-1"
external-connection = ["public:npmjs=http://file.test/npm/"]
audit-log-keep = 3
`), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.toml")
	if err := os.WriteFile(other, []byte("region = \"ap-south-1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ARCA_CONFIG": other, "ARCA_REGION": "eu-west-2", "ARCA_AUDIT_LOG_KEEP": "4"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	cmd := serveCommand()
	if err := cmd.ParseFlags([]string{
		"--config", file, // wins over ARCA_CONFIG
		"--region", "eu-west-3",
		"--external-connection", "public:pypi=http://flag.test/pypi/",
		"--external-connection", "public:maven-central=http://flag.test/maven/",
		"--upstream-timeout", "45s",
		"--trusted-proxy", "10.0.0.0/8",
		"--audit-log-max-size", "2MiB",
		"--audit-log-stdout",
	}); err != nil {
		t.Fatal(err)
	}
	cfg, err := serveConfig(cmd.Flags(), lookup)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, got, want string }{
		{"listen (file)", cfg.Listen, "127.0.0.1:1111"},
		{"region (flag over env over file)", cfg.Region, "eu-west-3"},
		{"audit-log-keep (env over file)", strconv.Itoa(cfg.AuditLogKeep), "4"},
		{"npmjs (file)", cfg.ExternalConnections["public:npmjs"], "http://file.test/npm/"},
		{"pypi (flag)", cfg.ExternalConnections["public:pypi"], "http://flag.test/pypi/"},
		{"maven-central (flag)", cfg.ExternalConnections["public:maven-central"], "http://flag.test/maven/"},
		{"public URL (derived)", cfg.PublicURL, "http://127.0.0.1:1111"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if cfg.UpstreamTimeout != 45*time.Second || cfg.AuditLogMaxSize != 2<<20 || !cfg.AuditLogStdout ||
		len(cfg.TrustedProxies) != 1 || cfg.TrustedProxies[0].String() != "10.0.0.0/8" {
		t.Errorf("typed flags: %+v", cfg)
	}

	// Without --config, ARCA_CONFIG names the file.
	cmd = serveCommand()
	delete(env, "ARCA_REGION")
	cfg, err = serveConfig(cmd.Flags(), lookup)
	if err != nil || cfg.Region != "ap-south-1" {
		t.Errorf("ARCA_CONFIG: %v, region %q", err, cfg.Region)
	}

	// A bad value names its flag; a bad file its line.
	cmd = serveCommand()
	cmd.ParseFlags([]string{"--audit-log-max-size", "lots"})
	if _, err := serveConfig(cmd.Flags(), lookup); err == nil || !strings.HasPrefix(err.Error(), "--audit-log-max-size: ") {
		t.Errorf("a bad flag: %v", err)
	}
	os.WriteFile(other, []byte("\nregoin = \"x\"\n"), 0o600)
	cmd = serveCommand()
	if _, err := serveConfig(cmd.Flags(), lookup); err == nil || !strings.HasPrefix(err.Error(), other+`:2: unknown key "regoin"`) {
		t.Errorf("a bad file: %v", err)
	}
}

// TestServeFlagsAreTheSettings: the flags of `arca serve` and the keys of
// the config file are the same names, so neither can drift.
func TestServeFlagsAreTheSettings(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range config.Keys() {
		keys[k] = true
	}
	serveCommand().Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "config" {
			return
		}
		if !keys[f.Name] {
			t.Errorf("--%s is no key of the config file", f.Name)
		}
		delete(keys, f.Name)
	})
	for k := range keys {
		t.Errorf("the config file key %q is no flag of arca serve", k)
	}
}
