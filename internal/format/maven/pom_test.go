package maven

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/rendered"
)

const childPOM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.apache.commons</groupId>
    <artifactId>commons-parent</artifactId>
    <version>42</version>
  </parent>
  <artifactId>commons-rng-client-api</artifactId>
  <name>Apache Commons RNG Client API</name>
  <description>
    API for client code that uses
    random numbers generators.
  </description>
  <url>https://commons.apache.org/rng/</url>
  <licenses>
    <license><name>Apache License, Version 2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license>
  </licenses>
  <scm><url>https://gitbox.apache.org/repos/asf?p=commons-rng.git</url><connection>scm:git:x</connection></scm>
  <properties><junit.version>4.13.2</junit.version><dep.version>${junit.version}</dep.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.9</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>${project.groupId}</groupId><artifactId>commons-rng-core</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>${dep.version}</version><scope>test</scope></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><optional>true</optional></dependency>
    <dependency><groupId>x</groupId><artifactId>y</artifactId><version>${parent.only}</version><scope>provided</scope></dependency>
  </dependencies>
  <build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><dependencies><dependency><artifactId>not-mine</artifactId></dependency></dependencies></plugin></plugins></build>
</project>
`

func TestParsePOM(t *testing.T) {
	p, err := ParsePOM(strings.NewReader(childPOM))
	if err != nil {
		t.Fatal(err)
	}
	want := &POM{
		GroupID: "org.apache.commons", ArtifactID: "commons-rng-client-api", Version: "42", Packaging: "jar",
		Name: "Apache Commons RNG Client API", Description: "API for client code that uses random numbers generators.",
		URL:      "https://commons.apache.org/rng/",
		Parent:   &Parent{GroupID: "org.apache.commons", ArtifactID: "commons-parent", Version: "42"},
		Licenses: []artifact.License{{Name: "Apache License, Version 2.0", URL: "https://www.apache.org/licenses/LICENSE-2.0.txt"}},
		SCM:      SCM{URL: "https://gitbox.apache.org/repos/asf?p=commons-rng.git", Connection: "scm:git:x"},
		Dependencies: []Dependency{
			{GroupID: "org.apache.commons", ArtifactID: "commons-rng-core", Version: "42"},
			{GroupID: "junit", ArtifactID: "junit", Version: "4.13.2", Scope: "test"},
			{GroupID: "org.slf4j", ArtifactID: "slf4j-api", Version: "2.0.9", Optional: true},
			{GroupID: "x", ArtifactID: "y", Version: "${parent.only}", Scope: "provided"},
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("ParsePOM =\n%+v\nwant\n%+v", p, want)
	}
	m := p.Meta()
	if m.DisplayName != want.Name || m.Summary != want.Description || m.HomePage != want.URL || m.SourceCodeRepository != want.SCM.URL {
		t.Errorf("Meta = %+v", m)
	}
	wantDeps := []artifact.Dependency{
		{Namespace: "org.apache.commons", Package: "commons-rng-core", DependencyType: "compile", VersionRange: "42"},
		{Namespace: "junit", Package: "junit", DependencyType: "test", VersionRange: "4.13.2"},
		{Namespace: "org.slf4j", Package: "slf4j-api", DependencyType: "compile", VersionRange: "2.0.9"},
		{Namespace: "x", Package: "y", DependencyType: "provided", VersionRange: "${parent.only}"},
	}
	if !reflect.DeepEqual(m.Dependencies, wantDeps) {
		t.Errorf("Meta dependencies = %+v", m.Dependencies)
	}
	if PackagingOf(m) != "jar" {
		t.Errorf("PackagingOf = %q", PackagingOf(m))
	}
	path, _ := ParsePath("org/apache/commons/commons-rng-client-api/42/commons-rng-client-api-42.pom")
	if err := p.Check(path); err != nil {
		t.Errorf("Check: %v", err)
	}
	path, _ = ParsePath("org/apache/commons/commons-rng-client-api/43/commons-rng-client-api-43.pom")
	if err := p.Check(path); errkind.KindOf(err) != errkind.Validation {
		t.Errorf("Check of another version: %v", err)
	}
}

func TestParsePOMForms(t *testing.T) {
	// deploy:deploy-file's generated POM, without a namespace.
	p, err := ParsePOM(strings.NewReader(`<?xml version="1.0" encoding="UTF-8"?>
