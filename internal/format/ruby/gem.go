package ruby

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/arcahq/arca/internal/archive"
	"github.com/arcahq/arca/internal/errkind"
)

// A .gem file is a tar archive of gzipped members: metadata.gz (the
// gemspec as YAML), data.tar.gz (the files), checksums.yaml.gz and
// optional signatures. Arca reads metadata.gz only, once at upload, and
// keeps the Spec it describes.
//
// Spec: RubyGems' Gem::Package (the .gem layout) and Gem::Specification
// (the fields of the gemspec).

// Sizes Arca reads of a .gem.
const (
	maxMetadata = 1 << 20 // metadata.gz, decompressed
	maxMembers  = 64      // members of the tar
	maxName     = 128     // a gem name
	maxPlatform = 64
	maxDeps     = 1000
)

// Spec is what Arca keeps of a gemspec: what the indexes, the quick
// gemspecs and the control plane serve.
type Spec struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Platform             string            `json:"platform"`
	Summary              string            `json:"summary,omitempty"`
	Description          string            `json:"description,omitempty"`
	Homepage             string            `json:"homepage,omitempty"`
	Authors              []string          `json:"authors,omitempty"`
	Email                []string          `json:"email,omitempty"`
	Licenses             []string          `json:"licenses,omitempty"`
	Metadata             map[string]string `json:"metadata,omitempty"`
	Dependencies         []Dependency      `json:"dependencies,omitempty"`
	RequiredRuby         []Constraint      `json:"required_ruby_version,omitempty"`
	RequiredRubygems     []Constraint      `json:"required_rubygems_version,omitempty"`
	RubygemsVersion      string            `json:"rubygems_version,omitempty"`
	SpecificationVersion int               `json:"specification_version,omitempty"`
	Date                 string            `json:"date,omitempty"`
}

// Dependency is a gem's dependency: runtime or development.
type Dependency struct {
	Name         string       `json:"name"`
	Type         string       `json:"type"`
	Requirements []Constraint `json:"requirements"`
}

// Constraint is one requirement: an operator and a version.
type Constraint struct {
	Op      string `json:"op"`
	Version string `json:"version"`
}

// FullName is name-version, and -platform unless the platform is ruby:
// the stem of the .gem and quick gemspec file names.
func (s *Spec) FullName() string { return FullName(s.Name, s.Version, s.Platform) }

// FullName is the file stem of a gem of a platform.
func FullName(name, version, platform string) string {
	if platform == "" || platform == "ruby" {
		return name + "-" + version
	}
	return name + "-" + version + "-" + platform
}

// Requirement renders constraints as RubyGems writes them (">= 1, < 2").
func Requirement(cs []Constraint) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Op + " " + c.Version
	}
	return strings.Join(parts, ", ")
}

var (
	namePattern     = regexp.MustCompile(`\A[a-zA-Z0-9._-]+\z`)
	platformPattern = regexp.MustCompile(`\A[a-zA-Z0-9._-]+\z`)
	letter          = regexp.MustCompile(`[a-zA-Z]`)
	ops             = map[string]bool{"=": true, "!=": true, ">": true, "<": true, ">=": true, "<=": true, "~>": true}
)

// ValidateName checks a gem name as RubyGems does: letters, digits, ".",
// "-" and "_", with at least one letter.
func ValidateName(name string) error {
	if len(name) > maxName || !namePattern.MatchString(name) || !letter.MatchString(name) || strings.Trim(name, ".") == "" {
		return errkind.Validationf("%q is not a gem name (letters, digits, '.', '-' and '_', at least one letter, at most %d)", name, maxName)
	}
	return nil
}

// validatePlatform checks a platform name.
func validatePlatform(p string) error {
	if len(p) > maxPlatform || !platformPattern.MatchString(p) || strings.Contains(p, "..") {
		return errkind.Validationf("%q is not a gem platform", p)
	}
	return nil
}

