package swift

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/store"
)

// Asset names of a release: the source archive as the client downloads
// it, its signature if one was published, and the manifests of the
// archive's top-level directory, kept beside it so that 4.3 needs no
// unzipping.
const (
	manifestAsset  = "Package.swift"
	signatureAsset = "source-archive.sig"
)

// ArchiveAsset is the name of a release's source archive:
// {name}-{version}.zip, the file name SE-0292 §4.4 gives it.
func ArchiveAsset(n Name, version string) string { return n.Ref().Name + "-" + version + ".zip" }

// Permission of a publish.
const actionPublish = "codeartifact:PublishPackageVersion"

// releases is 4.1: the listed releases with their URLs, and a Link to the
// latest one.
func (f *Format) releases(c *call) error {
	if err := Negotiate(c.r.Header.Get("Accept"), mediaJSON); err != nil {
		return err
	}
	l, err := f.releaseList(c)
	if err != nil {
		return err
	}
	if len(l.versions()) == 0 {
		return errkind.NotFoundf("Package %s has no listed releases", c.name)
	}
	c.w.Header().Set("Link", l.link)
	l.doc.Serve(c.w, c.r)
	return nil
}

func link(u, rel string) string { return "<" + u + `>; rel="` + rel + `"` }

// downloadable returns the release of the call if the request's Accept
// allows a response of kind and clients may fetch the release:
// Published or Unlisted (an Unlisted release is installable by its
// version, as with every format); Archived and Disposed ones are 410
// Gone, as SE-0292 answers for removed releases.
func (f *Format) downloadable(c *call, kind string) (store.Version, error) {
	if err := Negotiate(c.r.Header.Get("Accept"), kind); err != nil {
		return store.Version{}, err
	}
	if ValidateVersion(c.version) != nil {
		return store.Version{}, errkind.NotFoundf("Release %s of %s not found: %s is not a semantic version", c.version, c.name, c.version)
	}
	v, err := f.d.Resolver.Version(c.ctx(), c.req.Repository, c.name.Ref(), c.version)
	if err != nil {
		return v, err
	}
	switch {
	case v.Status.Downloadable():
		return v, nil
	case v.Status == artifact.Unfinished:
		return v, errkind.NotFoundf("Release %s of %s not found", c.version, c.name)
	}
	return v, &format.Refusal{Status: http.StatusGone, Message: "Release " + c.version + " of " + c.name.String() + " is " + string(v.Status) + " and cannot be downloaded"}
}

func asset(v store.Version, name string) (artifact.Asset, bool) {
	for _, a := range v.Assets {
		if a.Name == name {
			return a, true
		}
	}
	return artifact.Asset{}, false
}

// release is 4.2: a release's metadata, with its source archive's
// checksum and Links to the latest, next and previous releases.
func (f *Format) release(c *call) error {
	v, err := f.downloadable(c, mediaJSON)
	if err != nil {
		return err
	}
	zip, ok := asset(v, ArchiveAsset(c.name, c.version))
	if !ok {
		return errkind.NotFoundf("Release %s of %s has no source archive", c.version, c.name)
	}
	resource := map[string]any{"name": "source-archive", "type": "application/zip", "checksum": zip.SHA256}
	if sig, ok := asset(v, signatureAsset); ok {
		if signing := f.signing(c.ctx(), sig); signing != nil {
			resource["signing"] = signing
		}
	}
	meta := stored(v.Meta.Extra)
	published := v.Meta.PublishedAt
	if published.IsZero() {
		published = v.CreatedAt
	}
	if l, err := f.releaseList(c); err == nil {
		c.w.Header().Set("Link", strings.Join(neighbours(c, l.versions()), ", "))
	}
	return format.WriteJSON(c.w, http.StatusOK, map[string]any{
		"id":          c.name.ID(),
		"version":     c.version,
		"resources":   []any{resource},
		"metadata":    json.RawMessage(meta.Raw),
		"publishedAt": published.UTC().Format(time.RFC3339Nano),
	})
}

// neighbours are the Links of a release: the latest, and its successor
// and predecessor among the listed versions (oldest first).
func neighbours(c *call, versions []string) []string {
	n := len(versions)
	if n == 0 {
		return nil
	}
	links := []string{link(c.releaseURL(versions[n-1]), "latest-version")}
	// The first version newer than the call's, by binary search.
	i := sort.Search(n, func(i int) bool { return format.CompareSemVer(versions[i], c.version) > 0 })
	if i < n {
		links = append(links, link(c.releaseURL(versions[i]), "successor-version"))
	}
	if i > 0 && versions[i-1] == c.version {
		i--
	}
	if i > 0 {
		links = append(links, link(c.releaseURL(versions[i-1]), "predecessor-version"))
	}
	return links
}

