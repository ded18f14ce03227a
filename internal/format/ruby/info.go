package ruby

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// Reading a public registry's compact index (rubygems/compact_index):
// the info file of one gem, a line per gem file, which public:ruby-gems-org
// reads instead of opening every .gem.
//
//	---
//	1.0.0 |checksum:SHA256
//	1.1.0 dep:>= 1&< 3,other:~> 2.0|checksum:SHA256,ruby:>= 2.7,rubygems:>= 1.3
//	1.1.0-java |checksum:SHA256

// Bounds of an info file read from a registry.
const (
	maxInfoLine  = 64 << 10
	maxInfoGems  = 100_000
	maxInfoParts = 1000
)

// ParseInfo reads the info file of the gem name: its gems, in the file's
// order, each with its version, platform, runtime dependencies, Ruby and
// RubyGems requirements and SHA-256. Lines that are not a valid gem of
// that name (a bad version, platform, checksum or requirement) are left
// out; a file without a single valid line is an error.
func ParseInfo(name string, body []byte) ([]Gem, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxInfoLine)
	var gems []Gem
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line == "---" {
			continue
		}
		if g, ok := parseInfoLine(name, line); ok {
			gems = append(gems, g)
			if len(gems) > maxInfoGems {
				return nil, errkind.Validationf("The info file of %s lists more than %d gems", name, maxInfoGems)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, errkind.Validationf("The info file of %s cannot be read: %v", name, err)
	}
	if len(gems) == 0 {
		return nil, errkind.NotFoundf("The info file of %s lists no gems", name)
	}
	return gems, nil
}

// parseInfoLine reads "VERSION[-PLATFORM] DEPS|REQS".
func parseInfoLine(name, line string) (Gem, bool) {
	head, rest, ok := strings.Cut(line, " ")
	if !ok {
		return Gem{}, false
	}
	deps, reqs, ok := strings.Cut(rest, "|")
	if !ok {
		return Gem{}, false
	}
	version, platform, _ := strings.Cut(head, "-")
	if platform == "" {
		platform = "ruby"
	}
	if _, err := ParseVersion(version); err != nil || validatePlatform(platform) != nil {
		return Gem{}, false
	}
	g := Gem{Spec: Spec{Name: name, Version: version, Platform: platform}}
	if deps != "" {
		parts := strings.Split(deps, ",")
		if len(parts) > maxInfoParts {
			return Gem{}, false
		}
		for _, d := range parts {
			dn, req, ok := strings.Cut(d, ":")
			cs, err := parseCompactRequirement(req)
			if !ok || ValidateName(dn) != nil || err != nil {
				return Gem{}, false
			}
			g.Dependencies = append(g.Dependencies, Dependency{Name: dn, Type: "runtime", Requirements: cs})
		}
	}
	for _, r := range strings.Split(reqs, ",") {
		k, v, ok := strings.Cut(r, ":")
		if !ok {
			return Gem{}, false
		}
		switch k {
		case "checksum":
			if len(v) != 64 || strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
				return Gem{}, false
			}
			g.SHA256 = strings.ToLower(v)
		case "ruby", "rubygems":
			cs, err := parseCompactRequirement(v)
			if err != nil {
				return Gem{}, false
			}
			if k == "ruby" {
				g.RequiredRuby = cs
			} else {
				g.RequiredRubygems = cs
			}
		}
	}
	return g, g.SHA256 != ""
}

// parseCompactRequirement reads "OP VERSION&OP VERSION".
func parseCompactRequirement(s string) ([]Constraint, error) {
	var cs []Constraint
	parts := strings.Split(s, "&")
	if len(parts) > maxInfoParts {
		return nil, errkind.Validationf("too many requirements")
	}
	for _, p := range parts {
		op, v, ok := strings.Cut(strings.TrimSpace(p), " ")
		if !ok {
			op, v = "=", op
		}
		switch op {
		case "=", "!=", ">", "<", ">=", "<=", "~>":
		default:
			return nil, errkind.Validationf("requirement %q has no known operator", p)
		}
		if _, err := ParseVersion(strings.TrimSpace(v)); err != nil {
			return nil, err
		}
		cs = append(cs, Constraint{Op: op, Version: strings.TrimSpace(v)})
	}
	return cs, nil
}
