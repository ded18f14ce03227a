package npm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// putPackage is npm publish: the package document with one new version
// and its tarball in _attachments. The same PUT without attachments sends
// back a whole document changed by the client: npm deprecate (and npm
// star, which is not supported).
func (f *Format) putPackage(c *call) error {
	ctx := c.ctx()
	var tarball *artifact.Asset
	p, err := ParsePublish(c.r.Body, DefaultLimits, func(p *Publish, file string, data io.Reader) error {
		if tarball != nil {
			return errkind.Validationf("A publish request carries exactly one tarball")
		}
		if err := f.authorize(c, actionPublish); err != nil {
			return err
		}
		// Every client sends "name" and "versions" before "_attachments",
		// so the request is checked before its bytes are stored. (In
		// another order, the checks after the parse catch it.)
		var want assets.Expect
		if p.Name != "" {
			version, manifest, err := f.checkPublish(ctx, c, p)
			if err != nil {
				return err
			}
			if version != "" {
				d, err := DeclaredDigests(manifest)
				if err != nil {
					return err
				}
				want = assets.Expect{SHA1: d.SHA1, SHA512: d.SHA512}
			}
		}
		a, err := assets.Store(ctx, f.d.Blobs, TarballAsset, data, want, assets.MaxSize)
		if err != nil {
			return err
		}
		tarball = &a
		return nil
	})
	if err != nil {
		return err
	}
	if len(p.Attachments) == 0 {
		return f.updateVersions(c, p)
	}
	if tarball == nil {
		return errkind.Validationf("The attachment of the publish request has no data")
	}
	version, manifest, err := f.checkPublish(ctx, c, p)
	if err != nil {
		return err
	}
	if version == "" {
		return errkind.Validationf("A publish request carries exactly one version; this one has %d", len(p.Versions))
	}
	for file, a := range p.Attachments {
		if a.Length >= 0 && a.Length != a.Size {
			return errkind.Validationf("Attachment %s is %d bytes, not the declared %d", file, a.Size, a.Length)
		}
	}
	if err := CheckDist(manifest, *tarball); err != nil {
		return err
	}
	if err := f.checkTarball(ctx, *tarball, c.name.String(), version); err != nil {
		return err
	}
	meta, err := MetaOf(manifest, p.Readme)
	if err != nil {
		return err
	}
	tags, err := publishTags(p.DistTags, version)
	if err != nil {
		return err
	}
	_, err = f.d.Resolver.Publish(ctx, c.req.Repository, catalog.Publication{
		Ref: c.name.Ref(), Version: version, Meta: meta, Assets: []artifact.Asset{*tarball}, Tags: tags,
	})
	if err != nil {
		return err
	}
	f.noteWrite(c, c.name.Ref())
	return writeJSON(c.w, http.StatusOK, okBody)
}

// checkTarball reads the stored tarball back and checks it with
// CheckTarball.
func (f *Format) checkTarball(ctx context.Context, a artifact.Asset, name, version string) error {
	r, err := assets.Open(ctx, f.d.Blobs, a)
	if err != nil {
		return err
	}
	defer r.Close()
	return CheckTarball(r, name, version)
}

// checkPublish checks what a publish request says about itself: the
// package name (as npm requires of new packages) matching the URL, and,
// once its single version is known, that version's manifest and that the
// repository does not have it yet. version is "" until "versions" holds
// exactly one version.
func (f *Format) checkPublish(ctx context.Context, c *call, p *Publish) (version string, manifest []byte, err error) {
	name := c.name.String()
	if err := c.name.ValidateNew(); err != nil {
		return "", nil, err
	}
	if p.Name != name || (p.ID != "" && p.ID != name) {
		return "", nil, errkind.Validationf("The publish request is for %q, not for %q in its URL", p.Name, name)
	}
	if len(p.Versions) != 1 {
		return "", nil, nil
	}
	for v, m := range p.Versions {
		version, manifest = v, m
	}
	if err := ValidateVersion(version); err != nil {
		return "", nil, err
	}
	o, err := parseObject(manifest)
	if err != nil {
		return "", nil, err
	}
	if o.str("name") != name || o.str("version") != version {
		return "", nil, errkind.Validationf("The manifest of version %s says it is %s@%s", version, o.str("name"), o.str("version"))
	}
	if _, err := f.d.Catalog.Version(ctx, c.req.Repository, c.name.Ref(), version); err == nil {
		// npm's own words for it.
		return "", nil, errkind.Conflictf("You cannot publish over the previously published versions: %s.", version).OnResource("package-version", version)
	} else if !errors.Is(err, errkind.ErrNotFound) {
		return "", nil, err
	}
	return version, manifest, nil
}

// MaxDistTags bounds the dist-tags of a package (those of its upstreams
// included), and those one publish sets.
const MaxDistTags = 100

