package ruby

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// push is gem push: the raw .gem as the body. The gem streams to the blob
// store, then its gemspec is read from the stored bytes; it names the gem,
// version and platform, and the caller must be allowed to publish that
// gem. A version holds one .gem per platform: a push of another platform
// adds its file to the version; the same file again with the same bytes
// changes nothing, with other bytes it is a Conflict (RubyGems refuses to
// repush a version too).
func (f *Format) push(c *call) error {
	ctx := c.ctx()
	a, err := assets.Store(ctx, f.d.Blobs, "upload.gem", c.r.Body, assets.Expect{}, assets.MaxSize)
	if err != nil {
		return err
	}
	rc, err := assets.Open(ctx, f.d.Blobs, a)
	if err != nil {
		return err
	}
	spec, err := ParseGem(io.LimitReader(rc, a.Size))
	rc.Close()
	if err != nil {
		return err
	}
	if err := f.authorize(c, spec.Name, actionPublish); err != nil {
		return err
	}
	a.Name = spec.FullName() + ".gem"
	g := Gem{Spec: *spec, SHA256: a.SHA256, Pushed: f.now().UTC().Truncate(time.Microsecond)}
	m := meta(spec)
	m.Extra = withGem(nil, a.Name, g)
	again := false
	_, err = f.d.Resolver.Publish(ctx, c.req.Repository, catalog.Publication{
		Ref: Ref(spec.Name), Version: spec.Version, Meta: m, Assets: []artifact.Asset{a},
		AddAssets: catalog.AddAlways,
		// Another platform's gem keeps the version's metadata and adds
		// its own Gem.
		MergeMeta: func(old artifact.Meta) (artifact.Meta, error) {
			prev, ok := ParseExtra(old.Extra).Gems[a.Name]
			if again = ok; ok {
				g.Pushed = prev.Pushed
			}
			old.Extra = withGem(old.Extra, a.Name, g)
			return old, nil
		},
	})
	if err != nil {
		return err
	}
	f.notePublish(c, spec.Name)
	msg := fmt.Sprintf("Successfully registered gem: %s (%s)", spec.Name, spec.Version)
	if spec.Platform != "ruby" {
		msg = fmt.Sprintf("Successfully registered gem: %s (%s-%s)", spec.Name, spec.Version, spec.Platform)
	}
	if again {
		msg += "; it was already in " + c.req.Repository.Name + " with the same content, nothing changed"
	}
	return text(c, http.StatusOK, msg)
}

// text answers a plain-text body, which gem prints.
func text(c *call, status int, msg string) error {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(status)
	_, err := io.WriteString(c.w, msg)
	return err
}

// maxForm bounds the form of a yank.
const maxForm = 4096

// yank is gem yank: a form of gem_name, version and platform. The version
// becomes Unlisted: it leaves every index, so no resolution picks it, and
// its files still download by name (a lockfile that names it keeps
// working), which is what a yank is on the public registry. Status is per
// version, so a yank of one platform unlists the version of every
// platform; the answer says so. gem yank --undo is not supported
// (UpdatePackageVersionsStatus to Published undoes it).
func (f *Format) yank(c *call) error {
	// net/http parses no DELETE body as a form: gem yank sends one.
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxForm+1))
	if err != nil {
		return err
	}
	if len(body) > maxForm {
		return errkind.Validationf("The yank form is larger than %d bytes", maxForm)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return errkind.Validationf("The yank is not a form: %v", err)
	}
	for k, v := range c.r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	name, version, platform := form.Get("gem_name"), form.Get("version"), form.Get("platform")
	if err := ValidateName(name); err != nil {
		return err
	}
	if _, err := ParseVersion(version); err != nil {
		return err
	}
	if err := f.authorize(c, name, actionStatus); err != nil {
		return err
	}
	ctx, repo := c.ctx(), c.req.Repository
	v, err := f.d.Catalog.Version(ctx, repo, Ref(name), version)
	if err != nil {
		return err
	}
	if platform != "" && platform != "ruby" {
		if _, ok := ParseExtra(v.Meta.Extra).Gems[FullName(name, version, platform)+".gem"]; !ok {
			return errkind.NotFoundf("%s has no gem for platform %s", FullName(name, version, ""), platform)
		}
	}
	res, err := f.d.Catalog.UpdateStatus(ctx, repo, catalog.Batch{Ref: Ref(name), Versions: []string{version}}, artifact.Unlisted)
	if err != nil {
		return err
	}
	if e, ok := res.Failed[version]; ok {
		return errkind.Validationf("%s", e.Message)
	}
	f.notePublish(c, name)
	var files []string
	for file := range ParseExtra(v.Meta.Extra).Gems {
		files = append(files, strings.TrimSuffix(file, ".gem"))
	}
	msg := fmt.Sprintf("Successfully deleted gem: %s (%s)", name, version)
	if len(files) > 1 {
		msg += "; every platform of the version is yanked: " + strings.Join(files, ", ")
	}
	return text(c, http.StatusOK, msg)
}
