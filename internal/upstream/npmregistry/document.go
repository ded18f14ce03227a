package npmregistry

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/resolve"
)

// Tarball is the Source of a RemoteVersion from an npm registry: where its
// tarball is and the digests the package document declares for it.
type Tarball struct {
	URL string // dist.tarball, as the registry sent it
	// SHA1 is dist.shasum (or a sha1 entry of dist.integrity), lowercase
	// hex; "" when the document declares none.
	SHA1 string
	// SHA512 is the sha512 entry of dist.integrity, lowercase hex; "" when
	// the document declares none.
	SHA512 string
}

// errUnpublished is returned by Parse for a document that has no versions
// (the registry keeps a stub for an unpublished package).
var errUnpublished = errors.New("the package has no versions (unpublished)")

// noReadme is what the registry puts in the readme of packages without one.
const noReadme = "ERROR: No README data found!"

// document is the part of a full package document ("packument") Arca
// reads. Fields are kept raw so that one odd value (a registry written
// over fifteen years holds many) does not lose the whole package.
//
// The format: https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md
type document struct {
	Name     string                     `json:"name"`
	DistTags map[string]json.RawMessage `json:"dist-tags"`
	Versions map[string]json.RawMessage `json:"versions"`
	Time     map[string]json.RawMessage `json:"time"`
	Readme   json.RawMessage            `json:"readme"`
}

// manifest is the part of a version manifest Arca reads.
type manifest struct {
	Name                 json.RawMessage `json:"name"`
	Description          json.RawMessage `json:"description"`
	Homepage             json.RawMessage `json:"homepage"`
	Repository           json.RawMessage `json:"repository"`
	License              json.RawMessage `json:"license"`
	Licenses             json.RawMessage `json:"licenses"`
	Readme               json.RawMessage `json:"readme"`
	Dependencies         json.RawMessage `json:"dependencies"`
	DevDependencies      json.RawMessage `json:"devDependencies"`
	PeerDependencies     json.RawMessage `json:"peerDependencies"`
	OptionalDependencies json.RawMessage `json:"optionalDependencies"`
	Dist                 struct {
		Tarball   json.RawMessage `json:"tarball"`
		Shasum    json.RawMessage `json:"shasum"`
		Integrity json.RawMessage `json:"integrity"`
	} `json:"dist"`
}

// Parse reads a full package document into the registry's view of the
// package: every version with its metadata (Meta.Extra is the version's
// manifest exactly as the registry sent it) and a Tarball as its Source,
// and the dist-tags that point at one of them.
//
// Versions whose manifest is not an object or has no dist.tarball are left
// out: they could not be ingested. A document without versions is
// errUnpublished. The caller bounds the size of data.
func Parse(data []byte) (*resolve.Remote, error) {
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not a package document: %w", err)
	}
	remote := &resolve.Remote{Versions: make(map[string]resolve.RemoteVersion, len(doc.Versions)), Tags: map[string]string{}}
	for tag, raw := range doc.DistTags {
		if v := str(raw); v != "" && tag != "" {
			remote.Tags[tag] = v
		}
	}
	latest := remote.Tags["latest"]
	for ver, raw := range doc.Versions {
		if ver == "" {
			continue
		}
		var m manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			continue
		}
		tb, ok := tarball(m)
		if !ok {
			continue
		}
		meta := versionMeta(doc.Name, m)
		meta.Extra = raw
		if t, err := time.Parse(time.RFC3339Nano, str(doc.Time[ver])); err == nil {
			meta.PublishedAt = t.UTC()
		}
		if meta.Readme == "" && ver == latest {
			// The document's readme is the latest version's.
			meta.Readme = readme(doc.Readme)
		}
		remote.Versions[ver] = resolve.RemoteVersion{Version: ver, Meta: meta, Source: tb}
	}
	if len(remote.Versions) == 0 {
		return nil, errUnpublished
	}
	for tag, ver := range remote.Tags {
		if _, ok := remote.Versions[ver]; !ok {
			delete(remote.Tags, tag) // a tag npm could not install
		}
	}
	return remote, nil
}

