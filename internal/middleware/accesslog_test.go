package middleware

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

// The access log's lines read as the server's other log lines: what
// slog's own handlers would write for the same record.
func TestAccessLogMatchesSlog(t *testing.T) {
	zone := time.FixedZone("", 3600)
	at := time.Date(2026, 11, 24, 1, 30, 0, 123456789, zone)
	// One access log writes them all, in turn: lines of the same second
	// share its formatted text, lines of others must not.
	logs := map[bool]*AccessLog{}
	var got bytes.Buffer
	for _, json := range []bool{false, true} {
		logs[json] = NewAccessLog(&got, json)
	}
	var lines []line
	for _, at := range []time.Time{
		at, at.Add(time.Millisecond), at.Add(-at.Sub(at.Truncate(time.Second))), at.Add(5 * time.Microsecond),
		at.Add(time.Second), at.Add(-time.Hour), at.In(time.UTC), at.In(time.FixedZone("", -9*3600-1800)),
		time.Date(2026, 11, 24, 1, 30, 0, 100000000, zone), time.Date(2026, 11, 24, 1, 30, 0, 999000, zone),
		time.Date(2026, 11, 24, 1, 30, 0, 1, zone),
	} {
		lines = append(lines, line{at: at, id: "x", method: "GET", path: "/", status: 200, bytes: 1, duration: time.Millisecond})
	}
	for _, l := range append(lines, []line{
		{at: at, id: "0f8fad5b-d9cb-469f-a165-70867728950e", method: "GET", path: "/d-111122223333/npm/r/left-pad", status: 200, bytes: 10240, duration: 1234567 * time.Nanosecond},
		{at: at, id: "x", method: "PUT", path: "/a b/\"c\"=d\n/é", status: 409, bytes: 0, duration: time.Second},
		{at: at, id: "", method: "DELETE", path: "/<script>&", status: 500, bytes: -1, duration: 0},
	}...) {
		for _, json := range []bool{false, true} {
			var want bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&want, nil)
			if json {
				h = slog.NewJSONHandler(&want, nil)
			}
			rec := slog.NewRecord(l.at, slog.LevelInfo, "request", 0)
			rec.AddAttrs(slog.String("request_id", l.id), slog.String("method", l.method), slog.String("path", l.path),
				slog.Int("status", l.status), slog.Int64("bytes", l.bytes), slog.Duration("duration", l.duration))
			h.Handle(context.Background(), rec)
			got.Reset()
			logs[json].write(l)
			same := got.String() == want.String()
			if json {
				// Equal as JSON: Arca escapes <, > and & as encoding/json
				// does, slog does not.
				var g, w map[string]any
				same = stdjson.Unmarshal(got.Bytes(), &g) == nil && stdjson.Unmarshal(want.Bytes(), &w) == nil && reflect.DeepEqual(g, w) &&
					bytes.Count(got.Bytes(), []byte("\n")) == 1
			}
			if !same {
				t.Errorf("json=%v:\n got %s\nwant %s", json, got.String(), want.String())
			}
		}
	}
}
