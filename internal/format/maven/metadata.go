package maven

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/rendered"
)

// MaxMetadataSize bounds a maven-metadata.xml file (one listing tens of
// thousands of versions is still far below it).
const MaxMetadataSize = 8 << 20

// Metadata is a maven-metadata.xml file: at the artifact level, the
// versions of an artifact; at the version level of a SNAPSHOT, its
// timestamped builds; at the group level, the prefixes of its plugins.
//
// Spec: https://maven.apache.org/ref/3.8.7/maven-repository-metadata/repository-metadata.html
type Metadata struct {
	XMLName      xml.Name    `xml:"metadata"`
	ModelVersion string      `xml:"modelVersion,attr,omitempty"`
	GroupID      string      `xml:"groupId,omitempty"`
	ArtifactID   string      `xml:"artifactId,omitempty"`
	Version      string      `xml:"version,omitempty"`
	Versioning   *Versioning `xml:"versioning,omitempty"`
	Plugins      []Plugin    `xml:"plugins>plugin,omitempty"`
}

// Versioning is the versioning element of a metadata file.
type Versioning struct {
	Latest           string            `xml:"latest,omitempty"`
	Release          string            `xml:"release,omitempty"`
	Snapshot         *Snapshot         `xml:"snapshot,omitempty"`
	Versions         []string          `xml:"versions>version,omitempty"`
	LastUpdated      string            `xml:"lastUpdated,omitempty"`
	SnapshotVersions []SnapshotVersion `xml:"snapshotVersions>snapshotVersion,omitempty"`
}

// Snapshot names the latest build of a SNAPSHOT.
type Snapshot struct {
	Timestamp   string `xml:"timestamp,omitempty"`
	BuildNumber int    `xml:"buildNumber,omitempty"`
	LocalCopy   bool   `xml:"localCopy,omitempty"`
}

// Build returns the snapshot's build, "20261123.191446-1", or "" when it
// names none (a local copy).
func (s *Snapshot) Build() string {
	if s == nil || s.Timestamp == "" || s.BuildNumber <= 0 {
		return ""
	}
	b := s.Timestamp + "-" + strconv.Itoa(s.BuildNumber)
	if _, _, ok := ParseBuild(b); !ok {
		return ""
	}
	return b
}

// SnapshotVersion is one file of the latest build of a SNAPSHOT.
type SnapshotVersion struct {
	Classifier string `xml:"classifier,omitempty"`
	Extension  string `xml:"extension"`
	Value      string `xml:"value"`
	Updated    string `xml:"updated,omitempty"`
}

// Plugin is a plugin of a group-level metadata file.
type Plugin struct {
	Name       string `xml:"name,omitempty"`
	Prefix     string `xml:"prefix"`
	ArtifactID string `xml:"artifactId"`
}

// ParseMetadata reads a maven-metadata.xml file of at most
// MaxMetadataSize bytes. Errors are errkind.Validation.
func ParseMetadata(r io.Reader) (*Metadata, error) {
	b, err := readAtMost(r, MaxMetadataSize, "maven-metadata.xml")
	if err != nil {
		return nil, err
	}
	return parseMetadata(b)
}

// parseMetadata is ParseMetadata of a file read already.
func parseMetadata(b []byte) (*Metadata, error) {
	var m Metadata
	if !decodeListed(b, &m) {
		m = Metadata{}
		if err := decodeXML(b, &m); err != nil {
			return nil, errkind.Validationf("Invalid maven-metadata.xml: %v", err)
		}
	}
	if m.XMLName.Local != "metadata" {
		return nil, errkind.Validationf("Invalid maven-metadata.xml: the root element is <%s>, not <metadata>", m.XMLName.Local)
	}
	m.GroupID, m.ArtifactID, m.Version = strings.TrimSpace(m.GroupID), strings.TrimSpace(m.ArtifactID), strings.TrimSpace(m.Version)
	if v := m.Versioning; v != nil {
		for i := range v.Versions {
			v.Versions[i] = strings.TrimSpace(v.Versions[i])
		}
		v.Versions = slices.DeleteFunc(v.Versions, func(s string) bool { return s == "" })
		if v.Snapshot != nil {
			v.Snapshot.Timestamp = strings.TrimSpace(v.Snapshot.Timestamp)
		}
	}
	return &m, nil
}

