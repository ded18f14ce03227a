package resolve

import (
	"context"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/pkggroup"
	"github.com/arcahq/arca/internal/store"
)

// releaseGate applies the release-age gate of the package's group
// (catalog.ReleaseGate) to the versions a view takes from public
// registries. It is the one place the formats share: a held version is
// left out of the view, so no document lists it and no download finds it
// (Version refuses it with the hold's reason). Versions stored in a
// repository, ingested before or published, are never held.
type releaseGate struct {
	r      *Resolver
	repo   store.Repository
	ref    artifact.PackageRef
	loaded bool
	check  catalog.HoldCheck
}

// PublishTimer is the optional capability of a Connection whose package
// document gives no publish time per version (Maven): PublishTime asks the
// registry when one version was published, zero when it does not say.
// The gate asks only about versions it cannot otherwise judge.
type PublishTimer interface {
	PublishTime(ctx context.Context, ref artifact.PackageRef, version string) (time.Time, error)
}

// holds reports whether rv, offered by connection (in holder), is held
// back, and notes it in the view. A version without a publish time of its
// own passes when the Remote's PublishedBy bound passes (it was published
// no later), else it is asked of a PublishTimer connection; a time that
// stays unknown is the gate's missing-time rule.
func (g *releaseGate) holds(ctx context.Context, view *View, remote *Remote, rv RemoteVersion, connection string, holder store.Repository) (bool, error) {
	if !g.loaded {
		var err error
		if g.check, err = g.r.cat.ReleaseGate(ctx, g.repo, g.ref); err != nil {
			return false, err
		}
		g.loaded = true
	}
	if g.check == nil {
		return false, nil
	}
	published := rv.Meta.PublishedAt
	if published.IsZero() && !remote.PublishedBy.IsZero() {
		if _, held := g.check(rv.Version, remote.PublishedBy); !held {
			return false, nil
		}
	}
	if timer, ok := g.r.connections[connection].(PublishTimer); ok && published.IsZero() {
		tctx, cancel := context.WithTimeout(ctx, g.r.timeout)
		t, err := timer.PublishTime(tctx, g.ref, rv.Version)
		cancel()
		if err != nil {
			g.r.log.Warn("no publish time for the release-age gate", "connection", connection, "package", g.ref.String(), "version", rv.Version, "error", err)
		}
		published = t
	}
	h, held := g.check(rv.Version, published)
	if !held {
		return false, nil
	}
	if _, seen := view.Held[rv.Version]; !seen {
		if view.Held == nil {
			view.Held = map[string]Held{}
		}
		view.Held[rv.Version] = Held{Hold: h, Connection: connection, Repository: holder}
	}
	return true, nil
}

// settle finishes a view: a version held in one place but stored or
// allowed in another is not held, and a tag naming a held version moves
// to the highest version below it that the view has (for a tag on a
// release, the highest release: no prerelease becomes "latest"), or goes.
func (g *releaseGate) settle(view *View) {
	if len(view.Held) == 0 {
		return
	}
	for v := range view.Held {
		if _, ok := view.Versions[v]; ok {
			delete(view.Held, v)
		}
	}
	copied := false
	for tag, target := range view.Tags {
		if _, held := view.Held[target]; !held {
			continue
		}
		if !copied { // the merged tags may be a registry client's own map
			view.Tags, copied = overlay(view.Tags, nil), true
		}
		best := ""
		for v, c := range view.Versions {
			if !c.Status.Listed() || g.r.cat.CompareVersions(g.ref.Format, v, target) >= 0 {
				continue
			}
			if !prerelease(target) && prerelease(v) {
				continue
			}
			if best == "" || g.r.cat.CompareVersions(g.ref.Format, v, best) > 0 {
				best = v
			}
		}
		if best == "" {
			delete(view.Tags, tag)
		} else {
			view.Tags[tag] = best
		}
	}
}

// prerelease reports whether a version reads as a prerelease: npm's and
// cargo's semantic versions with a "-" suffix, which is where tags live.
func prerelease(v string) bool {
	core, _, _ := strings.Cut(v, "+")
	return strings.Contains(core, "-")
}

// HeldVersions returns the versions of a package that the release-age
// gate holds back from repo now, with why.
func (r *Resolver) HeldVersions(ctx context.Context, repo store.Repository, ref artifact.PackageRef) (map[string]pkggroup.Hold, error) {
	view, err := r.Package(ctx, repo, ref)
	if err != nil {
		return nil, err
	}
	out := make(map[string]pkggroup.Hold, len(view.Held))
	for v, h := range view.Held {
		out[v] = h.Hold
	}
	return out, nil
}
