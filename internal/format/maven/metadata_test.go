package maven

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/format/rendered"
)

// fullDecode is ParseMetadata without the scan of the version list:
// what the scan must agree with.
func fullDecode(b []byte) (*Metadata, bool) {
	var m Metadata
	if decodeXML(b, &m) != nil {
		return nil, false
	}
	return &m, true
}

const manyVersions = `<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>com.example</groupId>
  <artifactId>lib</artifactId>
  <versioning>
    <latest>2.0</latest>
    <release>2.0</release>
    <versions>
      <version>1.0</version>
      <version> 1.1 </version>
	<version>1.2-SNAPSHOT</version><version>2.0</version>
    </versions>
    <lastUpdated>20261207120000</lastUpdated>
  </versioning>
</metadata>
`

// TestScannedVersionsMatchDecoder: files whose version list the scan
// reads give what encoding/xml gives; files it cannot read exactly are
// decoded in full.
func TestScannedVersionsMatchDecoder(t *testing.T) {
	scanned := []string{manyVersions, deployedMetadata}
	full := []string{
		snapshotMetadataXML,
		strings.Replace(manyVersions, "<version>2.0</version>", "<version>2&#46;0</version>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "<!-- x --><version>2.0</version>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "<version><![CDATA[2.0]]></version>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "<version/>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "junk<version>2.0</version>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "<version a=\"1\">2.0</version>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "<m:version>2.0</m:version>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "<version>2.0\r</version>", 1),
		strings.Replace(manyVersions, "<version>2.0</version>", "<version>2.0é</version>", 1),
		strings.Replace(manyVersions, "<versions>", "<versions><versions>", 1),
		strings.Replace(manyVersions, "<versioning>", "<other><versioning>", 1),
		strings.Replace(manyVersions, "</versioning>", "</versioning><versioning/>", 1),
		strings.Replace(manyVersions, "</metadata>", "</metadata><x/>", 1), // invalid: the decoder's error
	}
	for i, doc := range append(scanned, full...) {
		var m Metadata
		ok := decodeListed([]byte(doc), &m)
		if ok != (i < len(scanned)) {
			t.Errorf("case %d: decodeListed = %v\n%s", i, ok, doc)
			continue
		}
		got, gotErr := ParseMetadata(strings.NewReader(doc))
		want, wantOK := fullDecode([]byte(doc))
		if (gotErr == nil) != wantOK {
			t.Fatalf("case %d: ParseMetadata error %v, decodeXML ok %v", i, gotErr, wantOK)
		}
		if !wantOK {
			continue
		}
		if !reflect.DeepEqual(trimmed(want).Versioning, got.Versioning) {
			t.Errorf("case %d: versioning %+v, want %+v", i, got.Versioning, want.Versioning)
		}
	}
}

// trimmed applies ParseMetadata's trimming of versions to a decoded file.
func trimmed(m *Metadata) *Metadata {
	if m.Versioning == nil {
		return m
	}
	v := *m.Versioning
	v.Versions = nil
	for _, s := range m.Versioning.Versions {
		if s = strings.TrimSpace(s); s != "" {
			v.Versions = append(v.Versions, s)
		}
	}
	if v.Snapshot != nil {
		sn := *v.Snapshot
		sn.Timestamp = strings.TrimSpace(sn.Timestamp)
		v.Snapshot = &sn
	}
	out := *m
	out.Versioning = &v
	return &out
}

// TestRenderMatchesEncoder: the spliced version list is the encoder's
// bytes, for versions that need escaping too.
func TestRenderMatchesEncoder(t *testing.T) {
	for _, vs := range [][]string{
		{"1.0"}, {"1.0", "1.1"}, {"1.0", "2.0-SNAPSHOT", "a<b", "x&y", `q"'`, "t\tn\nr\r", "é", "\x00", "3.0"},
	} {
		m := ArtifactMetadata("com.example", "lib", nil)
		m.Version = "1.0" // a top-level <version> before the list
		m.Versioning.Versions, m.Versioning.Latest = vs, vs[len(vs)-1]
		if got, want := m.Render(), m.renderXML(); !bytes.Equal(got, want) {
			t.Errorf("Render(%q) =\n%s\nwant\n%s", vs, got, want)
		}
		if got := rendered.Assemble("text/xml", m.Parts(nil)...).Bytes(); !bytes.Equal(got, m.Render()) {
			t.Errorf("Parts(%q) =\n%s\nwant\n%s", vs, got, m.Render())
		}
	}
}

// TestPartsOfManyVersions: a file of thousands of versions, assembled
// from runs (kept from one rendering to the next), is the file Render
// writes, plain and gzipped.
func TestPartsOfManyVersions(t *testing.T) {
	var infos []VersionInfo
	runs := rendered.NewRuns(1 << 20)
	for i := range 5000 {
		infos = append(infos, VersionInfo{Version: fmt.Sprintf("1.%d.%d", i/1000, i%1000)})
		if i < 4990 {
			continue
		}
		m := ArtifactMetadata("com.example", "lib", infos)
		want := m.Render()
		d := rendered.Assemble("text/xml", m.Parts(runs)...)
		if got := d.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("%d versions: assembled file differs from Render", i+1)
		}
		zr, err := gzip.NewReader(bytes.NewReader(d.Gzip()))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d versions: gzipped file differs from Render: %v", i+1, err)
		}
	}
}
