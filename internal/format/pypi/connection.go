package pypi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/upstream"
)

// UserAgent is sent with every request to the index.
const UserAgent = "arca (+pypi external connection)"

// Accept asks for PEP 691 JSON, then HTML.
const Accept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

// DefaultMaxPageSize bounds a project page when
// upstream.Config.MaxDocumentSize is 0.
const DefaultMaxPageSize = 64 << 20

// RemoteRelease is the Source of a RemoteVersion from the index: its files as
// the page lists them, by file name.
type RemoteRelease struct {
	Files map[string]IndexFile
}

// Connection is a Python package index. It is safe for concurrent use.
type Connection struct {
	base    string // URL with one trailing slash
	maxSize int64  // upstream.Config.MaxDocumentSize
	blobs   blob.Store
	client  *upstream.Client
	pages   *upstream.Cache[*resolve.Remote] // by normalised project name
}

var (
	_ resolve.Connection   = (*Connection)(nil)
	_ resolve.AssetFetcher = (*Connection)(nil)
)

// NewConnection returns a client of the index at cfg.URL; its Name and
// UserAgent are PyPI's.
func NewConnection(cfg upstream.Config) *Connection {
	if cfg.MaxDocumentSize <= 0 {
		cfg.MaxDocumentSize = DefaultMaxPageSize
	}
	base := strings.TrimRight(cfg.URL, "/") + "/"
	cfg.URL, cfg.Name, cfg.UserAgent = base, "the Python package index at "+strings.TrimSuffix(upstream.Redacted(base), "/"), UserAgent
	client := upstream.NewClient(cfg)
	return &Connection{
		base: base, maxSize: cfg.MaxDocumentSize, blobs: cfg.Blobs,
		client: client, pages: upstream.NewCache[*resolve.Remote](client),
	}
}

// pageURL is where the index serves a project's page.
func (r *Connection) pageURL(project string) string { return r.base + url.PathEscape(project) + "/" }

// Package returns the index's view of a project, from the cache while it
// is fresh. The Remote returned is shared: callers must not modify it.
func (r *Connection) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if ref.Format != artifact.PyPI || ref.Namespace != "" {
		return nil, errkind.New(errkind.Internal, "the Python package index was asked for %s", ref)
	}
	key := NormalizeName(ref.Name)
	req := upstream.Request{URL: r.pageURL(key), What: "the page of " + key, Accept: Accept}
	return r.pages.Get(ctx, key, req, func(resp *upstream.Response) (*resolve.Remote, int64, error) {
		body, err := resp.ReadAll(r.maxSize)
		if err != nil {
			return nil, 0, err
		}
		files, err := parsePage(body, resp.Header.Get("Content-Type"), resp.Request.URL)
		if err != nil {
			return nil, 0, errkind.Wrap(errkind.Unavailable, err, "Project %s has an invalid page in %s: %v", key, r.client.Name(), err)
		}
		return RemoteOf(key, files), int64(len(body)), nil
	})
}

// parsePage reads a project page in the form its Content-Type says.
func parsePage(body []byte, contentType string, pageURL *url.URL) ([]IndexFile, error) {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch mediaType {
	case ContentTypeJSON, "application/json":
		return ParseIndexJSON(body, pageURL)
	case ContentTypeHTMLv1, ContentTypeHTML, "":
		return ParseIndexHTML(body, pageURL)
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return ParseIndexJSON(body, pageURL)
	}
	return ParseIndexHTML(body, pageURL)
}

// RemoteOf groups the files of a project page by version: each version
// lists its files in Meta.Extra (as the simple API serves them) and in a
// RemoteRelease as its Source. Yanked files, files without a SHA-256 and files
// that are not wheels or sdists of the project are left out.
func RemoteOf(project string, files []IndexFile) *resolve.Remote {
	remote := &resolve.Remote{Versions: map[string]resolve.RemoteVersion{}}
	extras := map[string]*Extra{}
	sources := map[string]RemoteRelease{}
	published := map[string]time.Time{}
	for _, f := range files {
		if f.Yanked || f.Hashes["sha256"] == "" {
			continue
		}
		fn, err := ParseFilename(f.Filename, project)
		if err != nil {
			continue
		}
		version := RemoteVersion(fn.Version)
		e := extras[version]
		if e == nil {
			e = &Extra{Files: map[string]File{}}
			extras[version] = e
			sources[version] = RemoteRelease{Files: map[string]IndexFile{}}
		}
		file := File{
			PackageType: fn.PackageType(), PythonVersion: fn.PythonVersion(), RequiresPython: f.RequiresPython,
			UploadTime: f.UploadTime, SHA256: f.Hashes["sha256"], Size: max(f.Size, 0),
		}
		if fn.Kind == Wheel {
			file.MetadataSHA256 = f.MetadataSHA256
		}
		e.Files[f.Filename] = file
		sources[version].Files[f.Filename] = f
		if t := f.UploadTime; !t.IsZero() && (published[version].IsZero() || t.Before(published[version])) {
			published[version] = t
		}
	}
	for version, e := range extras {
		remote.Versions[version] = resolve.RemoteVersion{
			Version: version,
			Meta:    artifact.Meta{Extra: e.JSON(), PublishedAt: published[version]},
			Source:  sources[version],
		}
	}
	return remote
}