<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>demo</artifactId><version>1.0.0</version><packaging>pom</packaging><description>POM was created from install:install-file</description></project>`))
	if err != nil {
		t.Fatal(err)
	}
	if p.GroupID != "com.example" || p.Version != "1.0.0" || p.Packaging != "pom" || p.Meta().DisplayName != "demo" || MainExtension(p.Packaging) != "" {
		t.Errorf("ParsePOM = %+v", p)
	}
	// ISO-8859-1 and HTML entities, as old POMs have them.
	p, err = ParsePOM(strings.NewReader("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version><name>Caf\xe9&nbsp;&copy;</name><packaging>bundle</packaging></project>"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Café ©" || MainExtension(p.Packaging) != "jar" {
		t.Errorf("latin1 POM: %+v", p)
	}
	// CI-friendly versions resolve from properties.
	p, err = ParsePOM(strings.NewReader(`<project><groupId>g</groupId><artifactId>a</artifactId><version>${revision}${changelist}</version><properties><revision>1.2</revision><changelist>-SNAPSHOT</changelist></properties></project>`))
	if err != nil || p.Version != "1.2-SNAPSHOT" {
		t.Errorf("ParsePOM = %+v, %v", p, err)
	}
	// A reference to itself stays as it is.
	p, err = ParsePOM(strings.NewReader(`<project><groupId>g</groupId><artifactId>a</artifactId><version>${a}</version><properties><a>${b}</a><b>${a}</b></properties></project>`))
	if err != nil || !strings.Contains(p.Version, "${") {
		t.Errorf("ParsePOM = %+v, %v", p, err)
	}
	for _, bad := range []string{
		"", "not xml", "<project>", "<pom><artifactId>a</artifactId></pom>", "<project><groupId>g</groupId></project>",
		"<project><artifactId>a</artifactId></project><project/>", "<project><artifactId>a</artifactId></project>trailing",
		`<?xml version="1.0" encoding="EBCDIC"?><project><artifactId>a</artifactId></project>`,
		"<project><artifactId>a&bogus;</artifactId></project>",
	} {
		if p, err := ParsePOM(strings.NewReader(bad)); err == nil {
			t.Errorf("ParsePOM(%q) = %+v, want an error", bad, p)
		} else if errkind.KindOf(err) != errkind.Validation {
			t.Errorf("ParsePOM(%q): %v is not a Validation error", bad, err)
		}
	}
	if _, err := ParsePOM(strings.NewReader("<project><artifactId>a</artifactId><description>" + strings.Repeat("x", MaxPOMSize) + "</description></project>")); errkind.KindOf(err) != errkind.QuotaExceeded {
		t.Errorf("oversized POM: %v", err)
	}
}

func FuzzParsePOM(f *testing.F) {
	f.Add([]byte(`<project><parent><groupId>p</groupId><version>1</version></parent><artifactId>a</artifactId><name>N&amp;</name><licenses><license><name>L</name></license></licenses><dependencies><dependency><groupId>g</groupId><artifactId>d</artifactId><version>${project.version}</version></dependency></dependencies></project>`))
	f.Add([]byte(`<project><groupId>${a}</groupId><artifactId>x</artifactId><properties><a>${b}</a><b>c</b></properties></project>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePOM(strings.NewReader(string(b)))
		if err != nil {
			if k := errkind.KindOf(err); k != errkind.Validation && k != errkind.QuotaExceeded {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if p.ArtifactID == "" || p.Packaging == "" {
			t.Fatalf("ParsePOM accepted %q without an artifactId or packaging: %+v", b, p)
		}
		_ = p.Meta()
	})
}

const deployedMetadata = `<?xml version="1.0" encoding="UTF-8"?>
<metadata modelVersion="1.1.0">
  <groupId>com.mycompany.app</groupId>
  <artifactId>my-app</artifactId>
  <versioning>
    <latest>1.0</latest>
    <release>1.0</release>
    <versions>
      <version>1.0</version>
    </versions>
    <lastUpdated>20200731090423</lastUpdated>
  </versioning>
</metadata>`

const snapshotMetadataXML = `<?xml version="1.0" encoding="UTF-8"?>
<metadata modelVersion="1.1.0">
  <groupId>com.example</groupId>
  <artifactId>proj</artifactId>
  <version>1.0-SNAPSHOT</version>
  <versioning>
    <snapshot>
      <timestamp>20261123.191446</timestamp>
      <buildNumber>2</buildNumber>
    </snapshot>
    <lastUpdated>20261123191446</lastUpdated>
    <snapshotVersions>
      <snapshotVersion>
        <extension>jar</extension>
        <value>1.0-20261123.191446-2</value>
        <updated>20261123191446</updated>
      </snapshotVersion>
      <snapshotVersion>
        <extension>pom</extension>
        <value>1.0-20261123.191446-2</value>
        <updated>20261123191446</updated>
      </snapshotVersion>
    </snapshotVersions>
  </versioning>
</metadata>`

