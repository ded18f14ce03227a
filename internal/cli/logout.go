package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/arcahq/arca/internal/cli/fileedit"
	"github.com/arcahq/arca/internal/cli/tools"
	"github.com/arcahq/arca/internal/cli/undo"
)

// fileBefore is a file as it was before login changed it.
type fileBefore struct {
	mode fs.FileMode
	dirs []string // the directories login is about to create for it
}

// apply writes a login's changes and records them under key for logout.
func (a *App) apply(key string, changes []fileedit.Change) error {
	before := a.snapshot(changes)
	if err := fileedit.Apply(changes); err != nil {
		return err
	}
	a.record(key, changes, before)
	return nil
}

// snapshot notes, for every file a login changes, its mode and the
// directories that do not exist yet.
func (a *App) snapshot(changes []fileedit.Change) map[string]fileBefore {
	out := map[string]fileBefore{}
	for _, c := range changes {
		var fb fileBefore
		if fi, err := os.Stat(c.Path); err == nil {
			fb.mode = fi.Mode().Perm()
		}
		for d := filepath.Dir(c.Path); ; d = filepath.Dir(d) {
			if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
				break
			}
			fb.dirs = append(fb.dirs, d)
		}
		out[c.Path] = fb
	}
	return out
}

// record adds what a login changed to the login records, for arca
// logout. A failure only warns: the login itself worked.
func (a *App) record(key string, changes []fileedit.Change, before map[string]fileBefore) {
	path, err := a.statePath()
	if err == nil {
		var st undo.State
		if st, err = undo.Load(path); err == nil {
			var recs []undo.Record
			for _, c := range changes {
				prior := st.Find(key, c.Path)
				if prior == nil && !c.Changed() {
					continue
				}
				fb := before[c.Path]
				recs = append(recs, undo.Next(prior, c.Path, c.Old, c.New, fb.mode, fb.dirs))
			}
			// Files of an earlier login this one no longer writes stay
			// recorded.
			for _, r := range st.Logins[key] {
				if _, ok := before[r.Path]; !ok {
					recs = append(recs, r)
				}
			}
			st.Logins[key] = recs
			err = st.Save(path)
		}
	}
	if err != nil {
		a.warnf("what login changed was not recorded, so arca logout cannot undo it: %v", err)
	}
}

// Logout undoes what arca login --tool did with the chosen profile: the
// settings login replaced get their previous values back, the ones it
// added are removed, files it created are removed when nothing else is
// in them; every other line (the user's own edits) stays.
func (a *App) Logout(f Flags, toolName string) error {
	if toolName == "" {
		return fmt.Errorf("--tool is required; one of: %s", strings.Join(tools.Names(), ", "))
	}
	if _, err := tools.Lookup(toolName); err != nil {
		return err
	}
	name, _, err := a.profileName(f)
	if err != nil {
		return err
	}
	path, err := a.statePath()
	if err != nil {
		return err
	}
	st, err := undo.Load(path)
	if err != nil {
		return err
	}
	key := undo.Key(name, toolName)
	recs, ok := st.Logins[key]
	if !ok {
		var others []string
		for _, k := range st.Keys() {
			if p, t, _ := strings.Cut(k, "/"); t == toolName {
				others = append(others, p)
			}
		}
		if len(others) > 0 {
			return fmt.Errorf("no arca login --tool %s with profile %q to undo; it was run with --profile %s", toolName, name, strings.Join(others, ", "))
		}
		return fmt.Errorf("no arca login --tool %s with profile %q to undo (none recorded in %s)", toolName, name, path)
	}
	type outcome struct {
		rec             undo.Record
		content         []byte
		remove          bool
		missed, dropped int
	}
	var plan []outcome
	var changes []fileedit.Change
	for _, r := range recs {
		cur, err := fileedit.Read(r.Path)
		if err != nil {
			return fmt.Errorf("reading %s: %v (nothing was changed)", r.Path, err)
		}
		o := outcome{rec: r}
		for _, h := range r.Hunks {
			o.dropped += h.Dropped
		}
		if cur == nil {
			// Gone already: nothing to restore but the directories.
			o.remove = r.Created
			plan = append(plan, o)
			continue
		}
		o.content, o.missed = undo.Revert(cur, r.Hunks)
		o.remove = r.Created && len(o.content) == 0
		if !o.remove {
			changes = append(changes, fileedit.Change{Path: r.Path, Old: cur, New: o.content, Mode: fs.FileMode(r.Mode)})
		}
		plan = append(plan, o)
	}
	if err := fileedit.Apply(changes); err != nil {
		return fmt.Errorf("restoring the configuration of %s: %v (nothing was changed)", toolName, err)
	}
	w := a.Stdout
	fmt.Fprintf(w, "Removed what arca login --tool %s configured\n", toolName)
	for _, o := range plan {
		switch {
		case o.remove:
			if err := os.Remove(o.rec.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				a.warnf("%s: %v", o.rec.Path, err)
			}
			fmt.Fprintf(w, "  removed %s\n", o.rec.Path)
			for _, d := range o.rec.Dirs {
				os.Remove(d) // only when empty
			}
		default:
			if o.rec.Mode != 0 {
				if err := os.Chmod(o.rec.Path, fs.FileMode(o.rec.Mode)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					a.warnf("%s: %v", o.rec.Path, err)
				}
			}
			fmt.Fprintf(w, "  restored %s\n", o.rec.Path)
		}
		if o.missed > 0 {
			a.warnf("%s: %d change(s) of arca login were edited since; they are left as they are", o.rec.Path, o.missed)
		}
		if o.dropped > 0 {
			a.warnf("%s: %d line(s) that login replaced held a credential, which arca does not keep: they are removed, not restored", o.rec.Path, o.dropped)
		}
	}
	delete(st.Logins, key)
	if err := st.Save(path); err != nil {
		a.warnf("the login record was not updated: %v", err)
	}
	return nil
}
