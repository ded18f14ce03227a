package fileedit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestApply(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	os.WriteFile(existing, []byte("old"), 0o644)
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("s"), 0o644)
	fresh := filepath.Join(dir, "sub", "dir", "new")
	err := Apply([]Change{
		{Path: existing, Old: []byte("old"), New: []byte("new")},
		{Path: secret, Old: []byte("s"), New: []byte("token"), Mode: 0o600, Secret: true},
		{Path: fresh, New: []byte("created"), Mode: 0o600},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, content string
		mode          os.FileMode
	}{
		{existing, "new", 0o644}, // an existing file keeps its mode
		{secret, "token", 0o600}, // unless it now holds a secret
		{fresh, "created", 0o600},
	} {
		b, _ := os.ReadFile(c.path)
		fi, _ := os.Stat(c.path)
		if string(b) != c.content || fi.Mode().Perm() != c.mode {
			t.Errorf("%s: %q %v, want %q %v", c.path, b, fi.Mode().Perm(), c.content, c.mode)
		}
	}
	// No temporary files are left.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("directory holds %d entries", len(entries))
	}
}

func TestApplyAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	os.WriteFile(a, []byte("A"), 0o600)
	// The second target is a directory: renaming a file over it fails.
	blocked := filepath.Join(dir, "blocked")
	os.MkdirAll(filepath.Join(blocked, "x"), 0o700)
	err := Apply([]Change{
		{Path: a, Old: []byte("A"), New: []byte("A2")},
		{Path: blocked, New: []byte("B")},
	})
	if err == nil {
		t.Fatal("Apply succeeded")
	}
	if b, _ := os.ReadFile(a); string(b) != "A" {
		t.Errorf("a = %q after a failed Apply, want it restored", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestReadAndUnchanged(t *testing.T) {
	dir := t.TempDir()
	if b, err := Read(filepath.Join(dir, "missing")); b != nil || err != nil {
		t.Errorf("Read(missing) = %v %v", b, err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	if b, err := Read(empty); b == nil || err != nil {
		t.Errorf("Read(empty) = %v %v, want a non-nil empty slice", b, err)
	}
	c := Change{Path: empty, Old: []byte{}, New: []byte{}}
	if c.Changed() {
		t.Error("an identical change counts as changed")
	}
	if !(Change{Path: filepath.Join(dir, "n"), New: []byte{}}).Changed() {
		t.Error("creating a file does not count as changed")
	}
}
