package cargo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/upstream"
)

// UserAgent is sent with every request to the registry.
const UserAgent = "arca (+cargo external connection)"

// DefaultMaxIndexSize bounds an index file when
// upstream.Config.MaxDocumentSize is 0.
const DefaultMaxIndexSize = 32 << 20

// Connection is a public sparse crate registry behind an external
// connection, configured with its index URL (what follows "sparse+"):
// index files come from there, and downloads from the dl template its
// config.json names (a registry may serve them from another host). It
// is safe for concurrent use.
type Connection struct {
	base    string // index URL without trailing slash
	maxSize int64
	client  *upstream.Client
	index   *upstream.Cache[*resolve.Remote] // by lower-cased name
	config  *upstream.Cache[string]          // the dl template
}

var _ resolve.Connection = (*Connection)(nil)

// NewConnection returns a client of the sparse index at cfg.URL.
func NewConnection(cfg upstream.Config) *Connection {
	if cfg.MaxDocumentSize <= 0 {
		cfg.MaxDocumentSize = DefaultMaxIndexSize
	}
	base := strings.TrimRight(strings.TrimPrefix(cfg.URL, "sparse+"), "/")
	cfg.URL, cfg.Name, cfg.UserAgent = base, "the crate registry at "+upstream.Redacted(base), UserAgent
	client := upstream.NewClient(cfg)
	return &Connection{base: base, maxSize: cfg.MaxDocumentSize, client: client,
		index: upstream.NewCache[*resolve.Remote](client), config: upstream.NewCache[string](client)}
}

// crateSource is how a remote version's .crate is fetched.
type crateSource struct {
	Name, Cksum string
}

// Package returns the registry's index file of a crate as a view: its
// versions that are not yanked (a yanked one is not offered to new
// resolutions, and is not ingested), each with its index line.
func (r *Connection) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if ref.Format != artifact.Cargo {
		return nil, errkind.New(errkind.Internal, "the crate registry was asked for a %s package", ref.Format)
	}
	name := strings.ToLower(ref.Name)
	if ValidateName(name) != nil {
		return nil, errkind.NotFoundf("Crate %s is not a valid crate name", ref.Name)
	}
	req := upstream.Request{URL: r.base + "/" + IndexPath(name), What: "the index file of " + name, Accept: "text/plain"}
	return r.index.Get(ctx, name, req, func(resp *upstream.Response) (*resolve.Remote, int64, error) {
		body, err := resp.ReadAll(r.maxSize)
		if err != nil {
			return nil, 0, err
		}
		remote, err := ParseIndexFile(body, name)
		if err != nil {
			return nil, 0, errkind.Wrap(errkind.Unavailable, err, "Crate %s has an invalid index file in %s", name, r.client.Name())
		}
		return remote, int64(len(body)), nil
	})
}

// ParseIndexFile reads an index file of the crate name (lower-cased):
// one JSON line per version; lines of another crate, unparsable lines
// and yanked versions are left out.
func ParseIndexFile(body []byte, name string) (*resolve.Remote, error) {
	remote := &resolve.Remote{Versions: map[string]resolve.RemoteVersion{}}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), len(body)+1)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		l, err := ParseIndexLine(line)
		if err != nil || strings.ToLower(l.Name) != name || ValidateVersion(l.Vers) != nil || l.Yanked || len(l.Cksum) != 64 {
			continue
		}
		if l.Deps == nil {
			l.Deps = []IndexDep{}
		}
		if l.Features == nil {
			l.Features = map[string][]string{}
		}
		extra, err := json.Marshal(l)
		if err != nil {
			return nil, err
		}
		m := artifact.Meta{DisplayName: l.Name, Extra: extra}
		for _, d := range l.Deps {
			pkg := d.Name
			if d.Package != nil {
				pkg = *d.Package
			}
			m.Dependencies = append(m.Dependencies, artifact.Dependency{Package: pkg, DependencyType: d.Kind, VersionRange: d.Req})
		}
		remote.Versions[l.Vers] = resolve.RemoteVersion{Version: l.Vers, Meta: m, Source: crateSource{Name: l.Name, Cksum: l.Cksum}}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(remote.Versions) == 0 {
		return nil, errkind.NotFoundf("Crate %s has no versions that are not yanked", name)
	}
	return remote, nil
}

// Ingest downloads a version's .crate from the registry's dl template,
// checking the sha256 its index line declares.
func (r *Connection) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	src, ok := v.Source.(crateSource)
	if !ok {
		return store.Version{}, errkind.New(errkind.Internal, "version %s of %s has no crate to ingest (source %T)", v.Version, ref, v.Source)
	}
	dl, err := r.config.Get(ctx, "config.json", upstream.Request{URL: r.base + "/config.json", What: "config.json", Accept: "application/json"},
		func(resp *upstream.Response) (string, int64, error) {
			body, err := resp.ReadAll(1 << 20)
			if err != nil {
				return "", 0, err
			}
			var c struct{ DL string }
			if err := json.Unmarshal(body, &c); err != nil || c.DL == "" {
				return "", 0, errkind.New(errkind.Unavailable, "%s has an invalid config.json (no dl)", r.client.Name())
			}
			return c.DL, int64(len(body)), nil
		})
	if err != nil {
		return store.Version{}, err
	}
	what := fmt.Sprintf("the .crate of %s %s", src.Name, v.Version)
	a, err := r.client.Download(ctx, upstream.Request{URL: DownloadURL(dl, src.Name, v.Version, src.Cksum), What: what, Accept: "*/*"}, upstream.File{
		Name: CrateFile(src.Name, v.Version), Want: assets.Expect{SHA256: src.Cksum},
		Mismatch: fmt.Sprintf("The .crate of %s %s from %s does not match the checksum of its index line; it was not stored", src.Name, v.Version, r.client.Name()),
	})
	if err != nil {
		return store.Version{}, err
	}
	return store.Version{Version: v.Version, Meta: v.Meta, Assets: []artifact.Asset{a}}, nil
}

// DownloadURL fills a dl template (cargo's "Index format", config.json):
// its markers, or /{crate}/{version}/download appended when it has none.
func DownloadURL(dl, name, version, cksum string) string {
	prefix := indexDir(name)
	markers := strings.NewReplacer("{crate}", name, "{version}", version, "{prefix}", prefix,
		"{lowerprefix}", strings.ToLower(prefix), "{sha256-checksum}", cksum)
	if replaced := markers.Replace(dl); replaced != dl {
		return replaced
	}
	return strings.TrimRight(dl, "/") + "/" + name + "/" + version + "/download"
}
