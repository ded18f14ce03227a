package npm

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"

	"github.com/arcahq/arca/internal/archive"
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
// Decompression stops at MaxTarballUnpacked bytes, MaxTarballEntries
// entries and archive.DefaultRatio times the bytes read.
func CheckTarball(r io.Reader, name, version string) error {
	return checkTarball(r, name, version, MaxTarballUnpacked, MaxTarballEntries)
}

func checkTarball(r io.Reader, name, version string, maxUnpacked int64, maxEntries int) error {
	lim := archive.Limits{What: "The tarball", Entries: maxEntries, Unpacked: maxUnpacked, Ratio: archive.DefaultRatio}
	tr, err := archive.NewTar(r, gunzip, lim)
	if err != nil {
		return err
	}
	var manifest []byte
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
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
			return tr.Err(err)
		}
	}
	// The gzip trailer (its CRC) is checked at the end of the stream.
	if err := tr.Drain(); err != nil {
		return err
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

func gunzip(r io.Reader) (io.Reader, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, errkind.Validationf("The tarball is not gzip-compressed: %v", err)
	}
	return zr, nil
}
