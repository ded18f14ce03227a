package nuget

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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

// The external connection public:nuget-org: a public NuGet V3 registry,
// configured by the URL of its service index. A package's view comes
// from its registration (RegistrationsBaseUrl/3.6.0, so SemVer 2.0.0
// versions too); a version is ingested by downloading its .nupkg from the
// flat container (PackageBaseAddress/3.0.0), checked against the SHA-512
// its catalog entry declares when the registry publishes one, and read
// like a push: the .nupkg must be valid and be the version it was asked
// for. Documents are cached, fetched once for concurrent requests and
// served stale when the registry cannot be reached (upstream.Cache).

// ConnectionName is the external connection NuGet packages come through.
const ConnectionName = "public:nuget-org"

// UserAgent is sent with every request to the registry.
const UserAgent = "arca (+nuget external connection)"

// maxDocumentSize bounds a service index or a registration document.
const maxDocumentSize = 64 << 20

// Connection is a public NuGet V3 registry. It is safe for concurrent use.
type Connection struct {
	client *upstream.Client
	index  *upstream.Cache[*services]
	docs   *upstream.Cache[*resolve.Remote] // by lower-cased id
	url    string
	blobs  blob.Store
}

var _ resolve.Connection = (*Connection)(nil)

// NewConnection returns a client of the registry whose service index is at
// cfg.URL, storing packages in cfg.Blobs; the rest of cfg tunes the cache
// (zero values take upstream's defaults).
func NewConnection(cfg upstream.Config) *Connection {
	cfg.UserAgent = UserAgent
	cfg.Name = "the NuGet registry at " + upstream.Redacted(cfg.URL)
	client := upstream.NewClient(cfg)
	return &Connection{client: client, url: cfg.URL, blobs: cfg.Blobs,
		index: upstream.NewCache[*services](client), docs: upstream.NewCache[*resolve.Remote](client)}
}

// services are the resources of the registry's service index that Arca
// uses, as base URLs ending in "/".
type services struct {
	registrations string
	flat          string
}

