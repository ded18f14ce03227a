package swift

import (
	"strings"
	"testing"
)

func TestParseMetadata(t *testing.T) {
	m, err := ParseMetadata([]byte(`{"description":"d","licenseURL":"https://x/L","repositoryURLs":["https://x/a.git","git@x:a.git"],"author":{"name":"n"},"other":1}`))
	if err != nil {
		t.Fatal(err)
	}
	meta := m.Meta()
	if meta.Summary != "d" || meta.SourceCodeRepository != "https://x/a.git" || meta.Licenses[0].URL != "https://x/L" || !strings.Contains(string(meta.Extra), `"other":1`) {
		t.Errorf("meta %+v", meta)
	}
	if m, err := ParseMetadata(nil); err != nil || string(m.Raw) != "{}" {
		t.Errorf("empty metadata: %v %s", err, m.Raw)
	}
	for _, bad := range []string{`[]`, `null`, `"x"`, `{"description":1}`, `{"repositoryURLs":"x"}`, `{"licenseURL":"not a url"}`, `{`} {
		if _, err := ParseMetadata([]byte(bad)); err == nil {
			t.Errorf("ParseMetadata(%s) accepted", bad)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	for _, u := range []string{"https://Example.com/mona/LinkedList.git", "HTTPS://example.COM/mona/LinkedList/", "https://example.com/mona/LinkedList"} {
		if got := NormalizeURL(u); got != "https://example.com/mona/LinkedList" {
			t.Errorf("NormalizeURL(%q) = %q", u, got)
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(`{"description":"d","repositoryURLs":["https://x/a"]}`))
	f.Add([]byte(`{"author":{"name":"n","organization":{"name":"o"}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetadata(b)
		if err != nil {
			return
		}
		if _, err := ParseMetadata(m.Raw); err != nil {
			t.Fatalf("stored metadata %s does not parse again: %v", m.Raw, err)
		}
	})
}
