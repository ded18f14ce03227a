package rendered

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/deflate"
	"github.com/arcahq/arca/internal/respond"
)

// RemoteTTL is how long a document that depends on a public registry is
// served from a cache: it changes when the registry does, which no
// generation tracks.
const RemoteTTL = 60 * time.Second

// gzipMin is the size below which a body is not worth gzipping.
const gzipMin = 1024

// gzipFastMin is the size from which a body is gzipped at gzip's fastest
// level: a document of thousands of versions is gzipped again after every
// publish, and the fastest level takes half the time of the default for
// about 5% more bytes (an npm document of 5,000 versions, 2.3 MB: 17 ms
// and 565 KB against 33 ms and 538 KB).
const gzipFastMin = 256 << 10

// Doc is a rendered body with what is sent with it: one slice of bytes
// (NewDoc), or parts (Assemble), joined when first sent.
type Doc struct {
	ContentType string
	// ETag is weak, since the plain and the gzipped bytes share it.
	ETag string
	// Modified, when set, is sent as Last-Modified (and answers
	// If-Modified-Since): when what the body shows last changed.
	Modified time.Time

	size   int64 // of the plain body
	gzSize int64 // of the gzip body; 0: not offered (a small body)
	parts  []*Part
	crc    uint32 // of the plain body, from the parts'

	plainOnce, gzOnce sync.Once
	plain, gz         []byte

	// header holds the header values every response carries, formatted
	// at the first (the fields above are set by then: a document is
	// shared only once made).
	headerOnce sync.Once
	header     docHeader
}

type docHeader struct {
	contentType, etag []string
	plain, gz         *respond.Fields
}

// NewDoc prepares body to be sent as contentType.
func NewDoc(body []byte, contentType string) *Doc {
	sum := sha256.Sum256(body)
	d := &Doc{ContentType: contentType, ETag: etagOf(sum[:16]), size: int64(len(body))}
	d.plainOnce.Do(func() { d.plain = body })
	if len(body) >= gzipMin {
		level := gzip.DefaultCompression
		if len(body) >= gzipFastMin {
			level = gzip.BestSpeed
		}
		gz := deflate.Gzip(body, level)
		d.gzOnce.Do(func() { d.gz = gz })
		d.gzSize = int64(len(gz))
	}
	return d
}

func etagOf(sum []byte) string { return `W/"` + hex.EncodeToString(sum) + `"` }

// assembleMin is the size from which Assemble keeps a document as its
// parts; a smaller one is joined and gzipped whole, as NewDoc does.
const assembleMin = 64 << 10

// Assemble prepares the document made of parts, in order, to be sent as
// contentType: its gzip form is the parts' compressed segments, joined
// (with one gzip header and trailer) when a client first asks for it, and
// its ETag is made from the parts' digests.
func Assemble(contentType string, parts ...*Part) *Doc {
	return assemble(assembleMin, contentType, parts)
}

// AssembleEach is Assemble for a small document of short entries rebuilt
// at every publish (a list of version strings): kept as its parts from
// the size worth gzipping, so that a rebuild compresses the one run that
// changed, not the whole, for somewhat more bytes sent.
func AssembleEach(contentType string, parts ...*Part) *Doc {
	return assemble(gzipMin, contentType, parts)
}

func assemble(min int64, contentType string, parts []*Part) *Doc {
	var size int64
	for _, p := range parts {
		size += int64(len(p.plain))
	}
	if size < min {
		body := make([]byte, 0, size)
		for _, p := range parts {
			body = append(body, p.plain...)
		}
		return NewDoc(body, contentType)
	}
	d := &Doc{ContentType: contentType, size: size, parts: parts}
	h := sha256.New()
	gz := int64(len(gzipHeader))
	for _, p := range parts {
		h.Write(p.sum[:])
		d.crc = crcCombine(d.crc, p.crc, int64(len(p.plain)))
		gz += int64(len(p.compressed()))
	}
	d.gzSize = gz + int64(len(gzipTrailer(0, 0)))
	d.ETag = etagOf(h.Sum(nil)[:16])
	return d
}

// Bytes returns the plain body; it must not be changed.
func (d *Doc) Bytes() []byte {
	d.plainOnce.Do(func() {
		d.plain = make([]byte, 0, d.size)
		for _, p := range d.parts {
			d.plain = append(d.plain, p.plain...)
		}
	})
	return d.plain
}

// Gzip returns the body gzipped, nil for a body too small to be worth
// it; it must not be changed.
func (d *Doc) Gzip() []byte {
	if d.gzSize == 0 {
		return nil
	}
	d.gzOnce.Do(func() {
		d.gz = make([]byte, 0, d.gzSize)
		d.gz = append(d.gz, gzipHeader...)
		for _, p := range d.parts {
			d.gz = append(d.gz, p.compressed()...)
		}
		d.gz = append(d.gz, gzipTrailer(d.crc, d.size)...)
	})
	return d.gz
}

// Header values every document shares; net/http only reads them.
var (
	vary         = []string{"Accept, Accept-Encoding"}
	noCache      = []string{"no-cache"}
	gzipEncoding = []string{"gzip"}
)

// Size is the memory the document holds.
func (d *Doc) Size() int64 { return d.size + d.gzSize }

// Serve writes the document, gzipped when the client accepts it; a
// request with a matching If-None-Match gets a 304. Clients are told to
// revalidate every time (a 304 is cheap), so a publish shows at once.
func (d *Doc) Serve(w http.ResponseWriter, r *http.Request) {
	d.headerOnce.Do(func() {
		d.header = docHeader{contentType: []string{d.ContentType}, etag: []string{d.ETag}, plain: respond.NewFields(d.Modified, int(d.size))}
		if d.gzSize > 0 {
			d.header.gz = respond.NewFields(d.Modified, int(d.gzSize))
		}
	})
	h := w.Header()
	h["Content-Type"] = d.header.contentType
	h["Etag"] = d.header.etag
	h["Vary"] = vary
	h["Cache-Control"] = noCache
	if d.gzSize > 0 && AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		h["Content-Encoding"] = gzipEncoding
		d.header.gz.Bytes(w, r, d.Gzip())
		return
	}
	d.header.plain.Bytes(w, r, d.Bytes())
}
