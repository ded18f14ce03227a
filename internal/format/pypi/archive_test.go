package pypi_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/pypi"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

func zipOf(t testing.TB, files map[string]string, order ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarGzOf(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg})
		io.WriteString(tw, f[1])
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestWheelMetadata(t *testing.T) {
	d := upstreamtest.PyPIDist{Name: "Hello_CA", Version: "1.0.0"}
	_, wheel := upstreamtest.PyPIWheel(d)
	got, err := pypi.WheelMetadata(bytes.NewReader(wheel), int64(len(wheel)), "hello-ca")
	if err != nil || !bytes.Equal(got, upstreamtest.PyPIMetadata(d)) {
		t.Fatalf("WheelMetadata: %v\n%s", err, got)
	}
	// A vendored dist-info of another project is not the wheel's.
	files := map[string]string{
		"vendored-2.0.dist-info/METADATA": "Name: vendored\nVersion: 2.0\n",
		"mine-1.0.dist-info/METADATA":     "Name: mine\nVersion: 1.0\n",
		"mine/x/y-1.dist-info/METADATA":   "Name: nested\n",
	}
	w := zipOf(t, files, "mine/x/y-1.dist-info/METADATA", "vendored-2.0.dist-info/METADATA", "mine-1.0.dist-info/METADATA")
	if got, err := pypi.WheelMetadata(bytes.NewReader(w), int64(len(w)), "Mine"); err != nil || string(got) != files["mine-1.0.dist-info/METADATA"] {
		t.Errorf("with a vendored dist-info: %q, %v", got, err)
	}
	for name, data := range map[string][]byte{
		"no METADATA": zipOf(t, map[string]string{"mine/__init__.py": ""}, "mine/__init__.py"),
		"not a zip":   []byte("PK not really"),
	} {
		_, err := pypi.WheelMetadata(bytes.NewReader(data), int64(len(data)), "mine")
		if !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("%s: %v, want Validation", name, err)
		}
		if name == "no METADATA" && !errors.Is(err, pypi.ErrNoMetadata) {
			t.Errorf("%s: %v, want ErrNoMetadata", name, err)
		}
	}
}

func TestSdistMetadata(t *testing.T) {
	d := upstreamtest.PyPIDist{Name: "Hello_CA", Version: "1.0.0"}
	name, sdist := upstreamtest.PyPISdist(d)
	got, err := pypi.SdistMetadata(bytes.NewReader(sdist), int64(len(sdist)), name)
	if err != nil || !bytes.Equal(got, upstreamtest.PyPIMetadata(d)) {
		t.Fatalf("SdistMetadata: %v\n%s", err, got)
	}
	// The top-level PKG-INFO, not the egg-info's, whatever comes first.
	tgz := tarGzOf(t, [][2]string{
		{"./p-1.0/p.egg-info/PKG-INFO", "egg"},
		{"./p-1.0/setup.py", ""},
		{"./p-1.0/PKG-INFO", "top"},
	})
	if got, err := pypi.SdistMetadata(bytes.NewReader(tgz), int64(len(tgz)), "p-1.0.tar.gz"); err != nil || string(got) != "top" {
		t.Errorf("egg-info first: %q, %v", got, err)
	}
	z := zipOf(t, map[string]string{"p-1.0/PKG-INFO": "zipped", "p-1.0/a.py": ""}, "p-1.0/a.py", "p-1.0/PKG-INFO")
	if got, err := pypi.SdistMetadata(bytes.NewReader(z), int64(len(z)), "p-1.0.zip"); err != nil || string(got) != "zipped" {
		t.Errorf("zip sdist: %q, %v", got, err)
	}
	// (bzip2 has no writer in the standard library: only garbage is
	// checked, to be refused as Validation.)
	for file, data := range map[string][]byte{
		"p-1.0.tar.gz":  tarGzOf(t, [][2]string{{"p-1.0/setup.py", ""}}),
		"p-1.0.tar.xz":  []byte("xz"),
		"p-1.0.tar.bz2": []byte("BZh9 not bzip2"),
		"p-1.0.tgz":     []byte("not gzip"),
	} {
		if _, err := pypi.SdistMetadata(bytes.NewReader(data), int64(len(data)), file); !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("%s: %v, want Validation", file, err)
		}
	}
}

// A compression bomb costs bounded work: the scan stops as soon as the
// stream unpacks to more than archive.DefaultRatio times what was read.
func TestSdistMetadataBounded(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	big := int64(64 << 20)
	tw.WriteHeader(&tar.Header{Name: "p-1.0/zeros", Mode: 0o644, Size: big, Typeflag: tar.TypeReg})
	io.CopyN(tw, zeroReader{}, big)
	tw.WriteHeader(&tar.Header{Name: "p-1.0/PKG-INFO", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
	io.WriteString(tw, "end")
	tw.Close()
	zw.Close()
	got, err := pypi.SdistMetadata(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "p-1.0.tar.gz")
	if !errors.Is(err, errkind.ErrValidation) || !strings.Contains(err.Error(), "unpacks to more than 200 times its size") {
		t.Fatalf("PKG-INFO after 64 MiB of zeros: %q, %v; want the bomb refused", got, err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func FuzzWheelMetadata(f *testing.F) {
	_, wheel := upstreamtest.PyPIWheel(upstreamtest.PyPIDist{Name: "a", Version: "1"})
	f.Add(wheel)
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := pypi.WheelMetadata(bytes.NewReader(data), int64(len(data)), "a")
		if err != nil && errkind.KindOf(err) == errkind.Internal {
			t.Fatalf("unclassified error %v", err)
		}
	})
}

func FuzzSdistMetadata(f *testing.F) {
	_, sdist := upstreamtest.PyPISdist(upstreamtest.PyPIDist{Name: "a", Version: "1"})
	f.Add(sdist, false)
	f.Add(zipOf(f, map[string]string{"a-1/PKG-INFO": "x"}, "a-1/PKG-INFO"), true)
	f.Fuzz(func(t *testing.T, data []byte, isZip bool) {
		name := "a-1.tar.gz"
		if isZip {
			name = "a-1.zip"
		}
		_, err := pypi.SdistMetadata(bytes.NewReader(data), int64(len(data)), name)
		if err != nil && errkind.KindOf(err) == errkind.Internal {
			t.Fatalf("unclassified error %v", err)
		}
	})
}
