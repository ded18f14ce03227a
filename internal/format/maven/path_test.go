package maven

import (
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
)

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want Path
	}{
		{"com/example/demo/1.0/demo-1.0.jar", Path{Kind: KindFile, GroupID: "com.example", ArtifactID: "demo", Version: "1.0", File: "demo-1.0.jar", Name: FileName{Extension: "jar"}}},
		{"com/example/demo/1.0/demo-1.0.jar.sha1", Path{Kind: KindFile, GroupID: "com.example", ArtifactID: "demo", Version: "1.0", File: "demo-1.0.jar", Checksum: SHA1, Name: FileName{Extension: "jar"}}},
		{"com/example/demo/1.0/demo-1.0.pom.md5", Path{Kind: KindFile, GroupID: "com.example", ArtifactID: "demo", Version: "1.0", File: "demo-1.0.pom", Checksum: MD5, Name: FileName{Extension: "pom"}}},
		{"junit/junit/4.13.2/junit-4.13.2-sources.jar", Path{Kind: KindFile, GroupID: "junit", ArtifactID: "junit", Version: "4.13.2", File: "junit-4.13.2-sources.jar", Name: FileName{Classifier: "sources", Extension: "jar"}}},
		{"org/x/lib/2.0/lib-2.0-dist.tar.gz", Path{Kind: KindFile, GroupID: "org.x", ArtifactID: "lib", Version: "2.0", File: "lib-2.0-dist.tar.gz", Name: FileName{Classifier: "dist", Extension: "tar.gz"}}},
		{"org/x/lib/2.0/lib-2.0.jar.asc.sha256", Path{Kind: KindFile, GroupID: "org.x", ArtifactID: "lib", Version: "2.0", File: "lib-2.0.jar.asc", Checksum: SHA256, Name: FileName{Extension: "jar.asc"}}},
		{"org/x/lib/2.0/lib-2.0.module", Path{Kind: KindFile, GroupID: "org.x", ArtifactID: "lib", Version: "2.0", File: "lib-2.0.module", Name: FileName{Extension: "module"}}},
		{"com/example/proj/1.0-SNAPSHOT/proj-1.0-20261123.191446-1.jar", Path{Kind: KindFile, GroupID: "com.example", ArtifactID: "proj", Version: "1.0-SNAPSHOT", File: "proj-1.0-20261123.191446-1.jar", Name: FileName{Build: "20261123.191446-1", Extension: "jar"}}},
		{"com/example/proj/1.0-SNAPSHOT/proj-1.0-20261123.191446-12-tests.jar.sha512", Path{Kind: KindFile, GroupID: "com.example", ArtifactID: "proj", Version: "1.0-SNAPSHOT", File: "proj-1.0-20261123.191446-12-tests.jar", Checksum: SHA512, Name: FileName{Build: "20261123.191446-12", Classifier: "tests", Extension: "jar"}}},
		{"com/example/proj/1.0-SNAPSHOT/proj-1.0-SNAPSHOT.jar", Path{Kind: KindFile, GroupID: "com.example", ArtifactID: "proj", Version: "1.0-SNAPSHOT", File: "proj-1.0-SNAPSHOT.jar", Name: FileName{Extension: "jar"}}},
		{"com/example/demo/maven-metadata.xml", Path{Kind: KindArtifactMetadata, GroupID: "com.example", ArtifactID: "demo", File: "maven-metadata.xml"}},
		{"com/example/demo/maven-metadata.xml.sha1", Path{Kind: KindArtifactMetadata, GroupID: "com.example", ArtifactID: "demo", File: "maven-metadata.xml", Checksum: SHA1}},
		{"com/example/proj/1.0-SNAPSHOT/maven-metadata.xml", Path{Kind: KindVersionMetadata, GroupID: "com.example", ArtifactID: "proj", Version: "1.0-SNAPSHOT", File: "maven-metadata.xml"}},
		{"com/example/demo/1.0%2Bb/demo-1.0%2Bb.jar", Path{Kind: KindFile, GroupID: "com.example", ArtifactID: "demo", Version: "1.0+b", File: "demo-1.0+b.jar", Name: FileName{Extension: "jar"}}},
	} {
		got, err := ParsePath(tc.path)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", tc.path, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParsePath(%q) =\n %+v, want\n %+v", tc.path, got, tc.want)
		}
		if tc.want.Kind != KindFile || !strings.Contains(tc.path, "%") {
			if s := got.String(); s != tc.path {
				t.Errorf("ParsePath(%q).String() = %q", tc.path, s)
			}
		}
	}
}

