package ruby

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

func TestCompactIndex(t *testing.T) {
	a := Gem{Spec: Spec{Name: "a", Version: "1.0", Platform: "ruby", RequiredRuby: []Constraint{{">=", "2.7"}},
		Dependencies: []Dependency{
			{Name: "b", Type: "runtime", Requirements: []Constraint{{"~>", "1.0"}, {">=", "1.0.2"}}},
			{Name: "c", Type: "runtime", Requirements: []Constraint{{">=", "0"}}},
			{Name: "rake", Type: "development", Requirements: []Constraint{{">=", "0"}}},
		}}, SHA256: "aa"}
	java := Gem{Spec: Spec{Name: "a", Version: "1.0", Platform: "java", RequiredRuby: []Constraint{{">=", "0"}}}, SHA256: "bb"}
	info := InfoFile([]Gem{a, java})
	want := "---\n1.0 b:~> 1.0&>= 1.0.2,c:>= 0|checksum:aa,ruby:>= 2.7\n1.0-java |checksum:bb\n"
	if string(info) != want {
		t.Errorf("InfoFile:\n%s\nwant\n%s", info, want)
	}
	// A gem pushed later appends a line.
	more := InfoFile([]Gem{a, java, {Spec: Spec{Name: "a", Version: "1.1", Platform: "ruby"}, SHA256: "cc"}})
	if !bytes.HasPrefix(more, info) {
		t.Errorf("a new gem does not append to the info file:\n%s", more)
	}
	versions := VersionsFile([]VersionsLine{{Name: "z", Gems: []Gem{java}, Info: []byte("x")}, {Name: "a", Gems: []Gem{a, java}, Info: info}})
	want = versionsCreated + "a 1.0,1.0-java " + MD5(info) + "\nz 1.0-java " + MD5([]byte("x")) + "\n"
	if string(versions) != want {
		t.Errorf("VersionsFile:\n%s\nwant\n%s", versions, want)
	}
	if got := string(NamesFile([]string{"b", "a"})); got != "---\na\nb\n" {
		t.Errorf("NamesFile = %q", got)
	}
}

func TestSpecsIndex(t *testing.T) {
	gems := []Gem{
		{Spec: Spec{Name: "a", Version: "1.10", Platform: "ruby"}},
		{Spec: Spec{Name: "a", Version: "1.9", Platform: "ruby"}},
		{Spec: Spec{Name: "a", Version: "2.0.rc1", Platform: "ruby"}},
	}
	tuple := func(v string) any { return []any{"a", gemVersion(v), "ruby"} }
	for which, want := range map[Which][]any{
		Released:    {tuple("1.9"), tuple("1.10")},
		Latest:      {tuple("1.10")},
		Prereleases: {tuple("2.0.rc1")},
	} {
		zr, err := gzip.NewReader(bytes.NewReader(SpecsIndex(gems, which)))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		if !bytes.Equal(got, Marshal(want)) {
			t.Errorf("SpecsIndex(%d) = %q, want %q", which, got, Marshal(want))
		}
	}
}
