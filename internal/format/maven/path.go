package maven

import (
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// MetadataFile is the name of Maven's repository metadata files, at the
// artifact level (the versions of an artifact) and at the version level
// of a SNAPSHOT (its timestamped builds).
const MetadataFile = "maven-metadata.xml"

// SnapshotSuffix ends every SNAPSHOT version.
const SnapshotSuffix = "-SNAPSHOT"

// maxSegment bounds a path segment, a version and a name alike (the
// model's PackageVersion and PackageName are at most 255 characters).
const maxSegment = 255

// Kind says what a repository path names.
type Kind int

// The kinds of path.
const (
	// KindFile is a file of a version: group/artifact/version/file.
	KindFile Kind = iota
	// KindArtifactMetadata is group/artifact/maven-metadata.xml.
	KindArtifactMetadata
	// KindVersionMetadata is group/artifact/version-SNAPSHOT/maven-metadata.xml.
	KindVersionMetadata
)

// Checksum is the algorithm of a checksum file: the extension Maven adds to
// a file's name (".sha1" of "demo-1.0.jar.sha1").
type Checksum string

// The checksums Maven's resolvers upload and fetch.
const (
	MD5    Checksum = "md5"
	SHA1   Checksum = "sha1"
	SHA256 Checksum = "sha256"
	SHA512 Checksum = "sha512"
)

// Checksums are the checksum algorithms in the order their files are
// recognised.
var Checksums = []Checksum{MD5, SHA1, SHA256, SHA512}

// HexLen is the length of the hex digest of c.
func (c Checksum) HexLen() int {
	switch c {
	case MD5:
		return 32
	case SHA1:
		return 40
	case SHA256:
		return 64
	case SHA512:
		return 128
	}
	return 0
}

// Of returns the hex digest of c among an asset's digests.
func (c Checksum) Of(a artifact.Asset) string {
	switch c {
	case MD5:
		return a.MD5
	case SHA1:
		return a.SHA1
	case SHA256:
		return a.SHA256
	case SHA512:
		return a.SHA512
	}
	return ""
}

// Path is a parsed path below a Maven repository endpoint, in the Maven 2
// repository layout: the groupId's dots become directories, then the
// artifactId, the version and the file.
//
// Spec: https://maven.apache.org/repositories/layout.html and
// https://maven.apache.org/repositories/metadata.html.
type Path struct {
	Kind       Kind
	GroupID    string // "com.example"
	ArtifactID string // "demo"
	Version    string // the version directory; "" for artifact metadata
	// File is the file's name without a checksum extension:
	// "demo-1.0.jar", "demo-1.0-SNAPSHOT.pom", "maven-metadata.xml".
	File string
	// Checksum is set when the path names a checksum of File.
	Checksum Checksum
	// Name is the parsed name of a KindFile's File.
	Name FileName
}

// Ref returns the package the path belongs to.
func (p Path) Ref() artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.Maven, Namespace: p.GroupID, Name: p.ArtifactID}
}

// String returns the path as the repository layout writes it.
func (p Path) String() string {
	s := strings.ReplaceAll(p.GroupID, ".", "/") + "/" + p.ArtifactID + "/"
	if p.Version != "" {
		s += p.Version + "/"
	}
	s += p.File
	if p.Checksum != "" {
		s += "." + string(p.Checksum)
	}
	return s
}

// FileName is the parsed name of a file of a version:
// {artifactId}-{version}[-{classifier}].{extension}, where a SNAPSHOT
// version may appear as its timestamped build
// ("demo-1.0-20261123.191446-1.jar" in the directory 1.0-SNAPSHOT).
type FileName struct {
	// Build is the timestamped build of a SNAPSHOT file,
	// "20261123.191446-1"; "" for other files.
	Build      string
	Classifier string
	Extension  string // "jar", "pom", "jar.asc", "tar.gz"
}

