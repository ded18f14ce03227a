package cargo

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// Limits of a publish request.
const (
	// MaxMetadata bounds the JSON part of a publish body (it carries the
	// readme).
	MaxMetadata = 8 << 20
	// MaxCrate bounds the .crate of a publish.
	MaxCrate = 64 << 20
	// MaxPublishBody bounds a whole publish body.
	MaxPublishBody = MaxMetadata + MaxCrate + 8
	// maxDeps bounds the dependencies of one version.
	maxDeps = 2048
)

// Publish is the JSON part of a publish request, as cargo sends it
// (cargo's registry web API, "Publish").
type Publish struct {
	Name          string              `json:"name"`
	Vers          string              `json:"vers"`
	Deps          []PublishDep        `json:"deps"`
	Features      map[string][]string `json:"features"`
	Authors       []string            `json:"authors"`
	Description   *string             `json:"description"`
	Documentation *string             `json:"documentation"`
	Homepage      *string             `json:"homepage"`
	Readme        *string             `json:"readme"`
	Keywords      []string            `json:"keywords"`
	Categories    []string            `json:"categories"`
	License       *string             `json:"license"`
	LicenseFile   *string             `json:"license_file"`
	Repository    *string             `json:"repository"`
	Links         *string             `json:"links"`
	RustVersion   *string             `json:"rust_version"`
}

// PublishDep is a dependency as a publish request sends it: Name is the
// crate depended on, ExplicitNameInToml the name the depending crate uses
// for it if it renamed it.
type PublishDep struct {
	Name               string   `json:"name"`
	VersionReq         string   `json:"version_req"`
	Features           []string `json:"features"`
	Optional           bool     `json:"optional"`
	DefaultFeatures    bool     `json:"default_features"`
	Target             *string  `json:"target"`
	Kind               string   `json:"kind"`
	Registry           *string  `json:"registry"`
	ExplicitNameInToml *string  `json:"explicit_name_in_toml"`
}

// SplitPublish splits a publish body: u32 LE length, JSON, u32 LE length,
// .crate. It parses and checks the JSON and returns the .crate bytes,
// which the caller validates (ValidateCrate).
func SplitPublish(body []byte) (*Publish, []byte, error) {
	jsonPart, rest, err := lengthPrefixed(body, MaxMetadata, "metadata")
	if err != nil {
		return nil, nil, err
	}
	crate, rest, err := lengthPrefixed(rest, MaxCrate, ".crate")
	if err != nil {
		return nil, nil, err
	}
	if len(rest) != 0 {
		return nil, nil, errkind.Validationf("The publish body has %d bytes after the .crate", len(rest))
	}
	p, err := ParsePublishJSON(jsonPart)
	if err != nil {
		return nil, nil, err
	}
	return p, crate, nil
}

func lengthPrefixed(b []byte, max uint32, what string) ([]byte, []byte, error) {
	if len(b) < 4 {
		return nil, nil, errkind.Validationf("The publish body ends before the length of its %s", what)
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if n > max {
		return nil, nil, errkind.Validationf("The %s of the publish body is %d bytes; at most %d are accepted", what, n, max)
	}
	if uint32(len(b)) < n {
		return nil, nil, errkind.Validationf("The publish body ends inside its %s (%d of %d bytes)", what, len(b), n)
	}
	return b[:n], b[n:], nil
}

// ParsePublishJSON parses and checks the JSON part of a publish request.
func ParsePublishJSON(b []byte) (*Publish, error) {
	var p Publish
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&p); err != nil {
		return nil, errkind.Validationf("The publish metadata is not valid JSON: %v", err)
	}
	if d.More() {
		return nil, errkind.Validationf("The publish metadata has data after its JSON object")
	}
	if err := ValidateName(p.Name); err != nil {
		return nil, err
	}
	if err := ValidateVersion(p.Vers); err != nil {
		return nil, err
	}
	if len(p.Deps) > maxDeps {
		return nil, errkind.Validationf("A crate version has at most %d dependencies; this one has %d", maxDeps, len(p.Deps))
	}
	for _, d := range p.Deps {
		if err := ValidateName(d.Name); err != nil {
			return nil, errkind.Validationf("Dependency: %s", errkind.As(err).Message)
		}
		if d.ExplicitNameInToml != nil {
			if err := ValidateName(*d.ExplicitNameInToml); err != nil {
				return nil, errkind.Validationf("Dependency %s: %s", d.Name, errkind.As(err).Message)
			}
		}
		if d.VersionReq == "" {
			return nil, errkind.Validationf("Dependency %s has no version requirement", d.Name)
		}
		switch d.Kind {
		case "", "normal", "dev", "build":
		default:
			return nil, errkind.Validationf("Dependency %s has kind %q; the kinds are normal, dev and build", d.Name, d.Kind)
		}
	}
	return &p, nil
}

