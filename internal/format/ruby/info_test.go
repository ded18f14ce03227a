package ruby

import (
	"strings"
	"testing"
)

const sampleInfo = "---\n" +
	"1.0.0 |checksum:" + sha64a + "\n" +
	"1.1.0 dep:>= 1&< 3,other:~> 2.0|checksum:" + sha64b + ",ruby:>= 2.7,rubygems:>= 1.3.6\n" +
	"1.1.0-java |checksum:" + sha64a + "\n" +
	"bad-line\n" +
	"2.0.0 |checksum:short\n"

const (
	sha64a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	sha64b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func TestParseInfo(t *testing.T) {
	gems, err := ParseInfo("lib", []byte(sampleInfo))
	if err != nil {
		t.Fatal(err)
	}
	if len(gems) != 3 {
		t.Fatalf("%d gems: %+v", len(gems), gems)
	}
	g := gems[1]
	if g.Version != "1.1.0" || g.Platform != "ruby" || g.SHA256 != sha64b || len(g.Dependencies) != 2 ||
		Requirement(g.Dependencies[0].Requirements) != ">= 1, < 3" || g.Dependencies[1].Name != "other" ||
		Requirement(g.RequiredRuby) != ">= 2.7" || Requirement(g.RequiredRubygems) != ">= 1.3.6" {
		t.Errorf("gem 1.1.0 = %+v", g)
	}
	if gems[2].Platform != "java" || gems[2].FullName() != "lib-1.1.0-java" {
		t.Errorf("platform gem = %+v", gems[2])
	}
	// What is read renders back as the line it came from.
	if got := string(InfoFile(gems)); got != strings.Join(strings.Split(sampleInfo, "\n")[:4], "\n")+"\n" {
		t.Errorf("rendered again:\n%s", got)
	}
	remote := RemoteOf(gems)
	if len(remote.Versions) != 2 || len(ParseExtra(remote.Versions["1.1.0"].Meta.Extra).Gems) != 2 {
		t.Errorf("versions = %+v", remote.Versions)
	}
	for _, bad := range []string{"", "---\n", "---\n1.0.0 |checksum:xyz\n", "---\n1.0.0 dep:?? 1|checksum:" + sha64a + "\n"} {
		if _, err := ParseInfo("lib", []byte(bad)); err == nil {
			t.Errorf("ParseInfo(%q) succeeded", bad)
		}
	}
}

func TestAppendVersions(t *testing.T) {
	public := []byte("created_at: 2025-01-01T00:00:00Z\n---\nrails 7.0.0 abc\n")
	events := []VersionsEvent{{Name: "mine", Entries: []string{"1.0"}, InfoMD5: MD5([]byte("x"))}}
	got := string(AppendVersions(public, events))
	if want := string(public) + "mine 1.0 " + MD5([]byte("x")) + "\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func FuzzParseInfo(f *testing.F) {
	f.Add([]byte(sampleInfo))
	f.Fuzz(func(t *testing.T, raw []byte) {
		gems, err := ParseInfo("lib", raw)
		if err != nil {
			return
		}
		// What parses renders and parses again to the same gems.
		again, err := ParseInfo("lib", InfoFile(gems))
		if err != nil || len(again) != len(gems) {
			t.Fatalf("rendered info does not parse back: %v (%d of %d)", err, len(again), len(gems))
		}
	})
}
