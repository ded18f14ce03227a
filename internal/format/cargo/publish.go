package cargo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/store"
)

// publishWarnings is the answer to a publish cargo accepts.
var publishWarnings = map[string]any{"warnings": map[string][]string{"invalid_categories": {}, "invalid_badges": {}, "other": {}}}

// okBody is the answer to a yank or unyank; cargo refuses {}.
var okBody = map[string]bool{"ok": true}

// publish is cargo publish (PUT api/v1/crates/new). The body and the
// .crate are checked before anything is stored; a crate whose name
// collides with another spelling of an existing crate, or a version that
// exists (build metadata ignored), is refused.
func (f *Format) publish(c *call) error {
	ctx := c.ctx()
	body, err := io.ReadAll(io.LimitReader(c.r.Body, MaxPublishBody+1))
	if err != nil {
		return errkind.Wrap(errkind.Validation, err, "could not read the request body")
	}
	if len(body) > MaxPublishBody {
		return errkind.Validationf("The publish body is larger than %d bytes", MaxPublishBody)
	}
	p, crate, err := SplitPublish(body)
	if err != nil {
		return err
	}
	if err := f.authorize(c, CollisionName(p.Name), actionPublish); err != nil {
		return err
	}
	if err := ValidateCrate(crate, p.Name, p.Vers); err != nil {
		return err
	}
	r := ref(p.Name)
	if err := f.checkCollisions(c, r, p); err != nil {
		return err
	}
	sum := sha256.Sum256(crate)
	line := p.IndexLine(hex.EncodeToString(sum[:]))
	meta, err := p.Meta(line)
	if err != nil {
		return err
	}
	a, err := assets.Store(ctx, f.d.Blobs, CrateFile(p.Name, p.Vers), bytes.NewReader(crate), assets.Expect{}, MaxCrate)
	if err != nil {
		return err
	}
	if _, err := f.d.Resolver.Publish(ctx, c.req.Repository, catalog.Publication{
		Ref: r, Version: p.Vers, Meta: meta, Assets: []artifact.Asset{a},
	}); err != nil {
		return err
	}
	f.notePublish(c, r)
	return format.WriteJSON(c.w, http.StatusOK, publishWarnings)
}

// checkCollisions refuses a publish under another spelling of an
// existing crate's name (case: the same key; '-' and '_': another key of
// this repository with the same CollisionName), or of a version the
// repository (or its upstreams) has, build metadata ignored.
func (f *Format) checkCollisions(c *call, r artifact.PackageRef, p *Publish) error {
	if n, err := f.otherSpelling(c, p.Name); err != nil {
		return err
	} else if n != "" {
		return collision(p.Name, n)
	}
	view, err := f.d.Resolver.Package(c.ctx(), c.req.Repository, r)
	if errors.Is(err, errkind.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for v, cand := range view.Versions {
		if n := cand.Meta.DisplayName; n != "" && n != p.Name {
			return collision(p.Name, n)
		}
		if WithoutBuild(v) == WithoutBuild(p.Vers) {
			return errkind.Conflictf("crate %s version %s is already published (as %s)", p.Name, p.Vers, v).OnResource("package-version", v)
		}
	}
	return nil
}

func collision(name, existing string) error {
	return errkind.Conflictf("crate %s is already published as %s: a crate name differs from another only if more than case and '-'/'_' differ", name, existing).OnResource("package", existing)
}

// otherSpelling returns the name of a crate of this repository whose
// name differs from name in '-' and '_' only, or "". Such names share
// the prefix before their first separator, which bounds the listing.
func (f *Format) otherSpelling(c *call, name string) (string, error) {
	lower := strings.ToLower(name)
	if !strings.ContainsAny(lower, "-_") {
		return "", nil
	}
	filter := store.PackageFilter{Format: artifact.Cargo, HasNamespace: true,
		Prefix: lower[:strings.IndexAny(lower, "-_")]}
	for {
		page, err := f.d.Catalog.ListPackages(c.ctx(), c.req.Repository, filter, 1000)
		if err != nil {
			return "", err
		}
		for _, p := range page.Packages {
			if p.Name != lower && CollisionName(p.Name) == CollisionName(lower) {
				return p.Name, nil
			}
		}
		if !page.More || len(page.Packages) == 0 {
			return "", nil
		}
		filter.After = page.Packages[len(page.Packages)-1].PackageRef
	}
}

// yank marks a version yanked: Unlisted, which keeps it downloadable for
// the lockfiles that name it and out of new resolutions.
func (f *Format) yank(c *call) error { return f.setStatus(c, artifact.Unlisted) }

// unyank makes a yanked version Published again.
func (f *Format) unyank(c *call) error { return f.setStatus(c, artifact.Published) }

func (f *Format) setStatus(c *call, target artifact.Status) error {
	name, version := c.p.name, c.p.version
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := ValidateVersion(version); err != nil {
		return err
	}
	if err := f.authorize(c, CollisionName(name), actionStatus); err != nil {
		return err
	}
	r := ref(name)
	v, err := f.d.Catalog.Version(c.ctx(), c.req.Repository, r, version)
	if errors.Is(err, errkind.ErrNotFound) {
		return errkind.NotFoundf("crate %s version %s is not in repository %s", name, version, c.req.Repository.Name)
	}
	if err != nil {
		return err
	}
	if v.Status != target {
		res, err := f.d.Catalog.UpdateStatus(c.ctx(), c.req.Repository, catalog.Batch{Ref: r, Versions: []string{version}}, target)
		if err != nil {
			return err
		}
		if e, failed := res.Failed[version]; failed {
			return errkind.Validationf("crate %s version %s: %s", name, version, e.Message)
		}
		f.notePublish(c, r)
	}
	return format.WriteJSON(c.w, http.StatusOK, okBody)
}
