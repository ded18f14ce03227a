package pypi

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/arcahq/arca/internal/archive"
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
)

// ErrNoMetadata is wrapped by the errors of distributions that hold no
// core metadata file where the specifications put it.
var ErrNoMetadata = errors.New("no core metadata file in the distribution")

// The bounds of reading a distribution (package archive), checked before
// the work: entries, bytes once unpacked (as a wheel's entries declare
// them; as an sdist's stream yields them, until its PKG-INFO), and the
// compression ratio.
var (
	wheelLimits = archive.Limits{What: "The wheel", Entries: maxEntries, Unpacked: 16 << 30, Ratio: archive.DefaultRatio}
	sdistLimits = archive.Limits{What: "The source distribution", Entries: maxEntries, Unpacked: 1 << 30, Ratio: archive.DefaultRatio}
)

// maxEntries is the most entries a distribution may have.
const maxEntries = 200_000

func noMetadata(format string, args ...any) error {
	return errkind.Wrap(errkind.Validation, ErrNoMetadata, format, args...)
}

// WheelMetadata returns the bytes of a wheel's METADATA file,
// "{name}-{version}.dist-info/METADATA" at the top of the archive, whose
// name part is project's (a wheel vendoring another's dist-info does not
// confuse it). These bytes are what PEP 658 serves as the file's
// ".metadata".
//
// Spec: https://packaging.python.org/en/latest/specifications/binary-distribution-format/#the-dist-info-directory
func WheelMetadata(r io.ReaderAt, size int64, project string) ([]byte, error) {
	zr, err := archive.OpenZip(r, size, wheelLimits)
	if err != nil {
		return nil, err
	}
	project = NormalizeName(project)
	var found *zip.File
	for _, f := range zr.File {
		dir, file, ok := strings.Cut(f.Name, "/")
		if !ok || file != "METADATA" || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(dir, ".dist-info"), "-")
		if NormalizeName(name) == project {
			found = f
			break
		}
	}
	if found == nil {
		return nil, noMetadata("The wheel has no %s-{version}.dist-info/METADATA", project)
	}
	return readEntry(found)
}

func readEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > MaxMetadataSize {
		return nil, errkind.Quotaf("%s is larger than %d bytes", f.Name, MaxMetadataSize)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errkind.Wrap(errkind.Validation, err, "Could not read %s: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxMetadataSize+1))
	if err != nil {
		return nil, errkind.Wrap(errkind.Validation, err, "Could not read %s: %v", f.Name, err)
	}
	if len(b) > MaxMetadataSize {
		return nil, errkind.Quotaf("%s is larger than %d bytes", f.Name, MaxMetadataSize)
	}
	return b, nil
}

// SdistMetadata returns the bytes of a source distribution's PKG-INFO,
// "{name}-{version}/PKG-INFO" (any single top-level directory), from a
// .tar.gz, .tgz, .tar.bz2, .tar or .zip archive. An .tar.xz archive (no
// decompressor in the standard library) has none, as far as Arca can see.
//
// Spec: https://packaging.python.org/en/latest/specifications/source-distribution-format/
func SdistMetadata(r io.ReaderAt, size int64, filename string) ([]byte, error) {
	if strings.HasSuffix(filename, ".zip") {
		zr, err := archive.OpenZip(r, size, sdistLimits)
		if err != nil {
			return nil, err
		}
		for _, f := range zr.File {
			if isPKGInfo(f.Name) {
				return readEntry(f)
			}
		}
		return nil, noMetadata("The source distribution has no {name}-{version}/PKG-INFO")
	}
	var unpack func(io.Reader) (io.Reader, error)
	switch {
	case strings.HasSuffix(filename, ".tar.gz"), strings.HasSuffix(filename, ".tgz"):
		unpack = func(r io.Reader) (io.Reader, error) {
			zr, err := gzip.NewReader(r)
			if err != nil {
				return nil, errkind.Wrap(errkind.Validation, err, "The source distribution is not gzip-compressed: %v", err)
			}
			return zr, nil
		}
	case strings.HasSuffix(filename, ".tar.bz2"):
		unpack = func(r io.Reader) (io.Reader, error) { return bzip2.NewReader(r), nil }
	case strings.HasSuffix(filename, ".tar"):
	default:
		return nil, noMetadata("Arca cannot read %s archives", path.Ext(filename))
	}
	t, err := archive.NewTar(io.NewSectionReader(r, 0, size), unpack, sdistLimits)
	if err != nil {
		return nil, err
	}
	for {
		h, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg || !isPKGInfo(h.Name) {
			continue
		}
		if h.Size > MaxMetadataSize {
			return nil, errkind.Quotaf("%s is larger than %d bytes", h.Name, MaxMetadataSize)
		}
		b, err := io.ReadAll(io.LimitReader(t, MaxMetadataSize+1))
		if err != nil {
			return nil, t.Err(err)
		}
		return b, nil
	}
	return nil, noMetadata("The source distribution has no {name}-{version}/PKG-INFO")
}

// isPKGInfo reports whether an archive path is "{dir}/PKG-INFO" for one
// top-level directory.
func isPKGInfo(name string) bool {
	name = strings.TrimPrefix(name, "./")
	dir, file, ok := strings.Cut(name, "/")
	return ok && dir != "" && dir != "." && dir != ".." && file == "PKG-INFO"
}

// FileMetadata returns the core metadata file of a stored distribution
// (METADATA of a wheel, PKG-INFO of an sdist), read from the blob store.
func FileMetadata(ctx context.Context, blobs blob.Store, project string, a artifact.Asset) ([]byte, error) {
	f, err := assets.Open(ctx, blobs, a)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	ra := assets.ReaderAt(f)
	switch KindOf(a.Name) {
	case Wheel:
		return WheelMetadata(ra, size, project)
	case Sdist:
		return SdistMetadata(ra, size, a.Name)
	}
	return nil, noMetadata("%s is not a distribution Arca reads", a.Name)
}

// ParseFileMetadata reads a core metadata file's bytes (as FileMetadata
// returns them).
func ParseFileMetadata(b []byte) (*Metadata, error) {
	return ParseMetadata(bytes.NewReader(b), MaxMetadataSize)
}
