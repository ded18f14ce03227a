package npm

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
)

// Package documents ("packuments") are what npm, yarn and pnpm read to
// resolve a package: every listed version's manifest, the dist-tags, and
// publish times. They come in two forms, chosen by the Accept header: the
// full document (application/json) and the abbreviated one
// (application/vnd.npm.install-v1+json, "corgi") that holds only what an
// install needs.
//
// Spec: https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md

// Media types of the two package documents.
const (
	ContentTypeFull        = "application/json"
	ContentTypeAbbreviated = "application/vnd.npm.install-v1+json"
)

// Version is a version of a package, as documents are made from it.
type Version struct {
	Version string
	Status  artifact.Status
	// Meta is the version's metadata; Meta.Extra is its manifest. It
	// points at the resolver's candidate (not a copy: a kept state holds
	// thousands of versions); nil is no metadata.
	Meta *artifact.Meta
	// Modified is when the version last changed (status, deprecation).
	Modified time.Time
	// Tarball is the stored package.tgz, nil when the bytes are not
	// stored yet (a version still only in a public registry): its
	// manifest's digests are then kept as the registry sent them.
	Tarball *artifact.Asset
	// Revision is the stored version's revision (a digest of its
	// metadata and assets): runs of rendered manifests are kept under
	// their versions' revisions. "" (a version only in a public registry)
	// renders every time.
	Revision string
}

// noMeta is the metadata of a Version with none.
var noMeta artifact.Meta

// meta returns v's metadata, empty when it has none.
func (v *Version) meta() *artifact.Meta {
	if v.Meta == nil {
		return &noMeta
	}
	return v.Meta
}

// Package is what documents of a package are made from.
type Package struct {
	Name Name
	// BaseURL is the repository endpoint's URL, ending in "/": tarball
	// URLs point there, whatever the manifests say.
	BaseURL  string
	Versions []Version
	// Tags are the package's dist-tags, merged across upstreams, before
	// the rules of DistTags.
	Tags map[string]string
	// Runs, when set, keeps runs of versions' entries of the documents
	// compressed (see rendered.Runs), so that a document is assembled
	// from the runs its previous rendering left and the one a change
	// touched.
	Runs *rendered.Runs
}

// manifestJSON returns v's manifest as a document shows it, full or
// abbreviated. Documents keep no manifests apart from their runs: a run
// made again after a publish takes its other entries from the run it
// replaces (rendered.Runs.PartsAfter), so the new version's is the one
// rendered.
func (p Package) manifestJSON(v Version, abbreviated bool) []byte {
	if abbreviated {
		return marshal(abbreviate(p.manifest(v)))
	}
	return marshal(p.manifest(v))
}

// versionsParts renders the "versions" member of a document: each listed
// version's manifest under its version, in the order encoding/json gives
// a map's keys (byte order), as marshalling a map of them would; as
// parts, runs of versions kept in p.Runs. The runs are cut where they
// were for the state s extends (or for s itself, rendered before), so
// that only the runs holding new versions are made again, from the runs
// they replace and the new versions' manifests.
func (p Package) versionsParts(s *sorted, abbreviated bool) []*rendered.Part {
	byKey := s.byKey
	scope := p.Name.String() + "\x00" + p.BaseURL
	if abbreviated {
		scope += "\x00abbreviated"
	}
	prev, old := s.layouts.get(scope), func(i int) int { return i }
	if prev == nil && s.from != nil {
		prev, old = s.from.get(scope), func(i int) int { return int(s.old[i]) }
	}
	parts, layout := p.Runs.PartsAfter(rendered.Entries{
		Scope: scope, Len: len(byKey), Sep: ",",
		Name:     func(i int) string { return byKey[i].Version },
		Revision: func(i int) string { return byKey[i].Revision },
		Render: func(i int) []byte {
			v := byKey[i]
			return slices.Concat(marshal(v.Version), []byte{':'}, p.manifestJSON(*v, abbreviated))
		},
	}, prev, old)
	s.layouts.put(scope, layout)
	return parts
}

// versionsPlaceholder stands for the "versions" member while the rest of
// a document is marshalled; withVersions puts the rendered member in its
// place. In the marshalled document the placeholder can only be that
// member: inside a string its quotes would be escaped.
var versionsPlaceholder = json.RawMessage("0")

// withVersions returns the document doc (marshalled with the
// placeholder) with the versions member in its place, as parts.
func withVersions(doc []byte, versions []*rendered.Part, contentType string) *rendered.Doc {
	const member = `"versions":0`
	i := bytes.Index(doc, []byte(member))
	if i < 0 {
		panic("npm: the document has no versions member")
	}
	parts := make([]*rendered.Part, 0, len(versions)+2)
	parts = append(parts, rendered.NewPartOnce(append(doc[:i+len(member)-1:i+len(member)-1], '{')))
	parts = append(parts, versions...)
	parts = append(parts, rendered.NewPartOnce(append([]byte{'}'}, doc[i+len(member):]...)))
	return rendered.Assemble(contentType, parts...)
}

