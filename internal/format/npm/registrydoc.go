package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// dist is the part of a version manifest that says where its tarball is.
type dist struct {
	Dist struct {
		Tarball json.RawMessage `json:"tarball"`
	} `json:"dist"`
}

// ParseRegistryDocument reads a full package document into the registry's view of the
// package: every version with its metadata (Meta.Extra is the version's
// manifest exactly as the registry sent it) and a Tarball as its Source,
// and the dist-tags that point at one of them.
//
// Versions whose manifest is not an object or has no dist.tarball are left
// out: they could not be ingested. A document without versions is
// errUnpublished. The caller bounds the size of data.
func ParseRegistryDocument(data []byte) (*resolve.Remote, error) {
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
		tb, ok := tarball(raw)
		if !ok {
			continue
		}
		readme := ""
		if ver == latest {
			readme = str(doc.Readme) // the document's readme is the latest version's
		}
		meta, err := MetaOf(raw, readme)
		if err != nil {
			continue
		}
		if meta.DisplayName == "" {
			meta.DisplayName = doc.Name
		}
		if t, err := time.Parse(time.RFC3339Nano, str(doc.Time[ver])); err == nil {
			meta.PublishedAt = t.UTC()
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

// tarball returns a manifest's dist as a Tarball: its URL and declared
// digests. It is false for a manifest without a tarball URL or with
// malformed digests: such a version could not be ingested safely.
func tarball(manifest json.RawMessage) (Tarball, bool) {
	var d dist
	if json.Unmarshal(manifest, &d) != nil {
		return Tarball{}, false
	}
	tb := Tarball{URL: str(d.Dist.Tarball)}
	digests, err := DeclaredDigests(manifest)
	if tb.URL == "" || err != nil {
		return tb, false
	}
	tb.SHA1, tb.SHA512 = digests.SHA1, digests.SHA512
	return tb, true
}

// str returns raw as a string when it is a JSON string, else "".
func str(raw json.RawMessage) string {
	s, _ := asString(raw)
	return s
}

func asString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}
