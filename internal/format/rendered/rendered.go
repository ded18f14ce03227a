// Package rendered keeps the documents formats render from the catalog
// (npm package documents, PyPI pages, Maven metadata files) ready to
// send: rendered once however many requests ask at the same time, kept
// in a bounded cache while the package generation they were made at
// holds, and served with an ETag and, where the client accepts it, gzip.
// Fragments keeps the per-version parts documents are assembled from
// (npm manifests, PyPI releases' entries), by the revision they were made
// from, so that a publish renders one part instead of every version's.
// While a document is rebuilt, readers other than the client that
// changed the package (Writers) are served the previous rendering
// (Cache.LoadAtLeast) instead of waiting.
package rendered

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

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

// Doc is a rendered body with what is sent with it.
type Doc struct {
	ContentType string
	// ETag is weak, since the plain and the gzipped bytes share it.
	ETag string
	Body []byte
	// Gzip is Body gzipped, made once here; nil for small bodies.
	Gzip []byte
	// Modified, when set, is sent as Last-Modified (and answers
	// If-Modified-Since): when what the body shows last changed.
	Modified time.Time
}

// NewDoc prepares body to be sent as contentType.
func NewDoc(body []byte, contentType string) *Doc {
	sum := sha256.Sum256(body)
	d := &Doc{ContentType: contentType, ETag: `W/"` + hex.EncodeToString(sum[:16]) + `"`, Body: body}
	if len(body) >= gzipMin {
		var gz bytes.Buffer
		level := gzip.DefaultCompression
		if len(body) >= gzipFastMin {
			level = gzip.BestSpeed
		}
		w, _ := gzip.NewWriterLevel(&gz, level)
		w.Write(body)
		w.Close()
		d.Gzip = gz.Bytes()
	}
	return d
}

// Header values every document shares; net/http only reads them.
var (
	vary         = []string{"Accept, Accept-Encoding"}
	noCache      = []string{"no-cache"}
	gzipEncoding = []string{"gzip"}
)

// Size is the memory the document holds.
func (d *Doc) Size() int64 { return int64(len(d.Body) + len(d.Gzip)) }

// Serve writes the document, gzipped when the client accepts it; a
// request with a matching If-None-Match gets a 304. Clients are told to
// revalidate every time (a 304 is cheap), so a publish shows at once.
func (d *Doc) Serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = []string{d.ContentType}
	h["Etag"] = []string{d.ETag}
	h["Vary"] = vary
	h["Cache-Control"] = noCache
	body := d.Body
	if d.Gzip != nil && AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		h["Content-Encoding"] = gzipEncoding
		body = d.Gzip
	}
	respond.Bytes(w, r, d.Modified, body)
}
