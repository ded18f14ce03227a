package undo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"github.com/arcahq/arca/internal/cli/fileedit"
)

// State is the state file: the records of every login not yet logged
// out, by Key.
type State struct {
	Logins map[string][]Record `json:"logins"`
}

// Key names the login of a tool with an arca profile.
func Key(profile, tool string) string { return profile + "/" + tool }

// Load reads the state file; a missing file is an empty state.
func Load(path string) (State, error) {
	st := State{Logins: map[string][]Record{}}
	b, err := fileedit.Read(path)
	if err != nil {
		return st, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("%s: %w", path, err)
	}
	if st.Logins == nil {
		st.Logins = map[string][]Record{}
	}
	return st, nil
}

// Save writes the state file atomically, mode 0600.
func (s State) Save(path string) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	return fileedit.WriteFile(path, append(b, '\n'), 0o600)
}

// Find returns the record of path under key.
func (s State) Find(key, path string) *Record {
	for i, r := range s.Logins[key] {
		if r.Path == path {
			return &s.Logins[key][i]
		}
	}
	return nil
}

// Keys returns the keys, sorted.
func (s State) Keys() []string {
	var out []string
	for k := range s.Logins {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Next returns the record of a login that turns old (nil: no file; mode
// its permission) into new. prior is the record of an earlier login of
// the same key and file, if any: it is reverted from old first, so that
// the record still leads back to the file before the first login. dirs
// are the directories this login creates for the file.
func Next(prior *Record, path string, old, new []byte, mode fs.FileMode, dirs []string) Record {
	if prior != nil {
		base, _ := Revert(old, prior.Hunks)
		return Record{Path: path, Created: prior.Created, Mode: prior.Mode, Dirs: prior.Dirs, Hunks: Diff(base, new)}
	}
	r := Record{Path: path, Created: old == nil, Dirs: dirs, Hunks: Diff(old, new)}
	if old != nil {
		r.Mode = uint32(mode.Perm())
	}
	return r
}
