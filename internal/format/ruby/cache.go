package ruby

// GemsCacheBytes bounds the memory of the cached gem lists and info files.
const GemsCacheBytes = 16 << 20

// gemsKey names a package's gems as one repository's clients see them.
type gemsKey struct {
	repository int64
	name       string
}

// gemList is a package's Published gems in push order, its compact index
// info file rendered from them, and its lines of the versions file.
type gemList struct {
	gems    []Gem
	info    []byte
	history []VersionsEvent
}

// size is what a gemList is counted as in the cache: the info file twice
// (its bytes and, roughly, the gems it was rendered from), and its
// versions lines.
func (l *gemList) size() int64 { return 2*int64(len(l.info)) + 96*int64(len(l.history)) + 64 }