func TestParseMetadata(t *testing.T) {
	m, err := ParseMetadata(strings.NewReader(deployedMetadata))
	if err != nil {
		t.Fatal(err)
	}
	if m.GroupID != "com.mycompany.app" || m.ArtifactID != "my-app" || !reflect.DeepEqual(m.Versioning.Versions, []string{"1.0"}) || m.IsGroupLevel() {
		t.Errorf("ParseMetadata = %+v", m)
	}
	p, _ := ParsePath("com/mycompany/app/my-app/maven-metadata.xml")
	if err := m.Check(p); err != nil {
		t.Errorf("Check: %v", err)
	}
	other, _ := ParsePath("com/mycompany/app/other/maven-metadata.xml")
	if err := m.Check(other); errkind.KindOf(err) != errkind.Validation {
		t.Errorf("Check at another artifact's path: %v", err)
	}

	s, err := ParseMetadata(strings.NewReader(snapshotMetadataXML))
	if err != nil {
		t.Fatal(err)
	}
	if b := s.Versioning.Snapshot.Build(); b != "20261123.191446-2" {
		t.Errorf("Build = %q", b)
	}
	sp, _ := ParsePath("com/example/proj/1.0-SNAPSHOT/maven-metadata.xml")
	if err := s.Check(sp); err != nil {
		t.Errorf("Check: %v", err)
	}
	wrong, _ := ParsePath("com/example/proj/2.0-SNAPSHOT/maven-metadata.xml")
	if err := s.Check(wrong); errkind.KindOf(err) != errkind.Validation {
		t.Errorf("Check of another version: %v", err)
	}

	g, err := ParseMetadata(strings.NewReader(`<metadata><plugins><plugin><name>Demo</name><prefix>demo</prefix><artifactId>demo-maven-plugin</artifactId></plugin></plugins></metadata>`))
	if err != nil || !g.IsGroupLevel() {
		t.Errorf("group metadata: %+v %v", g, err)
	}
	for _, bad := range []string{"", "<project/>", "<metadata>", "<metadata><versioning><versions><version>a b</version></versions></versioning></metadata>x"} {
		if m, err := ParseMetadata(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseMetadata(%q) = %+v, want an error", bad, m)
		}
	}
	bad, _ := ParseMetadata(strings.NewReader(`<metadata><groupId>com.example</groupId><artifactId>demo</artifactId><versioning><versions><version>a/b</version></versions></versioning></metadata>`))
	dp, _ := ParsePath("com/example/demo/maven-metadata.xml")
	if err := bad.Check(dp); errkind.KindOf(err) != errkind.Validation {
		t.Errorf("Check of a metadata file listing a/b: %v", err)
	}
}

