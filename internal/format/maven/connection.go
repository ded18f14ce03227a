package maven

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/upstream"
)

// UserAgent is sent with every request to the repository.
const UserAgent = "arca (+maven external connection)"

// Defaults of the shared upstream.Config that differ for Maven: metadata
// is kept longer, and more of it.
const (
	DefaultTTL        = 15 * time.Minute
	DefaultCacheBytes = 64 << 20
)

// Connection is a remote Maven repository behind an external connection.
// It is safe for concurrent use.
type Connection struct {
	base   string // URL without trailing slash
	client *upstream.Client
	// known holds artifacts' metadata, and the absence of files, by path.
	known *upstream.Cache[*resolve.Remote]
	times publishTimes // for the release-age gate (gate.go)
}

var (
	_ resolve.Connection   = (*Connection)(nil)
	_ resolve.AssetFetcher = (*Connection)(nil)
	_ resolve.PublishTimer = (*Connection)(nil)
)

// NewConnection returns a client of the repository at cfg.URL, named
// after cfg.Connection in messages; its Name and UserAgent are Maven's.
func NewConnection(cfg upstream.Config) *Connection {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	base := strings.TrimRight(cfg.URL, "/")
	name := upstream.Redacted(base)
	if cfg.Connection != "" {
		name = cfg.Connection + " (" + name + ")"
	}
	cfg.URL, cfg.Name, cfg.UserAgent = base, "the Maven repository "+name, UserAgent
	client := upstream.NewClient(cfg)
	return &Connection{base: base, client: client, known: upstream.NewCache[*resolve.Remote](client)}
}

// request is a GET of a path of the layout, each segment escaped.
func (r *Connection) request(path string) upstream.Request {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return upstream.Request{URL: r.base + "/" + strings.Join(segs, "/"), What: path}
}

func checkRef(ref artifact.PackageRef) error {
	if ref.Format != artifact.Maven {
		return errkind.New(errkind.Internal, "a Maven repository was asked for a %s package", ref.Format)
	}
	for _, s := range append(strings.Split(ref.Namespace, "."), ref.Name) {
		if !ValidSegment(s) {
			return errkind.NotFoundf("%s is not a Maven artifact name", ref)
		}
	}
	return nil
}

// Package returns the repository's view of an artifact from its
// maven-metadata.xml, from the cache while it is fresh. The Remote
// returned is shared: callers must not modify it.
func (r *Connection) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	key := Dir(ref, "") + "/" + MetadataFile
	req := r.request(key)
	req.What = "the metadata of " + ref.String()
	return r.known.Get(ctx, key, req, func(resp *upstream.Response) (*resolve.Remote, int64, error) {
		m, err := ParseMetadata(resp.Body)
		if errors.Is(err, errkind.ErrUnavailable) {
			return nil, 0, err
		}
		if err != nil {
			return nil, 0, errkind.Wrap(errkind.Unavailable, err, "The metadata of %s in %s is invalid: %s", ref, r.client.Name(), errkind.As(err).Message)
		}
		return remoteOf(ref, m), metadataSize(m), nil
	})
}

// remoteOf lists the versions of an artifact's metadata.
func remoteOf(ref artifact.PackageRef, m *Metadata) *resolve.Remote {
	remote := &resolve.Remote{Versions: map[string]resolve.RemoteVersion{}}
	if m.Versioning == nil {
		return remote
	}
	remote.PublishedBy = lastUpdated(m)
	for _, v := range m.Versioning.Versions {
		if ValidSegment(v) {
			remote.Versions[v] = resolve.RemoteVersion{Version: v, Meta: artifact.Meta{DisplayName: ref.Name}}
		}
	}
	return remote
}

// metadataSize is what an artifact's metadata counts for in the cache
// bound: an entry's overhead and a little per version.
func metadataSize(m *Metadata) int64 {
	const overhead = 512
	if m.Versioning == nil {
		return overhead
	}
	return overhead + int64(64*len(m.Versioning.Versions))
}

// Ingest downloads a version's POM and returns the version to retain,
// with the metadata the POM states. Other files follow through
// FetchAsset as clients ask for them.
func (r *Connection) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	if err := checkRef(ref); err != nil {
		return store.Version{}, err
	}
	name := ref.Name + "-" + v.Version + ".pom"
	var pom bytes.Buffer
	a, err := r.fetchFile(ctx, ref, v.Version, name, &pom)
	if err != nil {
		return store.Version{}, err
	}
	meta := v.Meta
	if p, err := ParsePOM(&pom); err != nil {
		r.client.Log().Warn("ingested a POM that does not parse", "repository", r.client.Name(), "package", ref.String(), "version", v.Version, "error", err)
	} else {
		meta = p.Meta()
	}
	return store.Version{Version: v.Version, Meta: meta, Assets: []artifact.Asset{a}}, nil
}

// FetchAsset downloads one file of a version.
func (r *Connection) FetchAsset(ctx context.Context, ref artifact.PackageRef, version, name string) (artifact.Asset, error) {
	if err := checkRef(ref); err != nil {
		return artifact.Asset{}, err
	}
	if _, ok := ParseFileName(ref.Name, version, name); !ok || !ValidSegment(version) || !ValidSegment(name) {
		return artifact.Asset{}, errkind.NotFoundf("%s is not a file of %s %s", name, ref, version)
	}
	return r.fetchFile(ctx, ref, version, name, nil)
}

// fetchFile downloads a file of a version into the blob store, checked
// against the repository's .sha1 for it when there is one, copying the
// bytes to tee when it is not nil. The absence of a file is remembered
// like the absence of metadata.
func (r *Connection) fetchFile(ctx context.Context, ref artifact.PackageRef, version, name string, tee io.Writer) (artifact.Asset, error) {
	path := Dir(ref, version) + "/" + name
	if _, ok, err := r.known.Cached(path); ok && err != nil {
		return artifact.Asset{}, err
	}
	var want assets.Expect
	if b, err := r.client.Read(ctx, r.request(path+".sha1"), 4<<10); err == nil {
		if sum, err := ParseChecksum(SHA1, b); err == nil {
			want.SHA1 = sum
		}
	} else if !errors.Is(err, errkind.ErrNotFound) {
		return artifact.Asset{}, err
	}
	a, err := r.client.Download(ctx, r.request(path), upstream.File{
		Name: name, Want: want, Tee: tee,
		Mismatch: fmt.Sprintf("%s from %s does not match the checksum published beside it; it was not stored", path, r.client.Name()),
	})
	if errors.Is(err, errkind.ErrNotFound) {
		r.known.RememberNotFound(path, err)
	}
	if err != nil {
		return artifact.Asset{}, err
	}
	if want.SHA1 == "" {
		r.client.Log().Info("Maven file ingested without a published checksum", "repository", r.client.Name(), "path", path)
	}
	return a, nil
}
