package tools

import (
	"strings"
	"testing"
)

// FuzzMavenSettings edits arbitrary files as settings.xml: it must never
// panic, and an edit that succeeds leaves well-formed XML with exactly one
// server of ours, which a second edit keeps.
func FuzzMavenSettings(f *testing.F) {
	f.Add("<settings>\n  <servers/>\n</settings>\n")
	f.Add("<?xml version=\"1.0\"?>\n<settings xmlns=\"urn:x\"><!-- <servers> --><servers><server><id>codeartifact</id></server></servers></settings>")
	f.Add("<settings><mirrors><mirror><id>m</id></mirror></mirrors><![CDATA[</settings>]]></settings>")
	f.Add("<foo/>")
	tg := target("maven")
	f.Fuzz(func(t *testing.T, old string) {
		got, err := MavenSettings([]byte(old), tg, true)
		if err != nil {
			return
		}
		roots, err := xmlParse(string(got))
		if err != nil {
			t.Fatalf("the edit of %q is not well-formed: %v\n%s", old, err, got)
		}
		ours := 0
		for _, list := range roots[0].children("servers") {
			for _, s := range list.children("server") {
				if s.childText("id") == mavenID {
					ours++
				}
			}
		}
		if ours != 1 {
			t.Fatalf("the edit of %q has %d servers of ours:\n%s", old, ours, got)
		}
		again, err := MavenSettings(got, tg, true)
		if err != nil || !strings.Contains(string(again), tok) {
			t.Fatalf("a second edit: %v\n%s", err, again)
		}
	})
}