// versionMeta maps a manifest to the model's package version fields
// (DescribePackageVersion, ListPackageVersionDependencies).
func versionMeta(docName string, m manifest) artifact.Meta {
	meta := artifact.Meta{
		DisplayName: str(m.Name),
		Summary:     str(m.Description),
		HomePage:    str(m.Homepage),
		Licenses:    licenses(m.License, m.Licenses),
		Readme:      readme(m.Readme),
	}
	if meta.DisplayName == "" {
		meta.DisplayName = docName
	}
	meta.SourceCodeRepository = repository(m.Repository)
	optional := stringMap(m.OptionalDependencies)
	for _, d := range []struct {
		kind string
		raw  json.RawMessage
	}{
		{"regular", m.Dependencies}, {"dev", m.DevDependencies},
		{"peer", m.PeerDependencies}, {"optional", m.OptionalDependencies},
	} {
		deps := stringMap(d.raw)
		for _, name := range slices.Sorted(maps.Keys(deps)) {
			if _, isOptional := optional[name]; isOptional && d.kind == "regular" {
				// npm publish copies optional dependencies into
				// dependencies too; they are optional ones.
				continue
			}
			ns, pkg := splitScope(name)
			meta.Dependencies = append(meta.Dependencies, artifact.Dependency{
				Namespace: ns, Package: pkg, DependencyType: d.kind, VersionRange: deps[name],
			})
		}
	}
	return meta
}

// tarball returns a manifest's dist as a Tarball; false without a URL.
func tarball(m manifest) (Tarball, bool) {
	tb := Tarball{URL: str(m.Dist.Tarball)}
	if tb.URL == "" {
		return tb, false
	}
	if s := strings.ToLower(str(m.Dist.Shasum)); isHex(s, 40) {
		tb.SHA1 = s
	}
	// Subresource Integrity: space-separated "algo-base64" entries.
	for _, entry := range strings.Fields(str(m.Dist.Integrity)) {
		algo, b64, ok := strings.Cut(entry, "-")
		if !ok {
			continue
		}
		if i := strings.IndexByte(b64, '?'); i >= 0 { // SRI options
			b64 = b64[:i]
		}
		sum, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		switch {
		case algo == "sha512" && len(sum) == 64:
			tb.SHA512 = hex.EncodeToString(sum)
		case algo == "sha1" && len(sum) == 20 && tb.SHA1 == "":
			tb.SHA1 = hex.EncodeToString(sum)
		}
	}
	return tb, true
}

// licenses reads the "license" field (an SPDX expression, or the old
// {type, url} object) and the older "licenses" array.
func licenses(license, list json.RawMessage) []artifact.License {
	var out []artifact.License
	add := func(raw json.RawMessage) {
		if s := str(raw); s != "" {
			out = append(out, artifact.License{Name: s})
			return
		}
		var o struct {
			Type json.RawMessage `json:"type"`
			Name json.RawMessage `json:"name"`
			URL  json.RawMessage `json:"url"`
		}
		if json.Unmarshal(raw, &o) == nil {
			l := artifact.License{Name: str(o.Type), URL: str(o.URL)}
			if l.Name == "" {
				l.Name = str(o.Name)
			}
			if l.Name != "" || l.URL != "" {
				out = append(out, l)
			}
		}
	}
	for _, raw := range []json.RawMessage{license, list} {
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) == nil {
			for _, a := range arr {
				add(a)
			}
		} else if len(raw) > 0 {
			add(raw)
		}
	}
	return slices.CompactFunc(out, func(a, b artifact.License) bool { return a == b })
}

// repository reads "repository" (a URL string or {type, url}) as the
// model's sourceCodeRepository. The registry normalises URLs to
// "git+https://…"; CodeArtifact reports them without "git+" (the User
// Guide's DescribePackageVersion example for lodash shows
// "https://github.com/lodash/lodash.git").
func repository(raw json.RawMessage) string {
	u := str(raw)
	if u == "" {
		var o struct {
			URL json.RawMessage `json:"url"`
		}
		if json.Unmarshal(raw, &o) == nil {
			u = str(o.URL)
		}
	}
	return strings.TrimPrefix(u, "git+")
}

func readme(raw json.RawMessage) string {
	r := str(raw)
	if strings.TrimSpace(r) == noReadme {
		return ""
	}
	return r
}

// splitScope splits "@scope/name" into ("scope", "name"): CodeArtifact's
// namespace of an npm package is its scope without the "@".
func splitScope(name string) (string, string) {
	if strings.HasPrefix(name, "@") {
		if scope, pkg, ok := strings.Cut(name[1:], "/"); ok {
			return scope, pkg
		}
	}
	return "", name
}

// str returns raw as a string when it is a JSON string, else "".
func str(raw json.RawMessage) string {
	s, _ := asString(raw)
	return s
}

// stringMap reads an object of strings, skipping values of other types.
func stringMap(raw json.RawMessage) map[string]string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := asString(v); ok && k != "" {
			out[k] = s
		}
	}
	return out
}

func asString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
