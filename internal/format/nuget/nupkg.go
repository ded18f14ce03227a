package nuget

import (
	"archive/zip"
	"io"
	"path"
	"strings"

	"github.com/arcahq/arca/internal/archive"
	"github.com/arcahq/arca/internal/errkind"
)

// Bounds of what Arca reads of a .nupkg: how many entries it may have,
// how many bytes they may claim to unpack to in all, and how large a
// readme may be. Only the .nuspec and the readme are ever decompressed,
// each through its own limit.
const (
	MaxEntries      = 20_000
	MaxUnpackedSize = 8 << 30
	MaxReadmeSize   = 1 << 20
)

// nupkgLimits are checked before the package's directory is parsed.
var nupkgLimits = archive.Limits{What: "The package", Entries: MaxEntries, Unpacked: MaxUnpackedSize, Ratio: archive.DefaultRatio}

// Contents is what Arca reads of a .nupkg when it arrives: the .nuspec's
// bytes and what they say, and the readme the manifest names.
type Contents struct {
	NuspecFile []byte
	Nuspec     *Nuspec
	Readme     string
}

// ReadPackage reads a .nupkg (a zip archive) once: it must have exactly
// one .nuspec at its root, a valid manifest, entry names that stay inside
// the package when unpacked, and no more than MaxEntries entries claiming
// no more than MaxUnpackedSize bytes. Any of these failing is a
// validation error.
//
// Spec: https://learn.microsoft.com/nuget/reference/nuspec and the
// package layout NuGet's PackageArchiveReader reads.
func ReadPackage(r io.ReaderAt, size int64) (*Contents, error) {
	zr, err := archive.OpenZip(r, size, nupkgLimits)
	if err != nil {
		return nil, err
	}
	var nuspec *zip.File
	byName := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		name, err := entryName(f.Name)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(name)
		if _, dup := byName[key]; dup {
			return nil, errkind.Validationf("The package has two entries named %q", f.Name)
		}
		byName[key] = f
		if !strings.Contains(name, "/") && strings.HasSuffix(key, ".nuspec") {
			if nuspec != nil {
				return nil, errkind.Validationf("The package has more than one .nuspec at its root")
			}
			nuspec = f
		}
	}
	if nuspec == nil {
		return nil, errkind.Validationf("The package has no .nuspec at its root; build it with nuget pack or dotnet pack")
	}
	raw, err := readEntry(nuspec, MaxNuspecSize)
	if err != nil {
		return nil, err
	}
	spec, err := ParseNuspec(raw)
	if err != nil {
		return nil, err
	}
	c := &Contents{NuspecFile: raw, Nuspec: spec}
	if spec.Readme != "" {
		name, err := entryName(spec.Readme)
		if err != nil {
			return nil, errkind.Validationf("The .nuspec's <readme> %q is not a path inside the package", spec.Readme)
		}
		f, ok := byName[strings.ToLower(name)]
		if !ok {
			return nil, errkind.Validationf("The .nuspec's <readme> names %q, which the package does not contain", spec.Readme)
		}
		b, err := readEntry(f, MaxReadmeSize)
		if err != nil {
			return nil, err
		}
		c.Readme = string(b)
	}
	return c, nil
}

// entryName returns an entry's name with "/" separators ("\" is one to
// NuGet on Windows), refusing names that would unpack outside the
// package: absolute paths, drive letters, ".." segments, NUL.
func entryName(name string) (string, error) {
	n := strings.ReplaceAll(name, `\`, "/")
	bad := n == "" || strings.HasPrefix(n, "/") || strings.ContainsRune(n, 0) ||
		(len(n) >= 2 && n[1] == ':')
	for _, seg := range strings.Split(n, "/") {
		if seg == ".." {
			bad = true
		}
	}
	if bad {
		return "", errkind.Validationf("The package has an entry named %q, which would unpack outside the package", name)
	}
	return path.Clean(n), nil
}

// readEntry decompresses an entry, refusing more than limit bytes.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, errkind.Validationf("%s is larger than %d bytes", f.Name, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errkind.Validationf("Could not read %s from the package: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, errkind.Validationf("Could not read %s from the package: %v", f.Name, err)
	}
	if int64(len(b)) > limit {
		return nil, errkind.Validationf("%s is larger than %d bytes", f.Name, limit)
	}
	return b, nil
}