// listed returns the versions package managers may see (User Guide,
// "Package version status": Unlisted, Archived, Disposed and Unfinished
// versions are left out), ordered by semver, oldest first: pointers into
// p.Versions (a Version is too large to copy thousands of times on every
// rebuild).
func (p Package) listed() []*Version {
	listed, _ := p.listedAfter(nil)
	return listed
}

// listedAfter is listed, placing the versions of prev (an earlier semver
// order of them) without sorting them again (sortVersions); semver
// reports whether every listed version is semver.
func (p Package) listedAfter(prev []string) (listed []*Version, semver bool) {
	listed = make([]*Version, 0, len(p.Versions))
	for i := range p.Versions {
		if p.Versions[i].Status.Listed() {
			listed = append(listed, &p.Versions[i])
		}
	}
	return listed, sortVersions(listed, prev) != nil
}

// DistTags returns the dist-tags clients see: the tags that point at
// listed versions, and "latest" pointing at the highest listed version
// that is not a prerelease when no tag sets it (or the highest listed
// version, when all are prereleases), since npm installs "latest" when
// asked for no particular version.
func (p Package) DistTags() map[string]string {
	return distTags(p.Tags, p.listed())
}

// SetDistTags returns the dist-tags that are set and point at listed
// versions, without the "latest" documents make up when none is set:
// `npm dist-tag ls` shows these, and `npm dist-tag add x latest` must see
// that latest is not set yet to send it.
func (p Package) SetDistTags() map[string]string {
	return setTags(p.Tags, p.listed())
}

func setTags(tags map[string]string, listed []*Version) map[string]string {
	have := make(map[string]bool, len(listed))
	for _, v := range listed {
		have[v.Version] = true
	}
	out := map[string]string{}
	for tag, v := range tags {
		if have[v] {
			out[tag] = v
		}
	}
	return out
}

func distTags(tags map[string]string, listed []*Version) map[string]string {
	return withLatest(setTags(tags, listed), listed)
}

// withLatest adds to the set tags out a "latest" when none is set (see
// DistTags).
func withLatest(out map[string]string, listed []*Version) map[string]string {
	if _, ok := out["latest"]; !ok && len(listed) > 0 {
		latest := listed[len(listed)-1].Version
		for i := len(listed) - 1; i >= 0; i-- {
			if sv, err := semver.StrictNewVersion(listed[i].Version); err == nil && sv.Prerelease() == "" {
				latest = listed[i].Version
				break
			}
		}
		out["latest"] = latest
	}
	return out
}

// manifest returns a version's manifest as documents show it: "name",
// "version" and "_id" as the registry knows them, no "readme", and "dist"
// pointing at this server with the stored tarball's digests.
func (p Package) manifest(v Version) object {
	o := object{}
	if len(v.meta().Extra) > 0 {
		json.Unmarshal(v.meta().Extra, &o)
		if o == nil {
			o = object{}
		}
	}
	name := p.Name.String()
	o.setString("name", name)
	o.setString("version", v.Version)
	if _, ok := o["_id"]; !ok {
		o.setString("_id", name+"@"+v.Version)
	}
	if _, ok := o["description"]; !ok && v.meta().Summary != "" {
		o.setString("description", v.meta().Summary)
	}
	delete(o, "readme")
	dist := o.sub("dist")
	if dist == nil {
		dist = object{}
	}
	dist.setString("tarball", TarballURL(p.BaseURL, p.Name, v.Version))
	if v.Tarball != nil {
		dist.setString("shasum", v.Tarball.SHA1)
		if i := Integrity(*v.Tarball); i != "" {
			dist.setString("integrity", i)
		}
	}
	o["dist"] = marshal(dist)
	return o
}

// abbreviatedFields are the members of a version in the abbreviated
// document.
var abbreviatedFields = []string{
	"name", "version", "deprecated", "dependencies", "optionalDependencies", "devDependencies",
	"bundleDependencies", "peerDependencies", "peerDependenciesMeta", "bin", "directories", "dist",
	"engines", "_hasShrinkwrap", "hasInstallScript", "os", "cpu", "libc", "funding", "acceptDependencies",
}

// abbreviate keeps the members of a manifest an install needs.
func abbreviate(full object) object {
	o := make(object, len(abbreviatedFields))
	for _, k := range abbreviatedFields {
		if raw, ok := full[k]; ok {
			o[k] = raw
		}
	}
	if _, ok := o["bundleDependencies"]; !ok {
		if raw, ok := full["bundledDependencies"]; ok {
			o["bundleDependencies"] = raw
		}
	}
	if dep := full.str("deprecated"); dep == "" && string(full["deprecated"]) != "true" {
		delete(o, "deprecated")
	}
	if _, ok := o["hasInstallScript"]; !ok {
		// The registry computes it at publish time; npm relies on it to
		// know whether to run scripts without reading the tarball.
		scripts := full.sub("scripts")
		for _, s := range []string{"preinstall", "install", "postinstall"} {
			if _, ok := scripts[s]; ok {
				o["hasInstallScript"] = json.RawMessage("true")
				break
			}
		}
	}
	return o
}

