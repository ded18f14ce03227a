package swift

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

func zipOf(t testing.TB, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(n, "/") {
			w.Write([]byte("// swift-tools-version:5.9\n"))
		}
	}
	zw.Close()
	return buf.Bytes()
}

func TestParseArchive(t *testing.T) {
	for _, c := range []struct {
		names []string
		err   string
	}{
		{[]string{"pkg/", "pkg/Package.swift", "pkg/Package@swift-5.7.swift", "pkg/Sources/a.swift"}, ""},
		{[]string{"pkg/Sources/a.swift"}, "no Package.swift"},
		{[]string{"pkg/Sources/Package.swift"}, "no Package.swift"},
		{[]string{"Package.swift"}, "top level"},
		{[]string{"a/Package.swift", "b/x"}, "more than one top-level"},
		{[]string{"pkg/Package.swift", "pkg/../../etc/passwd"}, "unsafe path"},
		{[]string{"/pkg/Package.swift"}, "unsafe path"},
		{[]string{"pkg/Package.swift", "pkg\\x"}, "unsafe path"},
		{[]string{"pkg/./Package.swift"}, "unsafe path"},
	} {
		b := zipOf(t, c.names...)
		a, err := ParseArchive(bytes.NewReader(b), int64(len(b)), DefaultLimits)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%v: %v", c.names, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%v: error %v, want %q", c.names, err, c.err)
		case c.err == "" && (len(a.Manifests) != 2 || a.Root != "pkg"):
			t.Errorf("%v: %+v", c.names, a)
		}
	}
	b := zipOf(t, "p/Package.swift", "p/a", "p/b")
	if _, err := ParseArchive(bytes.NewReader(b), int64(len(b)), Limits{Entries: 2, ManifestBytes: 1 << 10, Uncompressed: 1 << 20}); err == nil {
		t.Error("an archive over the member limit was accepted")
	}
	if _, err := ParseArchive(bytes.NewReader(b), int64(len(b)), Limits{Entries: 10, ManifestBytes: 4, Uncompressed: 1 << 20}); err == nil {
		t.Error("a manifest over its limit was accepted")
	}
}

func TestToolsVersion(t *testing.T) {
	for in, want := range map[string]string{
		"// swift-tools-version:5.7\nimport":               "5.7",
		"// swift-tools-version: 5.9.1":                    "5.9.1",
		"//swift-tools-version:6.0;(experimentalFeatures)": "6.0",
		"import PackageDescription":                        "",
		"// swift-tools-version:five":                      "",
	} {
		if got := ToolsVersion([]byte(in)); got != want {
			t.Errorf("ToolsVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseArchive(f *testing.F) {
	f.Add(zipOf(f, "pkg/Package.swift", "pkg/Package@swift-5.swift"))
	f.Add(zipOf(f, "../Package.swift"))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseArchive(bytes.NewReader(b), int64(len(b)), Limits{Entries: 100, ManifestBytes: 1 << 16, Uncompressed: 1 << 20})
		if err != nil {
			return
		}
		if _, ok := a.Manifests["Package.swift"]; !ok || a.Root == "" || strings.Contains(a.Root, "..") {
			t.Fatalf("accepted %+v", a)
		}
	})
}
