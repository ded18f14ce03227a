package upstreamtest

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The fake's gems are gems: gem installs one from a file, and its info
// and versions files are the compact index's.
func TestRubyGems(t *testing.T) {
	reg := NewRubyGems(t)
	reg.Publish(Gem{Name: "fake-gem", Version: "1.0.0"})
	reg.Publish(Gem{Name: "fake-gem", Version: "1.1.0", Dependencies: map[string]string{"other": ">= 1, < 3"}, RequiredRuby: ">= 2.7"})
	reg.Yank("fake-gem", "1.0.0")
	get := func(p string) string {
		resp, err := http.Get(reg.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	info := get("/info/fake-gem")
	if !strings.HasPrefix(info, "---\n1.1.0 other:>= 1&< 3|checksum:") || !strings.HasSuffix(info, ",ruby:>= 2.7\n") || strings.Contains(info, "1.0.0") {
		t.Errorf("info:\n%s", info)
	}
	versions := get("/versions")
	lines := strings.Split(strings.TrimSpace(versions), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[4], "fake-gem -1.0.0 "+md5Hex([]byte(info))) {
		t.Errorf("versions:\n%s", versions)
	}
	gem, err := exec.LookPath("gem")
	if err != nil {
		t.Skip("gem is not installed")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "fake-gem-1.0.0.gem")
	os.WriteFile(file, reg.File("fake-gem-1.0.0.gem"), 0o644)
	cmd := exec.Command(gem, "install", "--local", "--install-dir", filepath.Join(dir, "gems"), "--no-document", file)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gem install of the fake's gem: %v\n%s", err, out)
	}
}
