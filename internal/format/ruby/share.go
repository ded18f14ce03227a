package ruby

import (
	"encoding/json"
	"maps"
	"slices"
)

// gemDecoder decodes versions' gems for one build of a gem list, in the
// list's order. A package's gems repeat most of their spec from one
// version to the next (name, platform, summary, authors, licenses,
// required versions, dependencies, metadata), and the decoded gems are
// kept (Format.extras) and listed for as long as the package is read:
// each gem decoded uses the strings and slices of the gem before it
// that are equal to its own, so that they are held once.
type gemDecoder struct {
	prev *Gem // the last gem of the build so far (nil: none)
}

// decode returns the gems of a version's Extra in push order.
func (d *gemDecoder) decode(extra json.RawMessage) []Gem {
	var gems []Gem
	for _, g := range ParseExtra(extra).Gems {
		gems = append(gems, g)
	}
	sortByPush(gems)
	for i := range gems {
		if d.prev != nil {
			shareGem(d.prev, &gems[i])
		}
	}
	return gems
}

// saw records gems (decoded now, or kept from an earlier build) as the
// last the build went through.
func (d *gemDecoder) saw(gems []Gem) {
	if len(gems) > 0 {
		d.prev = &gems[len(gems)-1]
	}
}

// shareGem makes g, which nobody else holds yet, use prev's strings and
// slices where they are equal. prev is read only.
func shareGem(prev, g *Gem) {
	for _, s := range [...]struct{ s, p *string }{
		{&g.Name, &prev.Name}, {&g.Platform, &prev.Platform}, {&g.Summary, &prev.Summary},
		{&g.Description, &prev.Description}, {&g.Homepage, &prev.Homepage},
		{&g.RubygemsVersion, &prev.RubygemsVersion}, {&g.Date, &prev.Date},
	} {
		if len(*s.s) == len(*s.p) && *s.s == *s.p {
			*s.s = *s.p
		}
	}
	shareEqual(&g.Authors, prev.Authors)
	shareEqual(&g.Email, prev.Email)
	shareEqual(&g.Licenses, prev.Licenses)
	shareEqual(&g.RequiredRuby, prev.RequiredRuby)
	shareEqual(&g.RequiredRubygems, prev.RequiredRubygems)
	if len(g.Metadata) == len(prev.Metadata) && maps.Equal(g.Metadata, prev.Metadata) {
		g.Metadata = prev.Metadata
	}
	if slices.EqualFunc(g.Dependencies, prev.Dependencies, func(a, b Dependency) bool {
		return a.Name == b.Name && a.Type == b.Type && slices.Equal(a.Requirements, b.Requirements)
	}) {
		g.Dependencies = prev.Dependencies
	}
}

// shareEqual makes *s prev when their elements are equal.
func shareEqual[E comparable](s *[]E, prev []E) {
	if len(*s) == len(prev) && slices.Equal(*s, prev) {
		*s = prev
	}
}
