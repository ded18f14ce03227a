package pkggroup

import (
	"fmt"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// ReleaseGate is a group's release-age gate (an Arca extension, not
// CodeArtifact's): versions that enter through an external connection must
// have been published at least MinAge ago, and not after Cutoff. A version
// the registry gives no publish time for is held unless AllowMissingTime
// is set. A group without a gate of its own takes its nearest ancestor's;
// a gate with no minimum age and no cut-off turns the gate off below it.
type ReleaseGate struct {
	MinAge           time.Duration
	Cutoff           time.Time // zero: none
	AllowMissingTime bool
}

// MaxGateAge bounds a gate's minimum age: past a year a gate is a block,
// which origin controls already say.
const MaxGateAge = 366 * 24 * time.Hour

// Validate checks a gate's settings.
func (g ReleaseGate) Validate() error {
	if g.MinAge < 0 || g.MinAge > MaxGateAge {
		return errkind.Validationf("The minimum release age must be between 0 and %s, not %s", FormatAge(MaxGateAge), g.MinAge)
	}
	if g.MinAge%time.Second != 0 {
		return errkind.Validationf("The minimum release age %s must be a whole number of seconds", g.MinAge)
	}
	return nil
}

// Off reports whether the gate holds nothing back: no minimum age and no
// cut-off (whatever it says of missing publish times).
func (g ReleaseGate) Off() bool { return g.MinAge == 0 && g.Cutoff.IsZero() }

// FormatAge writes an age in the largest whole unit of days, hours,
// minutes or seconds (72h, 3d is written 72h: hours read best).
func FormatAge(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// Exemption is a break-glass entry: one version of a package, or every
// version when Version is "", let through the release-age gate.
type Exemption struct {
	Ref       artifact.PackageRef // in the package group normal form (Normalize)
	Version   string
	CreatedAt time.Time
	CreatedBy string // the ARN of the principal who allowed it
}

type exemptionKey struct {
	ref     artifact.PackageRef
	version string
}

// SetExemptions gives the index the domain's break-glass entries.
func (ix *Index) SetExemptions(list []Exemption) {
	ix.exemptions = make(map[exemptionKey]struct{}, len(list))
	for _, e := range list {
		ix.exemptions[exemptionKey{e.Ref, e.Version}] = struct{}{}
	}
}

// exempt reports whether a version of ref (normalized) is let through.
func (ix *Index) exempt(ref artifact.PackageRef, version string) bool {
	if len(ix.exemptions) == 0 {
		return false
	}
	_, all := ix.exemptions[exemptionKey{ref, ""}]
	_, one := ix.exemptions[exemptionKey{ref, version}]
	return all || one
}

// EffectiveGate returns the gate that applies to n's packages and the
// group it is set on; nil when neither n nor an ancestor has one.
func (n *Node) EffectiveGate() (*ReleaseGate, *Node) {
	if n.gateFrom == nil {
		return nil, nil
	}
	return n.gateFrom.Gate, n.gateFrom
}

// inheritGates sets each node's gateFrom; nodes come parents first or
// not, it walks up each time (trees are shallow).
func (ix *Index) inheritGates() {
	for _, n := range ix.Nodes {
		for a := n; a != nil; a = a.Parent {
			if a.Gate != nil {
				n.gateFrom = a
				break
			}
		}
	}
}

// Hold is why a version is held back by a release-age gate.
type Hold struct {
	// Group is the definition of the group the package belongs to.
	Group string
	// PublishedAt is when the registry says the version was published;
	// zero when it did not say.
	PublishedAt time.Time
	// AvailableAt is when the version comes through by age alone; zero
	// when it does not while the gate stays as it is (a cut-off, or no
	// publish time).
	AvailableAt time.Time
	// Reason says it all, for the client.
	Reason string
}

// PackageGate is the release-age gate that applies to one package.
type PackageGate struct {
	ix    *Index
	ref   artifact.PackageRef // normalized
	gate  ReleaseGate
	group string // the package's group
	src   string // the group and, when inherited, where from
}

// GateFor returns the gate for a package, or nil when none holds anything
// back (no gate, or one turned off). ref is normalized here.
func (ix *Index) GateFor(ref artifact.PackageRef) *PackageGate {
	ref = Normalize(ref.Format, ref.Namespace, ref.Name)
	a := ix.Associate(ref)
	if a.Group == nil {
		return nil
	}
	g, from := a.Group.EffectiveGate()
	if g == nil || g.Off() {
		return nil
	}
	pg := &PackageGate{ix: ix, ref: ref, gate: *g, group: a.Group.Pattern.Text, src: a.Group.Pattern.Text}
	if from != a.Group {
		pg.src = fmt.Sprintf("%s (inherited from %s)", a.Group.Pattern.Text, from.Pattern.Text)
	}
	return pg
}

// Check judges one version published at published (zero: the registry
// did not say), at time now: a Hold and true when it is held back.
func (pg *PackageGate) Check(version string, published, now time.Time) (Hold, bool) {
	if pg == nil || pg.ix.exempt(pg.ref, version) {
		return Hold{}, false
	}
	g := pg.gate
	h := Hold{Group: pg.group, PublishedAt: published}
	var why string
	switch {
	case published.IsZero():
		if g.AllowMissingTime {
			return Hold{}, false
		}
		why = "the external connection gives no publish time for it, and the gate holds such versions back (--missing-time block)"
	case !g.Cutoff.IsZero() && published.After(g.Cutoff):
		why = fmt.Sprintf("it was published %s, after the cut-off %s", stamp(published), stamp(g.Cutoff))
	case g.MinAge > 0 && now.Before(published.Add(g.MinAge)):
		h.AvailableAt = published.Add(g.MinAge)
		why = fmt.Sprintf("it was published %s, less than the minimum release age %s ago; it becomes available at %s", stamp(published), FormatAge(g.MinAge), stamp(h.AvailableAt))
	default:
		return Hold{}, false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Version %s of %s is held back by the release-age gate of package group %s: %s", version, pg.ref, pg.src, why)
	b.WriteString(". An administrator can let it through with `arca gate allow`")
	h.Reason = b.String()
	return h, true
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// cutoffLayouts are the forms a cut-off is written in: RFC 3339, with or
// without seconds, or a date (midnight UTC).
var cutoffLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"}

// ParseCutoff reads a cut-off: "2026-09-15T00:00:00Z",
// "2026-09-15T00:00Z" or "2026-09-15".
func ParseCutoff(s string) (time.Time, error) {
	for _, layout := range cutoffLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errkind.Validationf("The cut-off %q is not a time: write it as 2026-09-15T00:00:00Z, 2026-09-15T00:00Z or 2026-09-15", s)
}
