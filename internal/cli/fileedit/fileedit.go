// Package fileedit changes a user's configuration files atomically: every
// new content is written to a temporary file beside its target, synced,
// and renamed over it, so a reader sees the old file or the new one, never
// a mix. A set of changes is applied all or nothing: when one rename
// fails, the files already replaced get their old contents back.
package fileedit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Change is the new content of one file.
type Change struct {
	Path string
	// Old is the content the change was computed from; nil when the file
	// did not exist.
	Old []byte
	New []byte
	// Mode is the permission of a new file, and of an existing one when
	// Secret is set (a file that holds a token is never left readable by
	// others). An existing file otherwise keeps its mode.
	Mode   fs.FileMode
	Secret bool
}

// Changed reports whether the change alters the file.
func (c Change) Changed() bool {
	return c.Old == nil || !bytes.Equal(c.Old, c.New)
}

// Read returns a file's content, or nil (and no error) when it does not
// exist. An empty existing file reads as an empty, non-nil slice.
func Read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// Apply writes every change that alters its file. It first writes all the
// temporary files, then renames them in order; on a failure it removes the
// temporary files and restores the files already renamed.
func Apply(changes []Change) error {
	type staged struct {
		c    Change
		tmp  string
		mode fs.FileMode
	}
	var st []staged
	cleanup := func() {
		for _, s := range st {
			os.Remove(s.tmp)
		}
	}
	for _, c := range changes {
		if !c.Changed() {
			continue
		}
		mode := c.Mode
		if fi, err := os.Stat(c.Path); err == nil {
			if !c.Secret {
				mode = fi.Mode().Perm()
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			cleanup()
			return err
		}
		if mode == 0 {
			mode = 0o644
		}
		dir := filepath.Dir(c.Path)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			cleanup()
			return err
		}
		tmp, err := writeTemp(dir, filepath.Base(c.Path), c.New, mode)
		if err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", c.Path, err)
		}
		st = append(st, staged{c: c, tmp: tmp, mode: mode})
	}
	for i, s := range st {
		if err := os.Rename(s.tmp, s.c.Path); err != nil {
			// Put back what was already replaced.
			for _, done := range st[:i] {
				if done.c.Old == nil {
					os.Remove(done.c.Path)
				} else if tmp, werr := writeTemp(filepath.Dir(done.c.Path), filepath.Base(done.c.Path), done.c.Old, done.mode); werr == nil {
					os.Rename(tmp, done.c.Path)
				}
			}
			cleanup()
			return fmt.Errorf("replacing %s: %w", s.c.Path, err)
		}
		syncDir(filepath.Dir(s.c.Path))
	}
	return nil
}

// WriteFile replaces one file atomically with data and mode.
func WriteFile(path string, data []byte, mode fs.FileMode) error {
	old, err := Read(path)
	if err != nil {
		return err
	}
	return Apply([]Change{{Path: path, Old: old, New: data, Mode: mode, Secret: true}})
}

func writeTemp(dir, base string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".arca-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", err
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
