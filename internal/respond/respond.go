// Package respond sends a response body that is already in memory (a
// rendered document, a checksum, a small asset read whole) in as few
// writes as net/http allows.
//
// http.ServeContent would do the same job with more work on the hot path:
// it copies a body through the connection's ReadFrom, which writes the
// headers with the first 512 bytes and then the rest, two writes even for
// a 1 KB document, and it parses every conditional header on every
// request. Bytes answers the plain GET and HEAD and the If-None-Match
// revalidation itself (what package managers send) and hands anything
// else (Range, If-Match, If-Modified-Since, If-Range) to ServeContent.
package respond

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Bytes answers r with body as the whole representation. The caller has
// set Content-Type and ETag on w; modtime, when not zero, is sent as
// Last-Modified. A matching If-None-Match gets a 304 with no body.
func Bytes(w http.ResponseWriter, r *http.Request, modtime time.Time, body []byte) {
	send(w, r, modtime, body, nil, nil)
}

// Fields are the header values that go with a body sent many times (a
// cached blob, a rendered document), formatted once: Content-Length and
// Last-Modified. net/http only reads the slices, so every response can
// share them.
type Fields struct {
	modtime              time.Time
	length, lastModified []string
}

// NewFields formats the header values of a body of size bytes last
// modified at modtime (zero: none sent).
func NewFields(modtime time.Time, size int) *Fields {
	f := &Fields{modtime: modtime, length: []string{strconv.Itoa(size)}}
	if sent(modtime) {
		f.lastModified = []string{modtime.UTC().Format(http.TimeFormat)}
	}
	return f
}

// Bytes answers r with body, which must be the body f was made for, as
// Bytes does.
func (f *Fields) Bytes(w http.ResponseWriter, r *http.Request, body []byte) {
	send(w, r, f.modtime, body, f.length, f.lastModified)
}

// sent reports whether modtime is sent as Last-Modified (as
// http.ServeContent decides).
func sent(modtime time.Time) bool { return !modtime.IsZero() && !modtime.Equal(time.Unix(0, 0)) }

// send is Bytes with the Content-Length and Last-Modified values, when
// not nil, formatted beforehand.
func send(w http.ResponseWriter, r *http.Request, modtime time.Time, body []byte, length, lastModified []string) {
	rh := r.Header
	if rh["Range"] != nil || rh["If-Match"] != nil || rh["If-Modified-Since"] != nil || rh["If-Unmodified-Since"] != nil || rh["If-Range"] != nil {
		http.ServeContent(w, r, "", modtime, bytes.NewReader(body))
		return
	}
	h := w.Header()
	if lastModified != nil {
		h["Last-Modified"] = lastModified
	} else if sent(modtime) {
		h["Last-Modified"] = []string{modtime.UTC().Format(http.TimeFormat)}
	}
	if inm := rh["If-None-Match"]; len(inm) > 0 && inm[0] != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		if etag := h["Etag"]; len(etag) > 0 && etag[0] != "" && MatchesETag(inm[0], etag[0]) {
			delete(h, "Content-Type")
			delete(h, "Content-Length")
			delete(h, "Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h["Accept-Ranges"] = acceptRanges
	if length == nil {
		length = []string{strconv.Itoa(len(body))}
	}
	h["Content-Length"] = length
	if r.Method == http.MethodHead {
		return
	}
	if c := connOf(r.Context()); c != nil && len(body) <= SmallBody {
		c.hold()
		defer c.release()
		w.Write(body)
		http.NewResponseController(w).Flush()
		return
	}
	w.Write(body)
}

// SmallBody is the size up to which a body and its headers leave in one
// write.
const SmallBody = 64 << 10

var acceptRanges = []string{"bytes"}

// MatchesETag reports whether an If-None-Match header value names etag,
// comparing weakly (RFC 9110 §13.1.2): W/"x" matches "x", and * matches
// anything.
func MatchesETag(ifNoneMatch, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for field := range strings.SplitSeq(ifNoneMatch, ",") {
		field = strings.TrimSpace(field)
		if field == "*" || strings.TrimPrefix(field, "W/") == etag {
			return true
		}
	}
	return false
}
