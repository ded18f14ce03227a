package cargo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"

	"github.com/arcahq/arca/internal/archive"
	"github.com/arcahq/arca/internal/errkind"
)

// Bounds of a .crate's contents, checked as it is read.
var crateLimits = archive.Limits{What: "The .crate", Entries: 20000, Unpacked: 512 << 20, Ratio: archive.DefaultRatio}

// ValidateCrate checks a .crate before it is stored: a gzipped tar whose
// members are files and directories under "{name}-{vers}/" (no "..", no
// links), bounded in number and unpacked size, with Cargo.toml at the top.
func ValidateCrate(data []byte, name, vers string) error {
	tr, err := archive.NewTar(bytes.NewReader(data), func(r io.Reader) (io.Reader, error) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, errkind.Validationf("The .crate is not gzip-compressed: %v", err)
		}
		return zr, nil
	}, crateLimits)
	if err != nil {
		return err
	}
	prefix := name + "-" + vers + "/"
	manifest := false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
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
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return tr.Err(err)
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