// signing is the signature of a signed release, as 4.2 shows it.
func (f *Format) signing(ctx context.Context, sig artifact.Asset) map[string]string {
	if sig.Size > maxSignature {
		return nil
	}
	r, err := assets.Open(ctx, f.d.Blobs, sig)
	if err != nil {
		return nil
	}
	defer r.Close()
	b := make([]byte, sig.Size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil
	}
	return map[string]string{"signatureBase64Encoded": base64.StdEncoding.EncodeToString(b), "signatureFormat": signatureFormat}
}

// swiftVersion is the grammar of ?swift-version= (4.3).
var swiftVersion = regexp.MustCompile(`^\d+(\.\d+){0,2}$`)

// manifest is 4.3: Package.swift of a release, or with ?swift-version=X
// its Package@swift-X.swift, redirecting (303) to the unqualified
// manifest when the release has none. Link lists the version-specific
// manifests.
func (f *Format) manifest(c *call) error {
	v, err := f.downloadable(c, mediaSwift)
	if err != nil {
		return err
	}
	file := manifestAsset
	if sv := c.r.URL.Query().Get("swift-version"); sv != "" {
		if !swiftVersion.MatchString(sv) {
			return errkind.Validationf("Invalid swift-version %q: it is a Swift version such as 5 or 5.7", sv)
		}
		file = "Package@swift-" + sv + ".swift"
		if _, ok := asset(v, file); !ok {
			c.w.Header().Set("Location", c.releaseURL(c.version)+"/Package.swift")
			c.w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	a, ok := asset(v, file)
	if !ok {
		return errkind.NotFoundf("Release %s of %s has no %s", c.version, c.name, file)
	}
	var links []string
	for _, m := range v.Assets {
		sub := versionedManifest.FindStringSubmatch(m.Name)
		if sub == nil || file != manifestAsset {
			continue
		}
		l := "<" + c.releaseURL(c.version) + "/Package.swift?swift-version=" + url.QueryEscape(sub[1]) + `>; rel="alternate"; filename="` + m.Name + `"`
		if tv := f.toolsVersion(c.ctx(), m); tv != "" {
			l += `; swift-tools-version="` + tv + `"`
		}
		links = append(links, l)
	}
	sort.Strings(links)
	h := c.w.Header()
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
	h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
	h.Set("Cache-Control", "public, immutable")
	return assets.Serve(c.w, c.r, f.d.Blobs, a, "text/x-swift")
}

// toolsVersion reads the swift-tools-version of a stored manifest.
func (f *Format) toolsVersion(ctx context.Context, a artifact.Asset) string {
	r, err := assets.Open(ctx, f.d.Blobs, a)
	if err != nil {
		return ""
	}
	defer r.Close()
	b := make([]byte, 256)
	n, _ := r.Read(b)
	return ToolsVersion(b[:n])
}

// archive is 4.4: a release's source archive, with its SHA-256 as Digest.
func (f *Format) archive(c *call) error {
	v, err := f.downloadable(c, mediaZip)
	if err != nil {
		return err
	}
	name := ArchiveAsset(c.name, c.version)
	a, ok := asset(v, name)
	if !ok {
		return errkind.NotFoundf("Release %s of %s has no source archive", c.version, c.name)
	}
	sum, err := hex.DecodeString(a.SHA256)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Digest", "sha-256="+base64.StdEncoding.EncodeToString(sum))
	h.Set("Cache-Control", "public, immutable")
	return assets.Serve(c.w, c.r, f.d.Blobs, a, "application/zip")
}

// identifiers is 4.5: the packages of this repository whose listed
// releases name the repository URL in their metadata (repositoryURLs),
// from the catalog's index of the URLs releases declare (Rules.SourceURLs):
// a lookup reads the entries of one URL, however many packages and
// versions the repository has.
func (f *Format) identifiers(c *call) error {
	if err := Negotiate(c.r.Header.Get("Accept"), mediaJSON); err != nil {
		return err
	}
	want := c.r.URL.Query().Get("url")
	if want == "" {
		return errkind.Validationf("The url query parameter is required: the repository URL to look up")
	}
	want = NormalizeURL(want)
	repo := c.req.Repository
	refs, err := f.d.Catalog.PackagesWithSourceURL(c.ctx(), repo, artifact.Swift, want)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return errkind.NotFoundf("No package in repository %s has the repository URL %s", repo.Name, want)
	}
	ids := make([]string, len(refs))
	for i, p := range refs {
		ids[i] = p.Namespace + "." + p.Name
	}
	return format.WriteJSON(c.w, http.StatusOK, map[string][]string{"identifiers": ids})
}

// login is 4.7: the endpoint has authenticated the token already.
func (f *Format) login(c *call) error {
	c.w.WriteHeader(http.StatusOK)
	return nil
}