func TestParsePathRefuses(t *testing.T) {
	for _, path := range []string{
		"", "demo-1.0.jar", "demo/1.0/demo-1.0.jar", "maven-metadata.xml", "demo/maven-metadata.xml",
		"com/example/demo/1.0/other-1.0.jar",              // not named after the artifact
		"com/example/demo/1.0/demo-1.1.jar",               // not named after the version
		"com/example/demo/1.0/demo-1.0",                   // no extension
		"com/example/demo/1.0/demo-1.0-.jar",              // empty classifier
		"com/example/demo/1.0/demo-1.0.",                  // empty extension
		"com/example/demo/1.0-SNAPSHOT/demo-1.0-2026.jar", // not a timestamp
		"com/example/demo/1.0/demo-1.0-20261123.191446-1.jar.x/y",
		"com/./demo/1.0/demo-1.0.jar", "com/../demo/1.0/demo-1.0.jar", "com//demo/1.0/demo-1.0.jar",
		"com.example/demo/1.0/demo-1.0.jar", // a dot in a group directory
		"com/example/demo/1.0/demo-1.0%2Fx.jar", "com/exa mple/demo/1.0/demo-1.0.jar", "com/example/demo/1.0/demo-1.0%zz.jar",
		"com/example/demo/1.0/demo-1.0%2Bbuild.jar", "com/example/demo/1.0/demo-1.0%2541.jar",
		"com/example/de#mo/1.0/de#mo-1.0.jar", "com/example/demo/1:0/demo-1:0.jar",
		"com/example/demo/" + strings.Repeat("1", 256) + "/demo-" + strings.Repeat("1", 256) + ".jar",
	} {
		if p, err := ParsePath(path); err == nil {
			t.Errorf("ParsePath(%q) = %+v, want an error", path, p)
		} else if errkind.KindOf(err) != errkind.Validation {
			t.Errorf("ParsePath(%q): %v is not a Validation error", path, err)
		}
	}
}

func TestBuilds(t *testing.T) {
	if got := BuildVersion("1.0-SNAPSHOT", "20261123.191446-1"); got != "1.0-20261123.191446-1" {
		t.Errorf("BuildVersion = %q", got)
	}
	ts, n, ok := ParseBuild("20261123.191446-12")
	if !ok || ts != "20261123.191446" || n != 12 {
		t.Errorf("ParseBuild = %q %d %v", ts, n, ok)
	}
	for _, bad := range []string{"", "20261123.191446", "20261123.191446-", "20261123-191446-1", "2026112.191446-1", "20261123.191446-1x"} {
		if _, _, ok := ParseBuild(bad); ok {
			t.Errorf("ParseBuild(%q) ok", bad)
		}
	}
	if CompareBuilds("20261123.191446-2", "20261123.191446-10") >= 0 || CompareBuilds("20261124.000000-1", "20261123.235959-9") <= 0 {
		t.Error("CompareBuilds orders builds by timestamp, then number")
	}
	if got := FileNameOf("proj", "1.0-SNAPSHOT", FileName{Build: "20261123.191446-1", Classifier: "sources", Extension: "jar"}); got != "proj-1.0-20261123.191446-1-sources.jar" {
		t.Errorf("FileNameOf = %q", got)
	}
	if got := FileNameOf("proj", "1.0", FileName{Extension: "pom"}); got != "proj-1.0.pom" {
		t.Errorf("FileNameOf = %q", got)
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"com/example/demo/1.0/demo-1.0.jar", "com/example/proj/1.0-SNAPSHOT/proj-1.0-20261123.191446-1-sources.jar.sha1",
		"com/example/demo/maven-metadata.xml.md5", "a/b/c-SNAPSHOT/maven-metadata.xml", "a/b/c/b-c-d.e.f", "%41/b/c/b-c.jar",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			if errkind.KindOf(err) != errkind.Validation {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		// What parses names a package and a path that parses back to it.
		if p.GroupID == "" || p.ArtifactID == "" || p.File == "" {
			t.Fatalf("ParsePath(%q) = %+v: empty coordinates", s, p)
		}
		back, err := ParsePath(p.String())
		if err != nil {
			t.Fatalf("ParsePath(%q).String() = %q does not parse: %v", s, p.String(), err)
		}
		if back != p {
			t.Fatalf("round trip of %q: %+v, then %+v", s, p, back)
		}
		if p.Kind == KindFile && FileNameOf(p.ArtifactID, p.Version, p.Name) != p.File {
			t.Fatalf("FileNameOf(%+v) = %q, not %q", p.Name, FileNameOf(p.ArtifactID, p.Version, p.Name), p.File)
		}
	})
}
