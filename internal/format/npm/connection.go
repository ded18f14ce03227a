package npm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/upstream"
)

// UserAgent is sent with every request to the registry.
const UserAgent = "arca (+npm external connection)"

// AssetName is the name of an npm version's one asset.
const AssetName = "package.tgz"

// DefaultMaxDocumentSize bounds a package document, decompressed, when
// upstream.Config.MaxDocumentSize is 0.
const DefaultMaxDocumentSize = 64 << 20

// Connection is a public npm registry behind an external connection. It
// is safe for concurrent use.
type Connection struct {
	base    string // URL without trailing slash
	maxSize int64  // Config.MaxDocumentSize
	client  *upstream.Client
	docs    *upstream.Cache[*resolve.Remote] // by npm name
}

var _ resolve.Connection = (*Connection)(nil)

// NewConnection returns a client of the registry at cfg.URL; its Name and
// UserAgent are npm's.
func NewConnection(cfg upstream.Config) *Connection {
	if cfg.MaxDocumentSize <= 0 {
		cfg.MaxDocumentSize = DefaultMaxDocumentSize
	}
	base := strings.TrimRight(cfg.URL, "/")
	cfg.URL, cfg.Name, cfg.UserAgent = base, "the npm registry at "+upstream.Redacted(base), UserAgent
	client := upstream.NewClient(cfg)
	return &Connection{base: base, maxSize: cfg.MaxDocumentSize, client: client, docs: upstream.NewCache[*resolve.Remote](client)}
}

// documentName is the package's npm name: "name" or "@scope/name".
func documentName(ref artifact.PackageRef) string {
	if ref.Namespace != "" {
		return "@" + ref.Namespace + "/" + ref.Name
	}
	return ref.Name
}

// documentURL is where the registry serves the package's document. The
// slash of a scoped name is escaped (@scope%2fname), as npm sends it: the
// registry takes the name as one path segment.
func (r *Connection) documentURL(ref artifact.PackageRef) string {
	name := url.PathEscape(ref.Name)
	if ref.Namespace != "" {
		name = "@" + url.PathEscape(ref.Namespace) + "%2f" + name
	}
	return r.base + "/" + name
}

// Package returns the registry's view of a package, from the cache while it
// is fresh. The Remote returned is shared: callers must not modify it.
func (r *Connection) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if ref.Format != artifact.NPM {
		return nil, errkind.New(errkind.Internal, "the npm registry was asked for a %s package", ref.Format)
	}
	key := documentName(ref)
	req := upstream.Request{URL: r.documentURL(ref), What: "the document of " + key, Accept: "application/json"}
	return r.docs.Get(ctx, key, req, func(resp *upstream.Response) (*resolve.Remote, int64, error) {
		body, err := resp.ReadAll(r.maxSize)
		if err != nil {
			return nil, 0, err
		}
		remote, err := ParseRegistryDocument(body)
		if errors.Is(err, errUnpublished) {
			return nil, int64(len(body)), errkind.NotFoundf("Package %s has no versions in %s", key, r.client.Name())
		}
		if err != nil {
			return nil, 0, errkind.Wrap(errkind.Unavailable, err, "Package %s has an invalid document in %s", key, r.client.Name())
		}
		return remote, int64(len(body)), nil
	})
}

// Ingest downloads a version's tarball from the URL the registry gave into
// the blob store, checking the digests the document declared, and returns
// the version to retain.
func (r *Connection) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	tb, ok := v.Source.(Tarball)
	if !ok {
		return store.Version{}, errkind.New(errkind.Internal, "version %s of %s has no npm tarball to ingest (source %T)", v.Version, ref, v.Source)
	}
	what := fmt.Sprintf("the tarball of %s %s", documentName(ref), v.Version)
	a, err := r.client.Download(ctx, upstream.Request{URL: tb.URL, What: what, Accept: "*/*"}, upstream.File{
		Name: AssetName, Want: assets.Expect{SHA1: tb.SHA1, SHA512: tb.SHA512},
		Mismatch: fmt.Sprintf("The tarball of %s %s from %s does not match the digests its document declares; it was not stored", documentName(ref), v.Version, r.client.Name()),
	})
	if err != nil {
		return store.Version{}, err
	}
	if tb.SHA1 == "" && tb.SHA512 == "" {
		r.client.Log().Warn("npm tarball ingested without a declared digest", "package", documentName(ref), "version", v.Version)
	}
	return store.Version{Version: v.Version, Meta: v.Meta, Assets: []artifact.Asset{a}}, nil
}
