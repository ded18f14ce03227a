package npm

import (
	"strings"

	"github.com/arcahq/arca/internal/format/rendered"
)

// DocCacheBytes bounds the memory of rendered package documents (plain
// and gzipped together) and of the runs of versions they are assembled
// from (RunCacheBytes of it).
const DocCacheBytes = 32 << 20

// RunCacheBytes is the part of DocCacheBytes that keeps runs of versions'
// entries, compressed (rendered.Runs).
const RunCacheBytes = 16 << 20

// docKey names a rendered document.
type docKey struct {
	repository  int64
	name        string
	abbreviated bool
	baseURL     string // tarball URLs depend on it
}

// acceptsAbbreviated reports whether an Accept header asks for the
// abbreviated document: npm's and pnpm's first request prefers it (q=1)
// to application/json (q=0.8); yarn and npm install ask for
// application/json alone.
func acceptsAbbreviated(accept string) bool {
	abbreviated, full := 0.0, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, params, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mediaType)) {
		case ContentTypeAbbreviated:
			abbreviated = rendered.Quality(params)
		case ContentTypeFull:
			full = rendered.Quality(params)
		}
	}
	return abbreviated > 0 && abbreviated >= full
}