// Ingest records a version with the files its page lists, fetching at
// most one of them (FetchAsset fetches each other on its first request).
// The version's core metadata (DescribePackageVersion, dependencies,
// readme) comes from a wheel's PEP 658 metadata file when the index
// serves one (checked against the page's hash); otherwise one file is
// fetched and kept, and its metadata read: a pure-Python wheel if there
// is one (what installers of every platform pick), else the smallest
// file.
func (r *Connection) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	rel, ok := v.Source.(RemoteRelease)
	if !ok {
		return store.Version{}, errkind.New(errkind.Internal, "version %s of %s has no PyPI files to ingest (source %T)", v.Version, ref, v.Source)
	}
	meta := v.Meta
	extra := ParseExtra(meta.Extra)
	md, err := r.metadata(ctx, ref, v.Version, rel)
	if err != nil {
		return store.Version{}, err
	}
	var fetched []artifact.Asset
	if md == nil {
		if name := firstFile(rel); name != "" {
			a, err := r.fetchFile(ctx, ref, name, rel.Files[name])
			if err != nil {
				return store.Version{}, err
			}
			fetched = append(fetched, a)
			if b, err := FileMetadata(ctx, r.blobs, ref.Name, a); err == nil {
				if m, err := ParseFileMetadata(b); err == nil && NormalizeName(m.Name) == ref.Name && RemoteVersion(m.Version) == v.Version {
					md = m
				}
				if file, ok := extra.Files[name]; ok && KindOf(name) == Wheel {
					// Stored now: its METADATA can be served (PEP 658).
					sum := sha256.Sum256(b)
					file.MetadataSHA256 = hex.EncodeToString(sum[:])
					extra.Files[name] = file
				}
			}
		}
	}
	if md != nil {
		published := meta.PublishedAt
		meta = md.Meta()
		meta.PublishedAt = published
		extra.Metadata = md
	}
	meta.Extra = extra.JSON()
	return store.Version{Version: v.Version, Meta: meta, Assets: fetched}, nil
}

// firstFile picks the file Ingest fetches when the index serves no
// metadata file: a pure-Python wheel, else the smallest file.
func firstFile(rel RemoteRelease) string {
	pure := func(name string) bool { return strings.HasSuffix(name, "-none-any.whl") }
	size := func(name string) int64 {
		if s := rel.Files[name].Size; s >= 0 {
			return s
		}
		return 1 << 62 // unknown: last
	}
	better := func(a, b string) bool {
		if pure(a) != pure(b) {
			return pure(a)
		}
		if size(a) != size(b) {
			return size(a) < size(b)
		}
		return a < b
	}
	best := ""
	for name := range rel.Files {
		if best == "" || better(name, best) {
			best = name
		}
	}
	return best
}

// metadata fetches the core metadata of the first wheel (by name) whose
// metadata file the page declares with a hash; nil when none does or the
// index does not have it after all.
func (r *Connection) metadata(ctx context.Context, ref artifact.PackageRef, version string, rel RemoteRelease) (*Metadata, error) {
	names := make([]string, 0, len(rel.Files))
	for n, f := range rel.Files {
		if KindOf(n) == Wheel && f.MetadataSHA256 != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	sort.Strings(names)
	f := rel.Files[names[0]]
	body, err := r.client.Read(ctx, upstream.Request{URL: f.URL + ".metadata", What: "the metadata of " + names[0]}, MaxMetadataSize)
	if errors.Is(err, errkind.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != f.MetadataSHA256 {
		r.client.Log().Warn("PyPI metadata file refused", "index", r.client.Name(), "file", names[0], "error", "sha256 mismatch")
		return nil, nil
	}
	md, err := ParseFileMetadata(body)
	if err != nil || NormalizeName(md.Name) != ref.Name || RemoteVersion(md.Version) != version {
		r.client.Log().Warn("PyPI metadata file unusable", "index", r.client.Name(), "file", names[0])
		return nil, nil
	}
	return md, nil
}

// FetchAsset downloads one file of a version, found on the project's page
// (from the cache, or stale during an outage), into the blob store.
func (r *Connection) FetchAsset(ctx context.Context, ref artifact.PackageRef, version, name string) (artifact.Asset, error) {
	remote, err := r.Package(ctx, ref)
	if err != nil {
		return artifact.Asset{}, err
	}
	rv, ok := remote.Versions[version]
	if !ok {
		return artifact.Asset{}, errkind.NotFoundf("Version %s of %s is no longer listed by %s", version, ref.Name, r.client.Name())
	}
	f, ok := rv.Source.(RemoteRelease).Files[name]
	if !ok {
		return artifact.Asset{}, errkind.NotFoundf("No file %s is listed for version %s of %s by %s", name, version, ref.Name, r.client.Name())
	}
	return r.fetchFile(ctx, ref, name, f)
}

// fetchFile downloads a file from the URL its page gave into the blob
// store, checking the digests the page declares; a wheel's METADATA must
// be the metadata file the page declared (the simple API serves one as
// the other).
func (r *Connection) fetchFile(ctx context.Context, ref artifact.PackageRef, name string, f IndexFile) (artifact.Asset, error) {
	a, err := r.client.Download(ctx, upstream.Request{URL: f.URL, What: name}, upstream.File{
		Name:     name,
		Want:     assets.Expect{SHA256: f.Hashes["sha256"], SHA1: f.Hashes["sha1"], SHA512: f.Hashes["sha512"], MD5: f.Hashes["md5"], Size: max(f.Size, 0)},
		Mismatch: fmt.Sprintf("%s from %s does not match the digests its page declares; it was not kept", name, r.client.Name()),
	})
	if err != nil {
		return artifact.Asset{}, err
	}
	if declared := f.MetadataSHA256; declared != "" && KindOf(name) == Wheel {
		b, err := FileMetadata(ctx, r.blobs, ref.Name, a)
		sum := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(sum[:]) != declared {
			r.client.Log().Warn("PyPI wheel refused: METADATA differs from the declared metadata file", "index", r.client.Name(), "file", name, "error", err)
			return artifact.Asset{}, errkind.Validationf("The METADATA of %s from %s is not the metadata file its page declares; it was not kept", name, r.client.Name())
		}
	}
	return a, nil
}