// publishTags returns the dist-tags a publish sets: those of the request
// that point at the version published ("npm publish --tag beta" sends
// {"beta": version}), or "latest" when there are none.
func publishTags(distTags map[string]string, version string) (map[string]string, error) {
	if len(distTags) > MaxDistTags {
		return nil, errkind.Validationf("A publish request sets at most %d dist-tags; this one has %d", MaxDistTags, len(distTags))
	}
	tags := map[string]string{}
	for tag, v := range distTags {
		if v != version {
			continue
		}
		if err := ValidateTag(tag); err != nil {
			return nil, err
		}
		tags[tag] = v
	}
	if len(tags) == 0 {
		tags["latest"] = version
	}
	return tags, nil
}

// updateVersions applies a document sent back without attachments. Only
// deprecation messages are taken from it (npm deprecate): a version whose
// "deprecated" differs from what the repository serves gets it. A version
// only available upstream is retained here first, like a download, and
// changed here; the upstream's copy is not touched. Other changes to the
// document are ignored, as CodeArtifact keeps what was published.
func (f *Format) updateVersions(c *call, p *Publish) error {
	if len(p.Versions) == 0 {
		if p.Users {
			return unsupported("star")(f, c)
		}
		return errkind.Validationf("The request has no versions and no attachments: there is nothing to publish")
	}
	if err := f.authorize(c, actionMetadata); err != nil {
		return err
	}
	ctx, repo, ref := c.ctx(), c.req.Repository, c.name.Ref()
	view, err := f.view(ctx, c)
	if err != nil {
		return err
	}
	versions := make([]string, 0, len(p.Versions))
	for v := range p.Versions {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	for _, v := range versions {
		have, found := view.Versions[v]
		if !found {
			return errkind.Validationf("Version %s of %s is not in this repository and the request has no tarball for it", v, c.name)
		}
		message := Deprecated(p.Versions[v])
		if message == Deprecated(have.Meta.Extra) {
			continue
		}
		if _, err := f.d.Resolver.Version(ctx, repo, ref, v); err != nil {
			return err
		}
		_, err := f.d.Catalog.UpdateMeta(ctx, repo, ref, v, func(m *artifact.Meta) error {
			extra, err := SetDeprecated(m.Extra, message)
			m.Extra = extra
			return err
		})
		if err != nil {
			return err
		}
		f.noteWrite(c, ref)
	}
	return writeJSON(c.w, http.StatusOK, okBody)
}

// putDistTag points a dist-tag at a version (npm dist-tag add), in this
// repository. The version must be Published or Unlisted and available
// here; one only available upstream is retained here first, as a
// download would, so that the tag never points at a version the
// repository does not have. An upstream's tag of the same name still wins
// in what clients see (User Guide, "npm tags and upstream repositories").
func (f *Format) putDistTag(c *call) error {
	if err := ValidateTag(c.p.tag); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxTagBody+1))
	if err != nil {
		return errkind.Wrap(errkind.Validation, err, "could not read the request body")
	}
	var version string
	if len(body) > maxTagBody || json.Unmarshal(body, &version) != nil || version == "" {
		return errkind.Validationf(`The body of a dist-tag request is the version as a JSON string, such as "1.0.0"`)
	}
	if err := f.authorize(c, actionMetadata); err != nil {
		return err
	}
	view, err := f.view(c.ctx(), c)
	if err != nil {
		return err
	}
	if set := f.packageOf(view, c.name, c.req.BaseURL).SetDistTags(); len(set) >= MaxDistTags {
		if _, moving := set[c.p.tag]; !moving {
			return errkind.Validationf("%s already has %d dist-tags, the most a package can have; remove one with npm dist-tag rm first", c.name, len(set))
		}
	}
	v, err := f.d.Resolver.Version(c.ctx(), c.req.Repository, c.name.Ref(), version)
	if err != nil {
		return err
	}
	if !v.Status.Downloadable() {
		return errkind.Validationf("Version %s of %s is %s; only Published and Unlisted versions can be tagged", version, c.name, v.Status)
	}
	if err := f.d.Catalog.SetTag(c.ctx(), c.req.Repository, c.name.Ref(), c.p.tag, version); err != nil {
		return err
	}
	f.noteWrite(c, c.name.Ref())
	return writeJSON(c.w, http.StatusOK, okBody)
}

// deleteDistTag removes a dist-tag of this repository (npm dist-tag rm).
// "latest" stays: npm installs it when asked for no version.
func (f *Format) deleteDistTag(c *call) error {
	if c.p.tag == "latest" {
		return errkind.Validationf("The latest dist-tag cannot be removed; point it at another version with npm dist-tag add")
	}
	if err := f.authorize(c, actionMetadata); err != nil {
		return err
	}
	if err := f.d.Catalog.DeleteTag(c.ctx(), c.req.Repository, c.name.Ref(), c.p.tag); err != nil {
		return err
	}
	f.noteWrite(c, c.name.Ref())
	return writeJSON(c.w, http.StatusOK, okBody)
}

// noteWrite records that the request's client (its token) changed ref
// (a publish, a deprecation, a dist-tag), so that its next read shows the
// change even while other readers get the previous rendering.
func (f *Format) noteWrite(c *call, ref artifact.PackageRef) {
	f.writers.Wrote(c.req.Repository.DomainID, ref, c.req.Claims.ID)
}