// IsSnapshot reports whether version is a SNAPSHOT version.
func IsSnapshot(version string) bool { return strings.HasSuffix(version, SnapshotSuffix) }

// BuildVersion returns the version a SNAPSHOT build is kept under once a
// later build replaces it: "1.0-SNAPSHOT" and "20261123.191446-1" give
// "1.0-20261123.191446-1" (User Guide, "Use Maven snapshots").
func BuildVersion(snapshot, build string) string {
	return strings.TrimSuffix(snapshot, "SNAPSHOT") + build
}

// ParsePath parses an escaped path below a repository endpoint. It is
// strict: every segment must be usable as a groupId part, artifactId,
// version or file name, and a file of a version must be named after the
// artifact and version. Errors are errkind.Validation.
//
// The layout is parsed by hand: a groupId has any number of segments,
// which no ServeMux pattern can express before {artifact}/{version}/{file}.
func ParsePath(escaped string) (Path, error) {
	var p Path
	raw := strings.Split(escaped, "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return p, errkind.Validationf("Invalid path %q: %v", escaped, err)
		}
		if err := checkSegment(u); err != nil {
			return p, errkind.Validationf("Invalid path %q: %s", escaped, err.Error())
		}
		segs[i] = u
	}
	file := segs[len(segs)-1]
	for _, c := range Checksums {
		if base, ok := strings.CutSuffix(file, "."+string(c)); ok {
			file, p.Checksum = base, c
			break
		}
	}
	p.File = file
	dirs := segs[:len(segs)-1]
	if file == MetadataFile {
		switch {
		case len(dirs) >= 3 && IsSnapshot(dirs[len(dirs)-1]):
			p.Kind = KindVersionMetadata
			p.Version = dirs[len(dirs)-1]
			dirs = dirs[:len(dirs)-1]
		case len(dirs) >= 2:
			p.Kind = KindArtifactMetadata
		default:
			return p, errkind.Validationf("Invalid path %q: metadata needs a groupId and an artifactId", escaped)
		}
	} else {
		if len(dirs) < 3 {
			return p, errkind.Validationf("Invalid path %q: a file of a version is group/artifact/version/file", escaped)
		}
		p.Kind = KindFile
		p.Version = dirs[len(dirs)-1]
		dirs = dirs[:len(dirs)-1]
	}
	p.ArtifactID = dirs[len(dirs)-1]
	for _, d := range dirs[:len(dirs)-1] {
		if strings.Contains(d, ".") {
			// The layout turns the groupId's dots into directories: a dot
			// left in a directory would name the same group twice.
			return p, errkind.Validationf("Invalid path %q: a groupId directory cannot contain a dot (%q)", escaped, d)
		}
	}
	p.GroupID = strings.Join(dirs[:len(dirs)-1], ".")
	if p.Kind == KindFile {
		n, ok := ParseFileName(p.ArtifactID, p.Version, p.File)
		if !ok {
			return p, errkind.Validationf("Invalid path %q: a file of %s:%s:%s is named %s-%s[-classifier].extension",
				escaped, p.GroupID, p.ArtifactID, p.Version, p.ArtifactID, p.Version)
		}
		p.Name = n
	}
	return p, nil
}

// checkSegment applies the rules every segment follows: not empty, not a
// relative reference, no whitespace, control characters, '#', '?', ':',
// '%', '\\' or '/' (an escaped slash), at most 255 bytes.
func checkSegment(s string) error {
	switch {
	case s == "":
		return errkind.Validationf("empty segment")
	case s == "." || s == "..":
		return errkind.Validationf("segment %q", s)
	case len(s) > maxSegment:
		return errkind.Validationf("segment longer than %d characters", maxSegment)
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '#' || r == '/' || r == '\\' || r == ':' || r == '%' || r == '?' {
			return errkind.Validationf("segment %q contains %q", s, r)
		}
	}
	return nil
}

