package controlapi

import (
	"context"
	"sort"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/pkggroup"
)

// Release-age gate operations: Arca's own (model/arca-operations.json),
// authorized as arca:<Operation> on the ARN of the package group they
// concern (the group a package belongs to, for the break-glass calls and
// the held versions), or on the domain's for ListReleaseGates. Changes
// reach the audit log as every control-plane call does.

// releaseGateSettings is a gate as the API writes it.
type releaseGateSettings struct {
	MinimumAgeSeconds int64  `json:"minimumAgeSeconds"`
	Cutoff            string `json:"cutoff,omitempty"`
	MissingTime       string `json:"missingTime"`
}

func settingsOf(g *pkggroup.ReleaseGate) releaseGateSettings {
	s := releaseGateSettings{MinimumAgeSeconds: int64(g.MinAge / time.Second), MissingTime: "BLOCK"}
	if !g.Cutoff.IsZero() {
		s.Cutoff = g.Cutoff.UTC().Format(time.RFC3339)
	}
	if g.AllowMissingTime {
		s.MissingTime = "ALLOW"
	}
	return s
}

// releaseGateDescription is a group's gate: its own setting, if any, and
// the one that applies.
type releaseGateDescription struct {
	PackageGroup packageGroupReference `json:"packageGroup"`
	// Own is the group's own gate; nil when it inherits.
	Own *releaseGateSettings `json:"own,omitempty"`
	// Effective is the gate that applies to the group's packages; nil when
	// none does.
	Effective     *releaseGateSettings   `json:"effective,omitempty"`
	InheritedFrom *packageGroupReference `json:"inheritedFrom,omitempty"`
}

func (a *API) gateDescription(d catalog.DomainRef, n *pkggroup.Node) *releaseGateDescription {
	out := &releaseGateDescription{PackageGroup: *a.groupReference(d, n)}
	if n.Gate != nil {
		s := settingsOf(n.Gate)
		out.Own = &s
	}
	if g, from := n.EffectiveGate(); g != nil && !g.Off() {
		s := settingsOf(g)
		out.Effective = &s
		if from != n {
			out.InheritedFrom = a.groupReference(d, from)
		}
	}
	return out
}

type releaseGateOutput struct {
	ReleaseGate *releaseGateDescription `json:"releaseGate"`
}

// putReleaseGate serves PutReleaseGate: it replaces the group's own gate.
func (a *API) putReleaseGate(ctx context.Context, c *call, in *struct {
	groupInput
	MinimumAgeSeconds int64  `json:"minimumAgeSeconds"`
	Cutoff            string `json:"cutoff"`
	MissingTime       string `json:"missingTime"`
}) (*releaseGateOutput, error) {
	d, err := a.groupCall(ctx, c, in.groupInput)
	if err != nil {
		return nil, err
	}
	g := pkggroup.ReleaseGate{MinAge: time.Duration(in.MinimumAgeSeconds) * time.Second, AllowMissingTime: in.MissingTime == "ALLOW"}
	if in.Cutoff != "" {
		if g.Cutoff, err = pkggroup.ParseCutoff(in.Cutoff); err != nil {
			return nil, err
		}
	}
	if err := a.catalog.PutReleaseGate(ctx, d, in.PackageGroup, g); err != nil {
		return nil, err
	}
	return a.describeGate(ctx, d, in.PackageGroup)
}

func (a *API) describeGate(ctx context.Context, d catalog.DomainRef, pattern string) (*releaseGateOutput, error) {
	_, _, n, err := a.catalog.PackageGroup(ctx, d, pattern)
	if err != nil {
		return nil, err
	}
	return &releaseGateOutput{a.gateDescription(d, n)}, nil
}

// getReleaseGate serves GetReleaseGate.
func (a *API) getReleaseGate(ctx context.Context, c *call, in *groupInput) (*releaseGateOutput, error) {
	d, err := a.groupCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	return a.describeGate(ctx, d, in.PackageGroup)
}

// deleteReleaseGate serves DeleteReleaseGate: the group inherits again.
func (a *API) deleteReleaseGate(ctx context.Context, c *call, in *groupInput) (*releaseGateOutput, error) {
	d, err := a.groupCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	if err := a.catalog.DeleteReleaseGate(ctx, d, in.PackageGroup); err != nil {
		return nil, err
	}
	return a.describeGate(ctx, d, in.PackageGroup)
}

// allowedVersion is a break-glass entry as the API writes it.
type allowedVersion struct {
	Format      string `json:"format"`
	Namespace   string `json:"namespace,omitempty"`
	Package     string `json:"package"`
	Version     string `json:"version,omitempty"` // absent: every version
	CreatedTime epoch  `json:"createdTime"`
	CreatedBy   string `json:"createdBy"`
}

