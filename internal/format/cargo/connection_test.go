package cargo

import (
	"strings"
	"testing"
)

func TestParseIndexFile(t *testing.T) {
	sum := strings.Repeat("a", 64)
	body := `{"name":"Foo_bar","vers":"1.0.0","deps":[{"name":"alias","req":"^1","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal","package":"real"}],"cksum":"` + sum + `","features":{},"yanked":false}
{"name":"Foo_bar","vers":"1.1.0","deps":[],"cksum":"` + sum + `","features":{},"yanked":true}
{"name":"other","vers":"2.0.0","deps":[],"cksum":"` + sum + `","features":{},"yanked":false}
not json
{"name":"Foo_bar","vers":"1.2","deps":[],"cksum":"` + sum + `","features":{}}
{"name":"Foo_bar","vers":"1.3.0","cksum":"short"}

`
	r, err := ParseIndexFile([]byte(body), "foo_bar")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Versions) != 1 {
		t.Fatalf("versions %v", r.Versions)
	}
	v := r.Versions["1.0.0"]
	if v.Meta.DisplayName != "Foo_bar" || len(v.Meta.Dependencies) != 1 || v.Meta.Dependencies[0].Package != "real" || v.Source.(crateSource).Cksum != sum {
		t.Errorf("version %+v", v)
	}
	if _, err := ParseIndexFile([]byte(`{"name":"foo_bar","vers":"1.0.0","cksum":"`+sum+`","yanked":true}`), "foo_bar"); err == nil {
		t.Error("a file of yanked versions only has versions")
	}
}

func TestDownloadURL(t *testing.T) {
	for dl, want := range map[string]string{
		"https://dl.example.invalid/api/v1/crates":                            "https://dl.example.invalid/api/v1/crates/Serde_X/1.0.0/download",
		"https://dl.example.invalid/api/v1/crates/":                           "https://dl.example.invalid/api/v1/crates/Serde_X/1.0.0/download",
		"https://dl.example.invalid/{crate}/{crate}-{version}.crate":          "https://dl.example.invalid/Serde_X/Serde_X-1.0.0.crate",
		"https://dl.example.invalid/{prefix}/{lowerprefix}/{sha256-checksum}": "https://dl.example.invalid/Se/rd/se/rd/abc",
	} {
		if got := DownloadURL(dl, "Serde_X", "1.0.0", "abc"); got != want {
			t.Errorf("%s: %s, want %s", dl, got, want)
		}
	}
	if got := DownloadURL("https://x.invalid/{prefix}", "ab", "1.0.0", ""); got != "https://x.invalid/2" {
		t.Errorf("two letters: %s", got)
	}
}

func FuzzParseIndexFile(f *testing.F) {
	f.Add([]byte(`{"name":"x","vers":"1.0.0","deps":[],"cksum":"` + strings.Repeat("0", 64) + `","features":{},"yanked":false}` + "\n"))
	f.Add([]byte("{}\n\n{\"name\":\"x\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseIndexFile(body, "x")
		if err != nil {
			return
		}
		for v, rv := range r.Versions {
			if ValidateVersion(v) != nil || rv.Meta.DisplayName != "x" && rv.Meta.DisplayName != "X" {
				t.Fatalf("version %q of %q", v, rv.Meta.DisplayName)
			}
		}
	})
}
