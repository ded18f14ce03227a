// Package profile keeps the arca command's profiles: named sets of the
// settings a developer would otherwise repeat on every command (the Arca
// endpoint, the AWS region and credentials profile, the domain and its
// owner, and the repository for each tool and format), in one JSON file,
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
	// Repository is the repository of every tool that has none of its
	// own or of its format. arca login never sets it (a repository given
	// for npm is not one for pip): a user who has one repository for
	// every format writes it here.
	Repository string `json:"repository,omitempty"`
	// Repositories are the repositories by tool (npm, pip, ...), as the
	// last login of each tool chose them.
	Repositories map[string]string `json:"repositories,omitempty"`
	// Formats are the repositories by format (npm, pypi, maven, ...), as
	// the last login of a tool of that format chose them: arca env --tool
	// twine uses the repository of arca login --tool pip.
	Formats map[string]string `json:"formats,omitempty"`
}

// RepositoryFor returns the repository for tool, whose repository format
// is format: the tool's, else the format's, else the profile's default.
func (p Profile) RepositoryFor(tool, format string) string {
	if r := p.Repositories[tool]; r != "" {
		return r
	}
	if r := p.Formats[format]; r != "" {
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
	p.Repositories = mergeMap(p.Repositories, q.Repositories)
	p.Formats = mergeMap(p.Formats, q.Formats)
	return p
}

// mergeMap returns p with the non-empty values of q set over it, as a new
// map when q has any.
func mergeMap(p, q map[string]string) map[string]string {
	if len(q) == 0 {
		return p
	}
	m := make(map[string]string, len(p)+len(q))
	for k, v := range p {
		m[k] = v
	}
	for k, v := range q {
		if v != "" {
			m[k] = v
		}
	}
	return m
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
