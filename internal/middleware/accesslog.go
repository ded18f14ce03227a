package middleware

import (
	"io"
	"strconv"
	"sync"
	"sync/atomic"
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
	// last is the second of the last line, formatted: the lines of one
	// second (thousands, on a busy server) differ in their fraction only.
	last atomic.Pointer[second]
}

// second is a second's date, time and zone offset, formatted.
type second struct {
	unix       int64
	loc        *time.Location
	date, zone []byte // 2006-01-02T15:04:05 and Z07:00
}

// second returns at's second, formatted.
func (a *AccessLog) second(at time.Time) *second {
	if s := a.last.Load(); s != nil && s.unix == at.Unix() && s.loc == at.Location() {
		return s
	}
	s := &second{unix: at.Unix(), loc: at.Location(),
		date: at.AppendFormat(nil, "2006-01-02T15:04:05"), zone: at.AppendFormat(nil, "Z07:00")}
	a.last.Store(s)
	return s
}

// appendTime writes at as AppendFormat would with layout
// 2006-01-02T15:04:05.000Z07:00 (text) or time.RFC3339Nano (JSON), from
// its second s, formatted.
func appendTime(b []byte, at time.Time, s *second, json bool) []byte {
	b = append(b, s.date...)
	ns := at.Nanosecond()
	if json {
		if ns != 0 {
			var frac [10]byte
			frac[0] = '.'
			for i := 9; i > 0; i-- {
				frac[i] = byte('0' + ns%10)
				ns /= 10
			}
			n := 10
			for frac[n-1] == '0' {
				n--
			}
			b = append(b, frac[:n]...)
		}
	} else {
		ms := ns / 1e6
		b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	}
	return append(b, s.zone...)
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
	sec := a.second(l.at)
	if a.json {
		b = l.appendJSON(b, sec)
	} else {
		b = l.appendText(b, sec)
	}
	a.w.Write(b)
	*bp = b
	a.bufs.Put(bp)
}

// appendText writes what slog.TextHandler would.
func (l line) appendText(b []byte, sec *second) []byte {
	b = append(b, "time="...)
	b = appendTime(b, l.at, sec, false)
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
func (l line) appendJSON(b []byte, sec *second) []byte {
	b = append(b, `{"time":"`...)
	b = appendTime(b, l.at, sec, true)
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