// ParseGem reads the gemspec of a .gem. Only metadata.gz is read; every
// member name must be a plain file name.
func ParseGem(r io.Reader) (*Spec, error) {
	tr, err := archive.NewTar(r, nil, archive.Limits{What: "The gem", Entries: maxMembers})
	if err != nil {
		return nil, err
	}
	var spec *Spec
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if h.Name == "" || strings.ContainsAny(h.Name, `/\`) || h.Name == "." || h.Name == ".." {
			return nil, errkind.Validationf("The gem has a member %q outside its top level", h.Name)
		}
		if h.Name != "metadata.gz" {
			continue
		}
		if spec != nil {
			return nil, errkind.Validationf("The gem has two metadata.gz members")
		}
		zr, err := gzip.NewReader(tr)
		if err != nil {
			return nil, errkind.Validationf("The gem's metadata.gz is not gzip: %v", err)
		}
		raw, err := io.ReadAll(io.LimitReader(zr, maxMetadata+1))
		if err != nil {
			return nil, errkind.Validationf("The gem's metadata.gz cannot be read: %v", err)
		}
		if len(raw) > maxMetadata {
			return nil, errkind.Validationf("The gem's metadata is larger than %d bytes", maxMetadata)
		}
		if spec, err = ParseSpec(raw); err != nil {
			return nil, err
		}
	}
	if spec == nil {
		return nil, errkind.Validationf("The gem has no metadata.gz: build it with gem build")
	}
	return spec, nil
}

// The gemspec YAML, its Ruby tags dropped (Gem::Version and
// Gem::Requirement read as the mappings they are written as).
type (
	yamlSpec struct {
		Name                    string            `yaml:"name"`
		Version                 yamlVersion       `yaml:"version"`
		Platform                string            `yaml:"platform"`
		Authors                 []string          `yaml:"authors"`
		Email                   yaml.Node         `yaml:"email"`
		Date                    string            `yaml:"date"`
		Dependencies            []yamlDependency  `yaml:"dependencies"`
		Description             string            `yaml:"description"`
		Homepage                string            `yaml:"homepage"`
		Licenses                []string          `yaml:"licenses"`
		Metadata                map[string]string `yaml:"metadata"`
		RequiredRubyVersion     yamlRequirement   `yaml:"required_ruby_version"`
		RequiredRubygemsVersion yamlRequirement   `yaml:"required_rubygems_version"`
		RubygemsVersion         string            `yaml:"rubygems_version"`
		SpecificationVersion    int               `yaml:"specification_version"`
		Summary                 string            `yaml:"summary"`
	}
	yamlVersion struct {
		Version string `yaml:"version"`
	}
	yamlRequirement struct {
		Requirements [][]yaml.Node `yaml:"requirements"`
	}
	yamlDependency struct {
		Name        string          `yaml:"name"`
		Requirement yamlRequirement `yaml:"requirement"`
		Type        string          `yaml:"type"`
	}
)

// ParseSpec reads a gemspec written as YAML by gem build. Nothing in it is
// executed: its Ruby object tags are dropped and the mappings they tag
// read as plain mappings; aliases are refused.
func ParseSpec(raw []byte) (*Spec, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&doc); err != nil {
		return nil, errkind.Validationf("The gem's metadata is not YAML: %v", err)
	}
	if err := untag(&doc, 0); err != nil {
		return nil, err
	}
	var y yamlSpec
	if err := doc.Decode(&y); err != nil {
		return nil, errkind.Validationf("The gem's metadata is not a gemspec: %v", err)
	}
	s := &Spec{
		Name: y.Name, Version: y.Version.Version, Platform: y.Platform,
		Summary: y.Summary, Description: y.Description, Homepage: y.Homepage,
		Authors: y.Authors, Licenses: y.Licenses, Metadata: y.Metadata,
		RubygemsVersion: y.RubygemsVersion, SpecificationVersion: y.SpecificationVersion, Date: y.Date,
	}
	if s.Platform == "" {
		s.Platform = "ruby"
	}
	switch y.Email.Kind {
	case yaml.ScalarNode:
		if y.Email.Tag != "!!null" && y.Email.Value != "" {
			s.Email = []string{y.Email.Value}
		}
	case yaml.SequenceNode:
		if err := y.Email.Decode(&s.Email); err != nil {
			return nil, errkind.Validationf("The gemspec's email is not a list of strings")
		}
	}
	if err := ValidateName(s.Name); err != nil {
		return nil, errkind.Validationf("The gemspec's name: %s", errkind.As(err).Message)
	}
	if _, err := ParseVersion(s.Version); err != nil {
		return nil, errkind.Validationf("The gemspec's version: %s", errkind.As(err).Message)
	}
	if err := validatePlatform(s.Platform); err != nil {
		return nil, errkind.Validationf("The gemspec's platform: %s", errkind.As(err).Message)
	}
	var err error
	if s.RequiredRuby, err = y.RequiredRubyVersion.constraints(); err != nil {
		return nil, err
	}
	if s.RequiredRubygems, err = y.RequiredRubygemsVersion.constraints(); err != nil {
		return nil, err
	}
	if len(y.Dependencies) > maxDeps {
		return nil, errkind.Validationf("The gemspec has more than %d dependencies", maxDeps)
	}
	for _, d := range y.Dependencies {
		if err := ValidateName(d.Name); err != nil {
			return nil, errkind.Validationf("A dependency of the gemspec: %s", errkind.As(err).Message)
		}
		cs, err := d.Requirement.constraints()
		if err != nil {
			return nil, err
		}
		typ := strings.TrimPrefix(d.Type, ":")
		if typ == "" {
			typ = "runtime"
		}
		if typ != "runtime" && typ != "development" {
			return nil, errkind.Validationf("The dependency %s has type %q, not runtime or development", d.Name, d.Type)
		}
		s.Dependencies = append(s.Dependencies, Dependency{Name: d.Name, Type: typ, Requirements: cs})
	}
	return s, nil
}

// constraints reads the [op, {version}] pairs of a requirement; none is
// ">= 0", as RubyGems reads it.
func (r yamlRequirement) constraints() ([]Constraint, error) {
	var cs []Constraint
	for _, pair := range r.Requirements {
		var c Constraint
		var v yamlVersion
		if len(pair) != 2 || pair[0].Decode(&c.Op) != nil || pair[1].Decode(&v) != nil || !ops[c.Op] {
			return nil, errkind.Validationf("The gemspec has a requirement that is not [operator, version]")
		}
		if _, err := ParseVersion(v.Version); err != nil {
			return nil, errkind.Validationf("The gemspec has a requirement on %s", errkind.As(err).Message)
		}
		c.Version = v.Version
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		cs = []Constraint{{Op: ">=", Version: "0"}}
	}
	return cs, nil
}

// maxDepth bounds the nesting of the gemspec YAML.
const maxDepth = 32

// untag drops the Ruby tags of a YAML tree (a tagged mapping reads as a
// plain mapping, a tagged scalar as a string) and refuses aliases.
func untag(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return errkind.Validationf("The gem's metadata is nested deeper than %d", maxDepth)
	}
	if n.Kind == yaml.AliasNode {
		return errkind.Validationf("The gem's metadata has a YAML alias; gem build writes none")
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		if n.Kind == yaml.ScalarNode {
			n.Tag = "!!str"
		} else {
			n.Tag = ""
		}
	}
	for _, c := range n.Content {
		if err := untag(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}