// decodeListed decodes b into m as decodeXML does, but reads the list of
// versions (thousands of <version> elements: mvn lists every version at
// every deploy, and encoding/xml reads 5,000 in 20 ms) by a plain scan,
// decoding only the rest. It reports false, leaving m to be decoded in
// full, unless b has one <versioning> with one <versions> in it, holding
// nothing but <version> elements of plain ASCII text and whitespace, and
// no comment, CDATA section, document type or namespace prefix that
// could make the scan read what encoding/xml would not. The list is read
// once: the checks look at what is around it.
func decodeListed(b []byte, m *Metadata) bool {
	const open, closing = "<versions>", "</versions>"
	i := bytes.Index(b, []byte(open))
	if i < 0 {
		return false
	}
	list := b[i+len(open):]
	versions, n, ok := scanVersions(list)
	if !ok || !bytes.HasPrefix(list[n:], []byte(closing)) {
		return false
	}
	// The list holds no markup but <version> elements: what the checks
	// look for can only be around it.
	head, tail := b[:i+len(open)], b[i+len(open)+n:]
	count := func(s string) int { return bytes.Count(head, []byte(s)) + bytes.Count(tail, []byte(s)) }
	if count("<versioning") != 1 || count("<versions") != 1 || count("<!") != 0 || count(":version") != 0 ||
		!bytes.Contains(head, []byte("<versioning>")) || bytes.Contains(head, []byte("</versioning>")) ||
		!bytes.Contains(tail, []byte("</versioning>")) {
		return false
	}
	rest := make([]byte, 0, len(head)+len(tail))
	rest = append(append(rest, head...), tail...)
	if decodeXML(rest, m) != nil || m.Versioning == nil {
		return false // the full decoding says what is wrong
	}
	m.Versioning.Versions = versions
	return true
}

// scanVersions reads from the start of b a run of <version>text</version>
// elements and whitespace, the text printable ASCII other than < and &,
// tabs and newlines, up to the first other markup: it returns the texts
// and the length read. A <version> element it cannot read so reports
// false. Each version is a string of its own: one kept (a version
// published) must not hold the whole file in memory.
func scanVersions(b []byte) (versions []string, n int, ok bool) {
	const open, closing = "<version>", "</version>"
	for {
		for n < len(b) && (b[n] == ' ' || b[n] == '\t' || b[n] == '\n') {
			n++
		}
		if !bytes.HasPrefix(b[n:], []byte(open)) {
			return versions, n, true
		}
		text := b[n+len(open):]
		end := bytes.IndexByte(text, '<')
		if end < 0 || !bytes.HasPrefix(text[end:], []byte(closing)) {
			return nil, 0, false
		}
		for _, c := range text[:end] {
			if (c < 0x20 && c != '\t' && c != '\n') || c > 0x7e || c == '&' {
				return nil, 0, false
			}
		}
		versions = append(versions, string(text[:end]))
		n += len(open) + end + len(closing)
	}
}

// IsGroupLevel reports whether m is a group's metadata: plugin prefixes,
// and no artifact.
func (m *Metadata) IsGroupLevel() bool {
	return m.ArtifactID == "" && (len(m.Plugins) > 0 || m.Versioning == nil)
}

// Check checks that m describes what its path names: the groupId,
// artifactId and (at the version level) version of the path, where m
// states them.
func (m *Metadata) Check(p Path) error {
	switch {
	case m.GroupID != "" && m.GroupID != p.GroupID:
		return errkind.Validationf("The maven-metadata.xml at %s is for groupId %s, not %s", p, m.GroupID, p.GroupID)
	case m.ArtifactID != "" && m.ArtifactID != p.ArtifactID:
		return errkind.Validationf("The maven-metadata.xml at %s is for artifactId %s, not %s", p, m.ArtifactID, p.ArtifactID)
	case p.Kind == KindVersionMetadata && m.Version != "" && m.Version != p.Version:
		return errkind.Validationf("The maven-metadata.xml at %s is for version %s, not %s", p, m.Version, p.Version)
	case p.Kind == KindArtifactMetadata && m.ArtifactID == "" && !m.IsGroupLevel():
		return errkind.Validationf("The maven-metadata.xml at %s names no artifactId", p)
	}
	if m.Versioning != nil {
		for _, v := range m.Versioning.Versions {
			if err := checkSegment(v); err != nil {
				return errkind.Validationf("The maven-metadata.xml at %s lists an invalid version: %s", p, errkind.As(err).Message)
			}
		}
	}
	return nil
}

