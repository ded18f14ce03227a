package cargo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
)

// crate builds a .crate with the given members.
func crate(t testing.TB, members map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for p, c := range members {
		tw.WriteHeader(&tar.Header{Name: p, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg})
		tw.Write([]byte(c))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func frame(meta string, crate []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint32(len(meta)))
	b.WriteString(meta)
	binary.Write(&b, binary.LittleEndian, uint32(len(crate)))
	b.Write(crate)
	return b.Bytes()
}

// What cargo 1.95 sends for a crate with a renamed dependency, a
// dependency of another registry and a feature using "dep:".
const publishJSON = `{"name":"ca-app","vers":"0.2.0","deps":[
 {"optional":false,"default_features":true,"name":"ca-lib","features":[],"version_req":"^0.1.0","target":null,"kind":"normal"},
 {"optional":true,"default_features":false,"name":"other-lib","features":["x"],"version_req":"^1","target":"cfg(unix)","kind":"normal","registry":"sparse+https://example.invalid/index/","explicit_name_in_toml":"alias"},
 {"optional":false,"default_features":true,"name":"dev-lib","features":[],"version_req":"=2.0.0","target":null,"kind":"dev"}],
 "features":{"default":["std"],"std":[],"extra":["dep:alias"]},"authors":[],"description":"an app","documentation":null,
 "homepage":"https://example.invalid/","readme":"# ca-app","readme_file":"README.md","keywords":[],"categories":[],
 "license":"MIT OR Apache-2.0","license_file":null,"repository":"https://example.invalid/git","badges":{},"links":"z","rust_version":"1.70"}`

func TestPublishToIndexLine(t *testing.T) {
	c := crate(t, map[string]string{"ca-app-0.2.0/Cargo.toml": "[package]\n", "ca-app-0.2.0/src/lib.rs": ""})
	p, got, err := SplitPublish(frame(publishJSON, c))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, c) {
		t.Fatal("crate bytes")
	}
	if err := ValidateCrate(got, p.Name, p.Vers); err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(p.IndexLine("abc"))
	want := `{"name":"ca-app","vers":"0.2.0","deps":[` +
		`{"name":"ca-lib","req":"^0.1.0","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal"},` +
		`{"name":"alias","req":"^1","features":["x"],"optional":true,"default_features":false,"target":"cfg(unix)","kind":"normal","registry":"sparse+https://example.invalid/index/","package":"other-lib"},` +
		`{"name":"dev-lib","req":"=2.0.0","features":[],"optional":false,"default_features":true,"target":null,"kind":"dev"}],` +
		`"cksum":"abc","features":{"default":["std"],"std":[]},"features2":{"extra":["dep:alias"]},"yanked":false,"links":"z","rust_version":"1.70","v":2}`
	if string(line) != want {
		t.Errorf("index line\n%s\nwant\n%s", line, want)
	}
	m, err := p.Meta(p.IndexLine("abc"))
	if err != nil {
		t.Fatal(err)
	}
	if m.DisplayName != "ca-app" || m.Summary != "an app" || m.Readme != "# ca-app" || m.HomePage != "https://example.invalid/" ||
		m.SourceCodeRepository != "https://example.invalid/git" || len(m.Licenses) != 1 || len(m.Dependencies) != 3 ||
		m.Dependencies[1].Package != "other-lib" || m.Dependencies[2].DependencyType != "dev" {
		t.Errorf("meta %+v", m)
	}
}

func TestPublishRefused(t *testing.T) {
	good := crate(t, map[string]string{"x-1.0.0/Cargo.toml": ""})
	meta := `{"name":"x","vers":"1.0.0"}`
	for what, body := range map[string][]byte{
		"empty":        nil,
		"huge length":  {0xff, 0xff, 0xff, 0xff},
		"short json":   {10, 0, 0, 0, '{'},
		"no crate":     frame(meta, nil)[:4+len(meta)],
		"trailing":     append(frame(meta, good), 0),
		"two objects":  frame(meta+"{}", good),
		"bad name":     frame(`{"name":"a/b","vers":"1.0.0"}`, good),
		"bad version":  frame(`{"name":"x","vers":"latest"}`, good),
		"bad dep":      frame(`{"name":"x","vers":"1.0.0","deps":[{"name":"../y","version_req":"1"}]}`, good),
		"no dep req":   frame(`{"name":"x","vers":"1.0.0","deps":[{"name":"y"}]}`, good),
		"bad dep kind": frame(`{"name":"x","vers":"1.0.0","deps":[{"name":"y","version_req":"1","kind":"peer"}]}`, good),
	} {
		if _, _, err := SplitPublish(body); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
}

func TestValidateCrate(t *testing.T) {
	for what, c := range map[string][]byte{
		"not gzip":    []byte("x"),
		"no manifest": crate(t, map[string]string{"x-1.0.0/src/lib.rs": ""}),
		"outside":     crate(t, map[string]string{"x-1.0.0/Cargo.toml": "", "y/z": ""}),
		"dot-dot":     crate(t, map[string]string{"x-1.0.0/Cargo.toml": "", "x-1.0.0/../z": ""}),
		"other top":   crate(t, map[string]string{"x-1.0.1/Cargo.toml": ""}),
	} {
		if err := ValidateCrate(c, "x", "1.0.0"); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "x-1.0.0/Cargo.toml", Typeflag: tar.TypeReg})
	tw.WriteHeader(&tar.Header{Name: "x-1.0.0/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"})
	tw.Close()
	gz.Close()
	if err := ValidateCrate(buf.Bytes(), "x", "1.0.0"); err == nil || !strings.Contains(err.Error(), "not a file") {
		t.Errorf("symlink: %v", err)
	}
}

func FuzzSplitPublish(f *testing.F) {
	f.Add(frame(publishJSON, crate(f, map[string]string{"ca-app-0.2.0/Cargo.toml": ""})))
	f.Add(frame(`{"name":"x","vers":"1.0.0"}`, []byte{0x1f, 0x8b}))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, c, err := SplitPublish(body)
		if err != nil {
			return
		}
		if ValidateName(p.Name) != nil || ValidateVersion(p.Vers) != nil || len(c) > MaxCrate {
			t.Fatalf("accepted %q %q", p.Name, p.Vers)
		}
		line := p.IndexLine("00")
		b, err := json.Marshal(line)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseIndexLine(b)
		if err != nil || back.Name != p.Name || back.Vers != p.Vers || len(back.Deps) != len(p.Deps) {
			t.Fatalf("index line does not read back: %s", b)
		}
	})
}

func FuzzValidateCrate(f *testing.F) {
	f.Add(crate(f, map[string]string{"x-1.0.0/Cargo.toml": "", "x-1.0.0/src/lib.rs": "fn x() {}"}))
	f.Add(crate(f, map[string]string{"x-1.0.0/../Cargo.toml": ""}))
	f.Fuzz(func(t *testing.T, data []byte) {
		ValidateCrate(data, "x", "1.0.0") // must not panic or run away
	})
}

func FuzzParseIndexPath(f *testing.F) {
	for _, s := range []string{"1/a", "3/a/abc", "he/ll/hello", "he/ll/../x", "config.json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		name, ok := ParseIndexPath(path)
		if ok && (IndexPath(name) != path || ValidateName(name) != nil) {
			t.Fatalf("%q -> %q", path, name)
		}
		// And every crate's own index path is taken.
		last := path[strings.LastIndexByte(path, '/')+1:]
		if ValidateName(last) == nil && last == strings.ToLower(last) && IndexPath(last) == path && !ok {
			t.Fatalf("%q, the index path of %q, refused", path, last)
		}
	})
}