// timeFormat is the registry's time format: ISO 8601 in UTC, milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// times returns the "time" member of the full document: "created",
// "modified" and each listed version's publish time.
func times(listed []*Version) map[string]string {
	out := make(map[string]string, len(listed)+2)
	var created time.Time
	for _, v := range listed {
		at := v.meta().PublishedAt
		if at.IsZero() {
			continue
		}
		out[v.Version] = formatTime(at)
		if created.IsZero() || at.Before(created) {
			created = at
		}
	}
	if !created.IsZero() {
		out["created"], out["modified"] = formatTime(created), formatTime(modified(listed))
	}
	return out
}

// modified returns when the listed versions last changed: the latest
// publish or change of a version that has a publish time.
func modified(listed []*Version) time.Time {
	var last time.Time
	for _, v := range listed {
		at := v.meta().PublishedAt
		if at.IsZero() {
			continue
		}
		if m := v.Modified; m.After(at) {
			at = m
		}
		if at.After(last) {
			last = at
		}
	}
	return last
}

// fullDocument is the full package document.
type fullDocument struct {
	ID          string            `json:"_id"`
	Rev         string            `json:"_rev"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	DistTags    map[string]string `json:"dist-tags"`
	Versions    json.RawMessage   `json:"versions"` // versionsPlaceholder
	Time        json.RawMessage   `json:"time"`
	Readme      string            `json:"readme,omitempty"`
	// From the latest version's manifest, as the registry copies them.
	Homepage   json.RawMessage `json:"homepage,omitempty"`
	Keywords   json.RawMessage `json:"keywords,omitempty"`
	Repository json.RawMessage `json:"repository,omitempty"`
	Author     json.RawMessage `json:"author,omitempty"`
	Bugs       json.RawMessage `json:"bugs,omitempty"`
	License    json.RawMessage `json:"license,omitempty"`
}

// abbreviatedDocument is the abbreviated package document.
type abbreviatedDocument struct {
	Name     string            `json:"name"`
	Modified string            `json:"modified,omitempty"`
	DistTags map[string]string `json:"dist-tags"`
	Versions json.RawMessage   `json:"versions"` // versionsPlaceholder
}

// Full renders the full package document.
func (p Package) Full() []byte { return p.FullDoc().Bytes() }

// FullDoc renders the full package document, ready to send.
func (p Package) FullDoc() *rendered.Doc { return p.fullDoc(p.sort(nil)) }

// fullDoc renders the full document of the versions s.
func (p Package) fullDoc(s *sorted) *rendered.Doc {
	tags := s.distTags(p.Tags)
	doc := fullDocument{
		ID: p.Name.String(), Name: p.Name.String(), Rev: s.revOf(tags),
		DistTags: tags, Versions: versionsPlaceholder, Time: s.timeJSON(),
	}
	if latest := s.find(tags["latest"]); latest != nil {
		m := p.manifest(*latest)
		doc.Description = m.str("description")
		doc.Readme = latest.meta().Readme
		doc.Homepage, doc.Keywords, doc.Repository = m["homepage"], m["keywords"], m["repository"]
		doc.Author, doc.Bugs, doc.License = m["author"], m["bugs"], m["license"]
	}
	return withVersions(marshal(doc), p.versionsParts(s, false), ContentTypeFull)
}

// Abbreviated renders the abbreviated package document.
func (p Package) Abbreviated() []byte { return p.AbbreviatedDoc().Bytes() }

// AbbreviatedDoc renders the abbreviated package document, ready to send.
func (p Package) AbbreviatedDoc() *rendered.Doc { return p.abbreviatedDoc(p.sort(nil)) }

// abbreviatedDoc renders the abbreviated document of the versions s.
func (p Package) abbreviatedDoc(s *sorted) *rendered.Doc {
	doc := abbreviatedDocument{
		Name: p.Name.String(), DistTags: s.distTags(p.Tags),
		Versions: versionsPlaceholder,
	}
	if !s.modified.IsZero() {
		doc.Modified = formatTime(s.modified)
	}
	return withVersions(marshal(doc), p.versionsParts(s, true), ContentTypeAbbreviated)
}

// VersionDocument renders the manifest of one listed version, named by
// its version or a dist-tag (GET /{name}/{version}); ok is false when
// there is none.
func (p Package) VersionDocument(spec string) ([]byte, bool) {
	listed := p.listed()
	if v, ok := distTags(p.Tags, listed)[spec]; ok {
		spec = v
	}
	for _, v := range listed {
		if v.Version == spec {
			return marshal(p.manifest(*v)), true
		}
	}
	return nil, false
}
