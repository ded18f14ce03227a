// Package deploy holds the files that run Arca as a service: a systemd
// unit (arca.service), an example configuration (arca.toml) and a
// container build file (Containerfile). These tests check them with the
// real configuration loader and, where it is installed, systemd's own
// verifier. The Containerfile is not built here: the project's machines
// have no container engine.
package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/config"
)

// The example configuration is read by the loader `arca serve --config`
// uses, every key is known, and the result validates.
func TestExampleConfig(t *testing.T) {
	cfg := config.Defaults()
	if err := cfg.FromFile("arca.toml"); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("arca.toml does not validate: %v", err)
	}
	if cfg.Data != "/var/lib/arca" || cfg.Metrics != config.MetricsLoopback || len(cfg.ExternalConnections) == 0 {
		t.Errorf("arca.toml read as data=%q metrics=%q connections=%v", cfg.Data, cfg.Metrics, cfg.ExternalConnections)
	}
}

// unit returns the unit file's settings of section.
func unit(t *testing.T, section string) map[string][]string {
	t.Helper()
	f, err := os.Open("arca.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	in := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			in = strings.Trim(line, "[]")
		case in == section:
			k, v, _ := strings.Cut(line, "=")
			out[k] = append(out[k], v)
		}
	}
	return out
}

// The unit runs the server on the example configuration's data directory
// (its StateDirectory), with the master key outside it, hardened.
func TestUnit(t *testing.T) {
	svc := unit(t, "Service")
	cfg := config.Defaults()
	if err := cfg.FromFile("arca.toml"); err != nil {
		t.Fatal(err)
	}
	if got := "/var/lib/" + first(svc["StateDirectory"]); got != cfg.Data {
		t.Errorf("StateDirectory is %s, the config's data is %s", got, cfg.Data)
	}
	exec := first(svc["ExecStart"])
	if !strings.Contains(exec, " serve --config /etc/arca/arca.toml") || !strings.Contains(exec, "--master-key-file %d/master.key") {
		t.Errorf("ExecStart=%s", exec)
	}
	for k, want := range map[string]string{
		"DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "NoNewPrivileges": "yes",
		"PrivateTmp": "yes", "UMask": "0077", "StateDirectoryMode": "0700", "CapabilityBoundingSet": "",
	} {
		if got, ok := svc[k]; !ok || first(got) != want {
			t.Errorf("%s=%q, want %q", k, first(got), want)
		}
	}
}

// systemd-analyze verify accepts the unit, with ExecStart pointing at a
// program that exists here.
func TestUnitVerifies(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit is not verified")
	}
	b, err := os.ReadFile("arca.service")
	if err != nil {
		t.Fatal(err)
	}
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) to stand in for the arca binary")
	}
	dir := t.TempDir()
	text := strings.ReplaceAll(string(b), "/usr/local/bin/arca", truePath)
	path := filepath.Join(dir, "arca.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sa, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