// IndexLine is one version of a crate in its index file (cargo's "Index
// format").
type IndexLine struct {
	Name        string              `json:"name"`
	Vers        string              `json:"vers"`
	Deps        []IndexDep          `json:"deps"`
	Cksum       string              `json:"cksum"`
	Features    map[string][]string `json:"features"`
	Features2   map[string][]string `json:"features2,omitempty"`
	Yanked      bool                `json:"yanked"`
	Links       *string             `json:"links,omitempty"`
	RustVersion *string             `json:"rust_version,omitempty"`
	V           int                 `json:"v"`
}

// IndexDep is a dependency as the index lists it: Name is the name the
// depending crate uses, Package the crate's real name when renamed.
type IndexDep struct {
	Name            string   `json:"name"`
	Req             string   `json:"req"`
	Features        []string `json:"features"`
	Optional        bool     `json:"optional"`
	DefaultFeatures bool     `json:"default_features"`
	Target          *string  `json:"target"`
	Kind            string   `json:"kind"`
	Registry        *string  `json:"registry,omitempty"`
	Package         *string  `json:"package,omitempty"`
}

// IndexLine turns a publish request into its version's index line, with
// the .crate's sha256 (hex) as cksum: version_req becomes req, and a
// renamed dependency is listed under its new name with package naming
// the crate. Features using the "dep:" or "?/" syntax go to features2
// with v 2, as registries do so that older cargos skip them.
func (p *Publish) IndexLine(cksum string) IndexLine {
	l := IndexLine{Name: p.Name, Vers: p.Vers, Cksum: cksum, Deps: []IndexDep{}, Features: map[string][]string{},
		Links: p.Links, RustVersion: p.RustVersion, V: 1}
	for _, d := range p.Deps {
		dep := IndexDep{Name: d.Name, Req: d.VersionReq, Features: d.Features, Optional: d.Optional,
			DefaultFeatures: d.DefaultFeatures, Target: d.Target, Kind: d.Kind, Registry: d.Registry}
		if dep.Features == nil {
			dep.Features = []string{}
		}
		if dep.Kind == "" {
			dep.Kind = "normal"
		}
		if d.ExplicitNameInToml != nil && *d.ExplicitNameInToml != d.Name {
			pkg := d.Name
			dep.Name, dep.Package = *d.ExplicitNameInToml, &pkg
		}
		l.Deps = append(l.Deps, dep)
	}
	for f, values := range p.Features {
		if values == nil {
			values = []string{}
		}
		if newSyntax(values) {
			if l.Features2 == nil {
				l.Features2 = map[string][]string{}
			}
			l.Features2[f] = values
			l.V = 2
		} else {
			l.Features[f] = values
		}
	}
	return l
}

func newSyntax(values []string) bool {
	for _, v := range values {
		if strings.HasPrefix(v, "dep:") || strings.Contains(v, "?/") {
			return true
		}
	}
	return false
}

// Meta is the version's format-neutral metadata, with its index line
// (yanked false) as Extra.
func (p *Publish) Meta(line IndexLine) (artifact.Meta, error) {
	extra, err := json.Marshal(line)
	if err != nil {
		return artifact.Meta{}, err
	}
	m := artifact.Meta{DisplayName: p.Name, Summary: str(p.Description), HomePage: str(p.Homepage),
		SourceCodeRepository: str(p.Repository), Readme: str(p.Readme), Extra: extra}
	if l := str(p.License); l != "" {
		m.Licenses = []artifact.License{{Name: l}}
	} else if lf := str(p.LicenseFile); lf != "" {
		m.Licenses = []artifact.License{{Name: "file " + lf}}
	}
	for _, d := range p.Deps {
		kind := d.Kind
		if kind == "" {
			kind = "normal"
		}
		m.Dependencies = append(m.Dependencies, artifact.Dependency{Package: d.Name, DependencyType: kind, VersionRange: d.VersionReq})
	}
	return m, nil
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ParseIndexLine reads an index line stored as a version's Extra.
func ParseIndexLine(b []byte) (IndexLine, error) {
	var l IndexLine
	if err := json.Unmarshal(b, &l); err != nil {
		return l, errkind.Validationf("Invalid index line: %v", err)
	}
	return l, nil
}
