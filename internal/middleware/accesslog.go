package middleware

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/jsonstr"
)

// AccessLog writes the access log: a line per request, in the shape
// log/slog's text or JSON handler gives the server's other messages
// (msg=request with request_id, method, path, status, bytes, duration),
// appended straight into a reused buffer: slog's generic record handling
// cost more than a microsecond on every request.
type AccessLog struct {
	w    io.Writer
	json bool
	bufs sync.Pool
}

// NewAccessLog returns an access log writing to w (a LogWriter, so that
// lines leave in batches), as JSON lines if json, else as logfmt text.
func NewAccessLog(w io.Writer, json bool) *AccessLog {
	return &AccessLog{w: w, json: json, bufs: sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}}
}

// line is one request's entry.
type line struct {
	at               time.Time
	id, method, path string
	status           int
	bytes            int64
	duration         time.Duration
}

func (a *AccessLog) write(l line) {
	bp := a.bufs.Get().(*[]byte)
	b := (*bp)[:0]
	if a.json {
		b = l.appendJSON(b)
	} else {
		b = l.appendText(b)
	}
	a.w.Write(b)
	*bp = b
	a.bufs.Put(bp)
}

// appendText writes what slog.TextHandler would.
func (l line) appendText(b []byte) []byte {
	b = append(b, "time="...)
	b = l.at.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, " level=INFO msg=request request_id="...)
	b = appendTextValue(b, l.id)
	b = append(b, " method="...)
	b = appendTextValue(b, l.method)
	b = append(b, " path="...)
	b = appendTextValue(b, l.path)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, l.bytes, 10)
	b = append(b, " duration="...)
	b = append(b, l.duration.String()...)
	return append(b, '\n')
}

// appendTextValue writes s bare, or quoted when it is empty or holds a
// space, a quote, an equals sign or anything unprintable (a client's path
// can hold a newline; quoted, it cannot forge a line).
func appendTextValue(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '"' || c == '=' || c >= utf8.RuneSelf-1 {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}

// appendJSON writes what slog.JSONHandler would.
func (l line) appendJSON(b []byte) []byte {
	b = append(b, `{"time":"`...)
	b = l.at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","request_id":`...)
	b = jsonstr.Append(b, l.id)
	b = append(b, `,"method":`...)
	b = jsonstr.Append(b, l.method)
	b = append(b, `,"path":`...)
	b = jsonstr.Append(b, l.path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, l.bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(l.duration), 10)
	return append(b, "}\n"...)
}
