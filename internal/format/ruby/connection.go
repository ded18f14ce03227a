package ruby

import (
	"context"
	"fmt"
	"io"
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

// The external connection public:ruby-gems-org: a public gem registry,
// configured by its base URL (what a gem source is), read through its
// compact index. A gem's view comes from info/{name}: a version per
// version of the file, with a Gem per platform file (version, platform,
// runtime dependencies, Ruby and RubyGems requirements, SHA-256), which
// is what the indexes Arca serves need until the version is ingested. A
// version is ingested by downloading one of its files (the ruby platform
// gem, else the first) from gems/{file}, checked against the SHA-256 of
// its info line and read like a push: its Gem then has the whole
// gemspec. Its other platforms' files are fetched on their first
// download (FetchAsset). The registry's versions file is read whole and
// cached, for the versions file of the repositories the connection
// serves (Bundler asks only for the info files of gems it lists).

// ConnectionName is the external connection gems come through.
const ConnectionName = "public:ruby-gems-org"

// UserAgent is sent with every request to the registry.
const UserAgent = "arca (+ruby external connection)"

// Bounds of what is read from the registry.
const (
	DefaultMaxInfoSize = 16 << 20  // one info file
	maxVersionsFile    = 256 << 20 // the versions file
)

// Connection is a public gem registry. It is safe for concurrent use.
type Connection struct {
	base     string // without a trailing slash
	maxSize  int64
	client   *upstream.Client
	blobs    blob.Store
	info     *upstream.Cache[*resolve.Remote] // by gem name
	versions *upstream.Cache[[]byte]
	now      func() time.Time
}

var (
	_ resolve.Connection   = (*Connection)(nil)
	_ resolve.AssetFetcher = (*Connection)(nil)
)

// NewConnection returns a client of the registry at cfg.URL.
func NewConnection(cfg upstream.Config) *Connection {
	if cfg.MaxDocumentSize <= 0 {
		cfg.MaxDocumentSize = DefaultMaxInfoSize
	}
	base := strings.TrimRight(cfg.URL, "/")
	cfg.URL, cfg.Name, cfg.UserAgent = base, "the gem registry at "+upstream.Redacted(base), UserAgent
	client := upstream.NewClient(cfg)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Connection{base: base, maxSize: cfg.MaxDocumentSize, client: client, blobs: cfg.Blobs, now: now,
		info: upstream.NewCache[*resolve.Remote](client), versions: upstream.NewCache[[]byte](client)}
}

// gemSource is how a remote version's files are fetched: their SHA-256
// by file name.
type gemSource struct {
	files map[string]string
}

// Package returns the registry's view of a gem from its info file,
// cached while fresh. The Remote returned is shared: callers must not
// modify it.
func (c *Connection) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if ref.Format != artifact.Ruby {
		return nil, errkind.New(errkind.Internal, "the gem registry was asked for a %s package", ref.Format)
	}
	if ValidateName(ref.Name) != nil {
		return nil, errkind.NotFoundf("%s has no gem %q", c.client.Name(), ref.Name)
	}
	req := upstream.Request{URL: c.base + "/info/" + ref.Name, What: "the info file of " + ref.Name, Accept: "text/plain"}
	return c.info.Get(ctx, ref.Name, req, func(resp *upstream.Response) (*resolve.Remote, int64, error) {
		body, err := resp.ReadAll(c.maxSize)
		if err != nil {
			return nil, 0, err
		}
		gems, err := ParseInfo(ref.Name, body)
		if errkind.KindOf(err) == errkind.NotFound {
			return nil, int64(len(body)), err
		}
		if err != nil {
			return nil, 0, errkind.Wrap(errkind.Unavailable, err, "%s has an invalid info file for %s", c.client.Name(), ref.Name)
		}
		return RemoteOf(gems), int64(len(body)), nil
	})
}

// RemoteOf groups the gems of an info file into versions: each version
// with a Gem per platform file in its Extra, and the metadata of its
// first file.
func RemoteOf(gems []Gem) *resolve.Remote {
	remote := &resolve.Remote{Versions: map[string]resolve.RemoteVersion{}}
	for _, g := range gems {
		file := g.FullName() + ".gem"
		rv, ok := remote.Versions[g.Version]
		if !ok {
			rv = resolve.RemoteVersion{Version: g.Version, Meta: meta(&g.Spec), Source: gemSource{files: map[string]string{}}}
		}
		rv.Meta.Extra = withGem(rv.Meta.Extra, file, g)
		rv.Source.(gemSource).files[file] = g.SHA256
		remote.Versions[g.Version] = rv
	}
	return remote
}

