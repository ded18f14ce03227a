package cargo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// Bounds of a .crate's contents.
const (
	maxCrateEntries  = 20000
	maxCrateUnpacked = 512 << 20
)

// ValidateCrate checks a .crate before it is stored: a gzipped tar whose
// members are files and directories under "{name}-{vers}/" (no "..", no
// links), bounded in number and unpacked size, with Cargo.toml at the top.
func ValidateCrate(data []byte, name, vers string) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return errkind.Validationf("The .crate is not gzip-compressed: %v", err)
	}
	prefix := name + "-" + vers + "/"
	tr := tar.NewReader(zr)
	var entries int
	var unpacked int64
	manifest := false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errkind.Validationf("The .crate is not a valid tar archive: %v", err)
		}
		if entries++; entries > maxCrateEntries {
			return errkind.Validationf("The .crate has more than %d entries", maxCrateEntries)
		}
		p := h.Name
		if !strings.HasPrefix(p, prefix) || strings.Contains(p, "\\") || strings.ContainsRune(p, 0) {
			return errkind.Validationf("The .crate entry %q is not under %s", p, prefix)
		}
		for _, seg := range strings.Split(strings.TrimSuffix(p[len(prefix):], "/"), "/") {
			if seg == ".." || seg == "." {
				return errkind.Validationf("The .crate entry %q is not a plain path", p)
			}
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeDir, tar.TypeXGlobalHeader:
		default:
			return errkind.Validationf("The .crate entry %q is not a file or a directory", p)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(tr, maxCrateUnpacked-unpacked+1))
		if err != nil {
			return errkind.Validationf("The .crate entry %q cannot be read: %v", p, err)
		}
		if unpacked += n; unpacked > maxCrateUnpacked {
			return errkind.Validationf("The .crate unpacks to more than %d bytes", maxCrateUnpacked)
		}
		if p == prefix+"Cargo.toml" && h.Typeflag == tar.TypeReg {
			manifest = true
		}
	}
	if !manifest {
		return errkind.Validationf("The .crate has no %sCargo.toml", prefix)
	}
	return nil
}