// Render returns m as a metadata file, with an XML declaration.
func (m *Metadata) Render() []byte {
	head, versions, tail := m.split()
	if versions == nil {
		return head
	}
	var b bytes.Buffer
	b.Grow(len(head) + len(tail) + len(versions)*(len(versionIndent)+32))
	b.Write(head)
	for k, version := range versions {
		if k > 0 {
			b.WriteString(versionIndent)
		}
		writeVersion(&b, version)
	}
	b.Write(tail)
	return b.Bytes()
}

// Parts returns what Render does as parts for rendered.Assemble, the
// version list in runs kept in runs (rendered.Runs): after a publish,
// only the run of the new version is rendered and compressed again.
func (m *Metadata) Parts(runs *rendered.Runs) []*rendered.Part {
	head, versions, tail := m.split()
	if versions == nil {
		return []*rendered.Part{rendered.NewPartOnce(head)}
	}
	parts := []*rendered.Part{rendered.NewPartOnce(head)}
	parts = append(parts, runs.Parts(rendered.Entries{
		Scope: "maven-metadata.xml versions", Len: len(versions), Sep: versionIndent,
		Name: func(i int) string { return versions[i] },
		// An element is made from its version alone.
		Revision: func(int) string { return "-" },
		Render: func(i int) []byte {
			var b bytes.Buffer
			writeVersion(&b, versions[i])
			return b.Bytes()
		},
	})...)
	return append(parts, rendered.NewPartOnce(tail))
}

// split returns m as a metadata file cut around its version list: what
// comes before the first <version> element and after the last, and the
// versions between; a file of fewer than two versions is head alone.
// encoding/xml writes thousands of versions slowly (5 ms for 5,000): the
// file is encoded with one marker version, where the versions go, written
// and escaped as the encoder writes them.
func (m *Metadata) split() (head []byte, versions []string, tail []byte) {
	v := m.Versioning
	if v == nil || len(v.Versions) < 2 {
		return m.renderXML(), nil, nil
	}
	short, vs := *m, *v
	vs.Versions = []string{versionsMarker}
	short.Versioning = &vs
	out := short.renderXML()
	marker := []byte("<version>" + versionsMarker + "</version>")
	i := bytes.Index(out, marker)
	return out[:i], v.Versions, out[i+len(marker):]
}

// writeVersion writes the <version> element of a version.
func writeVersion(b *bytes.Buffer, version string) {
	b.WriteString("<version>")
	xml.EscapeText(b, []byte(version))
	b.WriteString("</version>")
}

// versionsMarker stands for the versions while a file is encoded: no
// version is spelled so (a space), and what the encoder writes of
// other fields escapes the markup around it.
const versionsMarker = "arca versions"

// versionIndent is what the encoder writes between two versions.
const versionIndent = "\n      "

