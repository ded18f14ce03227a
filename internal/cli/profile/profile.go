// Package profile keeps the arca command's profiles: named sets of the
// settings a developer would otherwise repeat on every command (the Arca
// endpoint, the AWS region and credentials profile, the domain and its
// owner, and the repository for each tool), in one JSON file,
// os.UserConfigDir()/arca/config.json.
//
// The profile named "default" is used when no other is chosen. `arca
// login` saves the settings given to it as flags into the chosen profile,
// so later commands can leave them out.
package profile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/arcahq/arca/internal/cli/fileedit"
)

// Default is the name of the profile used when none is chosen.
const Default = "default"

// Profile is one named set of settings. Empty fields are unset.
type Profile struct {
	Endpoint    string `json:"endpoint,omitempty"`
	Region      string `json:"region,omitempty"`
	AWSProfile  string `json:"awsProfile,omitempty"`
	Domain      string `json:"domain,omitempty"`
	DomainOwner string `json:"domainOwner,omitempty"`
	// Repository is used by tools without an entry in Repositories.
	Repository   string            `json:"repository,omitempty"`
	Repositories map[string]string `json:"repositories,omitempty"`
}

// RepositoryFor returns the repository for tool.
func (p Profile) RepositoryFor(tool string) string {
	if r := p.Repositories[tool]; r != "" {
		return r
	}
	return p.Repository
}

// Merge returns p with every non-empty field of q set over it.
func (p Profile) Merge(q Profile) Profile {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&p.Endpoint, q.Endpoint)
	set(&p.Region, q.Region)
	set(&p.AWSProfile, q.AWSProfile)
	set(&p.Domain, q.Domain)
	set(&p.DomainOwner, q.DomainOwner)
	set(&p.Repository, q.Repository)
	if len(q.Repositories) > 0 {
		m := make(map[string]string, len(p.Repositories)+len(q.Repositories))
		for k, v := range p.Repositories {
			m[k] = v
		}
		for k, v := range q.Repositories {
			if v != "" {
				m[k] = v
			}
		}
		p.Repositories = m
	}
	return p
}

// File is the content of the configuration file.
type File struct {
	Profiles map[string]Profile `json:"profiles"`
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckName returns an error for a name that cannot be a profile's.
func CheckName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("invalid profile name %q: use letters, digits, '.', '_' and '-' (at most 64)", name)
	}
	return nil
}

// DefaultPath is os.UserConfigDir()/arca/config.json.
func DefaultPath() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for profiles: %w", err)
	}
	return filepath.Join(d, "arca", "config.json"), nil
}

// Load reads the file at path; a missing file is an empty one. Unknown
// fields are errors, so that a misspelt setting is not silently ignored.
func Load(path string) (File, error) {
	b, err := fileedit.Read(path)
	if err != nil {
		return File{}, err
	}
	f := File{Profiles: map[string]Profile{}}
	if len(bytes.TrimSpace(b)) == 0 {
		return f, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	if f.Profiles == nil {
		f.Profiles = map[string]Profile{}
	}
	for name := range f.Profiles {
		if err := CheckName(name); err != nil {
			return File{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	return f, nil
}

// Names returns the profiles' names, sorted.
func (f File) Names() []string {
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Encode returns the file's content.
func (f File) Encode() []byte {
	if f.Profiles == nil {
		f.Profiles = map[string]Profile{}
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	return append(b, '\n')
}

// Save merges p into the profile name of the file at path and writes the
// file atomically (mode 0600). It returns whether anything changed.
func Save(path, name string, p Profile) (bool, error) {
	if err := CheckName(name); err != nil {
		return false, err
	}
	f, err := Load(path)
	if err != nil {
		return false, err
	}
	old, _ := fileedit.Read(path)
	f.Profiles[name] = f.Profiles[name].Merge(p)
	c := fileedit.Change{Path: path, Old: old, New: f.Encode(), Mode: 0o600}
	if !c.Changed() {
		return false, nil
	}
	return true, fileedit.Apply([]fileedit.Change{c})
}
