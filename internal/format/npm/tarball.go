package npm

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"

	"github.com/arcahq/arca/internal/errkind"
)

// The bounds of reading a published tarball: its bytes once
// decompressed, its entries, and its package.json.
const (
	MaxTarballUnpacked    = 2 << 30
	MaxTarballEntries     = 200000
	maxTarballPackageJSON = 1 << 20
)

// CheckTarball checks that r is a package tarball of name@version as npm
// pack makes it: a gzip'd tar holding exactly one package/package.json,
// whose "name" and "version" are name and version. (Installers unpack
// the last of duplicate entries, so the whole archive is read.)
// Decompression stops at MaxTarballUnpacked bytes and MaxTarballEntries
// entries.
func CheckTarball(r io.Reader, name, version string) error {
	return checkTarball(r, name, version, MaxTarballUnpacked, MaxTarballEntries)
}

func checkTarball(r io.Reader, name, version string, maxUnpacked int64, maxEntries int) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return errkind.Validationf("The tarball is not gzip-compressed: %v", err)
	}
	unpacked := &limitedReader{r: zr, left: maxUnpacked}
	tr := tar.NewReader(unpacked)
	var manifest []byte
	for entries := 0; ; entries++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return tarballError(err, maxUnpacked)
		}
		if entries >= maxEntries {
			return errkind.Validationf("The tarball has more than %d entries", maxEntries)
		}
		if h.Name != "package/package.json" {
			continue
		}
		if manifest != nil {
			return errkind.Validationf("The tarball holds package/package.json more than once")
		}
		if h.Typeflag != tar.TypeReg || h.Size > maxTarballPackageJSON {
			return errkind.Validationf("The tarball's package/package.json is not a regular file of at most %d bytes", maxTarballPackageJSON)
		}
		if manifest, err = io.ReadAll(tr); err != nil {
			return tarballError(err, maxUnpacked)
		}
	}
	// The gzip trailer (its CRC) is checked at the end of the stream.
	if _, err := io.Copy(io.Discard, unpacked); err != nil {
		return tarballError(err, maxUnpacked)
	}
	if manifest == nil {
		return errkind.Validationf("The tarball has no package/package.json")
	}
	var pj struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(manifest, &pj); err != nil {
		return errkind.Validationf("The tarball's package/package.json is not a JSON object: %v", err)
	}
	if pj.Name != name || pj.Version != version {
		return errkind.Validationf("The tarball's package/package.json is for %s@%s, not %s@%s", pj.Name, pj.Version, name, version)
	}
	return nil
}

var errTooLarge = errors.New("too large")

func tarballError(err error, maxUnpacked int64) error {
	var e *errkind.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, errTooLarge) {
		return errkind.Validationf("The tarball unpacks to more than %d bytes", maxUnpacked)
	}
	return errkind.Validationf("The tarball is not a valid gzip'd tar: %v", err)
}

// limitedReader fails with errTooLarge past left bytes.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if l.left -= int64(n); l.left < 0 {
		return 0, errTooLarge
	}
	return n, err
}
