package ruby

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
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

// The versions file grows by appending: a push adds a line, a yank
// another; each line has the MD5 of the gem's info file after it.
func TestVersionsHistory(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(1700000000+int64(s), 0).UTC() }
	gem := func(name, version, platform string, pushed int) Gem {
		return Gem{Spec: Spec{Name: name, Version: version, Platform: platform}, SHA256: name + version + platform, Pushed: at(pushed)}
	}
	a10, a10java, a11, b1 := gem("a", "1.0", "ruby", 1), gem("a", "1.0", "java", 2), gem("a", "1.1", "ruby", 4), gem("b", "1", "ruby", 3)
	render := func(a []GemVersion, aInfo []Gem, b []GemVersion, bInfo []Gem) string {
		return string(VersionsFile(append(History("a", a, infoOf(aInfo)), History("b", b, infoOf(bInfo))...)))
	}
	before := render([]GemVersion{{Gems: []Gem{a10, a10java}, Listed: true}}, []Gem{a10, a10java},
		[]GemVersion{{Gems: []Gem{b1}, Listed: true}}, []Gem{b1})
	want := versionsCreated +
		"a 1.0 " + MD5(InfoFile([]Gem{a10})) + "\n" +
		"a 1.0-java " + MD5(InfoFile([]Gem{a10, a10java})) + "\n" +
		"b 1 " + MD5(InfoFile([]Gem{b1})) + "\n"
	if before != want {
		t.Errorf("versions:\n%s\nwant\n%s", before, want)
	}
	after := render([]GemVersion{{Gems: []Gem{a10, a10java}, Listed: false, Changed: at(5)}, {Gems: []Gem{a11}, Listed: true}}, []Gem{a11},
		[]GemVersion{{Gems: []Gem{b1}, Listed: true}}, []Gem{b1})
	if !strings.HasPrefix(after, before) {
		t.Fatalf("a push and a yank did not append:\n%s", after)
	}
	if added := strings.TrimPrefix(after, before); added != "a 1.1 "+MD5(InfoFile([]Gem{a10, a10java, a11}))+"\n"+
		"a -1.0,-1.0-java "+MD5(InfoFile([]Gem{a11}))+"\n" {
		t.Errorf("appended:\n%s", added)
	}
	// A history that does not end at the info file served (a version
	// relisted, remote gems) gets a last line with its MD5.
	relisted := History("a", []GemVersion{{Gems: []Gem{a10}, Listed: true}}, []byte("other"))
	if last := relisted[len(relisted)-1]; last.InfoMD5 != MD5([]byte("other")) || last.Entries[0] != "1.0" {
		t.Errorf("history's last line = %+v", last)
	}
}

func infoOf(gems []Gem) []byte {
	if len(gems) == 0 {
		return nil
	}
	return InfoFile(gems)
}

// TestVersionsHistoryChecksums: in a long history of pushes with yanks
// among them, each line's checksum is that of the info file after it.
func TestVersionsHistoryChecksums(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(1700000000+int64(s), 0).UTC() }
	var versions []GemVersion
	byEntry := map[string]Gem{}
	for i := range 60 {
		g := Gem{Spec: Spec{Name: "a", Version: fmt.Sprintf("1.%d", i), Platform: "ruby"}, SHA256: fmt.Sprint(i), Pushed: at(2 * i)}
		byEntry[g.Version] = g
		v := GemVersion{Gems: []Gem{g}, Listed: i%7 != 3}
		if !v.Listed {
			v.Changed = at(2*i + 31) // yanked some pushes later
		}
		versions = append(versions, v)
	}
	var served []Gem
	for _, v := range versions {
		if v.Listed {
			served = append(served, v.Gems...)
		}
	}
	var listed []Gem
	for _, ev := range History("a", versions, InfoFile(served)) {
		for _, e := range ev.Entries {
			if name, ok := strings.CutPrefix(e, "-"); ok {
				listed = slices.DeleteFunc(listed, func(g Gem) bool { return g.Version == name })
			} else {
				listed = append(listed, byEntry[e])
			}
		}
		if want := MD5(InfoFile(listed)); ev.InfoMD5 != want {
			t.Fatalf("after %v: checksum %s, want %s", ev.Entries, ev.InfoMD5, want)
		}
	}
}
