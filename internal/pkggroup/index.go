package pkggroup

import (
	"fmt"
	"sort"
	"time"

	"github.com/arcahq/arca/internal/artifact"
)

// Restriction is one of the three ways a version enters a repository.
type Restriction string

// The restrictions (the model's PackageGroupOriginRestrictionType).
const (
	Publish          Restriction = "PUBLISH"
	ExternalUpstream Restriction = "EXTERNAL_UPSTREAM"
	InternalUpstream Restriction = "INTERNAL_UPSTREAM"
)

// Restrictions lists them in a fixed order.
var Restrictions = []Restriction{ExternalUpstream, InternalUpstream, Publish}

// ParseRestriction returns the restriction a model string names.
func ParseRestriction(s string) (Restriction, bool) {
	for _, r := range Restrictions {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Mode is a restriction's setting.
type Mode string

// The modes (the model's PackageGroupOriginRestrictionMode).
const (
	Allow                     Mode = "ALLOW"
	Block                     Mode = "BLOCK"
	AllowSpecificRepositories Mode = "ALLOW_SPECIFIC_REPOSITORIES"
	Inherit                   Mode = "INHERIT"
)

// ValidMode reports whether s is a mode.
func ValidMode(s string) bool {
	switch Mode(s) {
	case Allow, Block, AllowSpecificRepositories, Inherit:
		return true
	}
	return false
}

// Group is a stored package group.
type Group struct {
	ID          int64
	Pattern     Pattern
	Description string
	ContactInfo string
	CreatedAt   time.Time
	// Modes holds the restrictions' own settings; a missing one is INHERIT
	// (ALLOW for the root).
	Modes map[Restriction]Mode
	// Allowed holds the allowed repositories per restriction: repository
	// id to name.
	Allowed map[Restriction]map[int64]string
	// Gate is the group's own release-age gate; nil inherits.
	Gate *ReleaseGate
}

// Mode returns g's own setting of r.
func (g *Group) Mode(r Restriction) Mode {
	if m, ok := g.Modes[r]; ok && m != "" {
		return m
	}
	if g.Pattern.Level == LevelAll {
		return Allow
	}
	return Inherit
}

// AllowedNames returns the names of g's allowed repositories for r, sorted.
func (g *Group) AllowedNames(r Restriction) []string {
	names := make([]string, 0, len(g.Allowed[r]))
	for _, n := range g.Allowed[r] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Node is a group in its domain's tree.
type Node struct {
	*Group
	Parent   *Node   // nil for the root
	Children []*Node // sorted by pattern
	// effective is, per restriction, the node whose setting applies:
	// the node itself unless it inherits.
	effective map[Restriction]*Node
	// gateFrom is the nearest node (itself or an ancestor) with a gate.
	gateFrom *Node
}

// Effective returns the mode that applies to r and the group it comes
// from (n itself when n does not inherit).
func (n *Node) Effective(r Restriction) (Mode, *Node) {
	from := n.effective[r]
	if from == nil {
		return Allow, nil // only when no ancestor has a setting: the root was lost
	}
	return from.Mode(r), from
}

// Index is the compiled set of a domain's groups: the tree, and a lookup
// from a package to its group that costs a pass over the groups of its
// format, not a query.
type Index struct {
	Nodes     []*Node // sorted by pattern
	byPattern map[string]*Node
	byFormat  map[artifact.Format][]*Node
	anyFormat []*Node // /* (and any other format-less definition)
	// For lookups: per format, the groups that fix no namespace
	// (/f/*, /f/ns~), and the groups that fix one, by the weak form of
	// their namespace (which a package must share to match them at all).
	loose    map[artifact.Format][]*Node
	byWeakNS map[nsKey][]*Node // /f/ns/*, /f/ns/name~
	exact    map[nsKey][]*Node // /f/ns/name$, by the weak name too
	// exemptions are the break-glass entries of the release-age gate.
	exemptions map[exemptionKey]struct{}
}

type nsKey struct {
	format    artifact.Format
	namespace string // weak form
	name      string // weak form, for exact definitions only
}

// NewIndex compiles groups. Definitions are expected valid (they were
// parsed before they were stored).
func NewIndex(groups []Group) *Index {
	ix := &Index{byPattern: map[string]*Node{}, byFormat: map[artifact.Format][]*Node{},
		loose: map[artifact.Format][]*Node{}, byWeakNS: map[nsKey][]*Node{}, exact: map[nsKey][]*Node{}}
	for i := range groups {
		n := &Node{Group: &groups[i]}
		ix.Nodes = append(ix.Nodes, n)
		ix.byPattern[n.Pattern.Text] = n
		if n.Pattern.Level == LevelAll {
			ix.anyFormat = append(ix.anyFormat, n)
		} else {
			ix.byFormat[n.Pattern.Format] = append(ix.byFormat[n.Pattern.Format], n)
			switch p := &n.Pattern; {
			case p.Level <= LevelNamespacePrefix:
				ix.loose[p.Format] = append(ix.loose[p.Format], n)
			case p.Level == LevelExact:
				k := nsKey{p.Format, p.weakNamespace, p.weakName}
				ix.exact[k] = append(ix.exact[k], n)
			default:
				k := nsKey{p.Format, p.weakNamespace, ""}
				ix.byWeakNS[k] = append(ix.byWeakNS[k], n)
			}
		}
	}
	sort.Slice(ix.Nodes, func(i, j int) bool { return ix.Nodes[i].Pattern.Text < ix.Nodes[j].Pattern.Text })
	for _, n := range ix.Nodes {
		n.Parent = ix.parentOf(n.Pattern)
		if n.Parent != nil {
			n.Parent.Children = append(n.Parent.Children, n)
		}
	}
	for _, n := range ix.Nodes {
		n.effective = map[Restriction]*Node{}
		for _, r := range Restrictions {
			for a := n; a != nil; a = a.Parent {
				if a.Mode(r) != Inherit {
					n.effective[r] = a
					break
				}
			}
		}
	}
	ix.inheritGates()
	return ix
}

// Group returns the group with a definition.
func (ix *Index) Group(pattern string) (*Node, bool) {
	n, ok := ix.byPattern[pattern]
	return n, ok
}

// candidates are the groups that can match packages of format f.
func (ix *Index) candidates(f artifact.Format) [2][]*Node {
	return [2][]*Node{ix.anyFormat, ix.byFormat[f]}
}

// ParentOf returns the group that would be the parent of a group with
// definition p: the most specific other group covering it.
func (ix *Index) ParentOf(p Pattern) *Node { return ix.parentOf(p) }

func (ix *Index) parentOf(p Pattern) *Node {
	var best *Node
	for _, list := range ix.candidates(p.Format) {
		for _, n := range list {
			if n.Pattern.Covers(p) && (best == nil || n.Pattern.moreSpecific(best.Pattern)) {
				best = n
			}
		}
	}
	return best
}

// Association is the group a package belongs to, and how.
type Association struct {
	Group *Node // nil only in a domain without groups
	// Weak is set when the package matches the group only in its weak form
	// (look-alike names): such a package is blocked from every origin.
	Weak bool
}

// Type is the model's PackageGroupAssociationType.
func (a Association) Type() string {
	if a.Weak {
		return "WEAK"
	}
	return "STRONG"
}

// Associate returns the group a package belongs to: the most specific
// group it matches, weakly or strongly; a strong match wins a tie.
func (ix *Index) Associate(ref artifact.PackageRef) Association {
	wns, wname := Weak(ref.Namespace), Weak(ref.Name)
	return associate([][]*Node{ix.anyFormat, ix.loose[ref.Format], ix.byWeakNS[nsKey{ref.Format, wns, ""}],
		ix.exact[nsKey{ref.Format, wns, wname}]}, ref, wns, wname)
}

func associate(lists [][]*Node, ref artifact.PackageRef, wns, wname string) Association {
	var strong, weak *Node
	for _, list := range lists {
		for _, n := range list {
			switch {
			case n.Pattern.Matches(ref):
				if strong == nil || n.Pattern.moreSpecific(strong.Pattern) {
					strong = n
				}
			case n.Pattern.matchesWeakly(ref.Format, wns, wname):
				if weak == nil || n.Pattern.moreSpecific(weak.Pattern) {
					weak = n
				}
			}
		}
	}
	if weak != nil && (strong == nil || weak.Pattern.Level > strong.Pattern.Level ||
		(weak.Pattern.Level == strong.Pattern.Level && weak.Pattern.moreSpecific(strong.Pattern))) {
		return Association{Group: weak, Weak: true}
	}
	return Association{Group: strong}
}

// AssociateWith returns the association a package would have if a group
// with definition p existed besides the index's (ListAssociatedPackages
// with preview).
func (ix *Index) AssociateWith(p Pattern, ref artifact.PackageRef) Association {
	if _, ok := ix.byPattern[p.Text]; ok {
		return ix.Associate(ref)
	}
	extra := &Node{Group: &Group{Pattern: p}}
	c := ix.candidates(ref.Format)
	return associate([][]*Node{c[0], c[1], {extra}}, ref, Weak(ref.Namespace), Weak(ref.Name))
}

// Decision is the verdict on a version entering a repository.
type Decision struct {
	Allowed bool
	// Group is the group whose setting decided, by definition ("" when
	// the domain has no groups).
	Group string
	// Reason says why a version is refused, for the client.
	Reason string
}

// Decide says whether a version of ref may enter the repository with id
// repoID (named repoName) through restriction r.
func (ix *Index) Decide(ref artifact.PackageRef, r Restriction, repoID int64, repoName string) Decision {
	a := ix.Associate(ref)
	if a.Group == nil {
		return Decision{Allowed: true}
	}
	g := a.Group.Pattern.Text
	if a.Weak {
		return Decision{Group: g, Reason: fmt.Sprintf("%s is blocked by package group %s: its name matches the group's definition only after normalization (case, separators or look-alike characters), so it may be neither published nor ingested", ref, g)}
	}
	mode, from := a.Group.Effective(r)
	src := g
	if from != nil && from != a.Group {
		src = fmt.Sprintf("%s (inherited from %s)", g, from.Pattern.Text)
	}
	switch mode {
	case Block:
		return Decision{Group: g, Reason: fmt.Sprintf("%s of %s is blocked by package group %s: %s is BLOCK", what(r), ref, src, r)}
	case AllowSpecificRepositories:
		if _, ok := from.Allowed[r][repoID]; ok {
			return Decision{Allowed: true, Group: g}
		}
		return Decision{Group: g, Reason: fmt.Sprintf("%s of %s into repository %s is blocked by package group %s: %s allows only specific repositories, and %s is not one of them", what(r), ref, repoName, src, r, repoName)}
	}
	return Decision{Allowed: true, Group: g}
}

func what(r Restriction) string {
	switch r {
	case Publish:
		return "Publishing"
	case ExternalUpstream:
		return "Ingesting from an external connection"
	}
	return "Retaining from an upstream repository"
}