// listReleaseGates serves ListReleaseGates: the groups with a gate of
// their own and the domain's break-glass entries.
func (a *API) listReleaseGates(ctx context.Context, c *call, in *domainInput) (*struct {
	ReleaseGates    []*releaseGateDescription `json:"releaseGates"`
	AllowedVersions []allowedVersion          `json:"allowedVersions"`
}, error) {
	d := in.ref(c)
	if err := a.authorize(ctx, c, c.op.Action(), arn.Domain(a.cfg.Region, d.Owner, d.Name)); err != nil {
		return nil, err
	}
	_, ix, err := a.catalog.PackageGroups(ctx, d)
	if err != nil {
		return nil, err
	}
	out := &struct {
		ReleaseGates    []*releaseGateDescription `json:"releaseGates"`
		AllowedVersions []allowedVersion          `json:"allowedVersions"`
	}{ReleaseGates: []*releaseGateDescription{}, AllowedVersions: []allowedVersion{}}
	for _, n := range ix.Nodes {
		if n.Gate != nil {
			out.ReleaseGates = append(out.ReleaseGates, a.gateDescription(d, n))
		}
	}
	entries, err := a.catalog.GateExemptions(ctx, d)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		out.AllowedVersions = append(out.AllowedVersions, allowedVersion{Format: string(e.Ref.Format), Namespace: e.Ref.Namespace,
			Package: e.Ref.Name, Version: e.Version, CreatedTime: epoch(e.CreatedAt), CreatedBy: e.CreatedBy})
	}
	return out, nil
}

// packageGateInput names a package of a domain.
type packageGateInput struct {
	domainInput
	Format    string `json:"format"`
	Namespace string `json:"namespace"`
	Package   string `json:"package"`
}

// packageGroupCall authorizes the call's action on the ARN of the group
// the package belongs to, and returns the package in the group normal
// form.
func (a *API) packageGroupCall(ctx context.Context, c *call, in packageGateInput) (catalog.DomainRef, artifact.PackageRef, error) {
	d := in.ref(c)
	ref := pkggroup.Normalize(artifact.Format(in.Format), in.Namespace, in.Package)
	if err := a.checkNamespace(ref); err != nil {
		return d, ref, err
	}
	_, ix, err := a.catalog.PackageGroups(ctx, d)
	if err != nil {
		return d, ref, err
	}
	resource := arn.Domain(a.cfg.Region, d.Owner, d.Name)
	if as := ix.Associate(ref); as.Group != nil {
		resource = a.groupARN(d, as.Group.Pattern.Text)
	}
	return d, ref, a.authorize(ctx, c, c.op.Action(), resource)
}

type allowHeldInput struct {
	packageGateInput
	PackageVersion string `json:"packageVersion"`
}

// allowHeldVersion serves AllowHeldVersion: the break-glass.
func (a *API) allowHeldVersion(ctx context.Context, c *call, in *allowHeldInput) (*struct{}, error) {
	d, ref, err := a.packageGroupCall(ctx, c, in.packageGateInput)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, a.catalog.AllowHeldVersion(ctx, d, ref, in.PackageVersion, c.principal.ARN)
}

// disallowHeldVersion serves DisallowHeldVersion.
func (a *API) disallowHeldVersion(ctx context.Context, c *call, in *allowHeldInput) (*struct{}, error) {
	d, ref, err := a.packageGroupCall(ctx, c, in.packageGateInput)
	if err != nil {
		return nil, err
	}
	return &struct{}{}, a.catalog.DisallowHeldVersion(ctx, d, ref, in.PackageVersion)
}

// heldVersion is a version the gate holds back.
type heldVersion struct {
	Version      string `json:"version"`
	PackageGroup string `json:"packageGroup"`
	PublishedAt  *epoch `json:"publishedTime,omitempty"`
	AvailableAt  *epoch `json:"availableTime,omitempty"`
	Reason       string `json:"reason"`
}

// listHeldVersions serves ListHeldVersions: what the gate holds back of
// one package, as a repository's clients see it now.
func (a *API) listHeldVersions(ctx context.Context, c *call, in *struct {
	packageGateInput
	Repository string `json:"repository"`
}) (*struct {
	HeldVersions []heldVersion `json:"heldVersions"`
}, error) {
	d, ref, err := a.packageGroupCall(ctx, c, in.packageGateInput)
	if err != nil {
		return nil, err
	}
	repo, err := a.catalog.Repository(ctx, catalog.RepositoryRef{DomainRef: d, Name: in.Repository})
	if err != nil {
		return nil, err
	}
	held, err := a.res.HeldVersions(ctx, repo, ref)
	if err != nil {
		return nil, err
	}
	out := &struct {
		HeldVersions []heldVersion `json:"heldVersions"`
	}{HeldVersions: []heldVersion{}}
	for v, h := range held {
		hv := heldVersion{Version: v, PackageGroup: h.Group, Reason: h.Reason}
		if !h.PublishedAt.IsZero() {
			t := epoch(h.PublishedAt)
			hv.PublishedAt = &t
		}
		if !h.AvailableAt.IsZero() {
			t := epoch(h.AvailableAt)
			hv.AvailableAt = &t
		}
		out.HeldVersions = append(out.HeldVersions, hv)
	}
	sort.Slice(out.HeldVersions, func(i, j int) bool {
		return a.cfg.Formats.CompareVersions(ref.Format, out.HeldVersions[i].Version, out.HeldVersions[j].Version) < 0
	})
	return out, nil
}
