package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersion: `arca --version` and `arca version` print the same line,
// and a binary built in a git clone names the commit it was built from.
// Go stamps no commit in a git worktree (its .git is a file) or an export
// of the tree: there the line has the module version alone.
func TestVersion(t *testing.T) {
	t.Parallel()
	flag := runProgram(t, os.Environ(), "", arcaBin, "--version")
	cmd := runProgram(t, os.Environ(), "", arcaBin, "version")
	if flag.Code != 0 || cmd.Code != 0 || flag.Stdout != cmd.Stdout || !strings.HasPrefix(flag.Stdout, "arca ") {
		t.Fatalf("arca --version and arca version: want the same line, starting \"arca \"\n%s\n%s", flag, cmd)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, ".git")); err != nil || !fi.IsDir() {
		t.Logf("%s is not a git clone (no .git directory): no commit to expect", root)
		if strings.Contains(flag.Stdout, " commit ") {
			t.Errorf("a commit without a git clone: %s", flag.Stdout)
		}
		return
	}
	git := exec.Command("git", "rev-parse", "HEAD")
	git.Dir = root
	head, err := git.Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD in %s: %v", root, err)
	}
	if want := " commit " + strings.TrimSpace(string(head)) + " "; !strings.Contains(flag.Stdout, want) {
		t.Errorf("arca --version = %q, want it to contain %q", flag.Stdout, want)
	}
}