// ParseFileName parses the name of a file in a version's directory. ok is
// false for a name that does not follow the layout.
func ParseFileName(artifactID, version, file string) (n FileName, ok bool) {
	rest, found := strings.CutPrefix(file, artifactID+"-")
	if !found {
		return n, false
	}
	switch {
	case strings.HasPrefix(rest, version) && (len(rest) == len(version) || rest[len(version)] == '.' || rest[len(version)] == '-'):
		rest = rest[len(version):]
	case IsSnapshot(version):
		base := strings.TrimSuffix(version, "SNAPSHOT") // "1.0-"
		after, found := strings.CutPrefix(rest, base)
		if !found {
			return n, false
		}
		build, tail, found := cutBuild(after)
		if !found {
			return n, false
		}
		n.Build, rest = build, tail
	default:
		return n, false
	}
	if c, found := strings.CutPrefix(rest, "-"); found {
		classifier, ext, found := strings.Cut(c, ".")
		if !found || classifier == "" {
			return n, false
		}
		n.Classifier, rest = classifier, "."+ext
	}
	ext, found := strings.CutPrefix(rest, ".")
	if !found || ext == "" || strings.HasSuffix(ext, ".") || strings.Contains(ext, "..") {
		return n, false
	}
	n.Extension = ext
	return n, true
}

// cutBuild cuts a timestamped build, "yyyyMMdd.HHmmss-N", off the front
// of s.
func cutBuild(s string) (build, rest string, ok bool) {
	const stamp = len("20261123.191446")
	if len(s) < stamp+2 || s[8] != '.' || !digits(s[:8]) || !digits(s[9:stamp]) || s[stamp] != '-' {
		return "", s, false
	}
	i := stamp + 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == stamp+1 {
		return "", s, false
	}
	return s[:i], s[i:], true
}

// ParseBuild splits a timestamped build "20261123.191446-1" into its
// timestamp and build number.
func ParseBuild(build string) (timestamp string, number int, ok bool) {
	b, rest, ok := cutBuild(build)
	if !ok || rest != "" {
		return "", 0, false
	}
	for _, c := range b[16:] {
		number = number*10 + int(c-'0')
		if number > 1<<30 {
			return "", 0, false
		}
	}
	return b[:15], number, true
}

// CompareBuilds orders timestamped builds, oldest first.
func CompareBuilds(a, b string) int {
	ta, na, _ := ParseBuild(a)
	tb, nb, _ := ParseBuild(b)
	if c := strings.Compare(ta, tb); c != 0 {
		return c
	}
	return na - nb
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// FileNameOf returns the name a file of version has: with the build of a
// SNAPSHOT in place of "SNAPSHOT" when build is set.
func FileNameOf(artifactID, version string, n FileName) string {
	v := version
	if n.Build != "" {
		v = BuildVersion(version, n.Build)
	}
	s := artifactID + "-" + v
	if n.Classifier != "" {
		s += "-" + n.Classifier
	}
	return s + "." + n.Extension
}

// ContentType is the media type files with ext are served with.
func ContentType(ext string) string {
	switch {
	case ext == "pom" || ext == "xml" || strings.HasSuffix(ext, ".xml"):
		return "text/xml"
	case ext == "jar" || ext == "war" || ext == "ear" || ext == "aar":
		return "application/java-archive"
	case ext == "module" || ext == "json":
		return "application/json"
	case strings.HasSuffix(ext, ".asc"):
		return "application/pgp-signature"
	}
	return "application/octet-stream"
}

// ValidSegment reports whether s can be a segment of a repository path:
// a version, an artifactId, a part of a groupId or a file name.
func ValidSegment(s string) bool { return checkSegment(s) == nil }

// Dir returns the directory of a version of ref in the repository layout,
// "com/example/demo/1.0", or of the artifact when version is "".
func Dir(ref artifact.PackageRef, version string) string {
	s := strings.ReplaceAll(ref.Namespace, ".", "/") + "/" + ref.Name
	if version != "" {
		s += "/" + version
	}
	return s
}
