package ruby

import (
	"encoding/json"

	"github.com/arcahq/arca/internal/artifact"
)

// Extra is the RubyGems part of a version's metadata (artifact.Meta.Extra):
// the Gem of each .gem of the version, by file name. Platform variants of
// a version are files of the one version; each push adds its own.
type Extra struct {
	Gems map[string]Gem `json:"gems,omitempty"`
}

// ParseExtra reads a version's Extra; anything unreadable (a version
// published through another API) reads as no gems.
func ParseExtra(raw json.RawMessage) Extra {
	var e Extra
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &e)
	}
	return e
}

// withGem returns raw with g added as file.
func withGem(raw json.RawMessage, file string, g Gem) json.RawMessage {
	e := ParseExtra(raw)
	if e.Gems == nil {
		e.Gems = map[string]Gem{}
	}
	e.Gems[file] = g
	b, _ := json.Marshal(e)
	return b
}

// Ref is the package reference of a gem: its name as given.
func Ref(name string) artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.Ruby, Name: name}
}

// meta is the format-neutral metadata of a version from its first gem.
func meta(s *Spec) artifact.Meta {
	m := artifact.Meta{DisplayName: s.Name, Summary: s.Summary, HomePage: s.Homepage}
	if src := s.Metadata["source_code_uri"]; src != "" {
		m.SourceCodeRepository = src
	}
	for _, l := range s.Licenses {
		m.Licenses = append(m.Licenses, artifact.License{Name: l})
	}
	for _, d := range s.Dependencies {
		m.Dependencies = append(m.Dependencies, artifact.Dependency{Package: d.Name, DependencyType: d.Type, VersionRange: Requirement(d.Requirements)})
	}
	return m
}
