package archive_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/archive"
	"github.com/arcahq/arca/internal/archive/archivetest"
	"github.com/arcahq/arca/internal/errkind"
)

func zipOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func refused(t *testing.T, err error, want string) {
	t.Helper()
	if !errors.Is(err, errkind.ErrValidation) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want a validation error saying %q", err, want)
	}
}

func TestOpenZipCountsEntriesBeforeParsing(t *testing.T) {
	data := archivetest.ManyEntries(1000, map[string]string{"b": "bee"})
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil || len(zr.File) != 1001 {
		t.Fatalf("archive/zip reads the crafted archive as %v, %v; want 1001 entries", zr, err)
	}
	lim := archive.Limits{What: "The wheel", Entries: 1001}
	zr, err := archive.OpenZip(bytes.NewReader(data), int64(len(data)), lim)
	if err != nil || len(zr.File) != 1001 {
		t.Fatalf("OpenZip at the limit = %v, %v", zr, err)
	}
	lim.Entries = 1000
	_, err = archive.OpenZip(bytes.NewReader(data), int64(len(data)), lim)
	refused(t, err, "The wheel has more than 1000 entries")
}

// declaring returns a zip whose one entry declares unpacked bytes and
// holds compressed bytes of garbage: OpenZip judges by the declarations,
// and nothing here decompresses.
func declaring(t *testing.T, unpacked, compressed int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.CreateRaw(&zip.FileHeader{Name: "zeros", Method: zip.Deflate, CompressedSize64: uint64(compressed), UncompressedSize64: uint64(unpacked)})
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, compressed))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOpenZipSizes(t *testing.T) {
	data := declaring(t, 20<<20, 20<<10)
	_, err := archive.OpenZip(bytes.NewReader(data), int64(len(data)), archive.Limits{What: "The package", Unpacked: 16 << 20})
	refused(t, err, "The package unpacks to more than 16777216 bytes")
	_, err = archive.OpenZip(bytes.NewReader(data), int64(len(data)), archive.Limits{What: "The package", Ratio: archive.DefaultRatio})
	refused(t, err, "The package unpacks to more than 200 times its size")
	if _, err := archive.OpenZip(bytes.NewReader(data), int64(len(data)), archive.Limits{Ratio: 2000, Unpacked: 64 << 20}); err != nil {
		t.Fatalf("within limits: %v", err)
	}
	small := zipOf(t, map[string][]byte{"zeros": make([]byte, 1<<20)})
	if _, err := archive.OpenZip(bytes.NewReader(small), int64(len(small)), archive.Limits{Ratio: 2}); err != nil {
		t.Fatalf("a small archive is refused for its ratio: %v", err)
	}
	_, err = archive.OpenZip(strings.NewReader("not a zip"), 9, archive.Limits{What: "The wheel", Entries: 10})
	refused(t, err, "The wheel is not a valid zip archive")
}

func tgz(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	return b.Bytes()
}

func gunzip(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

// readAll reads every entry of a tar stream.
func readAll(t *testing.T, data []byte, lim archive.Limits) error {
	tr, err := archive.NewTar(bytes.NewReader(data), gunzip, lim)
	if err != nil {
		return err
	}
	for {
		if _, err := tr.Next(); err == io.EOF {
			return tr.Drain()
		} else if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return tr.Err(err)
		}
	}
}

func TestTarLimits(t *testing.T) {
	files := map[string][]byte{}
	for _, n := range []string{"a", "b", "c"} {
		files[n] = []byte(n)
	}
	data := tgz(t, files)
	if err := readAll(t, data, archive.Limits{Entries: 3}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	refused(t, readAll(t, data, archive.Limits{What: "The tarball", Entries: 2}), "The tarball has more than 2 entries")

	// 20 MiB of zeros in a tar, gzip -9: 20 KiB.
	bomb, err := os.ReadFile("testdata/zeros.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	refused(t, readAll(t, bomb, archive.Limits{What: "The .crate", Unpacked: 8 << 20}), "The .crate unpacks to more than 8388608 bytes")
	refused(t, readAll(t, bomb, archive.Limits{What: "The .crate", Ratio: archive.DefaultRatio}), "The .crate unpacks to more than 200 times its size")

	refused(t, readAll(t, []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xffgarbage"), archive.Limits{What: "The tarball"}), "The tarball is not a valid tar archive")
}

func FuzzOpenZip(f *testing.F) {
	f.Add(archivetest.ManyEntries(3, map[string]string{"m": "meta"}))
	f.Add(zipOf(f, map[string][]byte{"x/y": []byte("z")}))
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := archive.OpenZip(bytes.NewReader(data), int64(len(data)), archive.Limits{Entries: 5, Unpacked: 1 << 20, Ratio: 10})
		if err != nil {
			if errkind.KindOf(err) != errkind.Validation {
				t.Fatalf("error of kind %v: %v", errkind.KindOf(err), err)
			}
			return
		}
		if len(zr.File) > 5 {
			t.Fatalf("%d entries opened past the limit", len(zr.File))
		}
	})
}

func FuzzTar(f *testing.F) {
	f.Add(tgz(f, map[string][]byte{"a": []byte("a"), "b/c": []byte("bc")}))
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xffgarbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := archive.Limits{Entries: 3, Unpacked: 1 << 16, Ratio: 10}
		tr, err := archive.NewTar(bytes.NewReader(data), gunzip, lim)
		if err != nil {
			return
		}
		for n := 0; ; n++ {
			if _, err := tr.Next(); err != nil {
				if err != io.EOF && errkind.KindOf(err) != errkind.Validation {
					t.Fatalf("error of kind %v: %v", errkind.KindOf(err), err)
				}
				return
			}
			if n >= 3 {
				t.Fatal("a fourth entry opened past the limit")
			}
			if _, err := io.Copy(io.Discard, tr); err != nil {
				if errkind.KindOf(tr.Err(err)) != errkind.Validation {
					t.Fatalf("read error of kind %v: %v", errkind.KindOf(tr.Err(err)), err)
				}
				return
			}
		}
	})
}
