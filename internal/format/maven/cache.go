package maven

import (
	"sync"

	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/rendered"
)

// DocCacheBytes bounds the memory of generated metadata files, with the
// listings of versions they were made from (format.Listing), and of the
// runs of versions they are assembled from (RunCacheBytes of it):
// Maven's 16 MiB share.
const DocCacheBytes = 16 << 20

// RunCacheBytes is the part of DocCacheBytes that keeps runs of
// artifacts' <version> elements, compressed (rendered.Runs).
const RunCacheBytes = 2 << 20

// docKey names a generated metadata file: the repository, and the path of
// the file without a checksum extension.
type docKey struct {
	repository int64
	path       string
}

// document is a generated metadata file, ready to send, with the digests
// its checksum files are served from, each computed when first asked
// for: Maven asks for the .sha1 only, most readers for none. An
// artifact's metadata keeps the listing of versions it was made from,
// which the next one is derived from.
type document struct {
	*rendered.Doc
	sums    *sums
	listing *format.Listing
}

type sums struct {
	mu  sync.Mutex
	hex map[Checksum]string
}

func newDocument(d *rendered.Doc, l *format.Listing) document {
	return document{d, &sums{hex: map[Checksum]string{}}, l}
}

// checksum returns the hex digest of the file by c.
func (d document) checksum(c Checksum) string {
	d.sums.mu.Lock()
	defer d.sums.mu.Unlock()
	sum, ok := d.sums.hex[c]
	if !ok {
		sum = c.Sum(d.Bytes())
		d.sums.hex[c] = sum
	}
	return sum
}

func (d document) size() int64 {
	n := d.Size() + 512
	if d.listing != nil {
		n += d.listing.Size()
	}
	return n
}