// services returns the registry's service index, from the cache while it
// is fresh.
func (c *Connection) services(ctx context.Context) (*services, error) {
	req := upstream.Request{URL: c.url, What: "the service index", Accept: "application/json"}
	return c.index.Get(ctx, "index", req, func(resp *upstream.Response) (*services, int64, error) {
		body, err := resp.ReadAll(maxDocumentSize)
		if err != nil {
			return nil, 0, err
		}
		var idx struct {
			Resources []struct {
				ID   string `json:"@id"`
				Type string `json:"@type"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(body, &idx); err != nil {
			return nil, 0, errkind.Wrap(errkind.Unavailable, err, "%s has an invalid service index", c.client.Name())
		}
		s := &services{}
		rank := 0
		for _, r := range idx.Resources {
			slashed := strings.TrimRight(r.ID, "/") + "/"
			switch r.Type {
			case "PackageBaseAddress/3.0.0":
				s.flat = slashed
			case "RegistrationsBaseUrl/3.6.0", "RegistrationsBaseUrl/Versioned":
				s.registrations, rank = slashed, 2
			case "RegistrationsBaseUrl/3.4.0", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl":
				if rank < 1 {
					s.registrations, rank = slashed, 1
				}
			}
		}
		if s.flat == "" || s.registrations == "" {
			return nil, 0, errkind.New(errkind.Unavailable, "%s's service index has no PackageBaseAddress/3.0.0 or no RegistrationsBaseUrl", c.client.Name())
		}
		return s, int64(len(body)), nil
	})
}

// source is how a remote version is ingested.
type source struct {
	content string // the .nupkg's URL
	catalog string // the catalog entry's URL, which declares its hash
}

// registrationPage is the part of a registration index or page Arca reads.
type registrationPage struct {
	ID    string `json:"@id"`
	Items []struct {
		CatalogEntry   json.RawMessage `json:"catalogEntry"`
		PackageContent string          `json:"packageContent"`
	} `json:"items"`
}

// catalogEntry is the part of a registration leaf's catalog entry Arca
// reads.
type catalogEntry struct {
	ID               string `json:"id"`
	Version          string `json:"version"`
	Authors          any    `json:"authors"` // a string, or an array on some registries
	Description      string `json:"description"`
	Summary          string `json:"summary"`
	Title            string `json:"title"`
	Tags             any    `json:"tags"`
	ProjectURL       string `json:"projectUrl"`
	LicenseURL       string `json:"licenseUrl"`
	LicenseExpr      string `json:"licenseExpression"`
	IconURL          string `json:"iconUrl"`
	Language         string `json:"language"`
	MinClientVersion string `json:"minClientVersion"`
	RequireLicense   bool   `json:"requireLicenseAcceptance"`
	Listed           *bool  `json:"listed"`
	CatalogURL       string `json:"@id"`
	Published        string `json:"published"`
	DependencyGroups []struct {
		TargetFramework string `json:"targetFramework"`
		Dependencies    []struct {
			ID    string `json:"id"`
			Range string `json:"range"`
		} `json:"dependencies"`
	} `json:"dependencyGroups"`
}

// joined renders a string or an array of strings.
func joined(v any, sep string) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var parts []string
		for _, p := range x {
			if s, ok := p.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, sep)
	}
	return ""
}

// Package returns the registry's view of a package, from its registration
// (pages not inlined are fetched too), cached while fresh. The Remote
// returned is shared: callers must not modify it.
func (c *Connection) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if ref.Format != artifact.NuGet || ValidateID(ref.Name) != nil {
		return nil, errkind.NotFoundf("%s has no package %s", c.client.Name(), ref)
	}
	svc, err := c.services(ctx)
	if err != nil {
		return nil, err
	}
	id := NormalizeID(ref.Name)
	req := upstream.Request{URL: svc.registrations + id + "/index.json", What: "the registration of " + id, Accept: "application/json"}
	return c.docs.Get(ctx, id, req, func(resp *upstream.Response) (*resolve.Remote, int64, error) {
		body, err := resp.ReadAll(maxDocumentSize)
		if err != nil {
			return nil, 0, err
		}
		var index struct {
			Items []registrationPage `json:"items"`
		}
		if err := json.Unmarshal(body, &index); err != nil {
			return nil, 0, errkind.Wrap(errkind.Unavailable, err, "%s has an invalid registration for %s", c.client.Name(), id)
		}
		size := int64(len(body))
		remote := &resolve.Remote{Versions: map[string]resolve.RemoteVersion{}}
		for _, page := range index.Items {
			if page.Items == nil && page.ID != "" {
				b, err := c.client.Read(ctx, upstream.Request{URL: page.ID, What: "a registration page of " + id, Accept: "application/json"}, maxDocumentSize)
				if err != nil {
					return nil, 0, err
				}
				size += int64(len(b))
				if err := json.Unmarshal(b, &page); err != nil {
					return nil, 0, errkind.Wrap(errkind.Unavailable, err, "%s has an invalid registration page for %s", c.client.Name(), id)
				}
			}
			for _, leaf := range page.Items {
				var e catalogEntry
				if json.Unmarshal(leaf.CatalogEntry, &e) != nil {
					continue // a catalog entry by reference only: not enough to list
				}
				if rv, ok := c.remoteVersion(svc, e, leaf.PackageContent); ok && NormalizeID(e.ID) == id {
					remote.Versions[rv.Version] = rv
				}
			}
		}
		if len(remote.Versions) == 0 {
			return nil, size, errkind.NotFoundf("%s has no versions of %s", c.client.Name(), id)
		}
		return remote, size, nil
	})
}

// remoteVersion turns a registration leaf into a version of the view, with
// the metadata reads need until it is ingested.
func (c *Connection) remoteVersion(svc *services, e catalogEntry, content string) (resolve.RemoteVersion, bool) {
	v, err := ParseVersion(e.Version)
	if err != nil || ValidateID(e.ID) != nil {
		return resolve.RemoteVersion{}, false
	}
	n := Nuspec{
		ID: e.ID, Version: e.Version, Title: e.Title, Authors: joined(e.Authors, ", "), Description: e.Description,
		Summary: e.Summary, Tags: joined(e.Tags, " "), ProjectURL: e.ProjectURL, LicenseURL: e.LicenseURL,
		LicenseExpression: e.LicenseExpr, IconURL: e.IconURL, Language: e.Language,
		RequireLicenseAcceptance: e.RequireLicense, MinClientVersion: e.MinClientVersion,
	}
	for _, g := range e.DependencyGroups {
		group := DependencyGroup{TargetFramework: g.TargetFramework, Dependencies: []Dependency{}}
		for _, d := range g.Dependencies {
			group.Dependencies = append(group.Dependencies, Dependency{ID: d.ID, Range: d.Range})
		}
		n.DependencyGroups = append(n.DependencyGroups, group)
	}
	meta, err := MetaOf(&Contents{Nuspec: &n})
	if err != nil {
		return resolve.RemoteVersion{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, e.Published); err == nil && t.Year() > 1900 {
		meta.PublishedAt = t
	}
	key := v.Key()
	if content == "" {
		id := NormalizeID(e.ID)
		content = svc.flat + id + "/" + key + "/" + id + "." + key + ".nupkg"
	}
	return resolve.RemoteVersion{Version: key, Meta: meta, Source: source{content: content, catalog: e.CatalogURL}}, true
}

// Ingest downloads a version's .nupkg into the blob store, checked against
// the SHA-512 its catalog entry declares (when the registry has catalog
// entries), reads it as a push is read, and returns the version to retain
// with the metadata of its own .nuspec.
func (c *Connection) Ingest(ctx context.Context, ref artifact.PackageRef, rv resolve.RemoteVersion) (store.Version, error) {
	src, ok := rv.Source.(source)
	if !ok {
		return store.Version{}, errkind.New(errkind.Internal, "version %s of %s has no NuGet package to ingest (source %T)", rv.Version, ref, rv.Source)
	}
	want := assets.Expect{}
	if src.catalog != "" {
		if h, err := c.packageHash(ctx, src.catalog); err == nil {
			want.SHA512 = h
		} else if !errors.Is(err, errkind.ErrNotFound) {
			return store.Version{}, err
		}
	}
	what := fmt.Sprintf("the package %s %s", ref.Name, rv.Version)
	a, err := c.client.Download(ctx, upstream.Request{URL: src.content, What: what, Accept: "*/*"}, upstream.File{
		Name: ref.Name + "." + rv.Version + ".nupkg", Want: want,
		Mismatch: fmt.Sprintf("The package %s %s from %s does not match the SHA-512 its catalog entry declares; it was not stored", ref.Name, rv.Version, c.client.Name()),
	})
	if err != nil {
		return store.Version{}, err
	}
	if want.SHA512 == "" {
		c.client.Log().Warn("NuGet package ingested without a declared digest", "package", ref.Name, "version", rv.Version)
	}
	rc, err := assets.Open(ctx, c.blobs, a)
	if err != nil {
		return store.Version{}, err
	}
	defer rc.Close()
	contents, err := ReadPackage(assets.ReaderAt(rc), a.Size)
	if err != nil {
		return store.Version{}, errkind.Wrap(errkind.Unavailable, err, "%s served an invalid package for %s %s: %s", c.client.Name(), ref.Name, rv.Version, errkind.As(err).Message)
	}
	v, _ := ParseVersion(contents.Nuspec.Version)
	if NormalizeID(contents.Nuspec.ID) != ref.Name || v.Key() != rv.Version {
		return store.Version{}, errkind.New(errkind.Unavailable, "%s served %s %s when asked for %s %s", c.client.Name(), contents.Nuspec.ID, contents.Nuspec.Version, ref.Name, rv.Version)
	}
	meta, err := MetaOf(contents)
	if err != nil {
		return store.Version{}, err
	}
	meta.PublishedAt = rv.Meta.PublishedAt
	return store.Version{Version: rv.Version, Meta: meta, Assets: []artifact.Asset{a}}, nil
}

// packageHash reads the SHA-512 a catalog entry declares for its package,
// as lowercase hex.
func (c *Connection) packageHash(ctx context.Context, url string) (string, error) {
	b, err := c.client.Read(ctx, upstream.Request{URL: url, What: "a catalog entry", Accept: "application/json"}, maxDocumentSize)
	if err != nil {
		return "", err
	}
	var e struct {
		Hash      string `json:"packageHash"`
		Algorithm string `json:"packageHashAlgorithm"`
	}
	if json.Unmarshal(b, &e) != nil || e.Hash == "" || !strings.EqualFold(e.Algorithm, "SHA512") {
		return "", errkind.NotFoundf("the catalog entry declares no SHA-512")
	}
	raw, err := base64.StdEncoding.DecodeString(e.Hash)
	if err != nil || len(raw) != 64 {
		return "", errkind.NotFoundf("the catalog entry's packageHash is not a SHA-512")
	}
	return hex.EncodeToString(raw), nil
}
