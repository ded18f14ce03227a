package swift

import (
	"archive/zip"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/arcahq/arca/internal/archive"
	"github.com/arcahq/arca/internal/errkind"
)

// Limits bound what a source archive may hold.
type Limits struct {
	Entries       int   // members of the zip
	ManifestBytes int64 // one Package.swift or Package@swift-X.swift
	Uncompressed  int64 // all members, uncompressed, as their headers declare
}

// DefaultLimits are the limits of a publish.
var DefaultLimits = Limits{Entries: 100_000, ManifestBytes: 1 << 20, Uncompressed: 2 << 30}

// Archive is what a valid source archive says about its release: its
// manifests by file name ("Package.swift", "Package@swift-5.7.swift").
type Archive struct {
	Root      string // the top-level directory
	Manifests map[string][]byte
}

// versionedManifest is a version-specific manifest's file name (SE-0292
// §4.3: Package@swift-{swift-version}.swift).
var versionedManifest = regexp.MustCompile(`^Package@swift-(\d+(?:\.\d+){0,2})\.swift$`)

// ParseArchive checks a release's source archive, a zip of size bytes:
// every member inside one top-level directory (SE-0292 §4.4: SwiftPM
// strips it), member names relative and free of "..", within limits, and
// the directory holding Package.swift. It returns the manifests of the
// top-level directory.
func ParseArchive(r io.ReaderAt, size int64, lim Limits) (Archive, error) {
	zr, err := archive.OpenZip(r, size, archive.Limits{What: "The source archive", Entries: lim.Entries, Unpacked: lim.Uncompressed, Ratio: archive.DefaultRatio})
	if err != nil {
		return Archive{}, err
	}
	a := Archive{Manifests: map[string][]byte{}}
	for _, f := range zr.File {
		name := f.Name
		if name == "" || strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || path.Clean(name) != strings.TrimSuffix(name, "/") {
			return Archive{}, errkind.Validationf("The source archive has a member with an unsafe path: %q", name)
		}
		for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
			if seg == ".." || seg == "." {
				return Archive{}, errkind.Validationf("The source archive has a member with an unsafe path: %q", name)
			}
		}
		root, rest, _ := strings.Cut(name, "/")
		if a.Root == "" {
			a.Root = root
		} else if root != a.Root {
			return Archive{}, errkind.Validationf("The source archive has more than one top-level entry (%q and %q): its files must be in one top-level directory", a.Root, root)
		}
		if rest == "" && !f.FileInfo().IsDir() {
			return Archive{}, errkind.Validationf("The source archive has a file at its top level (%q): its files must be in one top-level directory", name)
		}
		if rest != "Package.swift" && !versionedManifest.MatchString(rest) {
			continue
		}
		if f.UncompressedSize64 > uint64(lim.ManifestBytes) {
			return Archive{}, errkind.Validationf("%s is larger than %d bytes", name, lim.ManifestBytes)
		}
		body, err := readMember(f, lim.ManifestBytes)
		if err != nil {
			return Archive{}, err
		}
		a.Manifests[rest] = body
	}
	if _, ok := a.Manifests["Package.swift"]; !ok {
		return Archive{}, errkind.Validationf("The source archive has no Package.swift in its top-level directory")
	}
	return a, nil
}

func readMember(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, errkind.Validationf("The source archive's %s cannot be read: %v", f.Name, err)
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, errkind.Validationf("The source archive's %s cannot be read: %v", f.Name, err)
	}
	if int64(len(body)) > limit {
		return nil, errkind.Validationf("%s is larger than %d bytes", f.Name, limit)
	}
	return body, nil
}

// ToolsVersion returns the swift-tools-version a manifest declares on its
// first line ("// swift-tools-version:5.7"), or "".
func ToolsVersion(manifest []byte) string {
	line, _, _ := strings.Cut(string(manifest), "\n")
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, "//")
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	v, ok := strings.CutPrefix(strings.ToLower(rest), "swift-tools-version")
	if !ok {
		return ""
	}
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
	v, _, _ = strings.Cut(v, ";")
	if !regexp.MustCompile(`^\d+(\.\d+){0,2}$`).MatchString(v) {
		return ""
	}
	return v
}