// Ingest downloads one file of a version (the ruby platform gem, else the
// first by name), checked against its info line's SHA-256, and reads its
// gemspec as a push does: the version is retained with the metadata of
// that gemspec and a Gem per platform file.
func (c *Connection) Ingest(ctx context.Context, ref artifact.PackageRef, rv resolve.RemoteVersion) (store.Version, error) {
	src, ok := rv.Source.(gemSource)
	if !ok || len(src.files) == 0 {
		return store.Version{}, errkind.New(errkind.Internal, "version %s of %s has no gem to ingest (source %T)", rv.Version, ref, rv.Source)
	}
	file := FullName(ref.Name, rv.Version, "") + ".gem"
	if _, ok := src.files[file]; !ok {
		names := make([]string, 0, len(src.files))
		for n := range src.files {
			names = append(names, n)
		}
		sort.Strings(names)
		file = names[0]
	}
	a, err := c.download(ctx, ref, rv.Version, file, src.files[file])
	if err != nil {
		return store.Version{}, err
	}
	rc, err := assets.Open(ctx, c.blobs, a)
	if err != nil {
		return store.Version{}, err
	}
	spec, err := ParseGem(io.LimitReader(rc, a.Size))
	rc.Close()
	if err != nil {
		return store.Version{}, errkind.Wrap(errkind.Unavailable, err, "%s served an invalid gem %s: %s", c.client.Name(), file, errkind.As(err).Message)
	}
	if spec.FullName()+".gem" != file {
		return store.Version{}, errkind.New(errkind.Unavailable, "%s served the gem %s when asked for %s", c.client.Name(), spec.FullName(), file)
	}
	// The gems are listed from now on, in the order they were ingested,
	// so that the versions file of the repositories keeping them grows
	// by appending.
	extra := ParseExtra(rv.Meta.Extra)
	m, at := meta(spec), c.now().UTC().Truncate(time.Microsecond)
	for name, g := range extra.Gems {
		if name == file {
			g.Spec = *spec
		}
		g.Pushed = at
		m.Extra = withGem(m.Extra, name, g)
	}
	return store.Version{Version: rv.Version, Meta: m, Assets: []artifact.Asset{a}}, nil
}

// FetchAsset downloads another platform's file of a version already
// ingested, checked against the SHA-256 of its line in the registry's
// info file.
func (c *Connection) FetchAsset(ctx context.Context, ref artifact.PackageRef, version, name string) (artifact.Asset, error) {
	remote, err := c.Package(ctx, ref)
	if err != nil {
		return artifact.Asset{}, err
	}
	rv, ok := remote.Versions[version]
	if !ok {
		return artifact.Asset{}, errkind.NotFoundf("%s has no version %s of %s", c.client.Name(), version, ref.Name)
	}
	sum, ok := rv.Source.(gemSource).files[name]
	if !ok {
		return artifact.Asset{}, errkind.NotFoundf("%s has no gem %s", c.client.Name(), name)
	}
	return c.download(ctx, ref, version, name, sum)
}

func (c *Connection) download(ctx context.Context, ref artifact.PackageRef, version, file, sha256 string) (artifact.Asset, error) {
	return c.client.Download(ctx, upstream.Request{URL: c.base + "/gems/" + file, What: "the gem " + file, Accept: "*/*"}, upstream.File{
		Name: file, Want: assets.Expect{SHA256: sha256},
		Mismatch: fmt.Sprintf("The gem %s from %s does not match the checksum of its info line; it was not stored", file, c.client.Name()),
	})
}

// VersionsFile returns the registry's compact index versions file, cached
// while fresh and served stale while the registry cannot be reached.
func (c *Connection) VersionsFile(ctx context.Context) ([]byte, error) {
	req := upstream.Request{URL: c.base + "/versions", What: "the versions file", Accept: "text/plain"}
	return c.versions.Get(ctx, "versions", req, func(resp *upstream.Response) ([]byte, int64, error) {
		body, err := resp.ReadAll(maxVersionsFile)
		if err != nil {
			return nil, 0, err
		}
		return body, int64(len(body)), nil
	})
}