// renderXML is Render by encoding/xml alone.
func (m *Metadata) renderXML() []byte {
	out := metadataOut{ModelVersion: m.ModelVersion, GroupID: m.GroupID, ArtifactID: m.ArtifactID, Version: m.Version}
	if len(m.Plugins) > 0 {
		out.Plugins = &pluginsOut{m.Plugins}
	}
	if v := m.Versioning; v != nil {
		out.Versioning = &versioningOut{Latest: v.Latest, Release: v.Release, Snapshot: v.Snapshot, LastUpdated: v.LastUpdated}
		if len(v.Versions) > 0 {
			out.Versioning.Versions = &versionsOut{v.Versions}
		}
		if len(v.SnapshotVersions) > 0 {
			out.Versioning.SnapshotVersions = &snapshotVersionsOut{v.SnapshotVersions}
		}
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	e := xml.NewEncoder(&b)
	e.Indent("", "  ")
	if err := e.Encode(out); err != nil {
		panic(err) // every field is a string, a bool or an int
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// metadataOut is Metadata as written: encoding/xml writes an empty
// "a>b" parent for an empty slice, which these pointers leave out.
type metadataOut struct {
	XMLName      xml.Name       `xml:"metadata"`
	ModelVersion string         `xml:"modelVersion,attr,omitempty"`
	GroupID      string         `xml:"groupId,omitempty"`
	ArtifactID   string         `xml:"artifactId,omitempty"`
	Version      string         `xml:"version,omitempty"`
	Versioning   *versioningOut `xml:"versioning"`
	Plugins      *pluginsOut    `xml:"plugins"`
}

type versioningOut struct {
	Latest           string               `xml:"latest,omitempty"`
	Release          string               `xml:"release,omitempty"`
	Snapshot         *Snapshot            `xml:"snapshot"`
	Versions         *versionsOut         `xml:"versions"`
	LastUpdated      string               `xml:"lastUpdated,omitempty"`
	SnapshotVersions *snapshotVersionsOut `xml:"snapshotVersions"`
}

type versionsOut struct {
	Version []string `xml:"version"`
}

type snapshotVersionsOut struct {
	SnapshotVersion []SnapshotVersion `xml:"snapshotVersion"`
}

type pluginsOut struct {
	Plugin []Plugin `xml:"plugin"`
}

// Timestamp formats for metadata files.
const (
	// LastUpdatedLayout is the layout of lastUpdated and updated.
	LastUpdatedLayout = "20060102150405"
	// TimestampLayout is the layout of a snapshot's timestamp.
	TimestampLayout = "20060102.150405"
)

// VersionInfo is what artifact metadata is made of: a version clients can
// see, and when it last changed.
type VersionInfo struct {
	Version string
	Updated time.Time // zero when unknown (a version of a public repository)
}

// ArtifactMetadata returns the artifact-level metadata of an artifact with
// the given versions: versions in Maven's order, latest the highest,
// release the highest that is not a SNAPSHOT, lastUpdated the most recent
// change (left out when no change time is known).
func ArtifactMetadata(groupID, artifactID string, versions []VersionInfo) *Metadata {
	vs := slices.Clone(versions)
	slices.SortFunc(vs, func(a, b VersionInfo) int { return Rules{}.CompareVersions(a.Version, b.Version) })
	sorted := make([]string, len(vs))
	var updated time.Time
	for i, x := range vs {
		sorted[i] = x.Version
		if x.Updated.After(updated) {
			updated = x.Updated
		}
	}
	return sortedArtifactMetadata(groupID, artifactID, sorted, updated)
}

// sortedArtifactMetadata is the artifact-level metadata of versions in
// Maven's order, the latest of which changed at updated.
func sortedArtifactMetadata(groupID, artifactID string, versions []string, updated time.Time) *Metadata {
	v := &Versioning{Versions: versions}
	if n := len(versions); n > 0 {
		v.Latest = versions[n-1]
	}
	for i := len(versions) - 1; i >= 0; i-- {
		if !IsSnapshot(versions[i]) {
			v.Release = versions[i]
			break
		}
	}
	if !updated.IsZero() {
		v.LastUpdated = updated.UTC().Format(LastUpdatedLayout)
	}
	return &Metadata{ModelVersion: "1.1.0", GroupID: groupID, ArtifactID: artifactID, Versioning: v}
}

// BuildFile is a file of a SNAPSHOT version, for its metadata.
type BuildFile struct {
	Name    FileName
	Updated time.Time
}

// SnapshotMetadata returns the version-level metadata of a SNAPSHOT whose
// latest build is build, with that build's files. It returns nil when
// build is not a timestamped build.
func SnapshotMetadata(groupID, artifactID, version, build string, files []BuildFile) *Metadata {
	ts, n, ok := ParseBuild(build)
	if !ok {
		return nil
	}
	v := &Versioning{Snapshot: &Snapshot{Timestamp: ts, BuildNumber: n}}
	fs := slices.Clone(files)
	slices.SortFunc(fs, func(a, b BuildFile) int {
		if c := strings.Compare(a.Name.Extension, b.Name.Extension); c != 0 {
			return c
		}
		return strings.Compare(a.Name.Classifier, b.Name.Classifier)
	})
	var updated time.Time
	for _, f := range fs {
		if f.Name.Build != build {
			continue
		}
		u := f.Updated
		if u.IsZero() {
			u, _ = time.Parse(TimestampLayout, ts)
		}
		if u.After(updated) {
			updated = u
		}
		v.SnapshotVersions = append(v.SnapshotVersions, SnapshotVersion{
			Classifier: f.Name.Classifier, Extension: f.Name.Extension,
			Value: BuildVersion(version, build), Updated: u.UTC().Format(LastUpdatedLayout),
		})
	}
	if updated.IsZero() {
		updated, _ = time.Parse(TimestampLayout, ts)
	}
	v.LastUpdated = updated.UTC().Format(LastUpdatedLayout)
	return &Metadata{ModelVersion: "1.1.0", GroupID: groupID, ArtifactID: artifactID, Version: version, Versioning: v}
}
