package ruby

import (
	"time"

	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/respond"
)

// document is a compact index file kept across requests (a gem's info
// file), ready to send: its ETag and its gzip form are made once per
// rendering, so a read of an unchanged file costs no hashing and no
// compression.
//
// Its ETag is the quoted MD5 of its plain bytes whichever form is sent:
// Bundler appends a Range answer to what it holds and compares the MD5 of
// the result with the ETag.
type document struct {
	*rendered.Doc
}

// newDocument prepares body to be sent as contentType.
func newDocument(body []byte, contentType string) *document {
	d := rendered.NewDoc(body, contentType)
	d.ETag = `"` + MD5(body) + `"`
	return &document{d}
}

// serve sends the document: gzipped to a client that accepts it, except
// in answer to a Range request, whose offsets are those of the plain
// bytes (Bundler appends them to its copy).
func (d *document) serve(c *call) {
	if c.r.Header["Range"] == nil {
		d.Serve(c.w, c.r)
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("ETag", d.ETag)
	h.Set("Vary", "Accept-Encoding")
	respond.Bytes(c.w, c.r, time.Time{}, d.Bytes())
}

// assembled prepares the document made of parts (rendered.Assemble)
// whose plain bytes' hex MD5 is sum.
func assembled(parts []*rendered.Part, sum, contentType string) *document {
	d := rendered.Assemble(contentType, parts...)
	d.ETag = `"` + sum + `"`
	return &document{d}
}