func TestGeneratedMetadata(t *testing.T) {
	t1 := time.Date(2026, 11, 23, 19, 14, 46, 0, time.UTC)
	m := ArtifactMetadata("com.example", "demo", []VersionInfo{
		{Version: "1.10"}, {Version: "1.9", Updated: t1}, {Version: "2.0-SNAPSHOT", Updated: t1.Add(time.Hour)}, {Version: "1.0-beta-1"},
	})
	want := `<?xml version="1.0" encoding="UTF-8"?>
<metadata modelVersion="1.1.0">
  <groupId>com.example</groupId>
  <artifactId>demo</artifactId>
  <versioning>
    <latest>2.0-SNAPSHOT</latest>
    <release>1.10</release>
    <versions>
      <version>1.0-beta-1</version>
      <version>1.9</version>
      <version>1.10</version>
      <version>2.0-SNAPSHOT</version>
    </versions>
    <lastUpdated>20261123201446</lastUpdated>
  </versioning>
</metadata>
`
	if got := string(m.Render()); got != want {
		t.Errorf("Render =\n%s\nwant\n%s", got, want)
	}
	back, err := ParseMetadata(strings.NewReader(string(m.Render())))
	if err != nil || !reflect.DeepEqual(back.Versioning, m.Versioning) {
		t.Errorf("round trip: %+v %v", back, err)
	}

	files := []artifact.Asset{
		{Name: "proj-1.0-20261123.191446-1.jar"}, {Name: "proj-1.0-20261123.191446-1.pom"},
		{Name: "proj-1.0-20261123.201446-2.jar"}, {Name: "proj-1.0-20261123.201446-2.pom"}, {Name: "proj-1.0-20261123.201446-2-sources.jar"},
		{Name: "proj-1.0-20261123.211446-3.jar"}, // still uploading: no POM yet
		{Name: "maven-metadata.xml"}, {Name: "proj-1.0-SNAPSHOT.jar"},
	}
	build := LatestBuild("proj", "1.0-SNAPSHOT", files)
	if build != "20261123.201446-2" {
		t.Fatalf("LatestBuild = %q", build)
	}
	if bs := Builds("proj", "1.0-SNAPSHOT", files); len(bs) != 3 || len(bs["20261123.201446-2"]) != 3 {
		t.Errorf("Builds = %v", bs)
	}
	s := SnapshotMetadata("com.example", "proj", "1.0-SNAPSHOT", build, BuildFiles("proj", "1.0-SNAPSHOT", build, files))
	wantSnap := `<?xml version="1.0" encoding="UTF-8"?>
<metadata modelVersion="1.1.0">
  <groupId>com.example</groupId>
  <artifactId>proj</artifactId>
  <version>1.0-SNAPSHOT</version>
  <versioning>
    <snapshot>
      <timestamp>20261123.201446</timestamp>
      <buildNumber>2</buildNumber>
    </snapshot>
    <lastUpdated>20261123201446</lastUpdated>
    <snapshotVersions>
      <snapshotVersion>
        <extension>jar</extension>
        <value>1.0-20261123.201446-2</value>
        <updated>20261123201446</updated>
      </snapshotVersion>
      <snapshotVersion>
        <classifier>sources</classifier>
        <extension>jar</extension>
        <value>1.0-20261123.201446-2</value>
        <updated>20261123201446</updated>
      </snapshotVersion>
      <snapshotVersion>
        <extension>pom</extension>
        <value>1.0-20261123.201446-2</value>
        <updated>20261123201446</updated>
      </snapshotVersion>
    </snapshotVersions>
  </versioning>
</metadata>
`
	if got := string(s.Render()); got != wantSnap {
		t.Errorf("Render =\n%s\nwant\n%s", got, wantSnap)
	}
	if LatestBuild("proj", "1.0-SNAPSHOT", []artifact.Asset{{Name: "proj-1.0-SNAPSHOT.jar"}}) != "" {
		t.Error("LatestBuild of a version without timestamped files")
	}
}

func TestParseChecksum(t *testing.T) {
	const sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
	for _, body := range []string{sha1, sha1 + "\n", strings.ToUpper(sha1), sha1 + "  demo-1.0.jar\n"} {
		if got, err := ParseChecksum(SHA1, []byte(body)); err != nil || got != sha1 {
			t.Errorf("ParseChecksum(%q) = %q, %v", body, got, err)
		}
	}
	for _, body := range []string{"", "xyz", sha1[:39], sha1 + "0", "d41d8cd98f00b204e9800998ecf8427e"} {
		if got, err := ParseChecksum(SHA1, []byte(body)); err == nil {
			t.Errorf("ParseChecksum(%q) = %q", body, got)
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(deployedMetadata))
	f.Add([]byte(snapshotMetadataXML))
	f.Add([]byte(manyVersions))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetadata(strings.NewReader(string(b)))
		if err != nil {
			if k := errkind.KindOf(err); k != errkind.Validation && k != errkind.QuotaExceeded {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		// The scan of the version list reads what the decoder reads.
		if want, ok := fullDecode(b); ok && want.Versioning != nil && !reflect.DeepEqual(trimmed(want).Versioning.Versions, m.Versioning.Versions) {
			t.Fatalf("versions %q, decoded %q", m.Versioning.Versions, trimmed(want).Versioning.Versions)
		}
		if !bytes.Equal(m.Render(), m.renderXML()) {
			t.Fatalf("Render differs from the encoder:\n%s\n%s", m.Render(), m.renderXML())
		}
		if got := rendered.Assemble("text/xml", m.Parts(nil)...).Bytes(); !bytes.Equal(got, m.Render()) {
			t.Fatalf("Parts differ from Render:\n%s\n%s", got, m.Render())
		}
		// What parses renders, and what renders parses back the same.
		back, err := ParseMetadata(strings.NewReader(string(m.Render())))
		if err != nil {
			t.Fatalf("rendered metadata does not parse: %v\n%s", err, m.Render())
		}
		if back.GroupID != m.GroupID || back.ArtifactID != m.ArtifactID || back.Version != m.Version {
			t.Fatalf("round trip changed the coordinates: %+v, then %+v", m, back)
		}
		if m.Versioning != nil {
			_ = m.Versioning.Snapshot.Build()
		}
	})
}
